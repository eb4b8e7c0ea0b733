package content

import (
	"context"
	"time"
)

// UserStatus says whether Pai Tor may send to a LINE user.
type UserStatus string

const (
	// StatusFollowing: the user follows the account; sends are allowed.
	StatusFollowing UserStatus = "following"
	// StatusBlocked: the user unfollowed (blocked) the account; nothing is sent.
	StatusBlocked UserStatus = "blocked"
)

// Role is what the person told Pai Tor they are.
type Role string

const (
	RoleUnknown Role = ""
	RoleYouth   Role = "youth"  // a young person looking for their next step
	RoleParent  Role = "parent" // a parent or guardian
	RoleOther   Role = "other"  // a teacher, counsellor or curious visitor
)

// Valid reports whether r is one of the known roles (RoleUnknown included).
func (r Role) Valid() bool {
	switch r {
	case RoleUnknown, RoleYouth, RoleParent, RoleOther:
		return true
	}
	return false
}

// User is a LINE account that has talked to Pai Tor. It holds no personal data
// beyond the opaque LINE user ID: profile fields come only after consent.
type User struct {
	ID         string     // LINE user ID ("U" + 32 hex digits)
	Status     UserStatus // following or blocked
	Role       Role       // empty until the person chooses
	FollowedAt time.Time  // last follow (or unblock)
	BlockedAt  time.Time  // last unfollow; zero while following
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CanReceive reports whether pushes to the user are allowed.
func (u User) CanReceive() bool { return u.Status != StatusBlocked }

// UserStore keeps LINE users and their follow state.
type UserStore interface {
	// Follow records a follow (or an unblock) at time at, creating the user when
	// new. It returns the user as stored and whether it was created by this call.
	Follow(ctx context.Context, id string, at time.Time) (u User, created bool, err error)

	// Block records an unfollow at time at: the user is marked blocked and must
	// receive nothing more. Blocking an unknown user creates it blocked.
	Block(ctx context.Context, id string, at time.Time) error

	// Touch makes sure the user exists (a message can arrive from a user whose
	// follow event was missed) and returns it. It never changes the status.
	Touch(ctx context.Context, id string, at time.Time) (User, error)

	// User returns the user with this ID, or an error with code ENOTFOUND.
	User(ctx context.Context, id string) (User, error)

	// SetRole records the person's role. ENOTFOUND if the user does not exist,
	// EINVALID for an unknown role.
	SetRole(ctx context.Context, id string, role Role) error
}

// Store is everything the system of record offers. Implementations are safe for
// concurrent use.
type Store interface {
	UserStore
	GuidanceStore
	CatalogStore
	SignalStore
	CityStore
	TicketStore

	// Ping reports whether the store is reachable (used by /readyz).
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close()
}

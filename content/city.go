package content

import (
	"context"
	"slices"
	"time"
)

// City is a tenant: a learning city, municipality or province office that
// publishes to the residents of its area. Its publishers see and reach only
// its own area and content.
type City struct {
	ID               string   // UUID
	Name             string   // e.g. "เทศบาลนครขอนแก่น"
	Provinces        []string // ISO 3166-2 codes it serves (TH-40)
	Districts        []string // "TH-40/เมืองขอนแก่น": limits the area to these districts; empty = the whole provinces
	RequiresApproval bool     // announcements need an approver before they are sent
	CreatedAt        time.Time
}

// Covers reports whether an address (province code, district name) is in the
// city's area.
func (c City) Covers(province, district string) bool {
	if !slices.Contains(c.Provinces, province) {
		return false
	}
	if len(c.Districts) == 0 {
		return true
	}
	return slices.Contains(c.Districts, province+"/"+district)
}

// Token roles.
const (
	RoleEditor   = "editor"   // creates festivals and announcements, schedules them
	RoleApprover = "approver" // also approves announcements
)

// Token is an API credential of a city. Only a hash of the secret is stored.
type Token struct {
	ID        string // UUID, shown to operators (never the secret)
	CityID    string
	Role      string // RoleEditor or RoleApprover
	Label     string // who it is for
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	RevokedAt time.Time // zero while valid
}

// AuditEntry is one admin action: who, what, when.
type AuditEntry struct {
	ID      int64
	CityID  string
	TokenID string // "" for an operator command
	Action  string // e.g. "festival.create", "announcement.schedule", "token.revoke"
	Object  string // the object's ID
	Detail  string // short, no personal data
	At      time.Time
}

// Festival is a learning festival or event a city publishes.
type Festival struct {
	ID         string // UUID
	CityID     string
	TitleTH    string
	TitleEN    string
	DescTH     string
	DescEN     string
	StartsAt   time.Time
	EndsAt     time.Time
	Venue      string
	Address    string
	Province   string // ISO code, inside the city's area
	District   string
	Lat, Lng   float64
	Activities []string
	ImageURL   string
	InfoURL    string
	Tags       []string // interests (occupation families) or free tags
	Status     string   // "active" or "cancelled"
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Audience says who an announcement is for, always within the city's area.
type Audience struct {
	Provinces []string // empty = the whole area of the city
	Districts []string // "TH-40/เมืองขอนแก่น"; empty = every district of the provinces
	AgeMin    int      // 0 = no lower bound (age from the profile; unknown ages are left out when a bound is set)
	AgeMax    int      // 0 = no upper bound
	Roles     []string // "youth", "parent", "other"; empty = everyone
	Interests []string // occupation families; empty = any (a person matches with one in common)
}

// Announcement statuses.
const (
	AnnDraft     = "draft"
	AnnPending   = "pending_approval" // waits for an approver
	AnnScheduled = "scheduled"        // will be sent at ScheduledAt (or the end of quiet hours)
	AnnSending   = "sending"
	AnnSent      = "sent"
	AnnCancelled = "cancelled"
)

// Announcement tells an audience about a festival.
type Announcement struct {
	ID          string // UUID
	CityID      string
	FestivalID  string
	Audience    Audience
	Status      string
	ScheduledAt time.Time // when to send; zero until scheduled
	CreatedBy   string    // token ID
	ApprovedBy  string    // token ID of the approver
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Recipient is one person an audience query found, with what decides whether
// a push may go to them.
type Recipient struct {
	UserID   string
	Blocked  bool              // unfollowed: never sent to
	Settings map[string]string // "pushes": "off" or "festivals": "off" opt them out
}

// Chunk is one multicast of a broadcast: at most 500 recipients, with the retry
// key recorded before it is sent, so a resend after a crash is harmless.
type Chunk struct {
	AnnouncementID string
	Seq            int
	Recipients     []string
	RetryKey       string // UUID
	Status         string // "pending", "sent", "failed"
	Attempts       int
	Error          string
	SentAt         time.Time
}

// BroadcastStats are an announcement's delivery figures.
type BroadcastStats struct {
	Targeted        int // in the audience
	Sent            int // recipients in chunks LINE accepted
	Failed          int // recipients in chunks given up on
	Pending         int // recipients still to send
	SkippedBlocked  int
	SkippedOptedOut int
	SkippedCapped   int // over the weekly cap
	Taps            int // taps on the announcement's buttons
}

// CityStore keeps cities, their tokens and audit log, festivals,
// announcements and broadcasts. Methods scoped to a city return ENOTFOUND for
// another city's objects (a city never learns they exist).
type CityStore interface {
	CreateCity(ctx context.Context, c City) (City, error)
	City(ctx context.Context, id string) (City, error)
	Cities(ctx context.Context) ([]City, error)

	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns a token by the hash of its secret (revoked ones too:
	// the caller checks RevokedAt), or ENOTFOUND.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	RevokeToken(ctx context.Context, id string, at time.Time) error
	Tokens(ctx context.Context, cityID string) ([]Token, error)

	AddAudit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, cityID string, limit int) ([]AuditEntry, error) // newest first

	SaveFestival(ctx context.Context, f Festival) error // create or update (by ID, within f.CityID)
	Festival(ctx context.Context, cityID, id string) (Festival, error)
	Festivals(ctx context.Context, cityID string) ([]Festival, error)
	// UpcomingFestivals lists active festivals of every city that have not
	// ended by from, soonest first (for the chat).
	UpcomingFestivals(ctx context.Context, from time.Time, limit int) ([]Festival, error)

	SaveAnnouncement(ctx context.Context, a Announcement) error
	Announcement(ctx context.Context, cityID, id string) (Announcement, error)
	Announcements(ctx context.Context, cityID string) ([]Announcement, error)
	// ClaimDueAnnouncements returns up to limit announcements that are
	// scheduled and due at now, held for lease against other claimers.
	ClaimDueAnnouncements(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Announcement, error)

	// StreamAudience calls fn for every user who follows or followed Pai Tor
	// and matches the audience (area by profile province/district; age,
	// role, interests), in user ID order, without loading them all at once.
	StreamAudience(ctx context.Context, a Audience, fn func(Recipient) error) error

	// SaveChunks stores chunks of a broadcast (before any is sent).
	SaveChunks(ctx context.Context, chunks []Chunk) error
	Chunk(ctx context.Context, announcementID string, seq int) (Chunk, error)
	// FinishChunk records a chunk's outcome ("sent" or "failed").
	FinishChunk(ctx context.Context, announcementID string, seq int, status, errText string, at time.Time) error
	// SetSkipped records how many recipients were left out, by reason.
	SetSkipped(ctx context.Context, announcementID string, blocked, optedOut, capped int) error
	// RecordTap counts a tap on an announcement's button.
	RecordTap(ctx context.Context, announcementID, userID, button string, at time.Time) error
	Stats(ctx context.Context, announcementID string) (BroadcastStats, error)
}

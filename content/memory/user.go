package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/paitor/paitor/content"
)

// Follow records a follow (or an unblock) at time at, creating the user when new.
func (s *Store) Follow(ctx context.Context, id string, at time.Time) (content.User, bool, error) {
	if err := validEvent(id, at); err != nil {
		return content.User{}, false, fmt.Errorf("follow user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.stamp()
	u, ok := s.users[id]
	if !ok {
		u = content.User{ID: id, CreatedAt: now}
	}
	u.Status = content.StatusFollowing
	u.FollowedAt = normalize(at)
	u.BlockedAt = time.Time{}
	u.UpdatedAt = now
	s.users[id] = u
	return u, !ok, nil
}

// Block records an unfollow at time at; an unknown user is created blocked.
func (s *Store) Block(ctx context.Context, id string, at time.Time) error {
	if err := validEvent(id, at); err != nil {
		return fmt.Errorf("block user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.stamp()
	u, ok := s.users[id]
	if !ok {
		u = content.User{ID: id, CreatedAt: now}
	}
	u.Status = content.StatusBlocked
	u.BlockedAt = normalize(at)
	u.UpdatedAt = now
	s.users[id] = u
	return nil
}

// Touch returns the user, creating it as following (followed at at) when missing.
// An existing user is returned unchanged.
func (s *Store) Touch(ctx context.Context, id string, at time.Time) (content.User, error) {
	if err := validEvent(id, at); err != nil {
		return content.User{}, fmt.Errorf("touch user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if u, ok := s.users[id]; ok {
		return u, nil
	}
	now := s.stamp()
	u := content.User{
		ID:         id,
		Status:     content.StatusFollowing,
		FollowedAt: normalize(at),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	s.users[id] = u
	return u, nil
}

// User returns the user with this ID, or an error with code ENOTFOUND.
func (s *Store) User(ctx context.Context, id string) (content.User, error) {
	if id == "" {
		return content.User{}, fmt.Errorf("find user: %w", content.Errorf(content.EINVALID, "user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	u, ok := s.users[id]
	if !ok {
		return content.User{}, fmt.Errorf("find user: %w", content.Errorf(content.ENOTFOUND, "user %s not found", id))
	}
	return u, nil
}

// SetRole records the person's role: EINVALID for an unknown role, ENOTFOUND for
// an unknown user.
func (s *Store) SetRole(ctx context.Context, id string, role content.Role) error {
	if id == "" {
		return fmt.Errorf("set role: %w", content.Errorf(content.EINVALID, "user ID is empty"))
	}
	if !role.Valid() {
		return fmt.Errorf("set role: %w", content.Errorf(content.EINVALID, "unknown role %q", role))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	u, ok := s.users[id]
	if !ok {
		return fmt.Errorf("set role: %w", content.Errorf(content.ENOTFOUND, "user %s not found", id))
	}
	u.Role = role
	u.UpdatedAt = s.stamp()
	s.users[id] = u
	return nil
}

// validEvent checks the arguments of Follow, Block and Touch.
func validEvent(id string, at time.Time) error {
	if id == "" {
		return content.Errorf(content.EINVALID, "user ID is empty")
	}
	if at.IsZero() {
		return content.Errorf(content.EINVALID, "event time is zero")
	}
	return nil
}

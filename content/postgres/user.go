package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
)

// userColumns is the column list every user query returns, in scanUser's order.
const userColumns = `id, status, role, followed_at, blocked_at, created_at, updated_at`

// Follow records a follow (or an unblock) at time at, creating the user when new,
// in one atomic upsert. created comes from xmax: a freshly inserted row has none.
func (s *Store) Follow(ctx context.Context, id string, at time.Time) (content.User, bool, error) {
	if err := validEvent(id, at); err != nil {
		return content.User{}, false, fmt.Errorf("postgres: follow user: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		INSERT INTO users (id, status, role, followed_at, blocked_at, created_at, updated_at)
		VALUES ($1, 'following', '', $2, NULL, now(), now())
		ON CONFLICT (id) DO UPDATE SET
			status      = 'following',
			followed_at = EXCLUDED.followed_at,
			blocked_at  = NULL,
			updated_at  = now()
		RETURNING ` + userColumns + `, (xmax = 0) AS created`
	var created bool
	u, err := scanUser(s.pool.QueryRow(ctx, q, id, normalize(at)), &created)
	if err != nil {
		return content.User{}, false, fmt.Errorf("postgres: follow user %s: %w", id, err)
	}
	return u, created, nil
}

// Block records an unfollow at time at in one atomic upsert; an unknown user is
// created blocked.
func (s *Store) Block(ctx context.Context, id string, at time.Time) error {
	if err := validEvent(id, at); err != nil {
		return fmt.Errorf("postgres: block user: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		INSERT INTO users (id, status, role, followed_at, blocked_at, created_at, updated_at)
		VALUES ($1, 'blocked', '', NULL, $2, now(), now())
		ON CONFLICT (id) DO UPDATE SET
			status     = 'blocked',
			blocked_at = EXCLUDED.blocked_at,
			updated_at = now()`
	if _, err := s.pool.Exec(ctx, q, id, normalize(at)); err != nil {
		return fmt.Errorf("postgres: block user %s: %w", id, err)
	}
	return nil
}

// Touch returns the user, creating it as following (followed at at) when missing;
// an existing user is returned unchanged. Touch runs on every message, so it reads
// first and writes only for a user it has not seen.
func (s *Store) Touch(ctx context.Context, id string, at time.Time) (content.User, error) {
	if err := validEvent(id, at); err != nil {
		return content.User{}, fmt.Errorf("postgres: touch user: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err == nil {
		return u, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return content.User{}, fmt.Errorf("postgres: touch user %s: %w", id, err)
	}

	// Not there a moment ago: insert, or—if a concurrent call won the race—take
	// its row. The no-op update makes RETURNING yield the row either way, with
	// its status untouched.
	const q = `
		INSERT INTO users (id, status, role, followed_at, blocked_at, created_at, updated_at)
		VALUES ($1, 'following', '', $2, NULL, now(), now())
		ON CONFLICT (id) DO UPDATE SET id = users.id
		RETURNING ` + userColumns
	u, err = scanUser(s.pool.QueryRow(ctx, q, id, normalize(at)))
	if err != nil {
		return content.User{}, fmt.Errorf("postgres: touch user %s: %w", id, err)
	}
	return u, nil
}

// User returns the user with this ID, or an error with code ENOTFOUND.
func (s *Store) User(ctx context.Context, id string) (content.User, error) {
	if id == "" {
		return content.User{}, fmt.Errorf("postgres: find user: %w", content.Errorf(content.EINVALID, "user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.User{}, fmt.Errorf("postgres: find user: %w", content.Errorf(content.ENOTFOUND, "user %s not found", id))
	} else if err != nil {
		return content.User{}, fmt.Errorf("postgres: find user %s: %w", id, err)
	}
	return u, nil
}

// SetRole records the person's role: EINVALID for an unknown role, ENOTFOUND for
// an unknown user.
func (s *Store) SetRole(ctx context.Context, id string, role content.Role) error {
	if id == "" {
		return fmt.Errorf("postgres: set role: %w", content.Errorf(content.EINVALID, "user ID is empty"))
	}
	if !role.Valid() {
		return fmt.Errorf("postgres: set role: %w", content.Errorf(content.EINVALID, "unknown role %q", role))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	tag, err := s.pool.Exec(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, id, string(role))
	if err != nil {
		return fmt.Errorf("postgres: set role of %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set role: %w", content.Errorf(content.ENOTFOUND, "user %s not found", id))
	}
	return nil
}

// scanUser reads one row of userColumns, followed by extra destinations if any.
// Times come back in UTC; NULL times become the zero time.
func scanUser(row pgx.Row, extra ...any) (content.User, error) {
	var (
		u                     content.User
		status, role          string
		followedAt, blockedAt *time.Time
	)
	dest := append([]any{&u.ID, &status, &role, &followedAt, &blockedAt, &u.CreatedAt, &u.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return content.User{}, err
	}
	u.Status, u.Role = content.UserStatus(status), content.Role(role)
	if followedAt != nil {
		u.FollowedAt = followedAt.UTC()
	}
	if blockedAt != nil {
		u.BlockedAt = blockedAt.UTC()
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
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

// normalize returns t as PostgreSQL stores it: UTC, truncated to microseconds
// (rather than rounded, as the server would do with a text value).
func normalize(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

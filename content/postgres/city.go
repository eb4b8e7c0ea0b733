package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
)

var _ content.CityStore = (*Store)(nil)

// ---- Validation (the memory store checks the same) ----

// ---- Cities ----

const cityColumns = `id::text, name, provinces, districts, requires_approval, created_at`

func scanCity(row pgx.Row) (content.City, error) {
	var c content.City
	if err := row.Scan(&c.ID, &c.Name, &c.Provinces, &c.Districts, &c.RequiresApproval, &c.CreatedAt); err != nil {
		return content.City{}, err
	}
	c.Provinces, c.Districts, c.CreatedAt = nilIfEmpty(c.Provinces), nilIfEmpty(c.Districts), c.CreatedAt.UTC()
	return c, nil
}

// CreateCity stores a new city and returns it as stored. An empty ID gets a
// new UUID and a zero CreatedAt the current time; an ID in use is ECONFLICT.
func (s *Store) CreateCity(ctx context.Context, c content.City) (content.City, error) {
	c, err := content.ValidCity(c)
	if err != nil {
		return content.City{}, fmt.Errorf("postgres: create city: %w", err)
	}
	id, err := orNewUUID("city ID", c.ID)
	if err != nil {
		return content.City{}, fmt.Errorf("postgres: create city: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	created := nullTime(c.CreatedAt)
	c, err = scanCity(s.pool.QueryRow(ctx, `
		INSERT INTO cities (id, name, provinces, districts, requires_approval, created_at)
		VALUES ($1, $2, $3, $4, $5, coalesce($6, now()))
		RETURNING `+cityColumns, id, c.Name, c.Provinces, textArray(c.Districts), c.RequiresApproval, created))
	if pgCode(err) == pgUniqueViolation {
		return content.City{}, fmt.Errorf("postgres: create city: %w", content.Errorf(content.ECONFLICT, "city %s exists already", id))
	} else if err != nil {
		return content.City{}, fmt.Errorf("postgres: create city: %w", err)
	}
	return c, nil
}

// City returns a city by ID, or ENOTFOUND.
func (s *Store) City(ctx context.Context, id string) (content.City, error) {
	uid, err := parseUUID("city ID", id)
	if err != nil {
		return content.City{}, fmt.Errorf("postgres: find city: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	c, err := findCity(ctx, s.pool, uid)
	if err != nil {
		return content.City{}, fmt.Errorf("postgres: find city: %w", err)
	}
	return c, nil
}

// querier is what a pool and a transaction both offer.
type querier interface {
	QueryRow(context.Context, string, ...any) pgx.Row
	Query(context.Context, string, ...any) (pgx.Rows, error)
}

// findCity reads one city: ENOTFOUND when there is none.
func findCity(ctx context.Context, q querier, id uuid.UUID) (content.City, error) {
	c, err := scanCity(q.QueryRow(ctx, `SELECT `+cityColumns+` FROM cities WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.City{}, notFound("city %s not found", id)
	}
	return c, err
}

// cityExists returns ENOTFOUND unless the city exists.
func cityExists(ctx context.Context, q querier, id uuid.UUID) error {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cities WHERE id = $1)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return notFound("city %s not found", id)
	}
	return nil
}

// Cities lists every city, oldest first.
func (s *Store) Cities(ctx context.Context) ([]content.City, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `SELECT `+cityColumns+` FROM cities ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: cities: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.City, error) { return scanCity(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: cities: %w", err)
	}
	return cs, nil
}

// ---- Tokens ----

const tokenColumns = `id::text, city_id::text, role, label, hash, created_at, revoked_at`

func scanToken(row pgx.Row) (content.Token, error) {
	var (
		t       content.Token
		revoked *time.Time
	)
	if err := row.Scan(&t.ID, &t.CityID, &t.Role, &t.Label, &t.Hash, &t.CreatedAt, &revoked); err != nil {
		return content.Token{}, err
	}
	t.CreatedAt, t.RevokedAt = t.CreatedAt.UTC(), utc(revoked)
	return t, nil
}

// CreateToken stores a token. Its ID must be a UUID (the caller shows it to
// the operator); a zero CreatedAt is the current time. ENOTFOUND for an
// unknown city, ECONFLICT for an ID or hash in use.
func (s *Store) CreateToken(ctx context.Context, t content.Token) error {
	id, err := parseUUID("token ID", t.ID)
	if err != nil {
		return fmt.Errorf("postgres: create token: %w", err)
	}
	city, err := parseUUID("city ID", t.CityID)
	if err != nil {
		return fmt.Errorf("postgres: create token: %w", err)
	}
	if err := content.ValidToken(t); err != nil {
		return fmt.Errorf("postgres: create token: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `
		INSERT INTO tokens (id, city_id, role, label, hash, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, coalesce($6, now()), $7)`,
		id, city, t.Role, t.Label, t.Hash, nullTime(t.CreatedAt), nullTime(t.RevokedAt))
	switch pgCode(err) {
	case "":
		if err != nil {
			return fmt.Errorf("postgres: create token: %w", err)
		}
		return nil
	case pgForeignKeyViolation:
		return fmt.Errorf("postgres: create token: %w", notFound("city %s not found", city))
	case pgUniqueViolation:
		return fmt.Errorf("postgres: create token: %w", content.Errorf(content.ECONFLICT, "token %s or its secret exists already", id))
	default:
		return fmt.Errorf("postgres: create token: %w", err)
	}
}

// TokenByHash returns the token whose secret hashes to hash, revoked or not,
// or ENOTFOUND.
func (s *Store) TokenByHash(ctx context.Context, hash string) (content.Token, error) {
	if hash == "" {
		return content.Token{}, fmt.Errorf("postgres: find token: %w", invalid("token hash is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Token{}, fmt.Errorf("postgres: find token: %w", notFound("no token with this secret"))
	} else if err != nil {
		return content.Token{}, fmt.Errorf("postgres: find token: %w", err)
	}
	return t, nil
}

// RevokeToken marks a token revoked at time at. Revoking it again keeps the
// first time. ENOTFOUND for an unknown token.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	uid, err := parseUUID("token ID", id)
	if err != nil {
		return fmt.Errorf("postgres: revoke token: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: revoke token: %w", invalid("revocation time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	tag, err := s.pool.Exec(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, uid, normalize(at))
	if err != nil {
		return fmt.Errorf("postgres: revoke token %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: revoke token: %w", notFound("token %s not found", id))
	}
	return nil
}

// Tokens lists a city's tokens, revoked ones too, oldest first. ENOTFOUND for
// an unknown city.
func (s *Store) Tokens(ctx context.Context, cityID string) ([]content.Token, error) {
	city, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	ts, err := cityList(ctx, s, city, `SELECT `+tokenColumns+` FROM tokens WHERE city_id = $1 ORDER BY created_at, id`, scanToken)
	if err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", err)
	}
	return ts, nil
}

// cityList runs q ($1 = the city) and scans its rows, in a read-only snapshot
// that also checks the city exists (ENOTFOUND).
func cityList[T any](ctx context.Context, s *Store, city uuid.UUID, q string, scan func(pgx.Row) (T, error), args ...any) ([]T, error) {
	var out []T
	err := s.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := cityExists(ctx, tx, city); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, q, append([]any{city}, args...)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
		return err
	})
	return out, err
}

// ---- Audit log ----

// AddAudit appends an entry to a city's audit log. ENOTFOUND for an unknown
// city.
func (s *Store) AddAudit(ctx context.Context, e content.AuditEntry) error {
	city, err := parseUUID("city ID", e.CityID)
	if err != nil {
		return fmt.Errorf("postgres: add audit entry: %w", err)
	}
	var token *uuid.UUID
	if e.TokenID != "" {
		t, err := parseUUID("token ID", e.TokenID)
		if err != nil {
			return fmt.Errorf("postgres: add audit entry: %w", err)
		}
		token = &t
	}
	switch {
	case strings.TrimSpace(e.Action) == "":
		return fmt.Errorf("postgres: add audit entry: %w", invalid("action is empty"))
	case e.At.IsZero():
		return fmt.Errorf("postgres: add audit entry: %w", invalid("time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `INSERT INTO audit_log (city_id, token_id, action, object, detail, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		city, token, e.Action, e.Object, e.Detail, normalize(e.At))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: add audit entry: %w", notFound("city %s not found", city))
	} else if err != nil {
		return fmt.Errorf("postgres: add audit entry: %w", err)
	}
	return nil
}

// AuditLog returns up to limit of a city's latest audit entries, newest first
// (the later recorded first among equal times). ENOTFOUND for an unknown city.
func (s *Store) AuditLog(ctx context.Context, cityID string, limit int) ([]content.AuditEntry, error) {
	city, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: audit log: %w", invalid("limit %d is not positive", limit))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	es, err := cityList(ctx, s, city, `
		SELECT id, city_id::text, coalesce(token_id::text, ''), action, object, detail, at
		FROM audit_log WHERE city_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
		func(row pgx.Row) (content.AuditEntry, error) {
			var e content.AuditEntry
			err := row.Scan(&e.ID, &e.CityID, &e.TokenID, &e.Action, &e.Object, &e.Detail, &e.At)
			e.At = e.At.UTC()
			return e, err
		}, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return es, nil
}

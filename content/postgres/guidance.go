package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paitor/paitor/content"
)

// PostgreSQL error codes the store maps to content codes.
const (
	pgForeignKeyViolation = "23503" // the user a row names does not exist
	pgUniqueViolation     = "23505"
)

// pgCode returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func notFound(format string, args ...any) error {
	return content.Errorf(content.ENOTFOUND, format, args...)
}

func invalid(format string, args ...any) error {
	return content.Errorf(content.EINVALID, format, args...)
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, opts pgx.TxOptions, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, opts, fn)
}

// userExists reports whether the user row exists.
func userExists(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, id).Scan(&ok)
	return ok, err
}

// utc returns t in UTC, or the zero time for NULL.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime is t for a nullable column: NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	n := normalize(t)
	return &n
}

// ---- Consent ----

// RecordConsent stores an answer to the privacy notice; earlier answers are kept
// as history and the latest (by At) wins.
func (s *Store) RecordConsent(ctx context.Context, c content.Consent) error {
	switch {
	case c.UserID == "":
		return fmt.Errorf("postgres: record consent: %w", invalid("user ID is empty"))
	case c.Version == "":
		return fmt.Errorf("postgres: record consent: %w", invalid("notice version is empty"))
	case c.At.IsZero():
		return fmt.Errorf("postgres: record consent: %w", invalid("consent time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err := s.pool.Exec(ctx, `INSERT INTO consents (user_id, version, accepted, at) VALUES ($1, $2, $3, $4)`,
		c.UserID, c.Version, c.Accepted, normalize(c.At))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: record consent: %w", notFound("user %s not found", c.UserID))
	} else if err != nil {
		return fmt.Errorf("postgres: record consent of %s: %w", c.UserID, err)
	}
	return nil
}

const latestConsent = `SELECT user_id, version, accepted, at FROM consents WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT 1`

// Consent returns the latest answer, or ENOTFOUND when there is none.
func (s *Store) Consent(ctx context.Context, userID string) (content.Consent, error) {
	if userID == "" {
		return content.Consent{}, fmt.Errorf("postgres: find consent: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	c, err := scanConsent(s.pool.QueryRow(ctx, latestConsent, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Consent{}, fmt.Errorf("postgres: find consent: %w", notFound("no consent from user %s", userID))
	} else if err != nil {
		return content.Consent{}, fmt.Errorf("postgres: find consent of %s: %w", userID, err)
	}
	return c, nil
}

func scanConsent(row pgx.Row) (content.Consent, error) {
	var c content.Consent
	if err := row.Scan(&c.UserID, &c.Version, &c.Accepted, &c.At); err != nil {
		return content.Consent{}, err
	}
	c.At = c.At.UTC()
	return c, nil
}

// ---- Profile ----

// SaveProfile merges fields into the profile, creating it when missing; an empty
// value removes the field.
func (s *Store) SaveProfile(ctx context.Context, userID string, fields map[string]string, at time.Time) error {
	switch {
	case userID == "":
		return fmt.Errorf("postgres: save profile: %w", invalid("user ID is empty"))
	case at.IsZero():
		return fmt.Errorf("postgres: save profile: %w", invalid("save time is zero"))
	case hasEmptyKey(fields):
		return fmt.Errorf("postgres: save profile: %w", invalid("empty field name"))
	}
	if fields == nil {
		fields = map[string]string{}
	}
	patch, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("postgres: save profile: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	// strip drops the fields whose value is "" (removed, or never set).
	const q = `
		INSERT INTO profiles AS p (user_id, fields, updated_at)
		VALUES ($1, (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each($2::jsonb) WHERE value <> '""'), $3)
		ON CONFLICT (user_id) DO UPDATE SET
			fields = (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(p.fields || $2::jsonb) WHERE value <> '""'),
			updated_at = EXCLUDED.updated_at`
	_, err = s.pool.Exec(ctx, q, userID, patch, normalize(at))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: save profile: %w", notFound("user %s not found", userID))
	} else if err != nil {
		return fmt.Errorf("postgres: save profile of %s: %w", userID, err)
	}
	return nil
}

// Profile returns the profile fields, empty (never nil) when there is no profile.
func (s *Store) Profile(ctx context.Context, userID string) (map[string]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("postgres: find profile: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `SELECT p.fields FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = $1`
	fields, err := scanStringMap(s.pool.QueryRow(ctx, q, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: find profile: %w", notFound("user %s not found", userID))
	} else if err != nil {
		return nil, fmt.Errorf("postgres: find profile of %s: %w", userID, err)
	}
	return fields, nil
}

// scanStringMap reads one nullable jsonb object of strings; NULL is an empty map.
func scanStringMap(row pgx.Row) (map[string]string, error) {
	var raw []byte
	if err := row.Scan(&raw); err != nil {
		return nil, err
	}
	m := map[string]string{}
	if raw != nil {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("decode fields: %w", err)
		}
	}
	return m, nil
}

func hasEmptyKey(m map[string]string) bool {
	_, ok := m[""]
	return ok
}

// ---- Settings ----

// SetSetting records a setting on the user record; an empty value removes it.
func (s *Store) SetSetting(ctx context.Context, userID, key, value string) error {
	switch {
	case userID == "":
		return fmt.Errorf("postgres: set setting: %w", invalid("user ID is empty"))
	case key == "":
		return fmt.Errorf("postgres: set setting: %w", invalid("setting name is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		UPDATE users SET
			settings   = CASE WHEN $3 = '' THEN settings - $2::text ELSE settings || jsonb_build_object($2::text, $3::text) END,
			updated_at = now()
		WHERE id = $1`
	tag, err := s.pool.Exec(ctx, q, userID, key, value)
	if err != nil {
		return fmt.Errorf("postgres: set setting of %s: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set setting: %w", notFound("user %s not found", userID))
	}
	return nil
}

// Settings returns the user's settings, empty (never nil) when none.
func (s *Store) Settings(ctx context.Context, userID string) (map[string]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("postgres: find settings: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	settings, err := scanStringMap(s.pool.QueryRow(ctx, `SELECT settings FROM users WHERE id = $1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: find settings: %w", notFound("user %s not found", userID))
	} else if err != nil {
		return nil, fmt.Errorf("postgres: find settings of %s: %w", userID, err)
	}
	return settings, nil
}

// ---- Guardian ----

const guardianColumns = `youth_id, code, created_at, expires_at, guardian_id, confirmed_at`

func scanGuardian(row pgx.Row) (content.Guardian, error) {
	var (
		g           content.Guardian
		guardianID  *string
		confirmedAt *time.Time
	)
	if err := row.Scan(&g.YouthID, &g.Code, &g.CreatedAt, &g.ExpiresAt, &guardianID, &confirmedAt); err != nil {
		return content.Guardian{}, err
	}
	g.CreatedAt, g.ExpiresAt, g.ConfirmedAt = g.CreatedAt.UTC(), g.ExpiresAt.UTC(), utc(confirmedAt)
	if guardianID != nil {
		g.GuardianID = *guardianID
	}
	return g, nil
}

// normalizeCode is how codes are stored and compared: trimmed, upper case.
func normalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// codeLockKey is the advisory lock serializing writers of one code, since an
// unexpired code's uniqueness depends on the time and no index can hold it.
func codeLockKey(code string) int64 {
	h := fnv.New64a()
	h.Write([]byte("paitor/guardian-code/" + code))
	return int64(h.Sum64())
}

// CreateGuardianCode gives a minor a new code, replacing an unconfirmed one.
// ECONFLICT when another youth holds the code unexpired, or when the youth's
// guardian has already confirmed.
func (s *Store) CreateGuardianCode(ctx context.Context, youthID, code string, createdAt, expiresAt time.Time) error {
	code = normalizeCode(code)
	switch {
	case youthID == "":
		return fmt.Errorf("postgres: create guardian code: %w", invalid("youth ID is empty"))
	case code == "":
		return fmt.Errorf("postgres: create guardian code: %w", invalid("code is empty"))
	case createdAt.IsZero() || expiresAt.IsZero():
		return fmt.Errorf("postgres: create guardian code: %w", invalid("creation or expiry time is zero"))
	case !normalize(expiresAt).After(normalize(createdAt)):
		return fmt.Errorf("postgres: create guardian code: %w", invalid("code expires before it is created"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err := s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, codeLockKey(code)); err != nil {
			return err
		}
		if ok, err := userExists(ctx, tx, youthID); err != nil {
			return err
		} else if !ok {
			return notFound("user %s not found", youthID)
		}
		var taken bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM guardians WHERE code = $1 AND youth_id <> $2 AND expires_at > $3)`,
			code, youthID, normalize(createdAt)).Scan(&taken)
		if err != nil {
			return err
		}
		if taken {
			return content.Errorf(content.ECONFLICT, "code %s is in use", code)
		}
		const q = `
			INSERT INTO guardians AS g (youth_id, code, created_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (youth_id) DO UPDATE SET
				code = EXCLUDED.code, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
			WHERE g.confirmed_at IS NULL`
		tag, err := tx.Exec(ctx, q, youthID, code, normalize(createdAt), normalize(expiresAt))
		if pgCode(err) == pgForeignKeyViolation {
			return notFound("user %s not found", youthID)
		} else if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return content.Errorf(content.ECONFLICT, "a guardian of %s already confirmed", youthID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: create guardian code for %s: %w", youthID, err)
	}
	return nil
}

// ConfirmGuardian records that guardianID confirmed with code at time at and
// returns the youth's record. Confirming again as the same guardian returns the
// record unchanged.
func (s *Store) ConfirmGuardian(ctx context.Context, code, guardianID string, at time.Time) (content.Guardian, error) {
	code = normalizeCode(code)
	switch {
	case code == "":
		return content.Guardian{}, fmt.Errorf("postgres: confirm guardian: %w", invalid("code is empty"))
	case guardianID == "":
		return content.Guardian{}, fmt.Errorf("postgres: confirm guardian: %w", invalid("guardian ID is empty"))
	case at.IsZero():
		return content.Guardian{}, fmt.Errorf("postgres: confirm guardian: %w", invalid("confirmation time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var g content.Guardian
	err := s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var err error
		g, err = scanGuardian(tx.QueryRow(ctx, `
			SELECT `+guardianColumns+` FROM guardians
			WHERE code = $1 AND expires_at > $2
			ORDER BY created_at DESC LIMIT 1
			FOR UPDATE`, code, normalize(at)))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("no valid code %s", code)
		} else if err != nil {
			return err
		}
		switch {
		case g.YouthID == guardianID:
			return invalid("a youth cannot be their own guardian")
		case g.Confirmed() && g.GuardianID == guardianID:
			return nil
		case g.Confirmed():
			return content.Errorf(content.ECONFLICT, "code %s already confirmed by another guardian", code)
		}
		g, err = scanGuardian(tx.QueryRow(ctx, `
			UPDATE guardians SET guardian_id = $2, confirmed_at = $3 WHERE youth_id = $1
			RETURNING `+guardianColumns, g.YouthID, guardianID, normalize(at)))
		if pgCode(err) == pgForeignKeyViolation {
			return notFound("user %s not found", guardianID)
		}
		return err
	})
	if err != nil {
		return content.Guardian{}, fmt.Errorf("postgres: confirm guardian: %w", err)
	}
	return g, nil
}

// GuardianOf returns the youth's guardian record, or ENOTFOUND.
func (s *Store) GuardianOf(ctx context.Context, youthID string) (content.Guardian, error) {
	if youthID == "" {
		return content.Guardian{}, fmt.Errorf("postgres: find guardian: %w", invalid("youth ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	g, err := scanGuardian(s.pool.QueryRow(ctx, `SELECT `+guardianColumns+` FROM guardians WHERE youth_id = $1`, youthID))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Guardian{}, fmt.Errorf("postgres: find guardian: %w", notFound("no guardian record for %s", youthID))
	} else if err != nil {
		return content.Guardian{}, fmt.Errorf("postgres: find guardian of %s: %w", youthID, err)
	}
	return g, nil
}

// ---- Plan ----

// planStep is a PlanStep as stored in plans.steps.
type planStep struct {
	Kind    string `json:"kind"`
	Ref     string `json:"ref"`
	TitleTH string `json:"title_th"`
	TitleEN string `json:"title_en"`
}

// SavePlan replaces the person's plan.
func (s *Store) SavePlan(ctx context.Context, p content.Plan) error {
	switch {
	case p.UserID == "":
		return fmt.Errorf("postgres: save plan: %w", invalid("user ID is empty"))
	case p.SavedAt.IsZero():
		return fmt.Errorf("postgres: save plan: %w", invalid("save time is zero"))
	}
	steps := make([]planStep, len(p.Steps))
	for i, st := range p.Steps {
		steps[i] = planStep(st)
	}
	raw, err := json.Marshal(steps)
	if err != nil {
		return fmt.Errorf("postgres: save plan: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `
		INSERT INTO plans (user_id, steps, saved_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET steps = EXCLUDED.steps, saved_at = EXCLUDED.saved_at`,
		p.UserID, raw, normalize(p.SavedAt))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: save plan: %w", notFound("user %s not found", p.UserID))
	} else if err != nil {
		return fmt.Errorf("postgres: save plan of %s: %w", p.UserID, err)
	}
	return nil
}

const planQuery = `SELECT user_id, steps, saved_at FROM plans WHERE user_id = $1`

// Plan returns the person's plan, or ENOTFOUND.
func (s *Store) Plan(ctx context.Context, userID string) (content.Plan, error) {
	if userID == "" {
		return content.Plan{}, fmt.Errorf("postgres: find plan: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	p, err := scanPlan(s.pool.QueryRow(ctx, planQuery, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Plan{}, fmt.Errorf("postgres: find plan: %w", notFound("no plan for %s", userID))
	} else if err != nil {
		return content.Plan{}, fmt.Errorf("postgres: find plan of %s: %w", userID, err)
	}
	return p, nil
}

func scanPlan(row pgx.Row) (content.Plan, error) {
	var (
		p   content.Plan
		raw []byte
	)
	if err := row.Scan(&p.UserID, &raw, &p.SavedAt); err != nil {
		return content.Plan{}, err
	}
	var steps []planStep
	if err := json.Unmarshal(raw, &steps); err != nil {
		return content.Plan{}, fmt.Errorf("decode plan steps: %w", err)
	}
	p.Steps = make([]content.PlanStep, len(steps))
	for i, st := range steps {
		p.Steps[i] = content.PlanStep(st)
	}
	p.SavedAt = p.SavedAt.UTC()
	return p, nil
}

// ---- Outcomes ----

// RecordOutcome adds an outcome.
func (s *Store) RecordOutcome(ctx context.Context, o content.Outcome) error {
	switch {
	case o.UserID == "":
		return fmt.Errorf("postgres: record outcome: %w", invalid("user ID is empty"))
	case o.Kind == "":
		return fmt.Errorf("postgres: record outcome: %w", invalid("outcome kind is empty"))
	case o.At.IsZero():
		return fmt.Errorf("postgres: record outcome: %w", invalid("outcome time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err := s.pool.Exec(ctx, `INSERT INTO outcomes (user_id, kind, source, at) VALUES ($1, $2, $3, $4)`,
		o.UserID, o.Kind, o.Source, normalize(o.At))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: record outcome: %w", notFound("user %s not found", o.UserID))
	} else if err != nil {
		return fmt.Errorf("postgres: record outcome of %s: %w", o.UserID, err)
	}
	return nil
}

// CountOutcomes counts outcomes by kind across everyone.
func (s *Store) CountOutcomes(ctx context.Context) (map[string]int, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `SELECT kind, count(*) FROM outcomes GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("postgres: count outcomes: %w", err)
	}
	counts := map[string]int{}
	var (
		kind string
		n    int
	)
	_, err = pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		counts[kind] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: count outcomes: %w", err)
	}
	return counts, nil
}

// ---- Scheduled messages ----

const scheduledColumns = `id, user_id, kind, node, ref, due_at, retry_key, status, reason, sent_at`

func scanScheduled(row pgx.CollectableRow) (content.Scheduled, error) {
	var (
		m         content.Scheduled
		id, retry uuid.UUID
		sentAt    *time.Time
	)
	if err := row.Scan(&id, &m.UserID, &m.Kind, &m.Node, &m.Ref, &m.DueAt, &retry, &m.Status, &m.Reason, &sentAt); err != nil {
		return content.Scheduled{}, err
	}
	m.ID, m.RetryKey = id.String(), retry.String()
	m.DueAt, m.SentAt = m.DueAt.UTC(), utc(sentAt)
	return m, nil
}

// parseUUID parses a UUID argument: EINVALID when it is not one.
func parseUUID(what, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.UUID{}, invalid("%s is empty", what)
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.UUID{}, invalid("%s %q is not a UUID", what, s)
	}
	return id, nil
}

// orNewUUID parses s, or makes a new random UUID when s is empty.
func orNewUUID(what, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.New(), nil
	}
	return parseUUID(what, s)
}

// Schedule stores a pending message. An empty ID or RetryKey gets a new UUID; an
// ID already used is ECONFLICT.
func (s *Store) Schedule(ctx context.Context, m content.Scheduled) error {
	switch {
	case m.UserID == "":
		return fmt.Errorf("postgres: schedule: %w", invalid("user ID is empty"))
	case m.Kind == "":
		return fmt.Errorf("postgres: schedule: %w", invalid("message kind is empty"))
	case m.DueAt.IsZero():
		return fmt.Errorf("postgres: schedule: %w", invalid("due time is zero"))
	case m.Status != "" && m.Status != "pending":
		return fmt.Errorf("postgres: schedule: %w", invalid("a new message must be pending, not %q", m.Status))
	}
	id, err := orNewUUID("message ID", m.ID)
	if err != nil {
		return fmt.Errorf("postgres: schedule: %w", err)
	}
	retry, err := orNewUUID("retry key", m.RetryKey)
	if err != nil {
		return fmt.Errorf("postgres: schedule: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `
		INSERT INTO scheduled (id, user_id, kind, node, ref, due_at, retry_key, status, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)`,
		id, m.UserID, m.Kind, m.Node, m.Ref, normalize(m.DueAt), retry, m.Reason)
	switch pgCode(err) {
	case "":
		if err != nil {
			return fmt.Errorf("postgres: schedule for %s: %w", m.UserID, err)
		}
		return nil
	case pgForeignKeyViolation:
		return fmt.Errorf("postgres: schedule: %w", notFound("user %s not found", m.UserID))
	case pgUniqueViolation:
		return fmt.Errorf("postgres: schedule: %w", content.Errorf(content.ECONFLICT, "message %s exists already", id))
	default:
		return fmt.Errorf("postgres: schedule for %s: %w", m.UserID, err)
	}
}

// ClaimDue holds up to limit pending messages due at or before now for lease and
// returns them, earliest due first. Rows another transaction is claiming are
// skipped, not waited for, so concurrent claimers never get the same message.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]content.Scheduled, error) {
	switch {
	case now.IsZero():
		return nil, fmt.Errorf("postgres: claim due: %w", invalid("now is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("postgres: claim due: %w", invalid("limit %d is not positive", limit))
	case lease <= 0:
		return nil, fmt.Errorf("postgres: claim due: %w", invalid("lease %v is not positive", lease))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		UPDATE scheduled SET claimed_until = $3
		WHERE id IN (
			SELECT id FROM scheduled
			WHERE status = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
			ORDER BY due_at, id
			LIMIT $2
			FOR UPDATE SKIP LOCKED)
		RETURNING ` + scheduledColumns
	now = normalize(now)
	rows, err := s.pool.Query(ctx, q, now, limit, normalize(now.Add(lease)))
	if err != nil {
		return nil, fmt.Errorf("postgres: claim due: %w", err)
	}
	claimed, err := pgx.CollectRows(rows, scanScheduled)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim due: %w", err)
	}
	sortScheduled(claimed)
	return claimed, nil
}

// sortScheduled orders messages by due time, then ID.
func sortScheduled(ms []content.Scheduled) {
	slices.SortFunc(ms, func(a, b content.Scheduled) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// finished are the statuses FinishScheduled accepts.
var finished = map[string]bool{"sent": true, "skipped": true, "cancelled": true}

// FinishScheduled marks a pending message sent, skipped or cancelled and releases
// it. Finishing it again with the same status is a no-op; with another status,
// or after a cancellation, it is ECONFLICT.
func (s *Store) FinishScheduled(ctx context.Context, id, status, reason string, at time.Time) error {
	uid, err := parseUUID("message ID", id)
	if err != nil {
		return fmt.Errorf("postgres: finish scheduled: %w", err)
	}
	switch {
	case !finished[status]:
		return fmt.Errorf("postgres: finish scheduled: %w", invalid("status %q is not sent, skipped or cancelled", status))
	case at.IsZero():
		return fmt.Errorf("postgres: finish scheduled: %w", invalid("finish time is zero"))
	}
	var sentAt *time.Time
	if status == "sent" {
		sentAt = nullTime(at)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		WITH done AS (
			UPDATE scheduled SET status = $2, reason = $3, sent_at = $4, claimed_until = NULL
			WHERE id = $1 AND status = 'pending'
			RETURNING status)
		SELECT status, true FROM done
		UNION ALL
		SELECT status, false FROM scheduled WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM done)`
	var (
		now     string
		changed bool
	)
	err = s.pool.QueryRow(ctx, q, uid, status, reason, sentAt).Scan(&now, &changed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: finish scheduled: %w", notFound("message %s not found", id))
	case err != nil:
		return fmt.Errorf("postgres: finish scheduled %s: %w", id, err)
	case !changed && now != status:
		return fmt.Errorf("postgres: finish scheduled: %w", content.Errorf(content.ECONFLICT, "message %s is %s already", id, now))
	}
	return nil
}

// Reschedule moves a pending message to dueAt and releases it.
func (s *Store) Reschedule(ctx context.Context, id string, dueAt time.Time) error {
	uid, err := parseUUID("message ID", id)
	if err != nil {
		return fmt.Errorf("postgres: reschedule: %w", err)
	}
	if dueAt.IsZero() {
		return fmt.Errorf("postgres: reschedule: %w", invalid("due time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		WITH moved AS (
			UPDATE scheduled SET due_at = $2, claimed_until = NULL
			WHERE id = $1 AND status = 'pending'
			RETURNING status)
		SELECT status FROM moved
		UNION ALL
		SELECT status FROM scheduled WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM moved)`
	var status string
	err = s.pool.QueryRow(ctx, q, uid, normalize(dueAt)).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: reschedule: %w", notFound("message %s not found", id))
	case err != nil:
		return fmt.Errorf("postgres: reschedule %s: %w", id, err)
	case status != "pending":
		return fmt.Errorf("postgres: reschedule: %w", content.Errorf(content.ECONFLICT, "message %s is %s already", id, status))
	}
	return nil
}

// CancelScheduled cancels the user's pending messages of kind ("" = all), held
// or not, and returns how many.
func (s *Store) CancelScheduled(ctx context.Context, userID, kind, reason string) (int, error) {
	if userID == "" {
		return 0, fmt.Errorf("postgres: cancel scheduled: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		WITH cancelled AS (
			UPDATE scheduled SET status = 'cancelled', reason = $3, claimed_until = NULL
			WHERE user_id = $1 AND status = 'pending' AND ($2 = '' OR kind = $2)
			RETURNING 1)
		SELECT (SELECT count(*) FROM cancelled), EXISTS (SELECT 1 FROM users WHERE id = $1)`
	var (
		n      int
		exists bool
	)
	if err := s.pool.QueryRow(ctx, q, userID, kind, reason).Scan(&n, &exists); err != nil {
		return 0, fmt.Errorf("postgres: cancel scheduled of %s: %w", userID, err)
	}
	if !exists {
		return 0, fmt.Errorf("postgres: cancel scheduled: %w", notFound("user %s not found", userID))
	}
	return n, nil
}

// ---- Handoffs ----

// handoffColumns are what a request sets (RequestHandoff); the ticket's
// other columns start at their defaults.
const handoffColumns = `id, user_id, reason, urgent, at, status`

// handoffFields are what scanHandoff reads: the request and the ticket.
const handoffFields = `id, user_id, reason, urgent, at, status,
	coalesce(org_id::text, ''), level, province, district, escalation, escalated_at,
	coalesce(assignee_id::text, ''), first_reply_at, closed_at, coalesce(closed_by::text, ''), helped`

func scanHandoff(row pgx.CollectableRow) (content.Handoff, error) { return scanHandoffRow(row) }

func scanHandoffRow(row pgx.Row) (content.Handoff, error) {
	var (
		h                               content.Handoff
		id                              uuid.UUID
		escalated, firstReply, closedAt *time.Time
	)
	err := row.Scan(&id, &h.UserID, &h.Reason, &h.Urgent, &h.At, &h.Status,
		&h.OrgID, &h.Level, &h.Province, &h.District, &h.Escalation, &escalated,
		&h.AssigneeID, &firstReply, &closedAt, &h.ClosedBy, &h.Helped)
	if err != nil {
		return content.Handoff{}, err
	}
	h.ID, h.At = id.String(), h.At.UTC()
	h.EscalatedAt, h.FirstReplyAt, h.ClosedAt = utc(escalated), utc(firstReply), utc(closedAt)
	return h, nil
}

// RequestHandoff records a request for a human. An empty ID gets a new UUID and
// an empty status is "open".
func (s *Store) RequestHandoff(ctx context.Context, h content.Handoff) error {
	switch {
	case h.UserID == "":
		return fmt.Errorf("postgres: request handoff: %w", invalid("user ID is empty"))
	case h.At.IsZero():
		return fmt.Errorf("postgres: request handoff: %w", invalid("request time is zero"))
	case h.Status != "" && h.Status != "open" && h.Status != "closed":
		return fmt.Errorf("postgres: request handoff: %w", invalid("status %q is not open or closed", h.Status))
	}
	id, err := orNewUUID("handoff ID", h.ID)
	if err != nil {
		return fmt.Errorf("postgres: request handoff: %w", err)
	}
	status := h.Status
	if status == "" {
		status = "open"
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `INSERT INTO handoffs (`+handoffColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, h.UserID, h.Reason, h.Urgent, normalize(h.At), status)
	switch pgCode(err) {
	case "":
		if err != nil {
			return fmt.Errorf("postgres: request handoff for %s: %w", h.UserID, err)
		}
		return nil
	case pgForeignKeyViolation:
		return fmt.Errorf("postgres: request handoff: %w", notFound("user %s not found", h.UserID))
	case pgUniqueViolation:
		return fmt.Errorf("postgres: request handoff: %w", content.Errorf(content.ECONFLICT, "handoff %s exists already", id))
	default:
		return fmt.Errorf("postgres: request handoff for %s: %w", h.UserID, err)
	}
}

// OpenHandoffs lists open requests, urgent first, then oldest first.
func (s *Store) OpenHandoffs(ctx context.Context) ([]content.Handoff, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `SELECT `+handoffFields+` FROM handoffs WHERE status = 'open' ORDER BY urgent DESC, at, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: open handoffs: %w", err)
	}
	hs, err := pgx.CollectRows(rows, scanHandoff)
	if err != nil {
		return nil, fmt.Errorf("postgres: open handoffs: %w", err)
	}
	return hs, nil
}

// KeepForCounsellor keeps text with the user's most recent open handoff (the
// latest at, the greatest ID among equals), opening a "message" handoff first
// when none is open, in one transaction.
//
// Two messages of one person arriving at once on two instances must not open
// two handoffs, and no index can say "at most one open handoff per person"
// (RequestHandoff may open several). So the transaction first locks the
// person's users row FOR NO KEY UPDATE: that serializes KeepForCounsellor calls
// for one person (and waits for a DeleteUser under way), while the FOR KEY
// SHARE locks that foreign-key checks take, for other writes naming the person,
// go on. It runs at READ COMMITTED so that a call that waited for the lock
// sees, in its next statement, the handoff the one before it opened.
func (s *Store) KeepForCounsellor(ctx context.Context, userID, text string, at time.Time) (string, error) {
	text, err := content.ValidHandoffMessage(userID, text, at)
	if err != nil {
		return "", fmt.Errorf("postgres: keep for counsellor: %w", err)
	}
	at = normalize(at)
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var handoffID uuid.UUID
	err = s.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, userID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("user not found")
		} else if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			SELECT id FROM handoffs WHERE user_id = $1 AND status = 'open'
			ORDER BY at DESC, id DESC LIMIT 1`, userID).Scan(&handoffID)
		if errors.Is(err, pgx.ErrNoRows) {
			handoffID = uuid.New()
			_, err = tx.Exec(ctx, `INSERT INTO handoffs (`+handoffColumns+`) VALUES ($1, $2, 'message', false, $3, 'open')`,
				handoffID, userID, at)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO handoff_messages (id, handoff_id, user_id, text, at) VALUES ($1, $2, $3, $4, $5)`,
			uuid.New(), handoffID, userID, text, at)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("postgres: keep for counsellor: %w", err)
	}
	return handoffID.String(), nil
}

const handoffMessageColumns = `id, handoff_id, user_id, text, at,
	author, coalesce(counsellor_id::text, ''), coalesce(retry_key::text, ''), coalesce(status, ''), sent_at`

func scanHandoffMessage(row pgx.CollectableRow) (content.HandoffMessage, error) {
	return scanHandoffMessageRow(row)
}

func scanHandoffMessageRow(row pgx.Row) (content.HandoffMessage, error) {
	var (
		m             content.HandoffMessage
		id, handoffID uuid.UUID
		sentAt        *time.Time
	)
	err := row.Scan(&id, &handoffID, &m.UserID, &m.Text, &m.At, &m.Author, &m.CounsellorID, &m.RetryKey, &m.Status, &sentAt)
	if err != nil {
		return content.HandoffMessage{}, err
	}
	m.ID, m.HandoffID, m.At, m.SentAt = id.String(), handoffID.String(), m.At.UTC(), utc(sentAt)
	return m, nil
}

// HandoffMessages returns a ticket's timeline: the messages kept with it and
// the replies, oldest first and in the order kept among equal times; empty
// (never nil) when there are none. It reads the handoff and its messages in
// one snapshot.
func (s *Store) HandoffMessages(ctx context.Context, handoffID string) ([]content.HandoffMessage, error) {
	id, err := parseUUID("handoff ID", handoffID)
	if err != nil {
		return nil, fmt.Errorf("postgres: handoff messages: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var ms []content.HandoffMessage
	err = s.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM handoffs WHERE id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notFound("handoff %s not found", id)
		}
		rows, err := tx.Query(ctx, `SELECT `+handoffMessageColumns+` FROM handoff_messages WHERE handoff_id = $1 ORDER BY at, seq`, id)
		if err != nil {
			return err
		}
		ms, err = pgx.CollectRows(rows, scanHandoffMessage)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: handoff messages: %w", err)
	}
	return ms, nil
}

// ---- Export and deletion ----

// Export returns everything held about the user, read in one snapshot.
func (s *Store) Export(ctx context.Context, userID string) (content.UserData, error) {
	if userID == "" {
		return content.UserData{}, fmt.Errorf("postgres: export: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var d content.UserData
	err := s.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		d, err = export(ctx, tx, userID)
		return err
	})
	if err != nil {
		return content.UserData{}, fmt.Errorf("postgres: export %s: %w", userID, err)
	}
	return d, nil
}

func export(ctx context.Context, tx pgx.Tx, userID string) (content.UserData, error) {
	var (
		d   content.UserData
		err error
	)
	d.User, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, notFound("user %s not found", userID)
	} else if err != nil {
		return d, err
	}

	// optional scans a row that may be missing into *dst.
	optional := func(dst func() error) (bool, error) {
		err := dst()
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	var (
		c content.Consent
		g content.Guardian
		p content.Plan
	)
	if ok, err := optional(func() (err error) { c, err = scanConsent(tx.QueryRow(ctx, latestConsent, userID)); return }); err != nil {
		return d, err
	} else if ok {
		d.Consent = &c
	}
	if ok, err := optional(func() (err error) {
		g, err = scanGuardian(tx.QueryRow(ctx, `SELECT `+guardianColumns+` FROM guardians WHERE youth_id = $1`, userID))
		return
	}); err != nil {
		return d, err
	} else if ok {
		d.Guardian = &g
	}
	if ok, err := optional(func() (err error) { p, err = scanPlan(tx.QueryRow(ctx, planQuery, userID)); return }); err != nil {
		return d, err
	} else if ok {
		d.Plan = &p
	}
	if d.Profile, err = scanStringMap(tx.QueryRow(ctx, `SELECT fields FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = $1`, userID)); err != nil {
		return d, err
	}

	rows, err := tx.Query(ctx, `SELECT user_id, kind, at, source FROM outcomes WHERE user_id = $1 ORDER BY at, id`, userID)
	if err != nil {
		return d, err
	}
	if d.Outcomes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.Outcome, error) {
		var o content.Outcome
		err := row.Scan(&o.UserID, &o.Kind, &o.At, &o.Source)
		o.At = o.At.UTC()
		return o, err
	}); err != nil {
		return d, err
	}

	rows, err = tx.Query(ctx, `SELECT `+scheduledColumns+` FROM scheduled WHERE user_id = $1 ORDER BY due_at, id`, userID)
	if err != nil {
		return d, err
	}
	if d.Scheduled, err = pgx.CollectRows(rows, scanScheduled); err != nil {
		return d, err
	}

	rows, err = tx.Query(ctx, `SELECT `+handoffFields+` FROM handoffs WHERE user_id = $1 ORDER BY at, id`, userID)
	if err != nil {
		return d, err
	}
	if d.Handoffs, err = pgx.CollectRows(rows, scanHandoff); err != nil {
		return d, err
	}

	rows, err = tx.Query(ctx, `SELECT `+handoffMessageColumns+` FROM handoff_messages WHERE user_id = $1 ORDER BY at, seq`, userID)
	if err != nil {
		return d, err
	}
	if d.HandoffMessages, err = pgx.CollectRows(rows, scanHandoffMessage); err != nil {
		return d, err
	}
	return d, nil
}

// DeleteUser deletes the user row, which cascades to everything about them, and
// counts the deletion for the day (UTC) in the same transaction. Deleting an
// unknown user changes nothing and is not an error.
func (s *Store) DeleteUser(ctx context.Context, userID string, at time.Time) error {
	switch {
	case userID == "":
		return fmt.Errorf("postgres: delete user: %w", invalid("user ID is empty"))
	case at.IsZero():
		return fmt.Errorf("postgres: delete user: %w", invalid("deletion time is zero"))
	}
	day := normalize(at)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err := s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, userID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO deletions (day, n) VALUES ($1, 1)
			ON CONFLICT (day) DO UPDATE SET n = deletions.n + 1`, day)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete user %s: %w", userID, err)
	}
	return nil
}

// Deletions returns how many people deleted their data.
func (s *Store) Deletions(ctx context.Context) (int, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var n int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM deletions`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count deletions: %w", err)
	}
	return n, nil
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
)

var _ content.TicketStore = (*Store)(nil)

// Every state change of a ticket runs in a transaction that first locks the
// ticket's row FOR NO KEY UPDATE (lockTicket), checks the ticket as read
// with content's Check... functions, then writes. That serializes the
// changes of one ticket (two replies with the same ID, a reply and a close),
// while inserts that merely reference the ticket (a person's message) only
// wait for it, never deadlock with it: they take FOR KEY SHARE.

// ---- Organisations ----

const orgColumns = `id::text, name, kind, coalesce(city_id::text, ''), created_at`

func scanOrganisation(row pgx.Row) (content.Organisation, error) {
	var o content.Organisation
	if err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.CityID, &o.CreatedAt); err != nil {
		return content.Organisation{}, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return o, nil
}

// CreateOrganisation stores a new organisation and returns it as stored. An
// empty ID gets a new UUID and a zero CreatedAt the current time; an ID in use
// is ECONFLICT. EINVALID for a bad name or kind, or a city organisation whose
// city does not exist.
func (s *Store) CreateOrganisation(ctx context.Context, o content.Organisation) (content.Organisation, error) {
	if err := content.ValidOrganisation(o); err != nil {
		return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", err)
	}
	id, err := orNewUUID("organisation ID", o.ID)
	if err != nil {
		return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", err)
	}
	city, err := optUUID("city ID", o.CityID)
	if err != nil {
		return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	o, err = scanOrganisation(s.pool.QueryRow(ctx, `
		INSERT INTO organisations (id, name, kind, city_id, created_at)
		VALUES ($1, $2, $3, $4, coalesce($5, now()))
		RETURNING `+orgColumns, id, o.Name, o.Kind, city, nullTime(o.CreatedAt)))
	switch pgCode(err) {
	case "":
		if err != nil {
			return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", err)
		}
		return o, nil
	case pgForeignKeyViolation:
		return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", invalid("city %s not found", city))
	case pgUniqueViolation:
		return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", content.Errorf(content.ECONFLICT, "organisation %s exists already", id))
	default:
		return content.Organisation{}, fmt.Errorf("postgres: create organisation: %w", err)
	}
}

// Organisation returns an organisation by ID, or ENOTFOUND.
func (s *Store) Organisation(ctx context.Context, id string) (content.Organisation, error) {
	uid, err := parseUUID("organisation ID", id)
	if err != nil {
		return content.Organisation{}, fmt.Errorf("postgres: find organisation: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	o, err := scanOrganisation(s.pool.QueryRow(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Organisation{}, fmt.Errorf("postgres: find organisation: %w", notFound("organisation %s not found", uid))
	} else if err != nil {
		return content.Organisation{}, fmt.Errorf("postgres: find organisation: %w", err)
	}
	return o, nil
}

// Organisations lists every organisation by name (byte order), then ID.
func (s *Store) Organisations(ctx context.Context) ([]content.Organisation, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY name COLLATE "C", id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: organisations: %w", err)
	}
	os, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.Organisation, error) { return scanOrganisation(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: organisations: %w", err)
	}
	return os, nil
}

// orgExists reports whether the organisation exists.
func orgExists(ctx context.Context, q querier, id uuid.UUID) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`, id).Scan(&ok)
	return ok, err
}

// ---- Counsellors ----

const counsellorColumns = `id::text, org_id::text, name, role, provinces, districts, national, hours,
	coalesce(line_user_id, ''), coalesce(token_hash, ''), created_at, disabled_at`

// shift is a content.Shift as stored in counsellors.hours.
type shift struct {
	Day  time.Weekday `json:"day"`
	From string       `json:"from"`
	To   string       `json:"to"`
}

func encodeHours(h content.OfficeHours) ([]byte, error) {
	shifts := make([]shift, len(h))
	for i, s := range h {
		shifts[i] = shift(s)
	}
	return json.Marshal(shifts)
}

func scanCounsellor(row pgx.Row) (content.Counsellor, error) {
	var (
		c        content.Counsellor
		hours    []byte
		disabled *time.Time
	)
	err := row.Scan(&c.ID, &c.OrgID, &c.Name, &c.Role, &c.Provinces, &c.Districts, &c.National, &hours,
		&c.LineUserID, &c.TokenHash, &c.CreatedAt, &disabled)
	if err != nil {
		return content.Counsellor{}, err
	}
	var shifts []shift
	if err := json.Unmarshal(hours, &shifts); err != nil {
		return content.Counsellor{}, fmt.Errorf("decode office hours of counsellor %s: %w", c.ID, err)
	}
	for _, s := range shifts {
		c.Hours = append(c.Hours, content.Shift(s))
	}
	c.Provinces, c.Districts = nilIfEmpty(c.Provinces), nilIfEmpty(c.Districts)
	c.CreatedAt, c.DisabledAt = c.CreatedAt.UTC(), utc(disabled)
	return c, nil
}

// counsellorError maps a write's PostgreSQL error: a unique violation is
// ECONFLICT naming what is taken, an unknown organisation EINVALID.
func counsellorError(err error, id, org uuid.UUID) error {
	switch pgCode(err) {
	case pgForeignKeyViolation:
		return invalid("organisation %s not found", org)
	case pgUniqueViolation:
		switch pgConstraint(err) {
		case "counsellors_line_user_id_key":
			return content.Errorf(content.ECONFLICT, "the LINE account is linked to another counsellor")
		case "counsellors_token_hash_key":
			return content.Errorf(content.ECONFLICT, "the token is another counsellor's")
		default:
			return content.Errorf(content.ECONFLICT, "counsellor %s exists already", id)
		}
	}
	return err
}

// CreateCounsellor stores a new counsellor and returns it as stored (ID and
// CreatedAt set when empty; provinces and districts without duplicates).
// EINVALID for an unknown organisation and whatever ValidCounsellor refuses;
// ECONFLICT for an ID in use, or a LINE account or token another counsellor
// has.
func (s *Store) CreateCounsellor(ctx context.Context, c content.Counsellor) (content.Counsellor, error) {
	c, err := content.ValidCounsellor(c)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: create counsellor: %w", err)
	}
	id, err := orNewUUID("counsellor ID", c.ID)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: create counsellor: %w", err)
	}
	org, err := parseUUID("organisation ID", c.OrgID)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: create counsellor: %w", err)
	}
	hours, err := encodeHours(c.Hours)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: create counsellor: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	c, err = scanCounsellor(s.pool.QueryRow(ctx, `
		INSERT INTO counsellors (id, org_id, name, role, provinces, districts, national, hours,
			line_user_id, token_hash, created_at, disabled_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), nullif($10, ''), coalesce($11, now()), $12)
		RETURNING `+counsellorColumns,
		id, org, c.Name, c.Role, textArray(c.Provinces), textArray(c.Districts), c.National, hours,
		c.LineUserID, c.TokenHash, nullTime(c.CreatedAt), nullTime(c.DisabledAt)))
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: create counsellor: %w", counsellorError(err, id, org))
	}
	return c, nil
}

// UpdateCounsellor replaces a counsellor's name, role, areas, hours, LINE
// link, token and disabled time; their organisation and CreatedAt stay.
// ENOTFOUND for an unknown counsellor, or one of another organisation than a
// non-empty c.OrgID; otherwise as CreateCounsellor.
func (s *Store) UpdateCounsellor(ctx context.Context, c content.Counsellor) error {
	c, err := content.ValidCounsellor(c)
	if err != nil {
		return fmt.Errorf("postgres: update counsellor: %w", err)
	}
	id, err := parseUUID("counsellor ID", c.ID)
	if err != nil {
		return fmt.Errorf("postgres: update counsellor: %w", err)
	}
	org, err := optUUID("organisation ID", c.OrgID)
	if err != nil {
		return fmt.Errorf("postgres: update counsellor: %w", err)
	}
	hours, err := encodeHours(c.Hours)
	if err != nil {
		return fmt.Errorf("postgres: update counsellor: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	tag, err := s.pool.Exec(ctx, `
		UPDATE counsellors SET name = $3, role = $4, provinces = $5, districts = $6, national = $7, hours = $8,
			line_user_id = nullif($9, ''), token_hash = nullif($10, ''), disabled_at = $11
		WHERE id = $1 AND ($2::uuid IS NULL OR org_id = $2)`,
		id, org, c.Name, c.Role, textArray(c.Provinces), textArray(c.Districts), c.National, hours,
		c.LineUserID, c.TokenHash, nullTime(c.DisabledAt))
	if err != nil {
		return fmt.Errorf("postgres: update counsellor: %w", counsellorError(err, id, uuid.UUID{}))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update counsellor: %w", notFound("counsellor %s not found", id))
	}
	return nil
}

// Counsellor returns a counsellor by ID, or ENOTFOUND.
func (s *Store) Counsellor(ctx context.Context, id string) (content.Counsellor, error) {
	uid, err := parseUUID("counsellor ID", id)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: find counsellor: %w", err)
	}
	return s.findCounsellor(ctx, "find counsellor", `id = $1`, uid)
}

// CounsellorByTokenHash returns the counsellor whose secret hashes to hash,
// disabled or not, or ENOTFOUND.
func (s *Store) CounsellorByTokenHash(ctx context.Context, hash string) (content.Counsellor, error) {
	if hash == "" {
		return content.Counsellor{}, fmt.Errorf("postgres: find counsellor by token: %w", invalid("token hash is empty"))
	}
	return s.findCounsellor(ctx, "find counsellor by token", `token_hash = $1`, hash)
}

// CounsellorByLine returns the counsellor who linked this LINE account, or
// ENOTFOUND.
func (s *Store) CounsellorByLine(ctx context.Context, lineUserID string) (content.Counsellor, error) {
	if lineUserID == "" {
		return content.Counsellor{}, fmt.Errorf("postgres: find counsellor by LINE account: %w", invalid("LINE user ID is empty"))
	}
	return s.findCounsellor(ctx, "find counsellor by LINE account", `line_user_id = $1`, lineUserID)
}

// findCounsellor reads the one counsellor where cond ($1 = arg) holds, or
// ENOTFOUND.
func (s *Store) findCounsellor(ctx context.Context, op, cond string, arg any) (content.Counsellor, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	c, err := scanCounsellor(s.pool.QueryRow(ctx, `SELECT `+counsellorColumns+` FROM counsellors WHERE `+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Counsellor{}, fmt.Errorf("postgres: %s: %w", op, notFound("counsellor not found"))
	} else if err != nil {
		return content.Counsellor{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	return c, nil
}

// Counsellors lists an organisation's counsellors ("" = every
// organisation's), disabled ones too, by name (byte order), then ID.
// ENOTFOUND for an unknown organisation.
func (s *Store) Counsellors(ctx context.Context, orgID string) ([]content.Counsellor, error) {
	org, err := optUUID("organisation ID", orgID)
	if err != nil {
		return nil, fmt.Errorf("postgres: counsellors: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var cs []content.Counsellor
	err = s.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if org != nil {
			if ok, err := orgExists(ctx, tx, *org); err != nil {
				return err
			} else if !ok {
				return notFound("organisation %s not found", *org)
			}
		}
		rows, err := tx.Query(ctx, `
			SELECT `+counsellorColumns+` FROM counsellors
			WHERE $1::uuid IS NULL OR org_id = $1
			ORDER BY name COLLATE "C", id`, org)
		if err != nil {
			return err
		}
		cs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.Counsellor, error) { return scanCounsellor(row) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: counsellors: %w", err)
	}
	return cs, nil
}

// ---- Tickets ----

// lockTicket reads a ticket and locks its row until the transaction ends, or
// returns ENOTFOUND.
func lockTicket(ctx context.Context, tx pgx.Tx, id uuid.UUID) (content.Handoff, error) {
	h, err := scanHandoffRow(tx.QueryRow(ctx, `SELECT `+handoffFields+` FROM handoffs WHERE id = $1 FOR NO KEY UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Handoff{}, notFound("ticket %s not found", id)
	}
	return h, err
}

// lockOrgTicket is lockTicket for an organisation: ENOTFOUND for another
// organisation's ticket too.
func lockOrgTicket(ctx context.Context, tx pgx.Tx, org, id uuid.UUID) (content.Handoff, error) {
	h, err := lockTicket(ctx, tx, id)
	if err != nil {
		return content.Handoff{}, err
	}
	if err := content.CheckTicketOrg(h, org.String()); err != nil {
		return content.Handoff{}, err
	}
	return h, nil
}

// counsellorIn reads a counsellor named on a ticket of h's organisation and
// checks them (content.CheckCounsellorOf): EINVALID when they are not the
// organisation's (or, with active, are disabled).
func counsellorIn(ctx context.Context, tx pgx.Tx, h content.Handoff, id uuid.UUID, active bool, doing string) error {
	c, err := scanCounsellor(tx.QueryRow(ctx, `SELECT `+counsellorColumns+` FROM counsellors WHERE id = $1`, id))
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	c.ID = id.String()
	return content.CheckCounsellorOf(h, c, found, active, doing)
}

// orgAndTicket parses the organisation and ticket IDs of an org-scoped call.
func orgAndTicket(orgID, id string) (org, ticket uuid.UUID, err error) {
	if org, err = parseUUID("organisation ID", orgID); err != nil {
		return org, ticket, err
	}
	ticket, err = parseUUID("ticket ID", id)
	return org, ticket, err
}

// Handoff returns a ticket by ID, whichever organisation's, or ENOTFOUND.
func (s *Store) Handoff(ctx context.Context, id string) (content.Handoff, error) {
	uid, err := parseUUID("ticket ID", id)
	if err != nil {
		return content.Handoff{}, fmt.Errorf("postgres: find ticket: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	h, err := scanHandoffRow(s.pool.QueryRow(ctx, `SELECT `+handoffFields+` FROM handoffs WHERE id = $1`, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Handoff{}, fmt.Errorf("postgres: find ticket: %w", notFound("ticket %s not found", uid))
	} else if err != nil {
		return content.Handoff{}, fmt.Errorf("postgres: find ticket %s: %w", uid, err)
	}
	return h, nil
}

// OpenHandoffOf returns the person's most recent open ticket (the latest at,
// the greatest ID among equals, as KeepForCounsellor picks it), or ENOTFOUND
// (for an unknown person too).
func (s *Store) OpenHandoffOf(ctx context.Context, userID string) (content.Handoff, error) {
	if userID == "" {
		return content.Handoff{}, fmt.Errorf("postgres: open ticket of: %w", invalid("user ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	h, err := scanHandoffRow(s.pool.QueryRow(ctx, `
		SELECT `+handoffFields+` FROM handoffs WHERE user_id = $1 AND status = 'open'
		ORDER BY at DESC, id DESC LIMIT 1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Handoff{}, fmt.Errorf("postgres: open ticket of: %w", notFound("no open ticket"))
	} else if err != nil {
		return content.Handoff{}, fmt.Errorf("postgres: open ticket of: %w", err)
	}
	return h, nil
}

// RouteHandoff sends an open ticket to r's organisation at time at: its level
// and area as given, escalation back to EscalationNone from at, and no
// assignee when the organisation changes. EINVALID for a bad or unknown
// organisation or area, ENOTFOUND for an unknown ticket, ECONFLICT for a
// closed one.
func (s *Store) RouteHandoff(ctx context.Context, id string, r content.Route, at time.Time) error {
	if err := content.ValidRoute(r); err != nil {
		return fmt.Errorf("postgres: route ticket: %w", err)
	}
	uid, err := parseUUID("ticket ID", id)
	if err != nil {
		return fmt.Errorf("postgres: route ticket: %w", err)
	}
	org, err := parseUUID("organisation ID", r.OrgID)
	if err != nil {
		return fmt.Errorf("postgres: route ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: route ticket: %w", invalid("routing time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		h, err := lockTicket(ctx, tx, uid)
		if err != nil {
			return err
		}
		if err := content.CheckTicketOpen(h, "route"); err != nil {
			return err
		}
		if ok, err := orgExists(ctx, tx, org); err != nil {
			return err
		} else if !ok {
			return invalid("organisation %s not found", org)
		}
		_, err = tx.Exec(ctx, `
			UPDATE handoffs SET org_id = $2, level = $3, province = $4, district = $5,
				escalation = 0, escalated_at = $6,
				assignee_id = CASE WHEN org_id = $2 THEN assignee_id END
			WHERE id = $1`, uid, org, r.Level, r.Province, r.District, normalize(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: route ticket: %w", err)
	}
	return nil
}

// EscalateHandoff raises a routed, open, unanswered ticket's escalation to
// level at time at. ECONFLICT for a closed, unrouted or answered ticket, or
// one at that level or higher already; EINVALID for another level than EscalationArea or
// EscalationSupervisor.
func (s *Store) EscalateHandoff(ctx context.Context, id string, level int, at time.Time) error {
	uid, err := parseUUID("ticket ID", id)
	if err != nil {
		return fmt.Errorf("postgres: escalate ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: escalate ticket: %w", invalid("escalation time is zero"))
	}
	if err := content.ValidEscalationLevel(level); err != nil {
		return fmt.Errorf("postgres: escalate ticket: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		h, err := lockTicket(ctx, tx, uid)
		if err != nil {
			return err
		}
		if err := content.CheckEscalation(h, level); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE handoffs SET escalation = $2, escalated_at = $3 WHERE id = $1`, uid, level, normalize(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: escalate ticket: %w", err)
	}
	return nil
}

// Tickets lists up to f.Limit (0 = 200) tickets of f's organisations with
// f's status ("" = both), urgent first, then oldest first. EINVALID for no
// organisation.
func (s *Store) Tickets(ctx context.Context, f content.TicketFilter) ([]content.Handoff, error) {
	f, err := content.ValidTicketFilter(f)
	if err != nil {
		return nil, fmt.Errorf("postgres: tickets: %w", err)
	}
	orgs := make([]uuid.UUID, len(f.OrgIDs))
	for i, o := range f.OrgIDs {
		if orgs[i], err = parseUUID("organisation ID", o); err != nil {
			return nil, fmt.Errorf("postgres: tickets: %w", err)
		}
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `
		SELECT `+handoffFields+` FROM handoffs
		WHERE org_id = ANY ($1) AND ($2 = '' OR status = $2)
		ORDER BY urgent DESC, at, id LIMIT $3`, orgs, f.Status, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: tickets: %w", err)
	}
	hs, err := pgx.CollectRows(rows, scanHandoff)
	if err != nil {
		return nil, fmt.Errorf("postgres: tickets: %w", err)
	}
	return hs, nil
}

// Ticket returns one of an organisation's tickets, or ENOTFOUND (for
// another organisation's too).
func (s *Store) Ticket(ctx context.Context, orgID, id string) (content.Handoff, error) {
	org, uid, err := orgAndTicket(orgID, id)
	if err != nil {
		return content.Handoff{}, fmt.Errorf("postgres: find ticket: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	h, err := scanHandoffRow(s.pool.QueryRow(ctx, `SELECT `+handoffFields+` FROM handoffs WHERE id = $1 AND org_id = $2`, uid, org))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Handoff{}, fmt.Errorf("postgres: find ticket: %w", notFound("ticket %s not found", uid))
	} else if err != nil {
		return content.Handoff{}, fmt.Errorf("postgres: find ticket %s: %w", uid, err)
	}
	return h, nil
}

// AssignHandoff gives an open ticket of the organisation to one of its active
// counsellors. ENOTFOUND for an unknown or another organisation's ticket,
// ECONFLICT for a closed one, EINVALID for a counsellor who is not the
// organisation's or is disabled.
func (s *Store) AssignHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error {
	org, uid, err := orgAndTicket(orgID, id)
	if err != nil {
		return fmt.Errorf("postgres: assign ticket: %w", err)
	}
	counsellor, err := parseUUID("counsellor ID", counsellorID)
	if err != nil {
		return fmt.Errorf("postgres: assign ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: assign ticket: %w", invalid("assignment time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		h, err := lockOrgTicket(ctx, tx, org, uid)
		if err != nil {
			return err
		}
		if err := content.CheckTicketOpen(h, "assign"); err != nil {
			return err
		}
		if err := counsellorIn(ctx, tx, h, counsellor, true, "assign ticket"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE handoffs SET assignee_id = $2 WHERE id = $1`, uid, counsellor)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: assign ticket: %w", err)
	}
	return nil
}

// AddReply stores a counsellor's reply or the bot's message on a ticket of
// the organisation, idempotently by m.ID, and returns it as stored. The same
// ID again returns the stored message and created false, changing nothing
// (whatever the ticket's state now); an ID used on another ticket is
// ECONFLICT. A counsellor's reply needs an open ticket (ECONFLICT) and a
// counsellor of the organisation (EINVALID); it gets a new RetryKey and
// status pending when they are empty, and the first sets the ticket's
// FirstReplyAt to its time. m.UserID is the ticket's person (EINVALID for
// another). ENOTFOUND for an unknown or another organisation's ticket.
//
// Two submits of one ID at once take turns on the ticket's row lock; the
// second then finds the first's message. The insert is ON CONFLICT DO NOTHING
// besides, for the same ID sent to two tickets at once.
func (s *Store) AddReply(ctx context.Context, orgID string, m content.HandoffMessage) (content.HandoffMessage, bool, error) {
	stored, created, err := s.addReply(ctx, orgID, m)
	if err != nil {
		return content.HandoffMessage{}, false, fmt.Errorf("postgres: add reply: %w", err)
	}
	return stored, created, nil
}

func (s *Store) addReply(ctx context.Context, orgID string, m content.HandoffMessage) (content.HandoffMessage, bool, error) {
	org, ticket, err := orgAndTicket(orgID, m.HandoffID)
	if err != nil {
		return m, false, err
	}
	id, err := parseUUID("message ID", m.ID)
	if err != nil {
		return m, false, err
	}
	counsellor, err := optUUID("counsellor ID", m.CounsellorID)
	if err != nil {
		return m, false, err
	}
	retry, err := optUUID("retry key", m.RetryKey)
	if err != nil {
		return m, false, err
	}
	if m, err = content.ValidReply(m); err != nil {
		return m, false, err
	}
	var status *string
	if m.Status != "" {
		status = &m.Status
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var (
		stored  content.HandoffMessage
		created bool
	)
	err = s.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		created = false
		h, err := lockOrgTicket(ctx, tx, org, ticket)
		if err != nil {
			return err
		}
		// existing returns the message stored under id, when it is this
		// ticket's.
		existing := func() (bool, error) {
			old, err := scanHandoffMessageRow(tx.QueryRow(ctx, `SELECT `+handoffMessageColumns+` FROM handoff_messages WHERE id = $1`, id))
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return false, nil
			case err != nil:
				return false, err
			case old.HandoffID != h.ID:
				return false, content.Errorf(content.ECONFLICT, "message ID %s is in use on another ticket", id)
			}
			stored = old
			return true, nil
		}
		if ok, err := existing(); ok || err != nil {
			return err
		}
		if m.UserID != "" && m.UserID != h.UserID {
			return invalid("the reply's person is not the ticket's")
		}
		if m.Author == content.AuthorCounsellor {
			if err := content.CheckTicketOpen(h, "reply to"); err != nil {
				return err
			}
			if err := counsellorIn(ctx, tx, h, *counsellor, false, "reply"); err != nil {
				return err
			}
			if retry == nil {
				k := uuid.New()
				retry = &k
			}
		}
		stored, err = scanHandoffMessageRow(tx.QueryRow(ctx, `
			INSERT INTO handoff_messages (id, handoff_id, user_id, text, at, author, counsellor_id, retry_key, status, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO NOTHING
			RETURNING `+handoffMessageColumns,
			id, ticket, h.UserID, m.Text, normalize(m.At), m.Author, counsellor, retry, status, nullTime(m.SentAt)))
		if errors.Is(err, pgx.ErrNoRows) { // inserted meanwhile, for another ticket
			if ok, err := existing(); ok || err != nil {
				return err
			}
			return fmt.Errorf("message %s neither inserted nor found", id)
		} else if err != nil {
			return err
		}
		created = true
		if m.Author == content.AuthorCounsellor {
			_, err = tx.Exec(ctx, `UPDATE handoffs SET first_reply_at = coalesce(first_reply_at, $2) WHERE id = $1`, ticket, normalize(m.At))
		}
		return err
	})
	if err != nil {
		return m, false, err
	}
	return stored, created, nil
}

// MarkReply records that LINE accepted (sent: SentAt is at) or refused
// (failed) a reply. Marking it again with the same status changes nothing; a
// failed reply may still be sent, a sent one is ECONFLICT. ENOTFOUND for an
// unknown message or a person's.
func (s *Store) MarkReply(ctx context.Context, id, status string, at time.Time) error {
	uid, err := parseUUID("reply ID", id)
	if err != nil {
		return fmt.Errorf("postgres: mark reply: %w", err)
	}
	if err := content.ValidReplyState(status); err != nil {
		return fmt.Errorf("postgres: mark reply: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: mark reply: %w", invalid("time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		m, err := scanHandoffMessageRow(tx.QueryRow(ctx, `SELECT `+handoffMessageColumns+` FROM handoff_messages WHERE id = $1 FOR NO KEY UPDATE`, uid))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("reply %s not found", uid)
		} else if err != nil {
			return err
		}
		change, err := content.CheckMarkReply(m, status)
		if err != nil || !change {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE handoff_messages SET status = $2, sent_at = CASE WHEN $2 = 'sent' THEN $3 ELSE sent_at END
			WHERE id = $1`, uid, status, normalize(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: mark reply: %w", err)
	}
	return nil
}

// CloseHandoff closes an open ticket of the organisation at time at, by a
// counsellor of it ("" = not by a counsellor). ENOTFOUND for an unknown or
// another organisation's ticket, ECONFLICT when it is closed already,
// EINVALID for a counsellor who is not the organisation's.
func (s *Store) CloseHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error {
	org, uid, err := orgAndTicket(orgID, id)
	if err != nil {
		return fmt.Errorf("postgres: close ticket: %w", err)
	}
	counsellor, err := optUUID("counsellor ID", counsellorID)
	if err != nil {
		return fmt.Errorf("postgres: close ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: close ticket: %w", invalid("closing time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		h, err := lockOrgTicket(ctx, tx, org, uid)
		if err != nil {
			return err
		}
		if err := content.CheckTicketOpen(h, "close"); err != nil {
			return err
		}
		if counsellor != nil {
			if err := counsellorIn(ctx, tx, h, *counsellor, false, "close ticket"); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE handoffs SET status = 'closed', closed_at = $2, closed_by = $3 WHERE id = $1`,
			uid, normalize(at), counsellor)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: close ticket: %w", err)
	}
	return nil
}

// RecordHelped keeps the person's answer ("yes" or "no") on their most
// recently closed ticket (by closed_at, or at for one recorded closed; the
// greatest ID among equals), replacing an earlier answer. ENOTFOUND when they
// have none (or are unknown).
func (s *Store) RecordHelped(ctx context.Context, userID, helped string) error {
	if userID == "" {
		return fmt.Errorf("postgres: record helped: %w", invalid("user ID is empty"))
	}
	if err := content.ValidHelped(helped); err != nil {
		return fmt.Errorf("postgres: record helped: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	tag, err := s.pool.Exec(ctx, `
		UPDATE handoffs SET helped = $2
		WHERE id = (SELECT id FROM handoffs WHERE user_id = $1 AND status = 'closed'
			ORDER BY coalesce(closed_at, at) DESC, id DESC LIMIT 1)`, userID, helped)
	if err != nil {
		return fmt.Errorf("postgres: record helped: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: record helped: %w", notFound("no closed ticket"))
	}
	return nil
}

// DueEscalations lists up to limit routed, open tickets with no counsellor
// reply, below EscalationSupervisor, whose escalation time (last routed or
// escalated, else opened) is at or before before, by that time, then ID.
// Unrouted tickets are left out: no organisation could take them.
func (s *Store) DueEscalations(ctx context.Context, before time.Time, limit int) ([]content.Handoff, error) {
	switch {
	case before.IsZero():
		return nil, fmt.Errorf("postgres: due escalations: %w", invalid("time is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("postgres: due escalations: %w", invalid("limit %d is not positive", limit))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `
		SELECT `+handoffFields+` FROM handoffs
		WHERE status = 'open' AND org_id IS NOT NULL AND first_reply_at IS NULL AND escalation < 2
			AND coalesce(escalated_at, at) <= $1
		ORDER BY coalesce(escalated_at, at), id LIMIT $2`, normalize(before), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: due escalations: %w", err)
	}
	hs, err := pgx.CollectRows(rows, scanHandoff)
	if err != nil {
		return nil, fmt.Errorf("postgres: due escalations: %w", err)
	}
	return hs, nil
}

// PurgeHandoffMessages deletes every message (the person's and the replies)
// of tickets closed before closedBefore (closed_at, or at for one recorded
// closed), keeping the tickets, and returns how many it deleted. It works
// 1,000 messages per statement, each bounded by Options.QueryTimeout.
func (s *Store) PurgeHandoffMessages(ctx context.Context, closedBefore time.Time) (int, error) {
	if closedBefore.IsZero() {
		return 0, fmt.Errorf("postgres: purge ticket messages: %w", invalid("time is zero"))
	}
	const q = `
		DELETE FROM handoff_messages WHERE id IN (
			SELECT m.id FROM handoff_messages m JOIN handoffs h ON h.id = m.handoff_id
			WHERE (h.status = 'closed' AND coalesce(h.closed_at, h.at) < $1)
			   OR (h.status = 'open' AND h.org_id IS NULL AND h.at < $1)
			LIMIT $2
			FOR UPDATE OF m SKIP LOCKED)`
	total := 0
	for {
		n, err := s.pruneBatch(ctx, q, normalize(closedBefore))
		total += n
		if err != nil {
			return total, fmt.Errorf("postgres: purge ticket messages: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// PendingReplies lists counsellor replies not yet accepted by LINE, stored at
// or before before, oldest first.
func (s *Store) PendingReplies(ctx context.Context, before time.Time, limit int) ([]content.HandoffMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT `+handoffMessageColumns+` FROM handoff_messages
		WHERE author = 'counsellor' AND status = 'pending' AND at <= $1 ORDER BY at, seq LIMIT $2`, normalize(before), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending replies: %w", err)
	}
	ms, err := pgx.CollectRows(rows, scanHandoffMessage)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending replies: %w", err)
	}
	return ms, nil
}

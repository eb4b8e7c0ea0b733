package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paitor/paitor/content"
)

// Sizes of the broadcast reads and writes.
const (
	audiencePage = 1000 // users one StreamAudience query looks at
	chunkBatch   = 100  // chunks one SaveChunks statement writes (≤ 50,000 recipients)
	pruneBatch   = 1000 // chunks one PruneChunks statement empties
)

// Chunk statuses.
const (
	chunkPending = "pending"
	chunkSent    = "sent"
	chunkFailed  = "failed"
)

// pgConstraint returns the constraint a PostgreSQL error in err's chain names,
// or "".
func pgConstraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

// ---- Audience ----

// StreamAudience calls fn for every user matching the audience, in user ID
// order: users who follow Pai Tor, and those who blocked it (Blocked set, so
// the caller counts them as skipped). A user matches when their profile's
// province is one of a.Provinces (required: the caller fills it in from the
// city's area), "province/district" one of a.Districts if any are given, the
// profile's age within the bounds that are set (an unknown age never is),
// their role one of a.Roles if any, and their profile's interests (a comma
// list) share one with a.Interests if any. Profiles exist only for people who
// consented, so nobody else is ever reached.
//
// It walks the users table in ID order, 1,000 users per query (keyset
// pagination on the primary key), and returns the matches among them; each
// query is bounded by Options.QueryTimeout and fn is called with no
// connection held. So an audience of millions never sits in memory, fn may
// take its time, and every query costs the same whatever the audience's
// size and whatever the planner guesses about it: a narrow audience does not
// make a page scan everyone. An error from fn stops the stream and is
// returned as is.
func (s *Store) StreamAudience(ctx context.Context, a content.Audience, fn func(content.Recipient) error) error {
	if len(a.Provinces) == 0 {
		return fmt.Errorf("postgres: stream audience: %w", invalid("audience has no provinces"))
	}
	if err := content.ValidAudience(a); err != nil {
		return fmt.Errorf("postgres: stream audience: %w", err)
	}
	// The last row (last = true) says where the block of users ended and how
	// many it held. IDs compare byte by byte (COLLATE "C", with an index of
	// its own), as Go compares them, whatever the database's collation.
	q := `
		WITH block AS MATERIALIZED (
			SELECT id, status, role, settings FROM users
			WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT ` + strconv.Itoa(audiencePage) + `)
		SELECT b.id, b.status = 'blocked', CASE WHEN b.settings = '{}' THEN NULL ELSE b.settings END, false, 0::bigint
		FROM block b JOIN profiles p ON p.user_id = b.id
		WHERE p.province = ANY ($2::text[])
			AND (cardinality($3::text[]) = 0 OR p.province || '/' || p.district = ANY ($3::text[]))
			AND ($4::int = 0 OR p.age >= $4::int)
			AND ($5::int = 0 OR p.age <= $5::int)
			AND (cardinality($6::text[]) = 0 OR b.role = ANY ($6::text[]))
			AND (cardinality($7::text[]) = 0 OR EXISTS (
				SELECT 1 FROM unnest(string_to_array(p.fields->>'interests', ',')) AS i (interest)
				WHERE btrim(i.interest) = ANY ($7::text[])))
		UNION ALL
		SELECT max(id COLLATE "C"), false, NULL, true, count(*) FROM block`
	args := []any{"", a.Provinces, textArray(a.Districts), a.AgeMin, a.AgeMax, textArray(a.Roles), textArray(a.Interests)}
	for {
		page, last, scanned, err := s.audiencePage(ctx, q, args)
		if err != nil {
			return fmt.Errorf("postgres: stream audience: %w", err)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if scanned < audiencePage {
			return nil
		}
		args[0] = last
	}
}

// audiencePage reads the matches among the next block of users, and the last
// user ID of the block and how many users it held, bounded by
// Options.QueryTimeout.
func (s *Store) audiencePage(ctx context.Context, q string, args []any) (page []content.Recipient, last string, scanned int, err error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", 0, err
	}
	var (
		id        *string
		blocked   bool
		settings  []byte
		isLast    bool
		blockSize int
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &blocked, &settings, &isLast, &blockSize}, func() error {
		if isLast {
			if id != nil {
				last = *id
			}
			scanned = blockSize
			return nil
		}
		r := content.Recipient{UserID: *id, Blocked: blocked}
		if settings != nil {
			if err := json.Unmarshal(settings, &r.Settings); err != nil {
				return fmt.Errorf("decode settings of %s: %w", r.UserID, err)
			}
		}
		page = append(page, r)
		return nil
	})
	// In byte order of the IDs, as the block was read.
	slices.SortFunc(page, func(a, b content.Recipient) int { return strings.Compare(a.UserID, b.UserID) })
	return page, last, scanned, err
}

// ---- Chunks ----

const chunkColumns = `announcement_id::text, seq, recipients, retry_key::text, status, attempts, error,
	CASE WHEN status = 'sent' THEN finished_at END`

func scanChunk(row pgx.Row) (content.Chunk, error) {
	var (
		c      content.Chunk
		sentAt *time.Time
	)
	if err := row.Scan(&c.AnnouncementID, &c.Seq, &c.Recipients, &c.RetryKey, &c.Status, &c.Attempts, &c.Error, &sentAt); err != nil {
		return content.Chunk{}, err
	}
	c.Recipients, c.SentAt = nilIfEmpty(c.Recipients), utc(sentAt)
	return c, nil
}

// SaveChunks stores new chunks of broadcasts, pending. A chunk already stored
// (same announcement and sequence number) is left as it is, retry key and
// status included, so a resolver that restarts may save its chunks again.
// Every chunk is checked first (EINVALID); they are then written 100 per
// statement, each statement bounded by Options.QueryTimeout. ENOTFOUND for an
// unknown announcement.
//
// Chunk recipient lists are the one place user IDs are kept without a foreign
// key to users: they are what makes delivery exactly-once after a crash, and
// PruneChunks empties them once a chunk has been finished for 30 days.
func (s *Store) SaveChunks(ctx context.Context, chunks []content.Chunk) error {
	chunks, err := content.ValidChunks(chunks)
	if err != nil {
		return fmt.Errorf("postgres: save chunks: %w", err)
	}
	const q = `
		INSERT INTO chunks (announcement_id, seq, recipients, recipients_count, retry_key)
		SELECT u.announcement_id, u.seq, r.list, cardinality(r.list), u.retry_key
		FROM unnest($1::uuid[], $2::int[], $3::text[], $4::uuid[]) AS u (announcement_id, seq, recipients, retry_key)
		CROSS JOIN LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(u.recipients::jsonb)) AS list) r
		ON CONFLICT (announcement_id, seq) DO NOTHING`
	for start := 0; start < len(chunks); start += chunkBatch {
		batch := chunks[start:min(start+chunkBatch, len(chunks))]
		ids, seqs, lists, keys := make([]string, len(batch)), make([]int32, len(batch)), make([]string, len(batch)), make([]string, len(batch))
		for i, c := range batch {
			list, err := json.Marshal(c.Recipients)
			if err != nil {
				return fmt.Errorf("postgres: save chunks: %w", err)
			}
			ids[i], seqs[i], lists[i], keys[i] = c.AnnouncementID, int32(c.Seq), string(list), c.RetryKey
		}
		if err := s.exec(ctx, q, ids, seqs, lists, keys); pgCode(err) == pgForeignKeyViolation {
			return fmt.Errorf("postgres: save chunks: %w", notFound("an announcement of chunks %s/%d.. not found", batch[0].AnnouncementID, batch[0].Seq))
		} else if err != nil {
			return fmt.Errorf("postgres: save chunks: %w", err)
		}
	}
	return nil
}

// exec runs one statement bounded by Options.QueryTimeout.
func (s *Store) exec(ctx context.Context, q string, args ...any) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, q, args...)
	return err
}

// Chunk returns one chunk of a broadcast, or ENOTFOUND. A pruned chunk has
// no recipients.
func (s *Store) Chunk(ctx context.Context, announcementID string, seq int) (content.Chunk, error) {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return content.Chunk{}, fmt.Errorf("postgres: find chunk: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	c, err := scanChunk(s.pool.QueryRow(ctx, `SELECT `+chunkColumns+` FROM chunks WHERE announcement_id = $1 AND seq = $2`, id, seq))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Chunk{}, fmt.Errorf("postgres: find chunk: %w", notFound("chunk %s/%d not found", id, seq))
	} else if err != nil {
		return content.Chunk{}, fmt.Errorf("postgres: find chunk %s/%d: %w", id, seq, err)
	}
	return c, nil
}

// FinishChunk records an attempt's outcome: "sent" (SentAt becomes at) or
// "failed" (with errText), counting the attempt. A failed chunk may be
// finished again (a retry); a sent one is final: finishing it as sent again
// changes nothing, as failed is ECONFLICT. ENOTFOUND for an unknown chunk.
func (s *Store) FinishChunk(ctx context.Context, announcementID string, seq int, status, errText string, at time.Time) error {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return fmt.Errorf("postgres: finish chunk: %w", err)
	}
	switch {
	case status != chunkSent && status != chunkFailed:
		return fmt.Errorf("postgres: finish chunk: %w", invalid("status %q is not sent or failed", status))
	case at.IsZero():
		return fmt.Errorf("postgres: finish chunk: %w", invalid("finish time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		WITH done AS (
			UPDATE chunks SET status = $3, error = $4, attempts = attempts + 1, finished_at = $5
			WHERE announcement_id = $1 AND seq = $2 AND status <> 'sent'
			RETURNING status)
		SELECT status, true FROM done
		UNION ALL
		SELECT status, false FROM chunks WHERE announcement_id = $1 AND seq = $2 AND NOT EXISTS (SELECT 1 FROM done)`
	var (
		now     string
		changed bool
	)
	err = s.pool.QueryRow(ctx, q, id, seq, status, errText, normalize(at)).Scan(&now, &changed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: finish chunk: %w", notFound("chunk %s/%d not found", id, seq))
	case err != nil:
		return fmt.Errorf("postgres: finish chunk %s/%d: %w", id, seq, err)
	case !changed && status != now:
		return fmt.Errorf("postgres: finish chunk: %w", content.Errorf(content.ECONFLICT, "chunk %s/%d is %s already", id, seq, now))
	}
	return nil
}

// SetSkipped records how many of the audience were left out, by reason,
// replacing earlier figures. ENOTFOUND for an unknown announcement.
func (s *Store) SetSkipped(ctx context.Context, announcementID string, blocked, optedOut, capped int) error {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return fmt.Errorf("postgres: set skipped: %w", err)
	}
	if blocked < 0 || optedOut < 0 || capped < 0 {
		return fmt.Errorf("postgres: set skipped: %w", invalid("negative count"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `
		INSERT INTO announcement_skips (announcement_id, blocked, opted_out, capped) VALUES ($1, $2, $3, $4)
		ON CONFLICT (announcement_id) DO UPDATE SET
			blocked = EXCLUDED.blocked, opted_out = EXCLUDED.opted_out, capped = EXCLUDED.capped`,
		id, blocked, optedOut, capped)
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: set skipped: %w", notFound("announcement %s not found", id))
	} else if err != nil {
		return fmt.Errorf("postgres: set skipped for %s: %w", id, err)
	}
	return nil
}

// RecordTap counts a person's tap on one of an announcement's buttons, once
// per person and button (a second tap changes nothing). ENOTFOUND for an
// unknown announcement or user.
func (s *Store) RecordTap(ctx context.Context, announcementID, userID, button string, at time.Time) error {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return fmt.Errorf("postgres: record tap: %w", err)
	}
	switch {
	case userID == "":
		return fmt.Errorf("postgres: record tap: %w", invalid("user ID is empty"))
	case button == "":
		return fmt.Errorf("postgres: record tap: %w", invalid("button is empty"))
	case at.IsZero():
		return fmt.Errorf("postgres: record tap: %w", invalid("tap time is zero"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err = s.pool.Exec(ctx, `
		INSERT INTO taps (announcement_id, user_id, button, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (announcement_id, user_id, button) DO NOTHING`, id, userID, button, normalize(at))
	switch {
	case pgCode(err) == pgForeignKeyViolation && pgConstraint(err) == "taps_user_id_fkey":
		return fmt.Errorf("postgres: record tap: %w", notFound("user %s not found", userID))
	case pgCode(err) == pgForeignKeyViolation:
		return fmt.Errorf("postgres: record tap: %w", notFound("announcement %s not found", id))
	case err != nil:
		return fmt.Errorf("postgres: record tap on %s: %w", id, err)
	}
	return nil
}

// Stats returns an announcement's delivery figures: recipients by chunk
// status (from the stored counts, so pruned chunks still count), the skipped
// and the taps. ENOTFOUND for an unknown announcement.
func (s *Store) Stats(ctx context.Context, announcementID string) (content.BroadcastStats, error) {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return content.BroadcastStats{}, fmt.Errorf("postgres: stats: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		SELECT EXISTS (SELECT 1 FROM announcements WHERE id = $1),
			c.targeted, c.sent, c.failed, c.pending,
			coalesce(k.blocked, 0), coalesce(k.opted_out, 0), coalesce(k.capped, 0),
			(SELECT count(*) FROM taps WHERE announcement_id = $1)
		FROM (
			SELECT coalesce(sum(recipients_count), 0) AS targeted,
				coalesce(sum(recipients_count) FILTER (WHERE status = 'sent'), 0) AS sent,
				coalesce(sum(recipients_count) FILTER (WHERE status = 'failed'), 0) AS failed,
				coalesce(sum(recipients_count) FILTER (WHERE status = 'pending'), 0) AS pending
			FROM chunks WHERE announcement_id = $1) c
		LEFT JOIN announcement_skips k ON k.announcement_id = $1`
	var (
		st     content.BroadcastStats
		exists bool
	)
	err = s.pool.QueryRow(ctx, q, id).Scan(&exists, &st.Targeted, &st.Sent, &st.Failed, &st.Pending,
		&st.SkippedBlocked, &st.SkippedOptedOut, &st.SkippedCapped, &st.Taps)
	if err != nil {
		return content.BroadcastStats{}, fmt.Errorf("postgres: stats of %s: %w", id, err)
	}
	if !exists {
		return content.BroadcastStats{}, fmt.Errorf("postgres: stats: %w", notFound("announcement %s not found", id))
	}
	return st, nil
}

// PruneChunks empties the recipient lists of chunks finished (sent or failed)
// before olderThan, keeping their counts, and returns how many it emptied.
// Run it daily with olderThan 30 days ago: after that a resend is out of the
// question, and the lists are personal data. It works 1,000 chunks per
// statement, each bounded by Options.QueryTimeout.
func (s *Store) PruneChunks(ctx context.Context, olderThan time.Time) (int, error) {
	if olderThan.IsZero() {
		return 0, fmt.Errorf("postgres: prune chunks: %w", invalid("time is zero"))
	}
	const q = `
		UPDATE chunks SET recipients = '{}'
		WHERE (announcement_id, seq) IN (
			SELECT announcement_id, seq FROM chunks
			WHERE status IN ('sent', 'failed') AND cardinality(recipients) > 0 AND finished_at < $1
			LIMIT $2
			FOR UPDATE SKIP LOCKED)`
	total := 0
	for {
		n, err := s.pruneBatch(ctx, q, normalize(olderThan))
		total += n
		if err != nil {
			return total, fmt.Errorf("postgres: prune chunks: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

func (s *Store) pruneBatch(ctx context.Context, q string, olderThan time.Time) (int, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, q, olderThan, pruneBatch)
	return int(tag.RowsAffected()), err
}

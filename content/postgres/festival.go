package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
)

// ---- Validation (the memory store checks the same) ----

// ---- Festivals ----

const festivalColumns = `id::text, city_id::text, title_th, title_en, desc_th, desc_en, starts_at, ends_at,
	venue, address, province, district, lat, lng, activities, image_url, info_url, tags, status, created_at, updated_at`

func scanFestival(row pgx.Row) (content.Festival, error) {
	var f content.Festival
	err := row.Scan(&f.ID, &f.CityID, &f.TitleTH, &f.TitleEN, &f.DescTH, &f.DescEN, &f.StartsAt, &f.EndsAt,
		&f.Venue, &f.Address, &f.Province, &f.District, &f.Lat, &f.Lng, &f.Activities, &f.ImageURL, &f.InfoURL,
		&f.Tags, &f.Status, &f.CreatedAt, &f.UpdatedAt)
	if err != nil {
		return content.Festival{}, err
	}
	f.Activities, f.Tags = nilIfEmpty(f.Activities), nilIfEmpty(f.Tags)
	f.StartsAt, f.EndsAt, f.CreatedAt, f.UpdatedAt = f.StartsAt.UTC(), f.EndsAt.UTC(), f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, nil
}

// SaveFestival creates or updates a festival by ID (a UUID the caller
// chooses) within f.CityID. An empty status is "active". The place must be in
// the city's area (EINVALID). ENOTFOUND for an unknown city, and for an ID
// that belongs to another city's festival (which is left alone).
func (s *Store) SaveFestival(ctx context.Context, f content.Festival) error {
	id, err := parseUUID("festival ID", f.ID)
	if err != nil {
		return fmt.Errorf("postgres: save festival: %w", err)
	}
	city, err := parseUUID("city ID", f.CityID)
	if err != nil {
		return fmt.Errorf("postgres: save festival: %w", err)
	}
	if f, err = content.ValidFestival(f); err != nil {
		return fmt.Errorf("postgres: save festival: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		INSERT INTO festivals AS f (id, city_id, title_th, title_en, desc_th, desc_en, starts_at, ends_at,
			venue, address, province, district, lat, lng, activities, image_url, info_url, tags, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, now(), now())
		ON CONFLICT (id) DO UPDATE SET
			title_th = EXCLUDED.title_th, title_en = EXCLUDED.title_en, desc_th = EXCLUDED.desc_th,
			desc_en = EXCLUDED.desc_en, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
			venue = EXCLUDED.venue, address = EXCLUDED.address, province = EXCLUDED.province,
			district = EXCLUDED.district, lat = EXCLUDED.lat, lng = EXCLUDED.lng,
			activities = EXCLUDED.activities, image_url = EXCLUDED.image_url, info_url = EXCLUDED.info_url,
			tags = EXCLUDED.tags, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
		WHERE f.city_id = EXCLUDED.city_id`
	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		c, err := findCity(ctx, tx, city)
		if err != nil {
			return err
		}
		if err := content.FestivalInArea(c, f); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, q, id, city, f.TitleTH, f.TitleEN, f.DescTH, f.DescEN, normalize(f.StartsAt), normalize(f.EndsAt),
			f.Venue, f.Address, f.Province, f.District, f.Lat, f.Lng, textArray(f.Activities), f.ImageURL, f.InfoURL,
			textArray(f.Tags), f.Status)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("festival %s not found", id) // another city's
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: save festival: %w", err)
	}
	return nil
}

// Festival returns one of a city's festivals, or ENOTFOUND (for another
// city's too).
func (s *Store) Festival(ctx context.Context, cityID, id string) (content.Festival, error) {
	city, err := parseUUID("city ID", cityID)
	if err != nil {
		return content.Festival{}, fmt.Errorf("postgres: find festival: %w", err)
	}
	uid, err := parseUUID("festival ID", id)
	if err != nil {
		return content.Festival{}, fmt.Errorf("postgres: find festival: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	f, err := scanFestival(s.pool.QueryRow(ctx, `SELECT `+festivalColumns+` FROM festivals WHERE id = $1 AND city_id = $2`, uid, city))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Festival{}, fmt.Errorf("postgres: find festival: %w", notFound("festival %s not found", id))
	} else if err != nil {
		return content.Festival{}, fmt.Errorf("postgres: find festival %s: %w", id, err)
	}
	return f, nil
}

// Festivals lists a city's festivals, cancelled ones too, by start time.
// ENOTFOUND for an unknown city.
func (s *Store) Festivals(ctx context.Context, cityID string) ([]content.Festival, error) {
	city, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("postgres: festivals: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	fs, err := cityList(ctx, s, city, `SELECT `+festivalColumns+` FROM festivals WHERE city_id = $1 ORDER BY starts_at, id`, scanFestival)
	if err != nil {
		return nil, fmt.Errorf("postgres: festivals: %w", err)
	}
	return fs, nil
}

// UpcomingFestivals lists up to limit active festivals of every city that end
// after from, soonest start first.
func (s *Store) UpcomingFestivals(ctx context.Context, from time.Time, limit int) ([]content.Festival, error) {
	switch {
	case from.IsZero():
		return nil, fmt.Errorf("postgres: upcoming festivals: %w", invalid("time is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("postgres: upcoming festivals: %w", invalid("limit %d is not positive", limit))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `
		SELECT `+festivalColumns+` FROM festivals
		WHERE status = 'active' AND ends_at > $1
		ORDER BY starts_at, id LIMIT $2`, normalize(from), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: upcoming festivals: %w", err)
	}
	fs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.Festival, error) { return scanFestival(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: upcoming festivals: %w", err)
	}
	return fs, nil
}

// ---- Announcements ----

// audienceDoc is an Audience as stored in announcements.audience.
type audienceDoc struct {
	Provinces []string `json:"provinces,omitempty"`
	Districts []string `json:"districts,omitempty"`
	AgeMin    int      `json:"age_min,omitempty"`
	AgeMax    int      `json:"age_max,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	Interests []string `json:"interests,omitempty"`
}

const announcementColumns = `id::text, city_id::text, festival_id::text, audience, status, scheduled_at,
	coalesce(created_by::text, ''), coalesce(approved_by::text, ''), created_at, updated_at`

func scanAnnouncement(row pgx.Row) (content.Announcement, error) {
	var (
		a         content.Announcement
		audience  []byte
		scheduled *time.Time
	)
	err := row.Scan(&a.ID, &a.CityID, &a.FestivalID, &audience, &a.Status, &scheduled, &a.CreatedBy, &a.ApprovedBy, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return content.Announcement{}, err
	}
	var d audienceDoc
	if err := json.Unmarshal(audience, &d); err != nil {
		return content.Announcement{}, fmt.Errorf("decode audience of %s: %w", a.ID, err)
	}
	a.Audience = content.Audience{
		Provinces: nilIfEmpty(d.Provinces), Districts: nilIfEmpty(d.Districts),
		AgeMin: d.AgeMin, AgeMax: d.AgeMax,
		Roles: nilIfEmpty(d.Roles), Interests: nilIfEmpty(d.Interests),
	}
	a.ScheduledAt, a.CreatedAt, a.UpdatedAt = utc(scheduled), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, nil
}

// optUUID parses an optional UUID: nil for "".
func optUUID(what, s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := parseUUID(what, s)
	return &id, err
}

// SaveAnnouncement creates or updates an announcement by ID (a UUID the
// caller chooses) within a.CityID. Its festival must be one of the same
// city's (ENOTFOUND otherwise) and its audience within the city's area
// (EINVALID). An empty status is "draft". ENOTFOUND for an unknown city, and
// for an ID that belongs to another city's announcement (which is left
// alone). A claim on the announcement is kept.
func (s *Store) SaveAnnouncement(ctx context.Context, a content.Announcement) error {
	id, err := parseUUID("announcement ID", a.ID)
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	city, err := parseUUID("city ID", a.CityID)
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	festival, err := parseUUID("festival ID", a.FestivalID)
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	createdBy, err := optUUID("creator token ID", a.CreatedBy)
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	approvedBy, err := optUUID("approver token ID", a.ApprovedBy)
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	if a, err = content.ValidAnnouncement(a); err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	audience, err := json.Marshal(audienceDoc(a.Audience))
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		INSERT INTO announcements AS a (id, city_id, festival_id, audience, status, scheduled_at, created_by, approved_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())
		ON CONFLICT (id) DO UPDATE SET
			festival_id = EXCLUDED.festival_id, audience = EXCLUDED.audience, status = EXCLUDED.status,
			scheduled_at = EXCLUDED.scheduled_at, created_by = EXCLUDED.created_by,
			approved_by = EXCLUDED.approved_by, updated_at = EXCLUDED.updated_at
		WHERE a.city_id = EXCLUDED.city_id`
	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		c, err := findCity(ctx, tx, city)
		if err != nil {
			return err
		}
		if err := content.AudienceInArea(c, a.Audience); err != nil {
			return fmt.Errorf("announcement %s: %w", id, err)
		}
		tag, err := tx.Exec(ctx, q, id, city, festival, audience, a.Status, nullTime(a.ScheduledAt), createdBy, approvedBy)
		if pgCode(err) == pgForeignKeyViolation {
			return notFound("festival %s not found", festival)
		} else if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("announcement %s not found", id) // another city's
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: save announcement: %w", err)
	}
	return nil
}

// Announcement returns one of a city's announcements, or ENOTFOUND (for
// another city's too).
func (s *Store) Announcement(ctx context.Context, cityID, id string) (content.Announcement, error) {
	city, err := parseUUID("city ID", cityID)
	if err != nil {
		return content.Announcement{}, fmt.Errorf("postgres: find announcement: %w", err)
	}
	uid, err := parseUUID("announcement ID", id)
	if err != nil {
		return content.Announcement{}, fmt.Errorf("postgres: find announcement: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	a, err := scanAnnouncement(s.pool.QueryRow(ctx, `SELECT `+announcementColumns+` FROM announcements WHERE id = $1 AND city_id = $2`, uid, city))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Announcement{}, fmt.Errorf("postgres: find announcement: %w", notFound("announcement %s not found", id))
	} else if err != nil {
		return content.Announcement{}, fmt.Errorf("postgres: find announcement %s: %w", id, err)
	}
	return a, nil
}

// Announcements lists a city's announcements, oldest first. ENOTFOUND for an
// unknown city.
func (s *Store) Announcements(ctx context.Context, cityID string) ([]content.Announcement, error) {
	city, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("postgres: announcements: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	as, err := cityList(ctx, s, city, `SELECT `+announcementColumns+` FROM announcements WHERE city_id = $1 ORDER BY created_at, id`, scanAnnouncement)
	if err != nil {
		return nil, fmt.Errorf("postgres: announcements: %w", err)
	}
	return as, nil
}

// ClaimDueAnnouncements holds up to limit scheduled announcements due at or
// before now (of every city) for lease and returns them, earliest first.
// Rows another transaction is claiming are skipped, not waited for, so
// concurrent claimers never get the same announcement; one whose lease ran
// out is claimed again.
func (s *Store) ClaimDueAnnouncements(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]content.Announcement, error) {
	switch {
	case now.IsZero():
		return nil, fmt.Errorf("postgres: claim due announcements: %w", invalid("now is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("postgres: claim due announcements: %w", invalid("limit %d is not positive", limit))
	case lease <= 0:
		return nil, fmt.Errorf("postgres: claim due announcements: %w", invalid("lease %v is not positive", lease))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		UPDATE announcements SET claimed_until = $3
		WHERE id IN (
			SELECT id FROM announcements
			WHERE status = 'scheduled' AND scheduled_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
			ORDER BY scheduled_at, id
			LIMIT $2
			FOR UPDATE SKIP LOCKED)
		RETURNING ` + announcementColumns
	now = normalize(now)
	rows, err := s.pool.Query(ctx, q, now, limit, normalize(now.Add(lease)))
	if err != nil {
		return nil, fmt.Errorf("postgres: claim due announcements: %w", err)
	}
	claimed, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.Announcement, error) { return scanAnnouncement(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: claim due announcements: %w", err)
	}
	slices.SortFunc(claimed, func(a, b content.Announcement) int {
		if c := a.ScheduledAt.Compare(b.ScheduledAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return claimed, nil
}

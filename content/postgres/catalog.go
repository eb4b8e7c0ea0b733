package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
)

var _ content.CatalogStore = (*Store)(nil)

// catalogChunk is how many rows one upsert statement writes, and how many rows
// one page of OfferedCourses / OfferedOpenings reads.
const catalogChunk = 1000

// column is one column the upserts write: its SQL type ("text", "int",
// "float8", "bool", "timestamptz", or "list" for a text[] column) and how to
// get its value.
type column[T any] struct {
	name, typ string
	get       func(*T) any
}

func col[T any](name, typ string, get func(*T) any) column[T] { return column[T]{name, typ, get} }

// courseColumns and openingColumns are the columns written by the upserts; the
// reads select the same names (and updated_at), in scanCourse's and
// scanOpening's order.
var courseColumns = []column[content.Course]{
	col("id", "text", func(c *content.Course) any { return c.ID }),
	col("source", "text", func(c *content.Course) any { return c.Source }),
	col("external_id", "text", func(c *content.Course) any { return c.ExternalID }),
	col("provider", "text", func(c *content.Course) any { return c.Provider }),
	col("title_th", "text", func(c *content.Course) any { return c.TitleTH }),
	col("title_en", "text", func(c *content.Course) any { return c.TitleEN }),
	col("desc_th", "text", func(c *content.Course) any { return c.DescTH }),
	col("desc_en", "text", func(c *content.Course) any { return c.DescEN }),
	col("skills", "list", func(c *content.Course) any { return c.Skills }),
	col("interests", "list", func(c *content.Course) any { return c.Interests }),
	col("field", "text", func(c *content.Course) any { return c.Field }),
	col("mode", "text", func(c *content.Course) any { return c.Mode }),
	col("province", "text", func(c *content.Course) any { return c.Province }),
	col("district", "text", func(c *content.Course) any { return c.District }),
	col("lat", "float8", func(c *content.Course) any { return c.Lat }),
	col("lng", "float8", func(c *content.Course) any { return c.Lng }),
	col("start_date", "timestamptz", func(c *content.Course) any { return c.StartDate }),
	col("end_date", "timestamptz", func(c *content.Course) any { return c.EndDate }),
	col("days", "list", func(c *content.Course) any { return c.Days }),
	col("start_time", "text", func(c *content.Course) any { return c.StartTime }),
	col("end_time", "text", func(c *content.Course) any { return c.EndTime }),
	col("hours", "int", func(c *content.Course) any { return c.Hours }),
	col("cost_baht", "int", func(c *content.Course) any { return c.CostBaht }),
	col("allowance_baht", "int", func(c *content.Course) any { return c.Allowance }),
	col("earns", "list", func(c *content.Course) any { return c.Earns }),
	col("credits", "int", func(c *content.Course) any { return c.Credits }),
	col("min_age", "int", func(c *content.Course) any { return c.MinAge }),
	col("max_age", "int", func(c *content.Course) any { return c.MaxAge }),
	col("min_edu", "text", func(c *content.Course) any { return c.MinEdu }),
	col("seats", "int", func(c *content.Course) any { return c.Seats }),
	col("url", "text", func(c *content.Course) any { return c.URL }),
	col("contact", "text", func(c *content.Course) any { return c.Contact }),
	col("opens_at", "timestamptz", func(c *content.Course) any { return c.OpensAt }),
	col("closes_at", "timestamptz", func(c *content.Course) any { return c.ClosesAt }),
}

var openingColumns = []column[content.Opening]{
	col("id", "text", func(o *content.Opening) any { return o.ID }),
	col("source", "text", func(o *content.Opening) any { return o.Source }),
	col("external_id", "text", func(o *content.Opening) any { return o.ExternalID }),
	col("employer", "text", func(o *content.Opening) any { return o.Employer }),
	col("role_th", "text", func(o *content.Opening) any { return o.RoleTH }),
	col("role_en", "text", func(o *content.Opening) any { return o.RoleEN }),
	col("desc_th", "text", func(o *content.Opening) any { return o.DescTH }),
	col("desc_en", "text", func(o *content.Opening) any { return o.DescEN }),
	col("kind", "text", func(o *content.Opening) any { return o.Kind }),
	col("field", "text", func(o *content.Opening) any { return o.Field }),
	col("interests", "list", func(o *content.Opening) any { return o.Interests }),
	col("skills", "list", func(o *content.Opening) any { return o.Skills }),
	col("pay_baht", "int", func(o *content.Opening) any { return o.PayBaht }),
	col("pay_unit", "text", func(o *content.Opening) any { return o.PayUnit }),
	col("hours_week", "int", func(o *content.Opening) any { return o.HoursWeek }),
	col("days", "list", func(o *content.Opening) any { return o.Days }),
	col("start_time", "text", func(o *content.Opening) any { return o.StartTime }),
	col("end_time", "text", func(o *content.Opening) any { return o.EndTime }),
	col("training", "bool", func(o *content.Opening) any { return o.Training }),
	col("province", "text", func(o *content.Opening) any { return o.Province }),
	col("district", "text", func(o *content.Opening) any { return o.District }),
	col("lat", "float8", func(o *content.Opening) any { return o.Lat }),
	col("lng", "float8", func(o *content.Opening) any { return o.Lng }),
	col("min_age", "int", func(o *content.Opening) any { return o.MinAge }),
	col("min_edu", "text", func(o *content.Opening) any { return o.MinEdu }),
	col("night", "bool", func(o *content.Opening) any { return o.Night }),
	col("hazardous", "bool", func(o *content.Opening) any { return o.Hazardous }),
	col("requirements", "text", func(o *content.Opening) any { return o.Requirements }),
	col("url", "text", func(o *content.Opening) any { return o.URL }),
	col("contact", "text", func(o *content.Opening) any { return o.Contact }),
	col("valid_until", "timestamptz", func(o *content.Opening) any { return o.ValidUntil }),
}

func columnNames[T any](cols []column[T]) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names
}

func scanCourse(row pgx.Row) (content.Course, error) {
	var (
		c                                     content.Course
		startDate, endDate, opensAt, closesAt *time.Time
		skills, interests, days, earns        []string
	)
	err := row.Scan(
		&c.ID, &c.Source, &c.ExternalID, &c.Provider, &c.TitleTH, &c.TitleEN, &c.DescTH, &c.DescEN,
		&skills, &interests, &c.Field, &c.Mode, &c.Province, &c.District, &c.Lat, &c.Lng,
		&startDate, &endDate, &days, &c.StartTime, &c.EndTime, &c.Hours, &c.CostBaht,
		&c.Allowance, &earns, &c.Credits, &c.MinAge, &c.MaxAge, &c.MinEdu, &c.Seats,
		&c.URL, &c.Contact, &opensAt, &closesAt, &c.UpdatedAt,
	)
	if err != nil {
		return content.Course{}, err
	}
	c.Skills, c.Interests, c.Days, c.Earns = nilIfEmpty(skills), nilIfEmpty(interests), nilIfEmpty(days), nilIfEmpty(earns)
	c.StartDate, c.EndDate, c.OpensAt, c.ClosesAt = utc(startDate), utc(endDate), utc(opensAt), utc(closesAt)
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, nil
}

func scanOpening(row pgx.Row) (content.Opening, error) {
	var (
		o                       content.Opening
		validUntil              *time.Time
		interests, skills, days []string
	)
	err := row.Scan(
		&o.ID, &o.Source, &o.ExternalID, &o.Employer, &o.RoleTH, &o.RoleEN, &o.DescTH, &o.DescEN,
		&o.Kind, &o.Field, &interests, &skills, &o.PayBaht, &o.PayUnit, &o.HoursWeek, &days,
		&o.StartTime, &o.EndTime, &o.Training, &o.Province, &o.District, &o.Lat, &o.Lng, &o.MinAge,
		&o.MinEdu, &o.Night, &o.Hazardous, &o.Requirements, &o.URL, &o.Contact, &validUntil, &o.UpdatedAt,
	)
	if err != nil {
		return content.Opening{}, err
	}
	o.Interests, o.Skills, o.Days = nilIfEmpty(interests), nilIfEmpty(skills), nilIfEmpty(days)
	o.ValidUntil, o.UpdatedAt = utc(validUntil), o.UpdatedAt.UTC()
	return o, nil
}

// textArray is a list for a NOT NULL text[] column: nil becomes '{}'.
func textArray(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nilIfEmpty is how every store hands back an empty list: nil.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// ---- Upserts ----

// upsertStatement is an INSERT ... SELECT FROM unnest(one array per column)
// ON CONFLICT (source, external_id) DO UPDATE that changes a row only when some
// column differs, returning for each inserted or changed row whether it was
// inserted. One array per column keeps the statement small and cheap to plan
// however many rows it carries. A list column travels as the JSON text of the
// list (PostgreSQL arrays of arrays must be rectangular).
func upsertStatement[T any](table string, cols []column[T]) string {
	var names, params, values, set, old, neu []string
	for i, c := range cols {
		names = append(names, c.name)
		typ := c.typ
		value := "u." + c.name
		switch typ {
		case "list":
			typ = "text"
			value = "ARRAY(SELECT jsonb_array_elements_text(u." + c.name + "::jsonb))"
		case "int":
			typ = "integer"
		}
		params = append(params, "$"+strconv.Itoa(i+1)+"::"+typ+"[]")
		values = append(values, value)
		if c.name == "id" || c.name == "source" || c.name == "external_id" {
			continue
		}
		set = append(set, c.name+" = EXCLUDED."+c.name)
		old = append(old, "t."+c.name)
		neu = append(neu, "EXCLUDED."+c.name)
	}
	return "INSERT INTO " + table + " AS t (" + strings.Join(names, ", ") + ", updated_at)" +
		" SELECT " + strings.Join(values, ", ") + ", now()" +
		" FROM unnest(" + strings.Join(params, ", ") + ") AS u(" + strings.Join(names, ", ") + ")" +
		" ON CONFLICT (source, external_id) DO UPDATE SET " + strings.Join(set, ", ") + ", updated_at = EXCLUDED.updated_at" +
		" WHERE (" + strings.Join(old, ", ") + ") IS DISTINCT FROM (" + strings.Join(neu, ", ") + ")" +
		" RETURNING (xmax = 0)"
}

// columnArrays turns items into one array per column, as upsertStatement
// takes them.
func columnArrays[T any](cols []column[T], items []T) ([]any, error) {
	args := make([]any, len(cols))
	for j, c := range cols {
		switch c.typ {
		case "text":
			a := make([]string, len(items))
			for i := range items {
				a[i] = c.get(&items[i]).(string)
			}
			args[j] = a
		case "list":
			a := make([]string, len(items))
			for i := range items {
				b, err := json.Marshal(textArray(c.get(&items[i]).([]string)))
				if err != nil {
					return nil, err
				}
				a[i] = string(b)
			}
			args[j] = a
		case "int":
			a := make([]int32, len(items))
			for i := range items {
				n := c.get(&items[i]).(int)
				if n < math.MinInt32 || n > math.MaxInt32 {
					return nil, invalid("%s %d is out of range", c.name, n)
				}
				a[i] = int32(n)
			}
			args[j] = a
		case "float8":
			a := make([]float64, len(items))
			for i := range items {
				a[i] = c.get(&items[i]).(float64)
			}
			args[j] = a
		case "bool":
			a := make([]bool, len(items))
			for i := range items {
				a[i] = c.get(&items[i]).(bool)
			}
			args[j] = a
		case "timestamptz":
			a := make([]*time.Time, len(items))
			for i := range items {
				a[i] = nullTime(c.get(&items[i]).(time.Time))
			}
			args[j] = a
		default:
			panic("postgres: column " + c.name + " has unknown type " + c.typ)
		}
	}
	return args, nil
}

// upsertChunks writes items chunk by chunk, each in its own transaction that
// also bumps the catalog version when it changed something. Each chunk is
// bounded by Options.QueryTimeout.
func upsertChunks[T any](ctx context.Context, s *Store, table string, cols []column[T], items []T) (created, updated int, err error) {
	q := upsertStatement(table, cols)
	for start := 0; start < len(items); start += catalogChunk {
		args, err := columnArrays(cols, items[start:min(start+catalogChunk, len(items))])
		if err != nil {
			return created, updated, err
		}
		c, u, err := s.upsertChunk(ctx, q, args)
		created, updated = created+c, updated+u
		if err != nil {
			return created, updated, err
		}
	}
	return created, updated, nil
}

func (s *Store) upsertChunk(ctx context.Context, q string, args []any) (created, updated int, err error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	err = s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		created, updated = 0, 0
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		var inserted bool
		_, err = pgx.ForEachRow(rows, []any{&inserted}, func() error {
			if inserted {
				created++
			} else {
				updated++
			}
			return nil
		})
		if err != nil || created+updated == 0 {
			return err
		}
		return bumpVersion(ctx, tx)
	})
	return created, updated, err
}

func bumpVersion(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `UPDATE catalog_version SET version = version + 1`)
	return err
}

// UpsertCourses inserts or updates courses by (Source, ExternalID) and returns
// how many were new. A course that appears twice is written once, as its last
// appearance says. Every course is checked before anything is written (EINVALID);
// the writes then go in chunks of 1,000 rows, each its own transaction bounded
// by Options.QueryTimeout.
func (s *Store) UpsertCourses(ctx context.Context, cs []content.Course) (int, error) {
	created, _, err := s.UpsertCoursesCounted(ctx, cs)
	return created, err
}

// UpsertCoursesCounted is UpsertCourses also saying how many existing courses
// changed (the others were already as given, and were left alone).
func (s *Store) UpsertCoursesCounted(ctx context.Context, cs []content.Course) (created, updated int, err error) {
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return 0, 0, fmt.Errorf("postgres: upsert courses: %w", err)
		}
	}
	cs = lastWins(cs, func(c *content.Course) string { return content.CourseID(c.Source, c.ExternalID) })
	for i := range cs {
		cs[i].ID = content.CourseID(cs[i].Source, cs[i].ExternalID)
	}
	created, updated, err = upsertChunks(ctx, s, "courses", courseColumns, cs)
	if err != nil {
		return created, updated, fmt.Errorf("postgres: upsert courses: %w", err)
	}
	return created, updated, nil
}

// UpsertOpenings inserts or updates openings by (Source, ExternalID) and returns
// how many were new, as UpsertCourses does.
func (s *Store) UpsertOpenings(ctx context.Context, os []content.Opening) (int, error) {
	created, _, err := s.UpsertOpeningsCounted(ctx, os)
	return created, err
}

// UpsertOpeningsCounted is UpsertOpenings also saying how many existing
// openings changed.
func (s *Store) UpsertOpeningsCounted(ctx context.Context, os []content.Opening) (created, updated int, err error) {
	for _, o := range os {
		if err := o.Validate(); err != nil {
			return 0, 0, fmt.Errorf("postgres: upsert openings: %w", err)
		}
	}
	os = lastWins(os, func(o *content.Opening) string { return content.OpeningID(o.Source, o.ExternalID) })
	for i := range os {
		os[i].ID = content.OpeningID(os[i].Source, os[i].ExternalID)
	}
	created, updated, err = upsertChunks(ctx, s, "openings", openingColumns, os)
	if err != nil {
		return created, updated, fmt.Errorf("postgres: upsert openings: %w", err)
	}
	return created, updated, nil
}

// UpsertOccupations inserts or updates occupation families by ID, in one
// transaction.
func (s *Store) UpsertOccupations(ctx context.Context, os []content.Occupation) error {
	for _, o := range os {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("postgres: upsert occupations: %w", err)
		}
	}
	os = lastWins(os, func(o *content.Occupation) string { return o.ID })
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	const q = `
		INSERT INTO occupations AS t (id, name_th, name_en, skills, demand, source, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, now())
		ON CONFLICT (id) DO UPDATE SET
			name_th = EXCLUDED.name_th, name_en = EXCLUDED.name_en, skills = EXCLUDED.skills,
			demand = EXCLUDED.demand, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
		WHERE (t.name_th, t.name_en, t.skills, t.demand, t.source)
			IS DISTINCT FROM (EXCLUDED.name_th, EXCLUDED.name_en, EXCLUDED.skills, EXCLUDED.demand, EXCLUDED.source)`
	err := s.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, o := range os {
			demand := o.Demand
			if demand == nil {
				demand = map[string]int{}
			}
			raw, err := json.Marshal(demand)
			if err != nil {
				return err
			}
			b.Queue(q, o.ID, o.NameTH, o.NameEN, textArray(o.Skills), raw, o.Source)
		}
		br := tx.SendBatch(ctx, &b)
		changed := int64(0)
		for range os {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return err
			}
			changed += tag.RowsAffected()
		}
		if err := br.Close(); err != nil || changed == 0 {
			return err
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("postgres: upsert occupations: %w", err)
	}
	return nil
}

// ---- Reads ----

var (
	courseSelect  = `SELECT ` + strings.Join(columnNames(courseColumns), ", ") + `, updated_at FROM courses`
	openingSelect = `SELECT ` + strings.Join(columnNames(openingColumns), ", ") + `, updated_at FROM openings`
)

// Course returns one course by ID, or ENOTFOUND.
func (s *Store) Course(ctx context.Context, id string) (content.Course, error) {
	if id == "" {
		return content.Course{}, fmt.Errorf("postgres: find course: %w", invalid("course ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	c, err := scanCourse(s.pool.QueryRow(ctx, courseSelect+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Course{}, fmt.Errorf("postgres: find course: %w", notFound("course %s not found", id))
	} else if err != nil {
		return content.Course{}, fmt.Errorf("postgres: find course %s: %w", id, err)
	}
	return c, nil
}

// Opening returns one opening by ID, or ENOTFOUND.
func (s *Store) Opening(ctx context.Context, id string) (content.Opening, error) {
	if id == "" {
		return content.Opening{}, fmt.Errorf("postgres: find opening: %w", invalid("opening ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	o, err := scanOpening(s.pool.QueryRow(ctx, openingSelect+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return content.Opening{}, fmt.Errorf("postgres: find opening: %w", notFound("opening %s not found", id))
	} else if err != nil {
		return content.Opening{}, fmt.Errorf("postgres: find opening %s: %w", id, err)
	}
	return o, nil
}

// OfferedCourses streams the courses not closed at time at (closes_at unset or
// later than at) to fn in ID order. It reads a page of 1,000 rows at a time
// (keyset pagination on the primary key, each page bounded by
// Options.QueryTimeout) and calls fn with no connection held, so fn may take
// its time and use the store. Courses upserted while it runs may or may not be
// seen.
func (s *Store) OfferedCourses(ctx context.Context, at time.Time, fn func(content.Course) error) error {
	if at.IsZero() {
		return fmt.Errorf("postgres: offered courses: %w", invalid("time is zero"))
	}
	q := courseSelect + ` WHERE (closes_at IS NULL OR closes_at > $1) AND id > $2 ORDER BY id LIMIT ` + strconv.Itoa(catalogChunk)
	err := streamPages(ctx, s, q, normalize(at), scanCourse, func(c content.Course) string { return c.ID }, fn)
	if err != nil {
		return callerError(err, "postgres: offered courses")
	}
	return nil
}

// OfferedOpenings streams the openings still valid at time at (valid_until
// unset or later than at) to fn in ID order, as OfferedCourses does.
func (s *Store) OfferedOpenings(ctx context.Context, at time.Time, fn func(content.Opening) error) error {
	if at.IsZero() {
		return fmt.Errorf("postgres: offered openings: %w", invalid("time is zero"))
	}
	q := openingSelect + ` WHERE (valid_until IS NULL OR valid_until > $1) AND id > $2 ORDER BY id LIMIT ` + strconv.Itoa(catalogChunk)
	err := streamPages(ctx, s, q, normalize(at), scanOpening, func(o content.Opening) string { return o.ID }, fn)
	if err != nil {
		return callerError(err, "postgres: offered openings")
	}
	return nil
}

// stopped carries an error returned by the caller's fn through streamPages.
type stopped struct{ err error }

func (e stopped) Error() string { return e.err.Error() }

// callerError returns the caller's own error unwrapped when fn stopped the
// stream, and the wrapped store error otherwise.
func callerError(err error, wrap string) error {
	var st stopped
	if errors.As(err, &st) {
		return st.err
	}
	return fmt.Errorf("%s: %w", wrap, err)
}

// streamPages runs q (with $1 = at, $2 = the last ID seen) page after page,
// calling fn for every row, until a page comes back short. An error from fn
// stops it, wrapped in stopped.
func streamPages[T any](ctx context.Context, s *Store, q string, at time.Time, scan func(pgx.Row) (T, error), id func(T) string, fn func(T) error) error {
	after := ""
	for {
		page, err := readPage(ctx, s, q, at, after, scan)
		if err != nil {
			return err
		}
		for _, item := range page {
			if err := fn(item); err != nil {
				return stopped{err}
			}
		}
		if len(page) < catalogChunk {
			return nil
		}
		after = id(page[len(page)-1])
	}
}

// readPage reads one page, bounded by Options.QueryTimeout.
func readPage[T any](ctx context.Context, s *Store, q string, at time.Time, after string, scan func(pgx.Row) (T, error)) ([]T, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, q, at, after)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
}

// Occupations returns every occupation family, by ID.
func (s *Store) Occupations(ctx context.Context) ([]content.Occupation, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `SELECT id, name_th, name_en, skills, demand, source FROM occupations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: occupations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (content.Occupation, error) {
		var (
			o      content.Occupation
			skills []string
			demand []byte
		)
		if err := row.Scan(&o.ID, &o.NameTH, &o.NameEN, &skills, &demand, &o.Source); err != nil {
			return o, err
		}
		o.Skills = nilIfEmpty(skills)
		if err := json.Unmarshal(demand, &o.Demand); err != nil {
			return o, fmt.Errorf("decode demand of %s: %w", o.ID, err)
		}
		if len(o.Demand) == 0 {
			o.Demand = nil
		}
		return o, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: occupations: %w", err)
	}
	return out, nil
}

// CatalogVersion returns a counter bumped in the same transaction as every
// upsert that changed something, so a cache keyed by it never outlives the
// data it was built from.
func (s *Store) CatalogVersion(ctx context.Context) (string, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT version FROM catalog_version`).Scan(&v); err != nil {
		return "", fmt.Errorf("postgres: catalog version: %w", err)
	}
	return strconv.FormatInt(v, 10), nil
}

// lastWins drops every item whose key appears again later in items (a later
// row of a file replaces an earlier one), sorts the rest by key so concurrent
// upserts lock rows in the same order, and returns them.
func lastWins[T any](items []T, key func(*T) string) []T {
	last := make(map[string]int, len(items))
	for i := range items {
		last[key(&items[i])] = i
	}
	out := make([]T, 0, len(last))
	for i := range items {
		if last[key(&items[i])] == i {
			out = append(out, items[i])
		}
	}
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(key(&a), key(&b)) })
	return out
}

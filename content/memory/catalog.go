package memory

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
)

var _ content.CatalogStore = (*Store)(nil)

// streamPage is how many items OfferedCourses and OfferedOpenings copy out
// under the lock at a time.
const streamPage = 256

// ---- Copies as stored ----

// list is a stored copy of s: nil when empty, as PostgreSQL gives it back.
func list(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// optTime normalizes a time that may be zero (unset).
func optTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return normalize(t)
}

// storedCourse is c as the store keeps it and hands it out: its ID set, times
// normalized, lists copied. UpdatedAt is left to the caller.
func storedCourse(c content.Course) content.Course {
	c.ID = content.CourseID(c.Source, c.ExternalID)
	c.Skills, c.Interests, c.Days, c.Earns = list(c.Skills), list(c.Interests), list(c.Days), list(c.Earns)
	c.StartDate, c.EndDate, c.OpensAt, c.ClosesAt = optTime(c.StartDate), optTime(c.EndDate), optTime(c.OpensAt), optTime(c.ClosesAt)
	c.UpdatedAt = optTime(c.UpdatedAt)
	return c
}

func storedOpening(o content.Opening) content.Opening {
	o.ID = content.OpeningID(o.Source, o.ExternalID)
	o.Interests, o.Skills, o.Days = list(o.Interests), list(o.Skills), list(o.Days)
	o.ValidUntil, o.UpdatedAt = optTime(o.ValidUntil), optTime(o.UpdatedAt)
	return o
}

func storedOccupation(o content.Occupation) content.Occupation {
	o.Skills = list(o.Skills)
	if len(o.Demand) == 0 {
		o.Demand = nil
	} else {
		o.Demand = maps.Clone(o.Demand)
	}
	return o
}

// sameContent reports whether a and b differ only in UpdatedAt.
func sameContent[T any](a, b T, clearUpdated func(*T)) bool {
	clearUpdated(&a)
	clearUpdated(&b)
	return reflect.DeepEqual(a, b)
}

// upsert writes items into m by key (the last of several with one key),
// leaving alone those already as given;
// it returns how many were new and how many changed, and bumps the catalog
// version when anything did. s.mu must be held.
func upsert[T any](s *Store, m map[string]T, items []T, stored func(T) T, key func(T) string, setUpdated func(*T, time.Time)) (created, updated int) {
	now := s.stamp()
	last := make(map[string]int, len(items)) // a key given twice: the last one wins
	for i := range items {
		last[key(stored(items[i]))] = i
	}
	for i, item := range items {
		item = stored(item)
		k := key(item)
		if last[k] != i {
			continue
		}
		old, ok := m[k]
		if ok && sameContent(old, item, func(t *T) { setUpdated(t, time.Time{}) }) {
			continue
		}
		setUpdated(&item, now)
		m[k] = item
		if ok {
			updated++
		} else {
			created++
		}
	}
	if created+updated > 0 {
		s.version++
	}
	return created, updated
}

// catalogLocked makes the catalog maps on first use. s.mu must be held.
func (s *Store) catalogLocked() {
	if s.courses == nil {
		s.courses = map[string]content.Course{}
		s.openings = map[string]content.Opening{}
		s.occupations = map[string]content.Occupation{}
		s.version = 1
	}
}

// ---- Upserts ----

// UpsertCourses inserts or updates courses by (Source, ExternalID) and returns
// how many were new; a course appearing twice ends up as its last appearance
// says. Every course is checked first: on EINVALID nothing is written.
func (s *Store) UpsertCourses(ctx context.Context, cs []content.Course) (int, error) {
	created, _, err := s.UpsertCoursesCounted(ctx, cs)
	return created, err
}

// UpsertCoursesCounted is UpsertCourses also saying how many existing courses
// changed (the others were already as given, and were left alone).
func (s *Store) UpsertCoursesCounted(ctx context.Context, cs []content.Course) (created, updated int, err error) {
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return 0, 0, fmt.Errorf("upsert courses: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogLocked()
	created, updated = upsert(s, s.courses, cs, storedCourse,
		func(c content.Course) string { return c.ID },
		func(c *content.Course, t time.Time) { c.UpdatedAt = t })
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
			return 0, 0, fmt.Errorf("upsert openings: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogLocked()
	created, updated = upsert(s, s.openings, os, storedOpening,
		func(o content.Opening) string { return o.ID },
		func(o *content.Opening, t time.Time) { o.UpdatedAt = t })
	return created, updated, nil
}

// UpsertOccupations inserts or updates occupation families by ID.
func (s *Store) UpsertOccupations(ctx context.Context, os []content.Occupation) error {
	for _, o := range os {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("upsert occupations: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogLocked()
	upsert(s, s.occupations, os, storedOccupation,
		func(o content.Occupation) string { return o.ID },
		func(*content.Occupation, time.Time) {})
	return nil
}

// ---- Reads ----

// Course returns one course by ID, or ENOTFOUND.
func (s *Store) Course(ctx context.Context, id string) (content.Course, error) {
	if id == "" {
		return content.Course{}, fmt.Errorf("find course: %w", invalid("course ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	c, ok := s.courses[id]
	if !ok {
		return content.Course{}, fmt.Errorf("find course: %w", notFound("course %s not found", id))
	}
	return storedCourse(c), nil
}

// Opening returns one opening by ID, or ENOTFOUND.
func (s *Store) Opening(ctx context.Context, id string) (content.Opening, error) {
	if id == "" {
		return content.Opening{}, fmt.Errorf("find opening: %w", invalid("opening ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	o, ok := s.openings[id]
	if !ok {
		return content.Opening{}, fmt.Errorf("find opening: %w", notFound("opening %s not found", id))
	}
	return storedOpening(o), nil
}

// OfferedCourses streams the courses not closed at time at (ClosesAt zero or
// after at) to fn in ID order. fn runs without the store's lock held.
func (s *Store) OfferedCourses(ctx context.Context, at time.Time, fn func(content.Course) error) error {
	if at.IsZero() {
		return fmt.Errorf("offered courses: %w", invalid("time is zero"))
	}
	at = normalize(at)
	return stream(s, func() map[string]content.Course { return s.courses },
		func(c content.Course) bool { return c.ClosesAt.IsZero() || c.ClosesAt.After(at) },
		storedCourse, fn)
}

// OfferedOpenings streams the openings still valid at time at (ValidUntil zero
// or after at) to fn in ID order.
func (s *Store) OfferedOpenings(ctx context.Context, at time.Time, fn func(content.Opening) error) error {
	if at.IsZero() {
		return fmt.Errorf("offered openings: %w", invalid("time is zero"))
	}
	at = normalize(at)
	return stream(s, func() map[string]content.Opening { return s.openings },
		func(o content.Opening) bool { return o.ValidUntil.IsZero() || o.ValidUntil.After(at) },
		storedOpening, fn)
}

// stream takes the sorted IDs of the offered items under the lock, then hands
// out copies page by page, taking the lock again for each page only. An error
// from fn stops it and is returned as is.
func stream[T any](s *Store, items func() map[string]T, offered func(T) bool, copyOf func(T) T, fn func(T) error) error {
	s.mu.Lock()
	var ids []string
	for id, item := range items() {
		if offered(item) {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	slices.Sort(ids)

	page := make([]T, 0, streamPage)
	for start := 0; start < len(ids); start += streamPage {
		page = page[:0]
		s.mu.Lock()
		for _, id := range ids[start:min(start+streamPage, len(ids))] {
			if item, ok := items()[id]; ok && offered(item) {
				page = append(page, copyOf(item))
			}
		}
		s.mu.Unlock()
		for _, item := range page {
			if err := fn(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// Occupations returns every occupation family, by ID.
func (s *Store) Occupations(ctx context.Context) ([]content.Occupation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]content.Occupation, 0, len(s.occupations))
	for _, o := range s.occupations {
		out = append(out, storedOccupation(o))
	}
	slices.SortFunc(out, func(a, b content.Occupation) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// CatalogVersion returns a counter bumped by every upsert that changed
// something.
func (s *Store) CatalogVersion(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogLocked()
	return strconv.FormatInt(s.version, 10), nil
}

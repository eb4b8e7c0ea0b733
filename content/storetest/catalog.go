package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// The catalog is shared by everyone, so catalog tests use sources (and
// occupation IDs) of their own and look only at their own items. The one test
// that needs the catalog to stand still (the version) takes catalogMu for
// writing; every other catalog-writing test holds it for reading.
var catalogMu sync.RWMutex

// catalogWriter marks a test that changes the catalog.
func catalogWriter(t *testing.T) {
	t.Helper()
	catalogMu.RLock()
	t.Cleanup(catalogMu.RUnlock)
}

// newSource returns a catalog source unique to the test.
func newSource(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random source: %v", err)
	}
	return "t" + hex.EncodeToString(b)
}

// fullCourse is a course with every field set.
func fullCourse(source, ext string) content.Course {
	return content.Course{
		Source:     source,
		ExternalID: ext,
		Provider:   "ศูนย์พัฒนาฝีมือแรงงานจังหวัดนครราชสีมา",
		TitleTH:    "ช่างซ่อมมือถือเบื้องต้น",
		TitleEN:    "Basic phone repair",
		DescTH:     "เรียนซ่อมมือถือ 60 ชั่วโมง",
		DescEN:     "60 hours of phone repair",
		Skills:     []string{"ซ่อมมือถือ", "electronics"},
		Interests:  []string{"R", "I"},
		Field:      "trades",
		Mode:       "hybrid",
		Province:   "TH-30",
		District:   "เมืองนครราชสีมา",
		Lat:        14.9799,
		Lng:        102.0978,
		StartDate:  time.Date(2026, 8, 22, 0, 0, 0, 0, thaitime.Zone),
		EndDate:    time.Date(2026, 9, 30, 0, 0, 0, 0, thaitime.Zone),
		Days:       []string{"sat", "sun"},
		StartTime:  "09:00",
		EndTime:    "16:00",
		Hours:      60,
		CostBaht:   500,
		Allowance:  1200,
		Earns:      []string{"certificate", "tpqi_level_2"},
		Credits:    3,
		MinAge:     15,
		MaxAge:     24,
		MinEdu:     "m3",
		Seats:      30,
		URL:        "https://example.org/apply?id=" + ext,
		Contact:    "044-123456",
		OpensAt:    time.Date(2026, 7, 1, 8, 30, 0, 123456789, thaitime.Zone),
		ClosesAt:   time.Date(2026, 8, 15, 0, 0, 0, 987654321, thaitime.Zone),
	}
}

// fullOpening is an opening with every field set.
func fullOpening(source, ext string) content.Opening {
	return content.Opening{
		Source:       source,
		ExternalID:   ext,
		Employer:     "ร้านกาแฟบ้านไร่",
		RoleTH:       "พนักงานชงกาแฟ",
		RoleEN:       "Barista",
		DescTH:       "ชงกาแฟ มีสอนงาน",
		DescEN:       "Make coffee; training given",
		Kind:         "part_time",
		Field:        "hospitality_tourism",
		Interests:    []string{"S", "E"},
		Skills:       []string{"บริการลูกค้า"},
		PayBaht:      50,
		PayUnit:      "hour",
		HoursWeek:    12,
		Days:         []string{"sat", "sun"},
		StartTime:    "08:30",
		EndTime:      "14:30",
		Training:     true,
		Province:     "TH-30",
		District:     "ปากช่อง",
		Lat:          14.7108,
		Lng:          101.4164,
		MinAge:       16,
		MinEdu:       "m3",
		Night:        true,
		Hazardous:    true,
		Requirements: "ยิ้มเก่ง",
		URL:          "https://example.org/jobs/" + ext,
		Contact:      "@baanrai",
		ValidUntil:   time.Date(2026, 10, 1, 0, 0, 0, 555, thaitime.Zone),
	}
}

// asStored is what a store gives back for c: its ID set, times in UTC
// microseconds, and updatedAt (the store's own).
func courseAsStored(c content.Course, updatedAt time.Time) content.Course {
	c.ID = content.CourseID(c.Source, c.ExternalID)
	for _, tp := range []*time.Time{&c.StartDate, &c.EndDate, &c.OpensAt, &c.ClosesAt} {
		if !tp.IsZero() {
			*tp = stored(*tp)
		}
	}
	c.UpdatedAt = updatedAt
	return c
}

func openingAsStored(o content.Opening, updatedAt time.Time) content.Opening {
	o.ID = content.OpeningID(o.Source, o.ExternalID)
	if !o.ValidUntil.IsZero() {
		o.ValidUntil = stored(o.ValidUntil)
	}
	o.UpdatedAt = updatedAt
	return o
}

func mustCourse(t *testing.T, s content.Store, id string) content.Course {
	t.Helper()
	c, err := s.Course(t.Context(), id)
	if err != nil {
		t.Fatalf("Course(%s): %v", id, err)
	}
	return c
}

func mustOpening(t *testing.T, s content.Store, id string) content.Opening {
	t.Helper()
	o, err := s.Opening(t.Context(), id)
	if err != nil {
		t.Fatalf("Opening(%s): %v", id, err)
	}
	return o
}

func upsertCourses(t *testing.T, s content.Store, cs ...content.Course) int {
	t.Helper()
	n, err := s.UpsertCourses(t.Context(), cs)
	if err != nil {
		t.Fatalf("UpsertCourses: %v", err)
	}
	return n
}

func upsertOpenings(t *testing.T, s content.Store, os ...content.Opening) int {
	t.Helper()
	n, err := s.UpsertOpenings(t.Context(), os)
	if err != nil {
		t.Fatalf("UpsertOpenings: %v", err)
	}
	return n
}

// offeredCourses lists the IDs OfferedCourses streams at time at, of source only.
func offeredCourses(t *testing.T, s content.Store, at time.Time, source string) []string {
	t.Helper()
	var ids []string
	err := s.OfferedCourses(t.Context(), at, func(c content.Course) error {
		if c.Source == source {
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("OfferedCourses: %v", err)
	}
	return ids
}

func offeredOpenings(t *testing.T, s content.Store, at time.Time, source string) []string {
	t.Helper()
	var ids []string
	err := s.OfferedOpenings(t.Context(), at, func(o content.Opening) error {
		if o.Source == source {
			ids = append(ids, o.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("OfferedOpenings: %v", err)
	}
	return ids
}

func testCatalogRoundTrip(t *testing.T, s content.Store) {
	catalogWriter(t)
	src := newSource(t)
	c := fullCourse(src, "K-001")
	upsertCourses(t, s, c)
	got := mustCourse(t, s, content.CourseID(src, "K-001"))
	assertUTC(t, "Course.UpdatedAt", got.UpdatedAt)
	if got.UpdatedAt.IsZero() {
		t.Error("Course.UpdatedAt is zero")
	}
	assertEqual(t, "Course", got, courseAsStored(c, got.UpdatedAt))

	// Unset lists, times and numbers come back empty: lists nil, times zero.
	bare := content.Course{Source: src, ExternalID: "bare", TitleTH: "คอร์สออนไลน์", Mode: "online", Skills: []string{}}
	upsertCourses(t, s, bare)
	got = mustCourse(t, s, content.CourseID(src, "bare"))
	bare.Skills = nil
	assertEqual(t, "bare Course", got, courseAsStored(bare, got.UpdatedAt))

	o := fullOpening(src, "J-1")
	upsertOpenings(t, s, o)
	gotO := mustOpening(t, s, content.OpeningID(src, "J-1"))
	assertUTC(t, "Opening.UpdatedAt", gotO.UpdatedAt)
	assertEqual(t, "Opening", gotO, openingAsStored(o, gotO.UpdatedAt))

	bareO := content.Opening{Source: src, ExternalID: "bare", Employer: "ร้าน", RoleTH: "ผู้ช่วย", Kind: "school_break", PayUnit: "day"}
	upsertOpenings(t, s, bareO)
	gotO = mustOpening(t, s, content.OpeningID(src, "bare"))
	assertEqual(t, "bare Opening", gotO, openingAsStored(bareO, gotO.UpdatedAt))

	// List items and text with characters that need quoting somewhere.
	odd := fullCourse(src, `odd "one", {x}`)
	odd.Skills = []string{"a,b", `say "hi"`, "{brace}", "NULL", `back\slash`, "<tag> & 'quote'", "ทักษะ|ไทย", " spaced ", "\u0041", "line\nbreak"}
	odd.TitleTH = `ชื่อ "มี" เครื่องหมาย, และ \ ทับ`
	upsertCourses(t, s, odd)
	got = mustCourse(t, s, content.CourseID(src, odd.ExternalID))
	assertEqual(t, "Course with odd text", got, courseAsStored(odd, got.UpdatedAt))

	// A given ID is fine when it is the right one.
	right := fullCourse(src, "K-002")
	right.ID = content.CourseID(src, "K-002")
	upsertCourses(t, s, right)
	mustCourse(t, s, right.ID)
}

func testCatalogUpsertIsIdempotent(t *testing.T, s content.Store) {
	catalogWriter(t)
	src := newSource(t)
	file := []content.Course{fullCourse(src, "1"), fullCourse(src, "2"), fullCourse(src, "3")}
	openings := []content.Opening{fullOpening(src, "1"), fullOpening(src, "2")}

	if n := upsertCourses(t, s, file...); n != 3 {
		t.Errorf("first UpsertCourses: created %d, want 3", n)
	}
	if n := upsertOpenings(t, s, openings...); n != 2 {
		t.Errorf("first UpsertOpenings: created %d, want 2", n)
	}
	before := mustCourse(t, s, content.CourseID(src, "2"))

	// The same file again: nothing new, nothing doubled, nothing touched.
	if n := upsertCourses(t, s, file...); n != 0 {
		t.Errorf("second UpsertCourses: created %d, want 0", n)
	}
	if n := upsertOpenings(t, s, openings...); n != 0 {
		t.Errorf("second UpsertOpenings: created %d, want 0", n)
	}
	want := []string{content.CourseID(src, "1"), content.CourseID(src, "2"), content.CourseID(src, "3")}
	if got := offeredCourses(t, s, at(0), src); !slices.Equal(got, want) {
		t.Errorf("offered after importing twice = %v, want %v", got, want)
	}
	if got := offeredOpenings(t, s, at(0), src); len(got) != 2 {
		t.Errorf("offered openings after importing twice = %v, want 2", got)
	}
	after := mustCourse(t, s, content.CourseID(src, "2"))
	assertTime(t, "UpdatedAt after an unchanged upsert", after.UpdatedAt, before.UpdatedAt)

	// One new course among known ones counts one.
	if n := upsertCourses(t, s, append(file, fullCourse(src, "4"))...); n != 1 {
		t.Errorf("UpsertCourses with one new: created %d, want 1", n)
	}
	// An empty call is fine.
	if n := upsertCourses(t, s); n != 0 {
		t.Errorf("UpsertCourses(): created %d", n)
	}
}

func testCatalogUpdateChangesFields(t *testing.T, s content.Store) {
	catalogWriter(t)
	src := newSource(t)
	c := fullCourse(src, "u1")
	upsertCourses(t, s, c)
	before := mustCourse(t, s, content.CourseID(src, "u1"))

	c.TitleTH = "ช่างซ่อมมือถือ รุ่น 2"
	c.Skills = []string{"บัดกรี"}
	c.CostBaht = 0
	c.ClosesAt = time.Time{}
	c.Earns = nil
	if n := upsertCourses(t, s, c); n != 0 {
		t.Errorf("UpsertCourses of a changed course: created %d, want 0", n)
	}
	got := mustCourse(t, s, content.CourseID(src, "u1"))
	assertEqual(t, "changed Course", got, courseAsStored(c, got.UpdatedAt))
	if got.UpdatedAt.Before(before.UpdatedAt) {
		t.Errorf("UpdatedAt went back from %v to %v", before.UpdatedAt, got.UpdatedAt)
	}

	o := fullOpening(src, "u1")
	upsertOpenings(t, s, o)
	o.PayBaht, o.PayUnit, o.Night, o.ValidUntil = 400, "day", false, time.Time{}
	if n := upsertOpenings(t, s, o); n != 0 {
		t.Errorf("UpsertOpenings of a changed opening: created %d, want 0", n)
	}
	gotO := mustOpening(t, s, content.OpeningID(src, "u1"))
	assertEqual(t, "changed Opening", gotO, openingAsStored(o, gotO.UpdatedAt))
}

func testCatalogLastOfDuplicatesWins(t *testing.T, s content.Store) {
	catalogWriter(t)
	src := newSource(t)
	first, second := fullCourse(src, "d"), fullCourse(src, "d")
	second.TitleTH = "รอบสอง"
	if n := upsertCourses(t, s, first, fullCourse(src, "e"), second); n != 2 {
		t.Errorf("UpsertCourses with a duplicate: created %d, want 2", n)
	}
	if got := mustCourse(t, s, content.CourseID(src, "d")); got.TitleTH != "รอบสอง" {
		t.Errorf("TitleTH = %q, want the later row's", got.TitleTH)
	}
	a, b := fullOpening(src, "d"), fullOpening(src, "d")
	b.RoleTH = "รอบสอง"
	if n := upsertOpenings(t, s, a, b); n != 1 {
		t.Errorf("UpsertOpenings with a duplicate: created %d, want 1", n)
	}
	if got := mustOpening(t, s, content.OpeningID(src, "d")); got.RoleTH != "รอบสอง" {
		t.Errorf("RoleTH = %q, want the later row's", got.RoleTH)
	}
}

// counted is what both stores offer besides content.CatalogStore: upserts that
// also count the existing items they changed.
type counted interface {
	UpsertCoursesCounted(ctx context.Context, cs []content.Course) (created, updated int, err error)
	UpsertOpeningsCounted(ctx context.Context, os []content.Opening) (created, updated int, err error)
}

func testCatalogCountsChanges(t *testing.T, s content.Store) {
	cs, ok := s.(counted)
	if !ok {
		t.Skip("the store does not count changed items")
	}
	catalogWriter(t)
	ctx := t.Context()
	src := newSource(t)
	file := []content.Course{fullCourse(src, "1"), fullCourse(src, "2"), fullCourse(src, "3")}
	check := func(what string, gotC, gotU int, err error, wantC, wantU int) {
		t.Helper()
		if err != nil || gotC != wantC || gotU != wantU {
			t.Errorf("%s = %d created, %d updated, %v; want %d, %d", what, gotC, gotU, err, wantC, wantU)
		}
	}
	c, u, err := cs.UpsertCoursesCounted(ctx, file)
	check("first import", c, u, err, 3, 0)
	c, u, err = cs.UpsertCoursesCounted(ctx, file)
	check("same again", c, u, err, 0, 0)
	file[1].Seats = 99
	c, u, err = cs.UpsertCoursesCounted(ctx, append(file, fullCourse(src, "4")))
	check("one changed, one new", c, u, err, 1, 1)

	os := []content.Opening{fullOpening(src, "1")}
	c, u, err = cs.UpsertOpeningsCounted(ctx, os)
	check("first openings", c, u, err, 1, 0)
	os[0].Hazardous = false
	c, u, err = cs.UpsertOpeningsCounted(ctx, os)
	check("opening changed", c, u, err, 0, 1)
}

func testCatalogExpiredNotOffered(t *testing.T, s content.Store) {
	catalogWriter(t)
	src := newSource(t)
	now := at(30)
	course := func(ext string, closes time.Time) content.Course {
		c := fullCourse(src, ext)
		c.ClosesAt = closes
		return c
	}
	upsertCourses(t, s,
		course("closed-yesterday", now.Add(-24*time.Hour)),
		course("closes-now", now),
		course("closes-in-a-microsecond", now.Add(time.Microsecond)),
		course("closes-next-week", now.Add(7*24*time.Hour)),
		course("never-closes", time.Time{}),
	)
	want := []string{
		content.CourseID(src, "closes-in-a-microsecond"),
		content.CourseID(src, "closes-next-week"),
		content.CourseID(src, "never-closes"),
	}
	if got := offeredCourses(t, s, now, src); !slices.Equal(got, want) {
		t.Errorf("offered courses at %v = %v, want %v", now, got, want)
	}
	if got := offeredCourses(t, s, now.Add(-48*time.Hour), src); len(got) != 5 {
		t.Errorf("offered courses two days earlier = %v, want all 5", got)
	}
	if got := offeredCourses(t, s, now.Add(8*24*time.Hour), src); !slices.Equal(got, []string{content.CourseID(src, "never-closes")}) {
		t.Errorf("offered courses eight days later = %v, want only the one that never closes", got)
	}
	// Closed courses can still be looked up (a saved item, a plan step).
	mustCourse(t, s, content.CourseID(src, "closed-yesterday"))

	opening := func(ext string, until time.Time) content.Opening {
		o := fullOpening(src, ext)
		o.ValidUntil = until
		return o
	}
	upsertOpenings(t, s,
		opening("expired", now.Add(-time.Hour)),
		opening("ends-now", now),
		opening("ends-tomorrow", now.Add(24*time.Hour)),
		opening("open-ended", time.Time{}),
	)
	wantO := []string{content.OpeningID(src, "ends-tomorrow"), content.OpeningID(src, "open-ended")}
	if got := offeredOpenings(t, s, now, src); !slices.Equal(got, wantO) {
		t.Errorf("offered openings at %v = %v, want %v", now, got, wantO)
	}

	// A course that gets a closing date in the past stops being offered.
	upsertCourses(t, s, course("never-closes", now.Add(-time.Minute)))
	if got := offeredCourses(t, s, now, src); slices.Contains(got, content.CourseID(src, "never-closes")) {
		t.Errorf("offered courses after closing one = %v, still has it", got)
	}
}

func testCatalogStreamOrderAndEarlyStop(t *testing.T, s content.Store) {
	catalogWriter(t)
	ctx := t.Context()
	src := newSource(t)
	// More than a page or two, with IDs whose byte order is not their number
	// order nor their case-insensitive order.
	exts := []string{"a10", "a9", "B1", "a1", "ก1", "Z", "z", "a-1", "a_1", "a.1"}
	for i := range 2345 {
		exts = append(exts, fmt.Sprintf("n%d", i))
	}
	var cs []content.Course
	var os []content.Opening
	for _, e := range exts {
		cs = append(cs, fullCourse(src, e))
		os = append(os, fullOpening(src, e))
	}
	if n := upsertCourses(t, s, cs...); n != len(exts) {
		t.Fatalf("UpsertCourses: created %d, want %d", n, len(exts))
	}
	if n := upsertOpenings(t, s, os...); n != len(exts) {
		t.Fatalf("UpsertOpenings: created %d, want %d", n, len(exts))
	}
	var want, wantO []string
	for _, e := range exts {
		want = append(want, content.CourseID(src, e))
		wantO = append(wantO, content.OpeningID(src, e))
	}
	slices.Sort(want)
	slices.Sort(wantO)

	if got := offeredCourses(t, s, at(0), src); !slices.Equal(got, want) {
		t.Errorf("offered courses: %d in order %v..., want %d in byte order %v...", len(got), head(got), len(want), head(want))
	}
	if got := offeredOpenings(t, s, at(0), src); !slices.Equal(got, wantO) {
		t.Errorf("offered openings: %d in order %v..., want %d in byte order %v...", len(got), head(got), len(wantO), head(wantO))
	}
	// Everything streamed, not only ours, is in ID order.
	var last string
	err := s.OfferedCourses(ctx, at(0), func(c content.Course) error {
		if c.ID <= last {
			return fmt.Errorf("%s came after %s", c.ID, last)
		}
		last = c.ID
		return nil
	})
	if err != nil {
		t.Errorf("OfferedCourses: %v", err)
	}

	// fn's error stops the stream and comes back.
	stop := errors.New("enough")
	calls := 0
	err = s.OfferedCourses(ctx, at(0), func(content.Course) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("OfferedCourses stopped at the 3rd: err = %v after %d calls, want %v after 3", err, calls, stop)
	}
	calls = 0
	err = s.OfferedOpenings(ctx, at(0), func(content.Opening) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("OfferedOpenings stopped at the 1st: err = %v after %d calls, want %v after 1", err, calls, stop)
	}

	// fn may use the store while streaming.
	seen := 0
	err = s.OfferedCourses(ctx, at(0), func(c content.Course) error {
		if c.Source != src || seen > 0 {
			return nil
		}
		seen++
		_, err := s.Course(ctx, c.ID)
		return err
	})
	if err != nil || seen != 1 {
		t.Errorf("OfferedCourses calling Course from fn: err = %v, seen %d", err, seen)
	}
}

func head(ids []string) []string { return ids[:min(len(ids), 6)] }

func testCatalogReturnedCopies(t *testing.T, s content.Store) {
	catalogWriter(t)
	src := newSource(t)
	c := fullCourse(src, "copy")
	upsertCourses(t, s, c)
	c.Skills[0] = "changed after upsert"

	got := mustCourse(t, s, content.CourseID(src, "copy"))
	if got.Skills[0] == "changed after upsert" {
		t.Error("the store kept the caller's Skills slice")
	}
	got.Skills[0], got.Days[0] = "x", "x"
	again := mustCourse(t, s, content.CourseID(src, "copy"))
	if again.Skills[0] == "x" || again.Days[0] == "x" {
		t.Error("Course handed out the store's own slices")
	}

	id := newSource(t)
	must(t, "UpsertOccupations", s.UpsertOccupations(t.Context(), []content.Occupation{{ID: id, Demand: map[string]int{"north": 1}}}))
	occ := occupation(t, s, id)
	occ.Demand["north"] = 3
	if occupation(t, s, id).Demand["north"] != 1 {
		t.Error("Occupations handed out the store's own Demand map")
	}
}

func occupation(t *testing.T, s content.Store, id string) content.Occupation {
	t.Helper()
	all, err := s.Occupations(t.Context())
	must(t, "Occupations", err)
	for _, o := range all {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("Occupations has no %s", id)
	return content.Occupation{}
}

func testOccupationsRoundTrip(t *testing.T, s content.Store) {
	catalogWriter(t)
	ctx := t.Context()
	care, trades := newSource(t), newSource(t)
	in := []content.Occupation{
		{ID: care, NameTH: "งานดูแล", NameEN: "Care", Skills: []string{"ดูแลผู้สูงอายุ", "first aid"}, Demand: map[string]int{"northeast": 3, "TH-30": 2, "south": 0}, Source: "sample"},
		{ID: trades, NameTH: "งานช่าง"},
	}
	must(t, "UpsertOccupations", s.UpsertOccupations(ctx, in))
	assertEqual(t, "care", occupation(t, s, care), in[0])
	assertEqual(t, "trades (empty skills and demand)", occupation(t, s, trades), in[1])

	in[0].Demand = map[string]int{"central": 1}
	in[0].Skills = nil
	in[1].NameEN = "Trades"
	must(t, "UpsertOccupations again", s.UpsertOccupations(ctx, in))
	assertEqual(t, "care after update", occupation(t, s, care), in[0])
	assertEqual(t, "trades after update", occupation(t, s, trades), in[1])

	all, err := s.Occupations(ctx)
	must(t, "Occupations", err)
	n := 0
	for i, o := range all {
		if o.ID == care || o.ID == trades {
			n++
		}
		if i > 0 && all[i-1].ID >= o.ID {
			t.Errorf("Occupations not in ID order: %s before %s", all[i-1].ID, o.ID)
		}
	}
	if n != 2 {
		t.Errorf("Occupations lists ours %d times, want 2", n)
	}
}

func testCatalogInvalidInput(t *testing.T, s content.Store) {
	catalogWriter(t)
	ctx := t.Context()
	src := newSource(t)
	bad := func(op string, err error) {
		t.Helper()
		assertCode(t, op, err, content.EINVALID)
	}
	course := func(edit func(*content.Course)) []content.Course {
		c := fullCourse(src, "bad")
		edit(&c)
		// A good course first: nothing of a call is written when one is bad.
		return []content.Course{fullCourse(src, "good"), c}
	}
	for name, edit := range map[string]func(*content.Course){
		"no source":      func(c *content.Course) { c.Source = "" },
		"colon source":   func(c *content.Course) { c.Source = "a:b" },
		"no external ID": func(c *content.Course) { c.ExternalID = "" },
		"wrong ID":       func(c *content.Course) { c.ID = "c:other:bad" },
		"no title":       func(c *content.Course) { c.TitleTH = " " },
		"no mode":        func(c *content.Course) { c.Mode = "" },
		"bad mode":       func(c *content.Course) { c.Mode = "ออนไลน์" },
	} {
		_, err := s.UpsertCourses(ctx, course(edit))
		bad("UpsertCourses("+name+")", err)
	}
	opening := func(edit func(*content.Opening)) []content.Opening {
		o := fullOpening(src, "bad")
		edit(&o)
		return []content.Opening{fullOpening(src, "good"), o}
	}
	for name, edit := range map[string]func(*content.Opening){
		"no source":      func(o *content.Opening) { o.Source = "" },
		"colon source":   func(o *content.Opening) { o.Source = "x:" },
		"no external ID": func(o *content.Opening) { o.ExternalID = "" },
		"wrong ID":       func(o *content.Opening) { o.ID = content.CourseID(src, "bad") },
		"no employer":    func(o *content.Opening) { o.Employer = "" },
		"no role":        func(o *content.Opening) { o.RoleTH = "" },
		"bad kind":       func(o *content.Opening) { o.Kind = "full_time" },
		"bad pay unit":   func(o *content.Opening) { o.PayUnit = "week" },
	} {
		_, err := s.UpsertOpenings(ctx, opening(edit))
		bad("UpsertOpenings("+name+")", err)
	}
	bad("UpsertOccupations(no ID)", s.UpsertOccupations(ctx, []content.Occupation{{ID: src}, {NameTH: "x"}}))
	bad("UpsertOccupations(demand 4)", s.UpsertOccupations(ctx, []content.Occupation{{ID: src, Demand: map[string]int{"north": 4}}}))
	bad("UpsertOccupations(demand -1)", s.UpsertOccupations(ctx, []content.Occupation{{ID: src, Demand: map[string]int{"north": -1}}}))
	bad("UpsertOccupations(demand in no region)", s.UpsertOccupations(ctx, []content.Occupation{{ID: src, Demand: map[string]int{"": 1}}}))

	_, err := s.Course(ctx, "")
	bad(`Course("")`, err)
	_, err = s.Opening(ctx, "")
	bad(`Opening("")`, err)
	bad("OfferedCourses(zero time)", s.OfferedCourses(ctx, time.Time{}, func(content.Course) error { return nil }))
	bad("OfferedOpenings(zero time)", s.OfferedOpenings(ctx, time.Time{}, func(content.Opening) error { return nil }))

	// Nothing was written, not even the good rows.
	if _, err := s.Course(ctx, content.CourseID(src, "good")); !content.IsNotFound(err) {
		t.Errorf("Course of the good row of a rejected call: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Opening(ctx, content.OpeningID(src, "good")); !content.IsNotFound(err) {
		t.Errorf("Opening of the good row of a rejected call: err = %v, want ENOTFOUND", err)
	}
	for _, o := range must2(t, "Occupations", func() ([]content.Occupation, error) { return s.Occupations(ctx) }) {
		if o.ID == src {
			t.Errorf("Occupations has %s from a rejected call", src)
		}
	}
	_, err = s.Course(ctx, content.CourseID(src, "missing"))
	assertCode(t, "Course(unknown)", err, content.ENOTFOUND)
	_, err = s.Opening(ctx, content.OpeningID(src, "missing"))
	assertCode(t, "Opening(unknown)", err, content.ENOTFOUND)
}

func must2[T any](t *testing.T, op string, fn func() (T, error)) T {
	t.Helper()
	v, err := fn()
	must(t, op, err)
	return v
}

func testCatalogVersion(t *testing.T, s content.Store) {
	catalogMu.Lock() // no other catalog writer while this one watches the version
	t.Cleanup(catalogMu.Unlock)
	ctx := t.Context()
	version := func() string {
		t.Helper()
		v, err := s.CatalogVersion(ctx)
		must(t, "CatalogVersion", err)
		if v == "" {
			t.Fatal("CatalogVersion is empty")
		}
		return v
	}
	src := newSource(t)
	v0 := version()
	if v := version(); v != v0 {
		t.Errorf("CatalogVersion changed from %q to %q with no write", v0, v)
	}
	steps := []struct {
		what    string
		write   func() error
		changes bool
	}{
		{"new course", func() error { _, err := s.UpsertCourses(ctx, []content.Course{fullCourse(src, "v")}); return err }, true},
		{"same course", func() error { _, err := s.UpsertCourses(ctx, []content.Course{fullCourse(src, "v")}); return err }, false},
		{"changed course", func() error {
			c := fullCourse(src, "v")
			c.Seats++
			_, err := s.UpsertCourses(ctx, []content.Course{c})
			return err
		}, true},
		{"new opening", func() error { _, err := s.UpsertOpenings(ctx, []content.Opening{fullOpening(src, "v")}); return err }, true},
		{"same opening", func() error { _, err := s.UpsertOpenings(ctx, []content.Opening{fullOpening(src, "v")}); return err }, false},
		{"new occupation", func() error { return s.UpsertOccupations(ctx, []content.Occupation{{ID: src, NameTH: "ก"}}) }, true},
		{"same occupation", func() error { return s.UpsertOccupations(ctx, []content.Occupation{{ID: src, NameTH: "ก"}}) }, false},
		{"changed occupation", func() error {
			return s.UpsertOccupations(ctx, []content.Occupation{{ID: src, NameTH: "ก", Demand: map[string]int{"east": 2}}})
		}, true},
		{"rejected write", func() error { s.UpsertCourses(ctx, []content.Course{{Source: src}}); return nil }, false},
	}
	seen := map[string]string{v0: "start"}
	prev := v0
	for _, st := range steps {
		must(t, st.what, st.write())
		v := version()
		switch {
		case st.changes && v == prev:
			t.Errorf("after %s: CatalogVersion still %q", st.what, v)
		case st.changes && seen[v] != "":
			t.Errorf("after %s: CatalogVersion %q was seen before (at %s)", st.what, v, seen[v])
		case !st.changes && v != prev:
			t.Errorf("after %s: CatalogVersion changed from %q to %q", st.what, prev, v)
		}
		if _, ok := seen[v]; !ok {
			seen[v] = st.what
		}
		prev = v
	}
}

// ---- Signals ----

func testSignalsSaved(t *testing.T, s content.Store) {
	ctx := t.Context()
	id, other := newUser(t, s), newUser(t, s)
	saved := func() []string {
		t.Helper()
		items, err := s.SavedItems(ctx, id)
		must(t, "SavedItems", err)
		return items
	}
	if got := saved(); len(got) != 0 {
		t.Errorf("SavedItems of a new user = %v, want none", got)
	}
	must(t, "SaveItem a", s.SaveItem(ctx, id, "c:x:a", at(1)))
	must(t, "SaveItem b", s.SaveItem(ctx, id, "o:x:b", at(2)))
	must(t, "SaveItem c", s.SaveItem(ctx, id, "c:x:c", at(3)))
	must(t, "SaveItem d (same time as c)", s.SaveItem(ctx, id, "c:x:0", at(3)))
	must(t, "SaveItem other's", s.SaveItem(ctx, other, "c:x:z", at(9)))
	assertEqual(t, "SavedItems", saved(), []string{"c:x:0", "c:x:c", "o:x:b", "c:x:a"})

	// Saving again is fine and brings it to the top.
	must(t, "SaveItem a again", s.SaveItem(ctx, id, "c:x:a", at(4)))
	assertEqual(t, "SavedItems after saving a again", saved(), []string{"c:x:a", "c:x:0", "c:x:c", "o:x:b"})

	must(t, "UnsaveItem c", s.UnsaveItem(ctx, id, "c:x:c"))
	must(t, "UnsaveItem c again", s.UnsaveItem(ctx, id, "c:x:c"))
	must(t, "UnsaveItem never saved", s.UnsaveItem(ctx, id, "c:x:never"))
	assertEqual(t, "SavedItems after unsaving c", saved(), []string{"c:x:a", "c:x:0", "o:x:b"})

	items, err := s.SavedItems(ctx, other)
	must(t, "SavedItems(other)", err)
	assertEqual(t, "other's SavedItems", items, []string{"c:x:z"})
}

func testSignalsFeedback(t *testing.T, s content.Store) {
	ctx := t.Context()
	a, b, c := newUser(t, s), newUser(t, s), newUser(t, s)
	src := newSource(t)
	x, y, z := content.CourseID(src, "x"), content.OpeningID(src, "y"), content.CourseID(src, "z")

	must(t, "a +1 x", s.RecordFeedback(ctx, a, x, 1, at(1)))
	must(t, "b +1 x", s.RecordFeedback(ctx, b, x, 1, at(1)))
	must(t, "c +1 x", s.RecordFeedback(ctx, c, x, 1, at(1)))
	must(t, "b -1 y", s.RecordFeedback(ctx, b, y, -1, at(2)))
	must(t, "a +1 z", s.RecordFeedback(ctx, a, z, 1, at(2)))
	must(t, "b -1 z", s.RecordFeedback(ctx, b, z, -1, at(2)))
	scores := func() map[string]int {
		t.Helper()
		all, err := s.FeedbackScores(ctx)
		must(t, "FeedbackScores", err)
		ours := map[string]int{}
		for item, n := range all {
			if strings.Contains(item, ":"+src+":") {
				ours[item] = n
			}
		}
		return ours
	}
	assertEqual(t, "FeedbackScores", scores(), map[string]int{x: 3, y: -1, z: 0})

	// A later vote replaces the earlier one; voting the same again changes nothing.
	must(t, "a -1 x", s.RecordFeedback(ctx, a, x, -1, at(3)))
	must(t, "a -1 x again", s.RecordFeedback(ctx, a, x, -1, at(4)))
	must(t, "b +1 y", s.RecordFeedback(ctx, b, y, 1, at(3)))
	assertEqual(t, "FeedbackScores after changed votes", scores(), map[string]int{x: 1, y: 1, z: 0})
}

func testSignalsClicks(t *testing.T, s content.Store) {
	ctx := t.Context()
	id, other := newUser(t, s), newUser(t, s)
	clicks := func(user string) []string {
		t.Helper()
		items, err := s.Clicks(ctx, user)
		must(t, "Clicks", err)
		return items
	}
	if got := clicks(id); len(got) != 0 {
		t.Errorf("Clicks of a new user = %v, want none", got)
	}
	must(t, "click a", s.RecordClick(ctx, id, "c:x:a", at(1)))
	must(t, "click b", s.RecordClick(ctx, id, "o:x:b", at(2)))
	must(t, "click c", s.RecordClick(ctx, id, "c:x:c", at(2))) // same time as b, recorded later
	must(t, "other's click", s.RecordClick(ctx, other, "c:x:z", at(5)))
	assertEqual(t, "Clicks", clicks(id), []string{"c:x:c", "o:x:b", "c:x:a"})

	// Tapping a again makes it the latest, listed once.
	must(t, "click a again", s.RecordClick(ctx, id, "c:x:a", at(3)))
	assertEqual(t, "Clicks after tapping a again", clicks(id), []string{"c:x:a", "c:x:c", "o:x:b"})
	assertEqual(t, "other's Clicks", clicks(other), []string{"c:x:z"})
}

func testSignalsUnknownUser(t *testing.T, s content.Store) {
	ctx := t.Context()
	ghost := NewUserID(t)
	notFound := func(op string, err error) {
		t.Helper()
		assertCode(t, op, err, content.ENOTFOUND)
	}
	notFound("SaveItem", s.SaveItem(ctx, ghost, "c:x:a", at(0)))
	notFound("UnsaveItem", s.UnsaveItem(ctx, ghost, "c:x:a"))
	_, err := s.SavedItems(ctx, ghost)
	notFound("SavedItems", err)
	notFound("RecordFeedback", s.RecordFeedback(ctx, ghost, "c:x:a", 1, at(0)))
	notFound("RecordClick", s.RecordClick(ctx, ghost, "c:x:a", at(0)))
	_, err = s.Clicks(ctx, ghost)
	notFound("Clicks", err)
	if _, err := s.User(ctx, ghost); !content.IsNotFound(err) {
		t.Errorf("User after refused writes: err = %v, want ENOTFOUND", err)
	}
}

func testSignalsInvalidInput(t *testing.T, s content.Store) {
	ctx := t.Context()
	id := newUser(t, s)
	var zero time.Time
	bad := func(op string, err error) {
		t.Helper()
		assertCode(t, op, err, content.EINVALID)
	}
	bad(`SaveItem(user "")`, s.SaveItem(ctx, "", "c:x:a", at(0)))
	bad(`SaveItem(item "")`, s.SaveItem(ctx, id, "", at(0)))
	bad("SaveItem(zero time)", s.SaveItem(ctx, id, "c:x:a", zero))
	bad(`UnsaveItem(user "")`, s.UnsaveItem(ctx, "", "c:x:a"))
	bad(`UnsaveItem(item "")`, s.UnsaveItem(ctx, id, ""))
	_, err := s.SavedItems(ctx, "")
	bad(`SavedItems("")`, err)
	bad(`RecordFeedback(user "")`, s.RecordFeedback(ctx, "", "c:x:a", 1, at(0)))
	bad(`RecordFeedback(item "")`, s.RecordFeedback(ctx, id, "", 1, at(0)))
	bad("RecordFeedback(vote 0)", s.RecordFeedback(ctx, id, "c:x:a", 0, at(0)))
	bad("RecordFeedback(vote 2)", s.RecordFeedback(ctx, id, "c:x:a", 2, at(0)))
	bad("RecordFeedback(zero time)", s.RecordFeedback(ctx, id, "c:x:a", 1, zero))
	bad(`RecordClick(user "")`, s.RecordClick(ctx, "", "c:x:a", at(0)))
	bad(`RecordClick(item "")`, s.RecordClick(ctx, id, "", at(0)))
	bad("RecordClick(zero time)", s.RecordClick(ctx, id, "c:x:a", zero))
	_, err = s.Clicks(ctx, "")
	bad(`Clicks("")`, err)

	if items, _ := s.SavedItems(ctx, id); len(items) != 0 {
		t.Errorf("SavedItems after rejected writes = %v", items)
	}
	if items, _ := s.Clicks(ctx, id); len(items) != 0 {
		t.Errorf("Clicks after rejected writes = %v", items)
	}
}

func testDeleteUserRemovesSignals(t *testing.T, s content.Store) {
	exclusive(t) // deletes a user: testDeleteUser counts deletions exactly
	ctx := t.Context()
	user, keep := newUser(t, s), newUser(t, s)
	item := content.CourseID(newSource(t), "liked")
	for _, u := range []string{user, keep} {
		must(t, "SaveItem", s.SaveItem(ctx, u, item, at(1)))
		must(t, "RecordFeedback", s.RecordFeedback(ctx, u, item, 1, at(1)))
		must(t, "RecordClick", s.RecordClick(ctx, u, item, at(1)))
	}
	score := func() int {
		t.Helper()
		all, err := s.FeedbackScores(ctx)
		must(t, "FeedbackScores", err)
		return all[item]
	}
	if n := score(); n != 2 {
		t.Fatalf("score before delete = %d, want 2", n)
	}

	must(t, "DeleteUser", s.DeleteUser(ctx, user, at(2)))
	_, err := s.SavedItems(ctx, user)
	assertCode(t, "SavedItems after DeleteUser", err, content.ENOTFOUND)
	_, err = s.Clicks(ctx, user)
	assertCode(t, "Clicks after DeleteUser", err, content.ENOTFOUND)
	if n := score(); n != 1 {
		t.Errorf("score after deleting a voter = %d, want 1", n)
	}

	// Following again starts from nothing.
	mustFollow(t, s, user, at(3))
	if items, err := s.SavedItems(ctx, user); err != nil || len(items) != 0 {
		t.Errorf("SavedItems after deleting and following again = %v, %v; want none", items, err)
	}
	if items, err := s.Clicks(ctx, user); err != nil || len(items) != 0 {
		t.Errorf("Clicks after deleting and following again = %v, %v; want none", items, err)
	}
	if n := score(); n != 1 {
		t.Errorf("score after the deleted voter came back = %d, want 1", n)
	}
	// Someone else's are untouched.
	if items, _ := s.SavedItems(ctx, keep); !slices.Equal(items, []string{item}) {
		t.Errorf("other user's SavedItems = %v, want [%s]", items, item)
	}
	if items, _ := s.Clicks(ctx, keep); !slices.Equal(items, []string{item}) {
		t.Errorf("other user's Clicks = %v, want [%s]", items, item)
	}
}

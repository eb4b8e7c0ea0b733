package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// Cities are tenants of one store, so the city tests make cities of their own
// and look only at them. The calls that look across every city are handled
// like ClaimDue:
//
//   - UpcomingFestivals: only testUpcomingFestivals has festivals ending after
//     upcomingFrom; every other festival ends long before it;
//   - ClaimDueAnnouncements: the claiming tests take announcementClaimMu, work
//     in their own era (annEra), and cancel their announcements when they end;
//     other tests schedule announcements at farFuture, later than any claim;
//   - StreamAudience: each test's users live in a province code of its own
//     (newProvince), which no city needs to have;
//   - PruneChunks: only testPruneChunks finishes chunks before pruneBefore.
var announcementClaimMu sync.Mutex

// upcomingFrom is after every festival but those of testUpcomingFestivals.
var upcomingFrom = time.Date(2400, time.January, 1, 0, 0, 0, 0, time.UTC)

// pruneBefore is after every chunk finish time but those of testPruneChunks.
var pruneBefore = time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)

// annEra returns the start of an announcement-claiming test's own year.
func annEra(n int) time.Time {
	return time.Date(1940+n, time.January, 2, 3, 4, 5, 123456789, thaitime.Zone)
}

// chunkPruner is what PruneChunks needs; both stores offer it besides
// content.Store.
type chunkPruner interface {
	PruneChunks(ctx context.Context, olderThan time.Time) (int, error)
}

// randomHex returns n random bytes in hex.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// newProvince returns a province code of this test's own, for profiles and
// audiences only.
func newProvince(t testing.TB) string { return "TX-" + randomHex(t, 6) }

// newHash returns a fresh token hash (as citytoken.HashSecret makes them).
func newHash(t testing.TB) string {
	t.Helper()
	sum := sha256.Sum256([]byte("pt_" + randomHex(t, 32)))
	return hex.EncodeToString(sum[:])
}

// newCity creates a city covering provinces (TH-40 when none are given).
func newCity(t *testing.T, s content.Store, provinces ...string) content.City {
	t.Helper()
	if len(provinces) == 0 {
		provinces = []string{"TH-40"}
	}
	c, err := s.CreateCity(t.Context(), content.City{Name: "เทศบาล " + randomHex(t, 4), Provinces: provinces})
	must(t, "CreateCity", err)
	return c
}

// festival is a festival of city with every field set.
func festival(cityID string) content.Festival {
	return content.Festival{
		ID:         uuid.NewString(),
		CityID:     cityID,
		TitleTH:    "มหกรรมการเรียนรู้ขอนแก่น",
		TitleEN:    "Khon Kaen Learning Festival",
		DescTH:     "ลองทำอาชีพ 30 บูธ",
		DescEN:     "Try 30 trades",
		StartsAt:   time.Date(2026, time.November, 14, 9, 0, 0, 123456789, thaitime.Zone),
		EndsAt:     time.Date(2026, time.November, 15, 17, 0, 0, 0, thaitime.Zone),
		Venue:      "ศูนย์ประชุมกาญจนาภิเษก",
		Address:    "มหาวิทยาลัยขอนแก่น",
		Province:   "TH-40",
		District:   "เมืองขอนแก่น",
		Lat:        16.4746,
		Lng:        102.8231,
		Activities: []string{"workshop", "career talk"},
		ImageURL:   "https://example.org/f.jpg",
		InfoURL:    "https://example.org/f",
		Tags:       []string{"care", "trades"},
		Status:     "active",
	}
}

func newFestival(t *testing.T, s content.Store, cityID string) content.Festival {
	t.Helper()
	f := festival(cityID)
	must(t, "SaveFestival", s.SaveFestival(t.Context(), f))
	return f
}

// newAnnouncement saves an announcement of a festival; scheduled ones fall due
// at when (farFuture if zero).
func newAnnouncement(t *testing.T, s content.Store, cityID, festivalID, status string, when time.Time) content.Announcement {
	t.Helper()
	if status == content.AnnScheduled && when.IsZero() {
		when = farFuture
	}
	a := content.Announcement{ID: uuid.NewString(), CityID: cityID, FestivalID: festivalID, Status: status, ScheduledAt: when,
		Audience: content.Audience{Provinces: []string{"TH-40"}}}
	must(t, "SaveAnnouncement", s.SaveAnnouncement(t.Context(), a))
	return a
}

// ---- Cities ----

func testCityRoundTrip(t *testing.T, s content.Store) {
	ctx := t.Context()
	in := content.City{
		Name:             "เทศบาลนครขอนแก่น",
		Provinces:        []string{"TH-40", "TH-44", "TH-40"},
		Districts:        []string{"TH-40/เมืองขอนแก่น", "TH-44/เมืองมหาสารคาม", "TH-40/เมืองขอนแก่น"},
		RequiresApproval: true,
	}
	c, err := s.CreateCity(ctx, in)
	must(t, "CreateCity", err)
	if _, err := uuid.Parse(c.ID); err != nil {
		t.Errorf("ID %q is not a UUID", c.ID)
	}
	if c.CreatedAt.IsZero() {
		t.Error("CreatedAt is zero")
	}
	assertUTC(t, "CreatedAt", c.CreatedAt)
	want := content.City{ID: c.ID, Name: in.Name, Provinces: []string{"TH-40", "TH-44"},
		Districts: []string{"TH-40/เมืองขอนแก่น", "TH-44/เมืองมหาสารคาม"}, RequiresApproval: true, CreatedAt: c.CreatedAt}
	assertEqual(t, "created city", c, want)
	got, err := s.City(ctx, c.ID)
	must(t, "City", err)
	assertEqual(t, "City", got, want)

	// A given ID and time are kept; the ID cannot be used twice.
	id := uuid.NewString()
	c2, err := s.CreateCity(ctx, content.City{ID: id, Name: "อบจ.น่าน", Provinces: []string{"TH-55"}, CreatedAt: at(3)})
	must(t, "CreateCity with ID", err)
	if c2.ID != id || c2.Districts != nil || c2.RequiresApproval {
		t.Errorf("created city = %+v", c2)
	}
	assertTime(t, "CreatedAt given", c2.CreatedAt, stored(at(3)))
	_, err = s.CreateCity(ctx, content.City{ID: id, Name: "again", Provinces: []string{"TH-55"}})
	assertCode(t, "CreateCity with a used ID", err, content.ECONFLICT)

	all, err := s.Cities(ctx)
	must(t, "Cities", err)
	var mine []string
	for _, x := range all {
		if x.ID == c.ID || x.ID == id {
			mine = append(mine, x.ID)
		}
	}
	if !slices.Equal(mine, []string{id, c.ID}) { // c2 was created (at(3)) long before c
		t.Errorf("Cities lists ours as %v, want [%s %s] (oldest first)", mine, id, c.ID)
	}

	// Copies: changing what came back changes nothing stored.
	got.Provinces[0] = "TH-99"
	if again, _ := s.City(ctx, c.ID); again.Provinces[0] != "TH-40" {
		t.Error("changing a returned city changed the stored one")
	}

	_, err = s.City(ctx, uuid.NewString())
	assertCode(t, "City(unknown)", err, content.ENOTFOUND)
	_, err = s.City(ctx, "nope")
	assertCode(t, "City(not a UUID)", err, content.EINVALID)
	for _, bad := range []content.City{
		{Name: " ", Provinces: []string{"TH-40"}},
		{Name: "x"},
		{Name: "x", Provinces: []string{"ขอนแก่น"}},
		{Name: "x", Provinces: []string{"TH-40"}, Districts: []string{"TH-44/เมืองมหาสารคาม"}},
		{Name: "x", Provinces: []string{"TH-40"}, Districts: []string{"เมืองขอนแก่น"}},
		{Name: "x", Provinces: []string{"TH-40"}, Districts: []string{"TH-40/"}},
		{ID: "nope", Name: "x", Provinces: []string{"TH-40"}},
	} {
		_, err := s.CreateCity(ctx, bad)
		assertCode(t, fmt.Sprintf("CreateCity(%+v)", bad), err, content.EINVALID)
	}
}

func testTokens(t *testing.T, s content.Store) {
	ctx := t.Context()
	city, other := newCity(t, s), newCity(t, s)
	editor := content.Token{ID: uuid.NewString(), CityID: city.ID, Role: content.RoleEditor, Label: "ฝ่ายการศึกษา", Hash: newHash(t), CreatedAt: at(1)}
	approver := content.Token{ID: uuid.NewString(), CityID: city.ID, Role: content.RoleApprover, Hash: newHash(t)}
	foreign := content.Token{ID: uuid.NewString(), CityID: other.ID, Role: content.RoleEditor, Hash: newHash(t)}
	for _, tok := range []content.Token{editor, approver, foreign} {
		must(t, "CreateToken", s.CreateToken(ctx, tok))
	}

	got, err := s.TokenByHash(ctx, editor.Hash)
	must(t, "TokenByHash", err)
	editor.CreatedAt = stored(editor.CreatedAt)
	assertEqual(t, "TokenByHash", got, editor)
	assertUTC(t, "CreatedAt", got.CreatedAt)
	got, err = s.TokenByHash(ctx, approver.Hash)
	must(t, "TokenByHash(approver)", err)
	if got.CreatedAt.IsZero() || got.Role != content.RoleApprover || got.CityID != city.ID {
		t.Errorf("approver token = %+v", got)
	}
	approver.CreatedAt = got.CreatedAt

	list, err := s.Tokens(ctx, city.ID)
	must(t, "Tokens", err)
	assertEqual(t, "Tokens", list, []content.Token{editor, approver}) // oldest first, not the other city's

	// Revoked tokens are still found (the caller checks RevokedAt); revoking
	// again keeps the first time.
	must(t, "RevokeToken", s.RevokeToken(ctx, editor.ID, at(5)))
	must(t, "RevokeToken again", s.RevokeToken(ctx, editor.ID, at(9)))
	got, err = s.TokenByHash(ctx, editor.Hash)
	must(t, "TokenByHash(revoked)", err)
	assertTime(t, "RevokedAt", got.RevokedAt, stored(at(5)))
	assertUTC(t, "RevokedAt", got.RevokedAt)
	if list, _ := s.Tokens(ctx, other.ID); len(list) != 1 || list[0].ID != foreign.ID || !list[0].RevokedAt.IsZero() {
		t.Errorf("other city's tokens = %+v", list)
	}

	_, err = s.TokenByHash(ctx, newHash(t))
	assertCode(t, "TokenByHash(unknown)", err, content.ENOTFOUND)
	_, err = s.TokenByHash(ctx, "")
	assertCode(t, "TokenByHash(empty)", err, content.EINVALID)
	assertCode(t, "RevokeToken(unknown)", s.RevokeToken(ctx, uuid.NewString(), at(1)), content.ENOTFOUND)
	assertCode(t, "RevokeToken(not a UUID)", s.RevokeToken(ctx, "x", at(1)), content.EINVALID)
	assertCode(t, "RevokeToken(zero time)", s.RevokeToken(ctx, approver.ID, time.Time{}), content.EINVALID)
	_, err = s.Tokens(ctx, uuid.NewString())
	assertCode(t, "Tokens(unknown city)", err, content.ENOTFOUND)

	dupHash := content.Token{ID: uuid.NewString(), CityID: city.ID, Role: content.RoleEditor, Hash: approver.Hash}
	assertCode(t, "CreateToken with a used hash", s.CreateToken(ctx, dupHash), content.ECONFLICT)
	dupID := content.Token{ID: approver.ID, CityID: city.ID, Role: content.RoleEditor, Hash: newHash(t)}
	assertCode(t, "CreateToken with a used ID", s.CreateToken(ctx, dupID), content.ECONFLICT)
	unknown := content.Token{ID: uuid.NewString(), CityID: uuid.NewString(), Role: content.RoleEditor, Hash: newHash(t)}
	assertCode(t, "CreateToken for an unknown city", s.CreateToken(ctx, unknown), content.ENOTFOUND)
	for name, bad := range map[string]content.Token{
		"role":    {ID: uuid.NewString(), CityID: city.ID, Role: "admin", Hash: newHash(t)},
		"hash":    {ID: uuid.NewString(), CityID: city.ID, Role: content.RoleEditor, Hash: "pt_secret"},
		"no ID":   {CityID: city.ID, Role: content.RoleEditor, Hash: newHash(t)},
		"city ID": {ID: uuid.NewString(), CityID: "x", Role: content.RoleEditor, Hash: newHash(t)},
	} {
		assertCode(t, "CreateToken with a bad "+name, s.CreateToken(ctx, bad), content.EINVALID)
	}
}

func testAuditLog(t *testing.T, s content.Store) {
	ctx := t.Context()
	city, other := newCity(t, s), newCity(t, s)
	token := uuid.NewString()
	entries := []content.AuditEntry{
		{CityID: city.ID, Action: "token.create", Object: token, Detail: "editor", At: at(1)},
		{CityID: city.ID, TokenID: token, Action: "festival.create", Object: uuid.NewString(), At: at(3)},
		{CityID: city.ID, TokenID: token, Action: "festival.update", Object: "f", At: at(3)},
		{CityID: city.ID, TokenID: token, Action: "announcement.schedule", Object: "a", At: at(2)},
		{CityID: other.ID, Action: "token.create", At: at(4)},
	}
	for _, e := range entries {
		must(t, "AddAudit", s.AddAudit(ctx, e))
	}
	log, err := s.AuditLog(ctx, city.ID, 10)
	must(t, "AuditLog", err)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
		if e.ID == 0 || e.CityID != city.ID {
			t.Errorf("entry %+v: no ID or another city", e)
		}
		assertUTC(t, "At", e.At)
	}
	// Newest first; the later recorded first among equal times.
	if want := []string{"festival.update", "festival.create", "announcement.schedule", "token.create"}; !slices.Equal(actions, want) {
		t.Fatalf("AuditLog actions = %v, want %v", actions, want)
	}
	first := log[3]
	if first.TokenID != "" || first.Object != token || first.Detail != "editor" {
		t.Errorf("operator entry = %+v", first)
	}
	assertTime(t, "At", first.At, stored(at(1)))
	if log[0].TokenID != token || log[0].ID == log[1].ID {
		t.Errorf("entries = %+v", log[:2])
	}
	if short, _ := s.AuditLog(ctx, city.ID, 2); len(short) != 2 || short[0].Action != "festival.update" {
		t.Errorf("AuditLog(limit 2) = %+v", short)
	}

	_, err = s.AuditLog(ctx, uuid.NewString(), 10)
	assertCode(t, "AuditLog(unknown city)", err, content.ENOTFOUND)
	_, err = s.AuditLog(ctx, city.ID, 0)
	assertCode(t, "AuditLog(limit 0)", err, content.EINVALID)
	assertCode(t, "AddAudit(unknown city)", s.AddAudit(ctx, content.AuditEntry{CityID: uuid.NewString(), Action: "x", At: at(1)}), content.ENOTFOUND)
	for name, bad := range map[string]content.AuditEntry{
		"no action": {CityID: city.ID, At: at(1)},
		"no time":   {CityID: city.ID, Action: "x"},
		"token ID":  {CityID: city.ID, TokenID: "operator", Action: "x", At: at(1)},
		"city ID":   {CityID: "x", Action: "x", At: at(1)},
	} {
		assertCode(t, "AddAudit with a bad "+name, s.AddAudit(ctx, bad), content.EINVALID)
	}
}

// ---- Festivals ----

func testFestivalRoundTrip(t *testing.T, s content.Store) {
	ctx := t.Context()
	city := newCity(t, s)
	f := newFestival(t, s, city.ID)
	got, err := s.Festival(ctx, city.ID, f.ID)
	must(t, "Festival", err)
	if got.CreatedAt.IsZero() || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("CreatedAt %v, UpdatedAt %v", got.CreatedAt, got.UpdatedAt)
	}
	assertUTC(t, "StartsAt", got.StartsAt)
	assertUTC(t, "UpdatedAt", got.UpdatedAt)
	want := f
	want.StartsAt, want.EndsAt, want.CreatedAt, want.UpdatedAt = stored(f.StartsAt), stored(f.EndsAt), got.CreatedAt, got.UpdatedAt
	assertEqual(t, "Festival", got, want)

	// Copies.
	got.Activities[0] = "changed"
	if again, _ := s.Festival(ctx, city.ID, f.ID); again.Activities[0] != "workshop" {
		t.Error("changing a returned festival changed the stored one")
	}

	// An update changes the fields and keeps CreatedAt; an empty status is active.
	f.TitleTH, f.Activities, f.Tags, f.District, f.Status = "งานใหม่", nil, []string{"tech"}, "", ""
	must(t, "SaveFestival (update)", s.SaveFestival(ctx, f))
	upd, err := s.Festival(ctx, city.ID, f.ID)
	must(t, "Festival after update", err)
	if upd.TitleTH != "งานใหม่" || upd.Activities != nil || !slices.Equal(upd.Tags, []string{"tech"}) || upd.District != "" || upd.Status != "active" {
		t.Errorf("updated festival = %+v", upd)
	}
	assertTime(t, "CreatedAt after update", upd.CreatedAt, got.CreatedAt)
	if upd.UpdatedAt.Before(got.UpdatedAt) {
		t.Errorf("UpdatedAt went back from %v to %v", got.UpdatedAt, upd.UpdatedAt)
	}

	// Listed by start time, cancelled ones too.
	early := festival(city.ID)
	early.StartsAt, early.Status = early.StartsAt.Add(-48*time.Hour), "cancelled"
	must(t, "SaveFestival (early)", s.SaveFestival(ctx, early))
	list, err := s.Festivals(ctx, city.ID)
	must(t, "Festivals", err)
	if len(list) != 2 || list[0].ID != early.ID || list[0].Status != "cancelled" || list[1].ID != f.ID {
		t.Errorf("Festivals = %+v", list)
	}
	_, err = s.Festivals(ctx, uuid.NewString())
	assertCode(t, "Festivals(unknown city)", err, content.ENOTFOUND)
	_, err = s.Festival(ctx, city.ID, uuid.NewString())
	assertCode(t, "Festival(unknown)", err, content.ENOTFOUND)
}

func testFestivalTenantIsolation(t *testing.T, s content.Store) {
	ctx := t.Context()
	city, other := newCity(t, s), newCity(t, s)
	f := newFestival(t, s, city.ID)

	_, err := s.Festival(ctx, other.ID, f.ID)
	assertCode(t, "Festival of another city", err, content.ENOTFOUND)
	if list, _ := s.Festivals(ctx, other.ID); len(list) != 0 {
		t.Errorf("another city lists %+v", list)
	}
	// Saving under another city with the same ID must not take it over.
	theft := f
	theft.CityID, theft.TitleTH = other.ID, "ของเรา"
	assertCode(t, "SaveFestival over another city's", s.SaveFestival(ctx, theft), content.ENOTFOUND)
	if got, _ := s.Festival(ctx, city.ID, f.ID); got.TitleTH != f.TitleTH || got.CityID != city.ID {
		t.Errorf("festival after another city's save = %+v", got)
	}
	unknown := festival(uuid.NewString())
	assertCode(t, "SaveFestival for an unknown city", s.SaveFestival(ctx, unknown), content.ENOTFOUND)
}

func testFestivalInvalid(t *testing.T, s content.Store) {
	ctx := t.Context()
	city := newCity(t, s)
	districts, err := s.CreateCity(ctx, content.City{Name: "อ.เมือง", Provinces: []string{"TH-40"}, Districts: []string{"TH-40/เมืองขอนแก่น"}})
	must(t, "CreateCity", err)
	for name, change := range map[string]func(*content.Festival){
		"no title":          func(f *content.Festival) { f.TitleTH = " " },
		"no start":          func(f *content.Festival) { f.StartsAt = time.Time{} },
		"ends before start": func(f *content.Festival) { f.EndsAt = f.StartsAt.Add(-time.Minute) },
		"status":            func(f *content.Festival) { f.Status = "deleted" },
		"outside the area":  func(f *content.Festival) { f.Province = "TH-50" },
		"province name":     func(f *content.Festival) { f.Province = "ขอนแก่น" },
		"district only":     func(f *content.Festival) { f.Province = "" },
		"no ID":             func(f *content.Festival) { f.ID = "" },
		"city ID":           func(f *content.Festival) { f.CityID = "x" },
	} {
		f := festival(city.ID)
		change(&f)
		assertCode(t, "SaveFestival with "+name, s.SaveFestival(ctx, f), content.EINVALID)
	}
	f := festival(districts.ID)
	f.District = "บ้านไผ่"
	assertCode(t, "SaveFestival in another district", s.SaveFestival(ctx, f), content.EINVALID)
	f.District = "เมืองขอนแก่น"
	must(t, "SaveFestival in the city's district", s.SaveFestival(ctx, f))
	_, err = s.Festival(ctx, "x", f.ID)
	assertCode(t, "Festival(bad city ID)", err, content.EINVALID)
}

func testUpcomingFestivals(t *testing.T, s content.Store) {
	ctx := t.Context()
	a, b := newCity(t, s), newCity(t, s, "TH-50")
	mk := func(city content.City, start, end time.Duration, status string) string {
		f := festival(city.ID)
		f.Province, f.District = city.Provinces[0], ""
		f.StartsAt, f.EndsAt, f.Status = upcomingFrom.Add(start), upcomingFrom.Add(end), status
		must(t, "SaveFestival", s.SaveFestival(ctx, f))
		return f.ID
	}
	going := mk(a, -24*time.Hour, 24*time.Hour, "active") // started, not over
	mk(a, -48*time.Hour, 0, "active")                     // ends exactly at from: over
	later := mk(b, 72*time.Hour, 80*time.Hour, "active")
	soon := mk(b, 2*time.Hour, 4*time.Hour, "active")
	mk(a, time.Hour, 2*time.Hour, "cancelled")

	got, err := s.UpcomingFestivals(ctx, upcomingFrom, 10)
	must(t, "UpcomingFestivals", err)
	var ids []string
	for _, f := range got {
		ids = append(ids, f.ID)
	}
	if want := []string{going, soon, later}; !slices.Equal(ids, want) {
		t.Errorf("UpcomingFestivals = %v, want %v (active, not over, soonest first, every city)", ids, want)
	}
	if got, _ := s.UpcomingFestivals(ctx, upcomingFrom, 2); len(got) != 2 || got[1].ID != soon {
		t.Errorf("UpcomingFestivals(limit 2) = %d festivals", len(got))
	}
	_, err = s.UpcomingFestivals(ctx, time.Time{}, 1)
	assertCode(t, "UpcomingFestivals(zero)", err, content.EINVALID)
	_, err = s.UpcomingFestivals(ctx, upcomingFrom, 0)
	assertCode(t, "UpcomingFestivals(limit 0)", err, content.EINVALID)
}

// ---- Announcements ----

func testAnnouncementRoundTrip(t *testing.T, s content.Store) {
	ctx := t.Context()
	city, err := s.CreateCity(ctx, content.City{Name: "จ.ขอนแก่น", Provinces: []string{"TH-40", "TH-44"}})
	must(t, "CreateCity", err)
	f := newFestival(t, s, city.ID)
	editor, approver := uuid.NewString(), uuid.NewString()
	a := content.Announcement{
		ID: uuid.NewString(), CityID: city.ID, FestivalID: f.ID, Status: content.AnnPending, CreatedBy: editor,
		Audience: content.Audience{
			Provinces: []string{"TH-40"}, Districts: []string{"TH-40/เมืองขอนแก่น", "TH-40/บ้านไผ่"},
			AgeMin: 15, AgeMax: 24, Roles: []string{"youth", "parent"}, Interests: []string{"care"},
		},
	}
	must(t, "SaveAnnouncement", s.SaveAnnouncement(ctx, a))
	got, err := s.Announcement(ctx, city.ID, a.ID)
	must(t, "Announcement", err)
	if got.CreatedAt.IsZero() || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("CreatedAt %v, UpdatedAt %v", got.CreatedAt, got.UpdatedAt)
	}
	assertUTC(t, "CreatedAt", got.CreatedAt)
	want := a
	want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
	assertEqual(t, "Announcement", got, want)

	got.Audience.Roles[0] = "other"
	if again, _ := s.Announcement(ctx, city.ID, a.ID); again.Audience.Roles[0] != "youth" {
		t.Error("changing a returned announcement changed the stored one")
	}

	// Approved and scheduled: the whole area (no provinces) is fine.
	a.Status, a.ApprovedBy, a.ScheduledAt, a.Audience = content.AnnScheduled, approver, farFuture.Add(time.Second+time.Nanosecond), content.Audience{}
	must(t, "SaveAnnouncement (schedule)", s.SaveAnnouncement(ctx, a))
	upd, err := s.Announcement(ctx, city.ID, a.ID)
	must(t, "Announcement after update", err)
	if upd.Status != content.AnnScheduled || upd.ApprovedBy != approver || upd.CreatedBy != editor || !reflectEmpty(upd.Audience) {
		t.Errorf("updated announcement = %+v", upd)
	}
	assertTime(t, "ScheduledAt", upd.ScheduledAt, stored(a.ScheduledAt))
	assertUTC(t, "ScheduledAt", upd.ScheduledAt)
	assertTime(t, "CreatedAt after update", upd.CreatedAt, got.CreatedAt)
	// An empty status is a draft, with no time.
	draft := newAnnouncement(t, s, city.ID, f.ID, "", time.Time{})
	if d, _ := s.Announcement(ctx, city.ID, draft.ID); d.Status != content.AnnDraft || !d.ScheduledAt.IsZero() {
		t.Errorf("draft = %+v", d)
	}

	list, err := s.Announcements(ctx, city.ID)
	must(t, "Announcements", err)
	if ids := []string{list[0].ID, list[len(list)-1].ID}; len(list) != 2 || !slices.Equal(sorted(ids...), sorted(a.ID, draft.ID)) {
		t.Errorf("Announcements = %+v, want %s and %s", list, a.ID, draft.ID)
	}
	_, err = s.Announcements(ctx, uuid.NewString())
	assertCode(t, "Announcements(unknown city)", err, content.ENOTFOUND)
	_, err = s.Announcement(ctx, city.ID, uuid.NewString())
	assertCode(t, "Announcement(unknown)", err, content.ENOTFOUND)
}

func reflectEmpty(a content.Audience) bool {
	return a.Provinces == nil && a.Districts == nil && a.AgeMin == 0 && a.AgeMax == 0 && a.Roles == nil && a.Interests == nil
}

func testAnnouncementTenantIsolation(t *testing.T, s content.Store) {
	ctx := t.Context()
	city, other := newCity(t, s), newCity(t, s)
	f, otherF := newFestival(t, s, city.ID), newFestival(t, s, other.ID)
	a := newAnnouncement(t, s, city.ID, f.ID, content.AnnDraft, time.Time{})

	_, err := s.Announcement(ctx, other.ID, a.ID)
	assertCode(t, "Announcement of another city", err, content.ENOTFOUND)
	if list, _ := s.Announcements(ctx, other.ID); len(list) != 0 {
		t.Errorf("another city lists %+v", list)
	}
	theft := a
	theft.CityID, theft.FestivalID, theft.Status = other.ID, otherF.ID, content.AnnCancelled
	assertCode(t, "SaveAnnouncement over another city's", s.SaveAnnouncement(ctx, theft), content.ENOTFOUND)
	if got, _ := s.Announcement(ctx, city.ID, a.ID); got.Status != content.AnnDraft || got.CityID != city.ID {
		t.Errorf("announcement after another city's save = %+v", got)
	}
	// Another city's festival cannot be announced.
	cross := content.Announcement{ID: uuid.NewString(), CityID: city.ID, FestivalID: otherF.ID}
	assertCode(t, "SaveAnnouncement of another city's festival", s.SaveAnnouncement(ctx, cross), content.ENOTFOUND)
	cross.FestivalID = uuid.NewString()
	assertCode(t, "SaveAnnouncement of an unknown festival", s.SaveAnnouncement(ctx, cross), content.ENOTFOUND)
	cross.CityID, cross.FestivalID = uuid.NewString(), f.ID
	assertCode(t, "SaveAnnouncement for an unknown city", s.SaveAnnouncement(ctx, cross), content.ENOTFOUND)
}

func testAnnouncementInvalid(t *testing.T, s content.Store) {
	ctx := t.Context()
	city, err := s.CreateCity(ctx, content.City{Name: "อ.เมือง", Provinces: []string{"TH-40"}, Districts: []string{"TH-40/เมืองขอนแก่น"}})
	must(t, "CreateCity", err)
	f := newFestival(t, s, city.ID)
	for name, change := range map[string]func(*content.Announcement){
		"status":                   func(a *content.Announcement) { a.Status = "queued" },
		"scheduled with no time":   func(a *content.Announcement) { a.Status, a.ScheduledAt = content.AnnScheduled, time.Time{} },
		"province outside":         func(a *content.Announcement) { a.Audience.Provinces = []string{"TH-50"} },
		"district outside":         func(a *content.Announcement) { a.Audience.Districts = []string{"TH-40/บ้านไผ่"} },
		"district not P/N":         func(a *content.Announcement) { a.Audience.Districts = []string{"เมืองขอนแก่น"} },
		"district of no province":  func(a *content.Announcement) { a.Audience.Districts = []string{"TH-44/เมือง"} },
		"reversed ages":            func(a *content.Announcement) { a.Audience.AgeMin, a.Audience.AgeMax = 20, 15 },
		"negative age":             func(a *content.Announcement) { a.Audience.AgeMin = -1 },
		"role":                     func(a *content.Announcement) { a.Audience.Roles = []string{"teacher"} },
		"empty interest":           func(a *content.Announcement) { a.Audience.Interests = []string{""} },
		"creator not a token ID":   func(a *content.Announcement) { a.CreatedBy = "admin" },
		"approver not a token ID":  func(a *content.Announcement) { a.ApprovedBy = "admin" },
		"no ID":                    func(a *content.Announcement) { a.ID = "" },
		"festival ID not a UUID":   func(a *content.Announcement) { a.FestivalID = "f" },
		"city ID not a UUID":       func(a *content.Announcement) { a.CityID = "c" },
		"empty audience province":  func(a *content.Announcement) { a.Audience.Provinces = []string{""} },
		"age over the upper bound": func(a *content.Announcement) { a.Audience.AgeMax = 1000 },
	} {
		a := content.Announcement{ID: uuid.NewString(), CityID: city.ID, FestivalID: f.ID,
			Audience: content.Audience{Provinces: []string{"TH-40"}, Districts: []string{"TH-40/เมืองขอนแก่น"}}}
		change(&a)
		assertCode(t, "SaveAnnouncement with "+name, s.SaveAnnouncement(ctx, a), content.EINVALID)
	}
}

// claimAnnouncements claims and returns the IDs.
func claimAnnouncements(t *testing.T, s content.Store, now time.Time, limit int, lease time.Duration) []string {
	t.Helper()
	got, err := s.ClaimDueAnnouncements(t.Context(), now, limit, lease)
	must(t, "ClaimDueAnnouncements", err)
	ids := make([]string, len(got))
	for i, a := range got {
		ids[i] = a.ID
	}
	return ids
}

// claimingTest makes the test the only one claiming announcements, and
// cancels the given city's announcements when it ends.
func claimingTest(t *testing.T, s content.Store, city content.City) {
	t.Helper()
	announcementClaimMu.Lock()
	t.Cleanup(announcementClaimMu.Unlock)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		list, err := s.Announcements(ctx, city.ID)
		if err != nil {
			t.Errorf("cleanup: Announcements: %v", err)
			return
		}
		for _, a := range list {
			a.Status = content.AnnCancelled
			if err := s.SaveAnnouncement(ctx, a); err != nil {
				t.Errorf("cleanup: cancel announcement %s: %v", a.ID, err)
			}
		}
	})
}

func testClaimDueAnnouncements(t *testing.T, s content.Store) {
	city := newCity(t, s)
	claimingTest(t, s, city)
	base := annEra(0)
	f := newFestival(t, s, city.ID)
	third := newAnnouncement(t, s, city.ID, f.ID, content.AnnScheduled, base.Add(3*time.Minute))
	first := newAnnouncement(t, s, city.ID, f.ID, content.AnnScheduled, base.Add(time.Minute))
	later := newAnnouncement(t, s, city.ID, f.ID, content.AnnScheduled, base.Add(30*time.Minute)) // not due yet
	newAnnouncement(t, s, city.ID, f.ID, content.AnnDraft, time.Time{})
	newAnnouncement(t, s, city.ID, f.ID, content.AnnPending, time.Time{})
	second := newAnnouncement(t, s, city.ID, f.ID, content.AnnScheduled, base.Add(2*time.Minute))

	// Claimed one at a time, earliest first, only scheduled ones that are due.
	now := base.Add(5 * time.Minute)
	var got []string
	for range 4 {
		got = append(got, claimAnnouncements(t, s, now, 1, 10*time.Minute)...)
	}
	if want := []string{first.ID, second.ID, third.ID}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v (due order, only scheduled and due)", got, want)
	}

	// Within the lease nothing comes back; after it, the same ones do (the
	// claimer died).
	for _, at := range []time.Time{now, now.Add(9 * time.Minute), now.Add(10*time.Minute - time.Millisecond)} {
		if again := claimAnnouncements(t, s, at, 10, 10*time.Minute); len(again) != 0 {
			t.Errorf("claim at %v, within the lease: %v", at, again)
		}
	}
	again := claimAnnouncements(t, s, now.Add(10*time.Minute), 10, time.Hour)
	if want := []string{first.ID, second.ID, third.ID}; !slices.Equal(again, want) {
		t.Errorf("claim after the lease = %v, want %v", again, want)
	}

	claimed, err := s.ClaimDueAnnouncements(t.Context(), base.Add(30*time.Minute), 10, time.Minute)
	must(t, "ClaimDueAnnouncements", err)
	if len(claimed) != 1 {
		t.Fatalf("claimed %+v, want the one due at +30m", claimed)
	}
	want := later
	want.CreatedAt, want.UpdatedAt = claimed[0].CreatedAt, claimed[0].UpdatedAt
	want.ScheduledAt = stored(later.ScheduledAt)
	assertEqual(t, "claimed announcement", claimed[0], want)
	assertUTC(t, "ScheduledAt", claimed[0].ScheduledAt)

	// Saving keeps the claim; a sent one is never claimed again.
	sent := first
	sent.Status = content.AnnSent
	must(t, "SaveAnnouncement (sent)", s.SaveAnnouncement(t.Context(), sent))
	if got := claimAnnouncements(t, s, base.Add(30*time.Minute), 10, time.Minute); len(got) != 0 {
		t.Errorf("claim within the leases after saving = %v", got)
	}
	if got, want := claimAnnouncements(t, s, base.Add(2*time.Hour), 10, time.Minute), []string{second.ID, third.ID, later.ID}; !slices.Equal(got, want) {
		t.Errorf("claim after one was sent = %v, want %v", got, want)
	}

	for _, bad := range []struct {
		now   time.Time
		limit int
		lease time.Duration
	}{{time.Time{}, 1, time.Minute}, {now, 0, time.Minute}, {now, 1, 0}} {
		_, err := s.ClaimDueAnnouncements(t.Context(), bad.now, bad.limit, bad.lease)
		assertCode(t, fmt.Sprintf("ClaimDueAnnouncements(%v, %d, %v)", bad.now, bad.limit, bad.lease), err, content.EINVALID)
	}
}

func testConcurrentAnnouncementClaims(t *testing.T, s content.Store) {
	city := newCity(t, s)
	claimingTest(t, s, city)
	const items, claimers, rounds, limit = 12, 3, 6, 2
	base := annEra(1)
	f := newFestival(t, s, city.ID)
	all := map[string]bool{}
	for i := range items {
		all[newAnnouncement(t, s, city.ID, f.ID, content.AnnScheduled, base.Add(time.Duration(i)*time.Second)).ID] = true
	}
	now := base.Add(time.Minute)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed = map[string]int{}
		start   = make(chan struct{})
	)
	for range claimers {
		wg.Go(func() {
			<-start
			for range rounds {
				got, err := s.ClaimDueAnnouncements(t.Context(), now, limit, time.Hour)
				if err != nil {
					t.Errorf("concurrent ClaimDueAnnouncements: %v", err)
					return
				}
				mu.Lock()
				for _, a := range got {
					claimed[a.ID]++
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	for id, n := range claimed {
		if n > 1 {
			t.Errorf("announcement %s claimed %d times", id, n)
		}
		if !all[id] {
			t.Errorf("claimed %s, which this test did not schedule", id)
		}
	}
	if len(claimed) != items {
		t.Errorf("claimed %d of %d due announcements", len(claimed), items)
	}
}

// ---- Audience ----

// audienceUser follows a fresh user (blocked if asked) with a profile (none if
// fields is nil) and a role.
func audienceUser(t *testing.T, s content.Store, role content.Role, blocked bool, fields map[string]string) string {
	t.Helper()
	ctx := t.Context()
	id := newUser(t, s)
	if role != "" {
		must(t, "SetRole", s.SetRole(ctx, id, role))
	}
	if fields != nil {
		must(t, "SaveProfile", s.SaveProfile(ctx, id, fields, at(1)))
	}
	if blocked {
		must(t, "Block", s.Block(ctx, id, at(2)))
	}
	return id
}

func stream(t *testing.T, s content.Store, a content.Audience) []content.Recipient {
	t.Helper()
	var out []content.Recipient
	must(t, "StreamAudience", s.StreamAudience(t.Context(), a, func(r content.Recipient) error {
		out = append(out, r)
		return nil
	}))
	return out
}

func recipientIDs(rs []content.Recipient) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.UserID
	}
	return ids
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func testStreamAudienceFilters(t *testing.T, s content.Store) {
	ctx := t.Context()
	p, q := newProvince(t), newProvince(t)
	youth := audienceUser(t, s, content.RoleYouth, false, map[string]string{"province": p, "district": "เมือง", "age": "17", "interests": "care,trades"})
	parent := audienceUser(t, s, content.RoleParent, false, map[string]string{"province": p, "district": "บ้านไผ่", "age": "42", "interests": "tech"})
	blocked := audienceUser(t, s, content.RoleYouth, true, map[string]string{"province": p, "district": "เมือง", "age": "16", "interests": "care"})
	noAge := audienceUser(t, s, content.RoleOther, false, map[string]string{"province": p, "age": "สิบเจ็ด", "interests": " care , arts"})
	elsewhere := audienceUser(t, s, content.RoleYouth, false, map[string]string{"province": q, "district": "เมือง", "age": "18", "interests": "care"})
	audienceUser(t, s, content.RoleYouth, false, nil) // no consent, no profile: never reached
	must(t, "SetSetting", s.SetSetting(ctx, youth, "pushes", "off"))

	for _, tt := range []struct {
		name string
		a    content.Audience
		want []string
	}{
		{"province", content.Audience{Provinces: []string{p}}, sorted(youth, parent, blocked, noAge)},
		{"two provinces", content.Audience{Provinces: []string{p, q}}, sorted(youth, parent, blocked, noAge, elsewhere)},
		{"district", content.Audience{Provinces: []string{p, q}, Districts: []string{p + "/เมือง"}}, sorted(youth, blocked)},
		{"districts", content.Audience{Provinces: []string{p, q}, Districts: []string{p + "/บ้านไผ่", q + "/เมือง"}}, sorted(parent, elsewhere)},
		{"age band", content.Audience{Provinces: []string{p}, AgeMin: 15, AgeMax: 18}, sorted(youth, blocked)},
		{"lower age bound", content.Audience{Provinces: []string{p}, AgeMin: 17}, sorted(youth, parent)},
		{"upper age bound", content.Audience{Provinces: []string{p}, AgeMax: 16}, sorted(blocked)},
		{"role", content.Audience{Provinces: []string{p, q}, Roles: []string{"youth"}}, sorted(youth, blocked, elsewhere)},
		{"roles", content.Audience{Provinces: []string{p}, Roles: []string{"parent", "other"}}, sorted(parent, noAge)},
		{"interest", content.Audience{Provinces: []string{p}, Interests: []string{"care"}}, sorted(youth, blocked, noAge)},
		{"interests", content.Audience{Provinces: []string{p}, Interests: []string{"tech", "trades"}}, sorted(youth, parent)},
		{"no one", content.Audience{Provinces: []string{p}, Interests: []string{"space"}}, nil},
		{"everything", content.Audience{Provinces: []string{p, q}, Districts: []string{p + "/เมือง", q + "/เมือง"},
			AgeMin: 17, AgeMax: 18, Roles: []string{"youth"}, Interests: []string{"care"}}, sorted(youth, elsewhere)},
	} {
		got := stream(t, s, tt.a)
		if ids := recipientIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("%s: streamed %v, want %v", tt.name, ids, tt.want)
		}
	}

	// Blocked users come flagged (to be counted as skipped); settings come along.
	for _, r := range stream(t, s, content.Audience{Provinces: []string{p}}) {
		if r.Blocked != (r.UserID == blocked) {
			t.Errorf("%s: Blocked = %v", r.UserID, r.Blocked)
		}
		switch r.UserID {
		case youth:
			assertEqual(t, "settings", r.Settings, map[string]string{"pushes": "off"})
		default:
			if len(r.Settings) != 0 {
				t.Errorf("%s: settings %v, want none", r.UserID, r.Settings)
			}
		}
	}

	err := s.StreamAudience(ctx, content.Audience{}, func(content.Recipient) error { return nil })
	assertCode(t, "StreamAudience with no provinces", err, content.EINVALID)
	err = s.StreamAudience(ctx, content.Audience{Provinces: []string{p}, Roles: []string{"teacher"}}, func(content.Recipient) error { return nil })
	assertCode(t, "StreamAudience with a bad role", err, content.EINVALID)
}

func testStreamAudienceOrderAndEarlyStop(t *testing.T, s content.Store) {
	ctx := t.Context()
	p := newProvince(t)
	const n = 1050 // more than one page of any store
	var want []string
	for range n {
		id := NewUserID(t)
		mustFollow(t, s, id, at(0))
		must(t, "SaveProfile", s.SaveProfile(ctx, id, map[string]string{"province": p}, at(1)))
		want = append(want, id)
	}
	slices.Sort(want)
	if got := recipientIDs(stream(t, s, content.Audience{Provinces: []string{p}})); !slices.Equal(got, want) {
		t.Fatalf("streamed %d users (in order: %v), want all %d in ID order", len(got), slices.IsSorted(got), n)
	}

	stop := errors.New("enough")
	var seen []string
	err := s.StreamAudience(ctx, content.Audience{Provinces: []string{p}}, func(r content.Recipient) error {
		seen = append(seen, r.UserID)
		if len(seen) == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("StreamAudience returned %v, want fn's error", err)
	}
	if !slices.Equal(seen, want[:5]) {
		t.Errorf("saw %v before stopping, want the first 5", seen)
	}
}

// ---- Broadcasts ----

// recipients returns n fresh recipient IDs (not necessarily users).
func recipients(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = NewUserID(t)
	}
	return out
}

// broadcast makes an announcement to hang chunks and taps on.
func broadcast(t *testing.T, s content.Store) content.Announcement {
	t.Helper()
	city := newCity(t, s)
	f := newFestival(t, s, city.ID)
	return newAnnouncement(t, s, city.ID, f.ID, content.AnnSending, time.Time{})
}

func testChunks(t *testing.T, s content.Store) {
	ctx := t.Context()
	a := broadcast(t, s)
	key := uuid.NewString()
	chunks := []content.Chunk{
		{AnnouncementID: a.ID, Seq: 0, Recipients: recipients(t, 500), RetryKey: key},
		{AnnouncementID: a.ID, Seq: 1, Recipients: recipients(t, 300)},
		{AnnouncementID: a.ID, Seq: 2, Recipients: recipients(t, 7), Status: "pending"},
	}
	must(t, "SaveChunks", s.SaveChunks(ctx, chunks))
	c0, err := s.Chunk(ctx, a.ID, 0)
	must(t, "Chunk", err)
	assertEqual(t, "chunk 0", c0, content.Chunk{AnnouncementID: a.ID, Seq: 0, Recipients: chunks[0].Recipients, RetryKey: key, Status: "pending"})
	c1, err := s.Chunk(ctx, a.ID, 1)
	must(t, "Chunk", err)
	if _, err := uuid.Parse(c1.RetryKey); err != nil {
		t.Errorf("retry key %q is not a UUID", c1.RetryKey)
	}

	// Saving again (a restarted resolver) changes nothing stored, and adds
	// what is new.
	again := []content.Chunk{
		{AnnouncementID: a.ID, Seq: 0, Recipients: recipients(t, 2), RetryKey: uuid.NewString()},
		{AnnouncementID: a.ID, Seq: 1, Recipients: recipients(t, 2)},
		{AnnouncementID: a.ID, Seq: 3, Recipients: recipients(t, 3)},
	}
	must(t, "SaveChunks again", s.SaveChunks(ctx, again))
	if got, _ := s.Chunk(ctx, a.ID, 0); got.RetryKey != key || !slices.Equal(got.Recipients, chunks[0].Recipients) {
		t.Errorf("chunk 0 changed by saving again: key %s, %d recipients", got.RetryKey, len(got.Recipients))
	}
	if got, _ := s.Chunk(ctx, a.ID, 1); got.RetryKey != c1.RetryKey {
		t.Errorf("chunk 1's retry key changed from %s to %s", c1.RetryKey, got.RetryKey)
	}

	// Outcomes: a failed attempt, then a retry that worked; a chunk given up on.
	must(t, "FinishChunk failed", s.FinishChunk(ctx, a.ID, 0, "failed", "429 Too Many Requests", at(10)))
	if got, _ := s.Chunk(ctx, a.ID, 0); got.Status != "failed" || got.Attempts != 1 || got.Error != "429 Too Many Requests" || !got.SentAt.IsZero() {
		t.Errorf("after a failure: %+v", got)
	}
	must(t, "FinishChunk sent", s.FinishChunk(ctx, a.ID, 0, "sent", "", at(11)))
	got, _ := s.Chunk(ctx, a.ID, 0)
	if got.Status != "sent" || got.Attempts != 2 || got.Error != "" {
		t.Errorf("after the retry: %+v", got)
	}
	assertTime(t, "SentAt", got.SentAt, stored(at(11)))
	assertUTC(t, "SentAt", got.SentAt)
	must(t, "FinishChunk sent again", s.FinishChunk(ctx, a.ID, 0, "sent", "", at(12)))
	if again, _ := s.Chunk(ctx, a.ID, 0); again.Attempts != 2 || !again.SentAt.Equal(got.SentAt) {
		t.Errorf("sending again changed the chunk: %+v", again)
	}
	assertCode(t, "FinishChunk failed after sent", s.FinishChunk(ctx, a.ID, 0, "failed", "x", at(13)), content.ECONFLICT)
	must(t, "FinishChunk failed (3)", s.FinishChunk(ctx, a.ID, 3, "failed", "400", at(12)))

	must(t, "SetSkipped", s.SetSkipped(ctx, a.ID, 9, 9, 9))
	must(t, "SetSkipped again", s.SetSkipped(ctx, a.ID, 4, 2, 1))
	st, err := s.Stats(ctx, a.ID)
	must(t, "Stats", err)
	assertEqual(t, "Stats", st, content.BroadcastStats{Targeted: 810, Sent: 500, Failed: 3, Pending: 307, SkippedBlocked: 4, SkippedOptedOut: 2, SkippedCapped: 1})

	// A fresh announcement has zero figures.
	empty := broadcast(t, s)
	if st, err := s.Stats(ctx, empty.ID); err != nil || st != (content.BroadcastStats{}) {
		t.Errorf("Stats of a fresh announcement = %+v, %v", st, err)
	}

	// Many chunks at once (more than one statement's worth).
	big := broadcast(t, s)
	var (
		many  []content.Chunk
		total int
	)
	for i := range 250 {
		many = append(many, content.Chunk{AnnouncementID: big.ID, Seq: i, Recipients: []string{"U1", "U2", "U3"}[:1+i%3]})
		total += 1 + i%3
	}
	must(t, "SaveChunks (250)", s.SaveChunks(ctx, many))
	if st, _ := s.Stats(ctx, big.ID); st.Targeted != total || st.Pending != total {
		t.Errorf("Stats after 250 chunks = %+v, want %d targeted and pending", st, total)
	}
	if c, _ := s.Chunk(ctx, big.ID, 249); !slices.Equal(c.Recipients, []string{"U1"}) {
		t.Errorf("chunk 249 = %+v", c)
	}

	unknown := uuid.NewString()
	assertCode(t, "SaveChunks of an unknown announcement", s.SaveChunks(ctx, []content.Chunk{{AnnouncementID: unknown, Recipients: []string{"U1"}}}), content.ENOTFOUND)
	_, err = s.Chunk(ctx, unknown, 0)
	assertCode(t, "Chunk(unknown)", err, content.ENOTFOUND)
	_, err = s.Chunk(ctx, a.ID, 99)
	assertCode(t, "Chunk(unknown seq)", err, content.ENOTFOUND)
	assertCode(t, "FinishChunk(unknown)", s.FinishChunk(ctx, a.ID, 99, "sent", "", at(1)), content.ENOTFOUND)
	assertCode(t, "SetSkipped(unknown)", s.SetSkipped(ctx, unknown, 1, 1, 1), content.ENOTFOUND)
	_, err = s.Stats(ctx, unknown)
	assertCode(t, "Stats(unknown)", err, content.ENOTFOUND)
	for name, bad := range map[string][]content.Chunk{
		"too many recipients": {{AnnouncementID: a.ID, Seq: 9, Recipients: recipients(t, 501)}},
		"no recipients":       {{AnnouncementID: a.ID, Seq: 9}},
		"empty recipient":     {{AnnouncementID: a.ID, Seq: 9, Recipients: []string{""}}},
		"negative seq":        {{AnnouncementID: a.ID, Seq: -1, Recipients: []string{"U1"}}},
		"sent":                {{AnnouncementID: a.ID, Seq: 9, Recipients: []string{"U1"}, Status: "sent"}},
		"retry key":           {{AnnouncementID: a.ID, Seq: 9, Recipients: []string{"U1"}, RetryKey: "k"}},
		"announcement ID":     {{AnnouncementID: "a", Seq: 9, Recipients: []string{"U1"}}},
		"twice":               {{AnnouncementID: a.ID, Seq: 9, Recipients: []string{"U1"}}, {AnnouncementID: a.ID, Seq: 9, Recipients: []string{"U2"}}},
	} {
		assertCode(t, "SaveChunks with "+name, s.SaveChunks(ctx, bad), content.EINVALID)
	}
	if _, err := s.Chunk(ctx, a.ID, 9); !content.IsNotFound(err) {
		t.Errorf("a rejected chunk was stored: %v", err)
	}
	assertCode(t, "FinishChunk(pending)", s.FinishChunk(ctx, a.ID, 1, "pending", "", at(1)), content.EINVALID)
	assertCode(t, "FinishChunk(zero time)", s.FinishChunk(ctx, a.ID, 1, "sent", "", time.Time{}), content.EINVALID)
	assertCode(t, "SetSkipped(negative)", s.SetSkipped(ctx, a.ID, -1, 0, 0), content.EINVALID)
}

func testTaps(t *testing.T, s content.Store) {
	exclusive(t) // deletes a user
	ctx := t.Context()
	a, other := broadcast(t, s), broadcast(t, s)
	u1, u2 := newUser(t, s), newUser(t, s)
	taps := []struct {
		user, button string
	}{{u1, "details"}, {u1, "details"}, {u1, "map"}, {u2, "details"}, {u2, "details"}}
	for i, tp := range taps {
		must(t, "RecordTap", s.RecordTap(ctx, a.ID, tp.user, tp.button, at(i)))
	}
	must(t, "RecordTap (other)", s.RecordTap(ctx, other.ID, u1, "details", at(1)))
	st, err := s.Stats(ctx, a.ID)
	must(t, "Stats", err)
	if st.Taps != 3 {
		t.Errorf("Taps = %d, want 3 (once per person and button)", st.Taps)
	}

	// Deleting a person deletes their taps.
	must(t, "DeleteUser", s.DeleteUser(ctx, u1, at(30)))
	if st, _ := s.Stats(ctx, a.ID); st.Taps != 1 {
		t.Errorf("Taps after deleting a tapper = %d, want 1", st.Taps)
	}
	if st, _ := s.Stats(ctx, other.ID); st.Taps != 0 {
		t.Errorf("Taps on the other announcement after deleting its tapper = %d, want 0", st.Taps)
	}
	// The same ID coming back is a new person with no taps.
	mustFollow(t, s, u1, at(31))
	if st, _ := s.Stats(ctx, a.ID); st.Taps != 1 {
		t.Errorf("Taps after the deleted user came back = %d, want 1", st.Taps)
	}

	assertCode(t, "RecordTap(unknown user)", s.RecordTap(ctx, a.ID, NewUserID(t), "details", at(1)), content.ENOTFOUND)
	assertCode(t, "RecordTap(unknown announcement)", s.RecordTap(ctx, uuid.NewString(), u2, "details", at(1)), content.ENOTFOUND)
	assertCode(t, "RecordTap(no button)", s.RecordTap(ctx, a.ID, u2, "", at(1)), content.EINVALID)
	assertCode(t, "RecordTap(no user)", s.RecordTap(ctx, a.ID, "", "details", at(1)), content.EINVALID)
	assertCode(t, "RecordTap(zero time)", s.RecordTap(ctx, a.ID, u2, "details", time.Time{}), content.EINVALID)
	assertCode(t, "RecordTap(bad announcement ID)", s.RecordTap(ctx, "a", u2, "details", at(1)), content.EINVALID)
}

func testPruneChunks(t *testing.T, s content.Store) {
	p, ok := s.(chunkPruner)
	if !ok {
		t.Fatalf("%T has no PruneChunks", s)
	}
	ctx := t.Context()
	a := broadcast(t, s)
	old := pruneBefore.Add(-30 * 24 * time.Hour)
	must(t, "SaveChunks", s.SaveChunks(ctx, []content.Chunk{
		{AnnouncementID: a.ID, Seq: 0, Recipients: recipients(t, 4)},
		{AnnouncementID: a.ID, Seq: 1, Recipients: recipients(t, 3)},
		{AnnouncementID: a.ID, Seq: 2, Recipients: recipients(t, 2)},
		{AnnouncementID: a.ID, Seq: 3, Recipients: recipients(t, 1)},
	}))
	must(t, "FinishChunk 0", s.FinishChunk(ctx, a.ID, 0, "sent", "", old))
	must(t, "FinishChunk 1", s.FinishChunk(ctx, a.ID, 1, "failed", "400", old.Add(time.Hour)))
	must(t, "FinishChunk 2", s.FinishChunk(ctx, a.ID, 2, "sent", "", pruneBefore)) // not before: kept
	before, err := s.Stats(ctx, a.ID)
	must(t, "Stats", err)

	n, err := p.PruneChunks(ctx, pruneBefore)
	must(t, "PruneChunks", err)
	if n != 2 {
		t.Errorf("PruneChunks emptied %d chunks, want 2", n)
	}
	for seq, want := range []int{0, 0, 2, 1} {
		c, err := s.Chunk(ctx, a.ID, seq)
		must(t, "Chunk", err)
		if len(c.Recipients) != want {
			t.Errorf("chunk %d has %d recipients after pruning, want %d", seq, len(c.Recipients), want)
		}
		if seq == 0 && (c.Status != "sent" || c.Attempts != 1 || !c.SentAt.Equal(stored(old))) {
			t.Errorf("pruned chunk = %+v, want its outcome kept", c)
		}
	}
	after, err := s.Stats(ctx, a.ID)
	must(t, "Stats after pruning", err)
	assertEqual(t, "Stats after pruning", after, before)
	if after.Targeted != 10 || after.Sent != 6 || after.Failed != 3 || after.Pending != 1 {
		t.Errorf("Stats = %+v", after)
	}
	if n, err := p.PruneChunks(ctx, pruneBefore); err != nil || n != 0 {
		t.Errorf("PruneChunks again = %d, %v; want 0", n, err)
	}
	if _, err := p.PruneChunks(ctx, time.Time{}); content.ErrorCode(err) != content.EINVALID {
		t.Errorf("PruneChunks(zero) = %v, want EINVALID", err)
	}
}

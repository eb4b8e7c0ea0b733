package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// ClaimDue, OpenHandoffs, CountOutcomes and Deletions look across everyone. To
// keep the suite independent of what else is in a shared store:
//
//   - outcome kinds carry a random suffix, and handoff lists are filtered to the
//     test's own users;
//   - the tests that claim messages or delete users take claimMu, so they never
//     run at the same time; each works in its own era (see era), cancels its
//     pending messages when it ends, and claims with a now long before the due
//     times used by the other tests (farFuture), which never claim.
var claimMu sync.Mutex

// exclusive makes the test the only claiming or deleting one until it ends.
func exclusive(t *testing.T) {
	t.Helper()
	claimMu.Lock()
	t.Cleanup(claimMu.Unlock)
}

// era returns the start of a claiming test's own stretch of time (a year each,
// in ICT with sub-microsecond digits).
func era(n int) time.Time {
	return time.Date(1971+n, time.January, 2, 3, 4, 5, 123456789, thaitime.Zone)
}

// farFuture is when messages scheduled by tests that never claim fall due.
var farFuture = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)

// cancelPendingAtEnd cancels the users' pending messages when the test ends, so
// no later claiming test sees them. Deleted users are skipped.
func cancelPendingAtEnd(t *testing.T, s content.Store, users ...string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, u := range users {
			if _, err := s.CancelScheduled(ctx, u, "", "test ended"); err != nil && !content.IsNotFound(err) {
				t.Errorf("cleanup: CancelScheduled(%s): %v", u, err)
			}
		}
	})
}

// newCode returns a fresh random guardian code: 8 upper-case hex digits.
func newCode(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random code: %v", err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// newKind returns an outcome or message kind unique to this test.
func newKind(t testing.TB, kind string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random kind: %v", err)
	}
	return kind + "-" + hex.EncodeToString(b)
}

func must(t *testing.T, op string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s =\n\t%+v\nwant\n\t%+v", what, got, want)
	}
}

func assertUTC(t *testing.T, field string, got time.Time) {
	t.Helper()
	if got.Location() != time.UTC {
		t.Errorf("%s is in %v, want UTC", field, got.Location())
	}
}

// newUser follows a fresh user.
func newUser(t *testing.T, s content.Store) string {
	t.Helper()
	id := NewUserID(t)
	mustFollow(t, s, id, at(0))
	return id
}

// ---- Consent ----

func testConsentHistoryLatestWins(t *testing.T, s content.Store) {
	ctx := t.Context()
	id := newUser(t, s)
	if _, err := s.Consent(ctx, id); !content.IsNotFound(err) {
		t.Fatalf("Consent before any answer: err = %v, want ENOTFOUND", err)
	}

	first := content.Consent{UserID: id, Version: "2026-01", Accepted: true, At: at(1)}
	must(t, "RecordConsent", s.RecordConsent(ctx, first))
	got, err := s.Consent(ctx, id)
	must(t, "Consent", err)
	first.At = stored(first.At)
	assertEqual(t, "Consent", got, first)
	assertUTC(t, "Consent.At", got.At)

	// A later answer wins; one recorded afterwards but given earlier does not.
	declined := content.Consent{UserID: id, Version: "2026-11", Accepted: false, At: at(3)}
	must(t, "RecordConsent (declined)", s.RecordConsent(ctx, declined))
	must(t, "RecordConsent (late, older)", s.RecordConsent(ctx, content.Consent{UserID: id, Version: "2026-11", Accepted: true, At: at(2)}))
	got, err = s.Consent(ctx, id)
	must(t, "Consent", err)
	declined.At = stored(declined.At)
	assertEqual(t, "Consent after later answers", got, declined)

	// Another person's answer is theirs alone.
	other := newUser(t, s)
	must(t, "RecordConsent (other)", s.RecordConsent(ctx, content.Consent{UserID: other, Version: "2026-11", Accepted: true, At: at(9)}))
	if got, _ := s.Consent(ctx, id); !reflect.DeepEqual(got, declined) {
		t.Errorf("Consent changed by another user's answer: %+v", got)
	}
}

// ---- Profile and settings ----

func testProfileMergeAndRemoval(t *testing.T, s content.Store) {
	ctx := t.Context()
	id := newUser(t, s)

	p, err := s.Profile(ctx, id)
	must(t, "Profile (none)", err)
	if p == nil || len(p) != 0 {
		t.Fatalf("Profile with no profile = %#v, want an empty non-nil map", p)
	}

	must(t, "SaveProfile", s.SaveProfile(ctx, id, map[string]string{"province": "น่าน", "age": "17", "school": "Sa"}, at(1)))
	must(t, "SaveProfile (merge)", s.SaveProfile(ctx, id, map[string]string{"district": "เมือง", "age": "18", "school": ""}, at(2)))
	p, err = s.Profile(ctx, id)
	must(t, "Profile", err)
	assertEqual(t, "Profile after merge", p, map[string]string{"province": "น่าน", "district": "เมือง", "age": "18"})

	// Removing a field that is not there, and a non-numeric age, are fine.
	must(t, "SaveProfile (odd values)", s.SaveProfile(ctx, id, map[string]string{"age": "สิบแปด", "missing": ""}, at(3)))
	p, err = s.Profile(ctx, id)
	must(t, "Profile", err)
	assertEqual(t, "Profile after odd values", p, map[string]string{"province": "น่าน", "district": "เมือง", "age": "สิบแปด"})

	// The returned map is the caller's.
	p["province"] = "changed"
	delete(p, "district")
	if again, _ := s.Profile(ctx, id); again["province"] != "น่าน" || again["district"] != "เมือง" {
		t.Errorf("changing a returned profile changed the store: %v", again)
	}

	// A save of removals only, for someone without a profile, leaves it empty.
	fresh := newUser(t, s)
	must(t, "SaveProfile (only removals)", s.SaveProfile(ctx, fresh, map[string]string{"age": ""}, at(1)))
	if p, err := s.Profile(ctx, fresh); err != nil || p == nil || len(p) != 0 {
		t.Errorf("Profile after removals only = %#v, %v; want an empty non-nil map", p, err)
	}
}

func testSettings(t *testing.T, s content.Store) {
	ctx := t.Context()
	id := newUser(t, s)
	before := mustUser(t, s, id)

	got, err := s.Settings(ctx, id)
	must(t, "Settings (none)", err)
	if got == nil || len(got) != 0 {
		t.Fatalf("Settings with none = %#v, want an empty non-nil map", got)
	}
	must(t, "SetSetting lang", s.SetSetting(ctx, id, "lang", "th"))
	must(t, "SetSetting push", s.SetSetting(ctx, id, "push.checkin", "on"))
	must(t, "SetSetting lang again", s.SetSetting(ctx, id, "lang", "en"))
	got, err = s.Settings(ctx, id)
	must(t, "Settings", err)
	assertEqual(t, "Settings", got, map[string]string{"lang": "en", "push.checkin": "on"})

	must(t, "SetSetting remove", s.SetSetting(ctx, id, "push.checkin", ""))
	must(t, "SetSetting remove missing", s.SetSetting(ctx, id, "never-set", ""))
	got, err = s.Settings(ctx, id)
	must(t, "Settings", err)
	assertEqual(t, "Settings after removal", got, map[string]string{"lang": "en"})

	got["lang"] = "changed"
	if again, _ := s.Settings(ctx, id); again["lang"] != "en" {
		t.Errorf("changing returned settings changed the store: %v", again)
	}

	// Settings live on the user record but change nothing else of it.
	u := mustUser(t, s, id)
	if u.Status != before.Status || u.Role != before.Role || !u.FollowedAt.Equal(before.FollowedAt) || !u.CreatedAt.Equal(before.CreatedAt) {
		t.Errorf("SetSetting changed the user: %+v, was %+v", u, before)
	}
}

// ---- Guardian ----

// guardianSetup follows a youth and a parent and gives the youth code, valid from
// at(0) for a day.
func guardianSetup(t *testing.T, s content.Store, code string) (youth, parent string) {
	t.Helper()
	youth, parent = newUser(t, s), newUser(t, s)
	must(t, "CreateGuardianCode", s.CreateGuardianCode(t.Context(), youth, code, at(0), at(0).Add(24*time.Hour)))
	return youth, parent
}

func mustGuardianOf(t *testing.T, s content.Store, youth string) content.Guardian {
	t.Helper()
	g, err := s.GuardianOf(t.Context(), youth)
	must(t, "GuardianOf", err)
	return g
}

func testGuardianHappyPath(t *testing.T, s content.Store) {
	ctx := t.Context()
	code := newCode(t)
	youth, parent := guardianSetup(t, s, code)

	pending := mustGuardianOf(t, s, youth)
	want := content.Guardian{YouthID: youth, Code: code, CreatedAt: stored(at(0)), ExpiresAt: stored(at(0).Add(24 * time.Hour))}
	assertEqual(t, "GuardianOf before confirmation", pending, want)
	if pending.Confirmed() {
		t.Error("Confirmed() = true before confirmation")
	}
	assertUTC(t, "CreatedAt", pending.CreatedAt)
	assertUTC(t, "ExpiresAt", pending.ExpiresAt)

	g, err := s.ConfirmGuardian(ctx, code, parent, at(30))
	must(t, "ConfirmGuardian", err)
	want.GuardianID, want.ConfirmedAt = parent, stored(at(30))
	assertEqual(t, "ConfirmGuardian", g, want)
	if !g.Confirmed() {
		t.Error("Confirmed() = false after confirmation")
	}
	assertUTC(t, "ConfirmedAt", g.ConfirmedAt)
	assertEqual(t, "GuardianOf after confirmation", mustGuardianOf(t, s, youth), want)

	// The parent is not anyone's youth.
	if _, err := s.GuardianOf(ctx, parent); !content.IsNotFound(err) {
		t.Errorf("GuardianOf(parent): err = %v, want ENOTFOUND", err)
	}
}

func testGuardianExpiredCode(t *testing.T, s content.Store) {
	ctx := t.Context()
	youth, parent := newUser(t, s), newUser(t, s)
	code := newCode(t)
	must(t, "CreateGuardianCode", s.CreateGuardianCode(ctx, youth, code, at(0), at(10)))

	for _, when := range []time.Time{at(10), at(11), at(0).Add(48 * time.Hour)} {
		_, err := s.ConfirmGuardian(ctx, code, parent, when)
		if !content.IsNotFound(err) {
			t.Errorf("ConfirmGuardian at %v (expiry %v): err = %v, want ENOTFOUND", when, at(10), err)
		}
	}
	if g := mustGuardianOf(t, s, youth); g.Confirmed() {
		t.Errorf("expired code got confirmed: %+v", g)
	}
	// Just before the expiry it works.
	if _, err := s.ConfirmGuardian(ctx, code, parent, at(10).Add(-time.Millisecond)); err != nil {
		t.Errorf("ConfirmGuardian just before expiry: %v", err)
	}
}

func testGuardianWrongCode(t *testing.T, s content.Store) {
	ctx := t.Context()
	code := newCode(t)
	youth, parent := guardianSetup(t, s, code)

	if _, err := s.ConfirmGuardian(ctx, newCode(t), parent, at(1)); !content.IsNotFound(err) {
		t.Errorf("ConfirmGuardian with a wrong code: err = %v, want ENOTFOUND", err)
	}
	if g := mustGuardianOf(t, s, youth); g.Confirmed() {
		t.Errorf("wrong code confirmed the youth: %+v", g)
	}
	if _, err := s.GuardianOf(ctx, newUser(t, s)); !content.IsNotFound(err) {
		t.Errorf("GuardianOf a youth without a code: err = %v, want ENOTFOUND", err)
	}
}

func testGuardianSelfConfirm(t *testing.T, s content.Store) {
	ctx := t.Context()
	code := newCode(t)
	youth, parent := guardianSetup(t, s, code)

	_, err := s.ConfirmGuardian(ctx, code, youth, at(1))
	assertCode(t, "ConfirmGuardian by the youth", err, content.EINVALID)
	if g := mustGuardianOf(t, s, youth); g.Confirmed() {
		t.Errorf("self-confirmation stored: %+v", g)
	}
	// The real parent can still confirm.
	if _, err := s.ConfirmGuardian(ctx, code, parent, at(2)); err != nil {
		t.Errorf("ConfirmGuardian by the parent after the youth tried: %v", err)
	}
}

func testGuardianSecondGuardianConflict(t *testing.T, s content.Store) {
	ctx := t.Context()
	code := newCode(t)
	youth, parent := guardianSetup(t, s, code)
	other := newUser(t, s)

	first, err := s.ConfirmGuardian(ctx, code, parent, at(1))
	must(t, "ConfirmGuardian", err)
	_, err = s.ConfirmGuardian(ctx, code, other, at(2))
	assertCode(t, "ConfirmGuardian by a second guardian", err, content.ECONFLICT)
	assertEqual(t, "GuardianOf after the second guardian", mustGuardianOf(t, s, youth), first)

	// A confirmed youth cannot get a new code.
	err = s.CreateGuardianCode(ctx, youth, newCode(t), at(3), at(3).Add(time.Hour))
	assertCode(t, "CreateGuardianCode after confirmation", err, content.ECONFLICT)
	assertEqual(t, "GuardianOf after the refused code", mustGuardianOf(t, s, youth), first)
}

func testGuardianIdempotentConfirm(t *testing.T, s content.Store) {
	ctx := t.Context()
	code := newCode(t)
	_, parent := guardianSetup(t, s, code)

	first, err := s.ConfirmGuardian(ctx, code, parent, at(1))
	must(t, "ConfirmGuardian", err)
	again, err := s.ConfirmGuardian(ctx, strings.ToLower(code), parent, at(5))
	must(t, "ConfirmGuardian again by the same guardian", err)
	assertEqual(t, "second ConfirmGuardian", again, first)
}

func testGuardianCodeReuseConflict(t *testing.T, s content.Store) {
	ctx := t.Context()
	a, b, parent := newUser(t, s), newUser(t, s), newUser(t, s)
	x, y := newCode(t), newCode(t)
	must(t, "CreateGuardianCode(a, x)", s.CreateGuardianCode(ctx, a, x, at(0), at(10)))

	err := s.CreateGuardianCode(ctx, b, strings.ToLower(x), at(1), at(20))
	assertCode(t, "CreateGuardianCode(b, a's unexpired code)", err, content.ECONFLICT)
	if _, err := s.GuardianOf(ctx, b); !content.IsNotFound(err) {
		t.Errorf("GuardianOf(b) after the refused code: err = %v, want ENOTFOUND", err)
	}

	// The same youth may be given the same code again (a new expiry).
	must(t, "CreateGuardianCode(a, x) again", s.CreateGuardianCode(ctx, a, x, at(2), at(12)))
	assertTime(t, "ExpiresAt after renewal", mustGuardianOf(t, s, a).ExpiresAt, stored(at(12)))

	// A new code replaces the old one, which stops working and is free again.
	must(t, "CreateGuardianCode(a, y)", s.CreateGuardianCode(ctx, a, y, at(3), at(13)))
	if g := mustGuardianOf(t, s, a); g.Code != y {
		t.Errorf("GuardianOf(a).Code = %q, want the new code %q", g.Code, y)
	}
	if _, err := s.ConfirmGuardian(ctx, x, parent, at(4)); !content.IsNotFound(err) {
		t.Errorf("ConfirmGuardian with a replaced code: err = %v, want ENOTFOUND", err)
	}
	must(t, "CreateGuardianCode(b, x) once a dropped it", s.CreateGuardianCode(ctx, b, x, at(4), at(20)))

	// Once expired, a code may go to someone else, and then means them.
	c := newUser(t, s)
	err = s.CreateGuardianCode(ctx, c, y, at(12), at(40))
	assertCode(t, "CreateGuardianCode(c, a's code before expiry)", err, content.ECONFLICT)
	must(t, "CreateGuardianCode(c, a's expired code)", s.CreateGuardianCode(ctx, c, y, at(13), at(40)))
	g, err := s.ConfirmGuardian(ctx, y, parent, at(14))
	must(t, "ConfirmGuardian(reused code)", err)
	if g.YouthID != c {
		t.Errorf("reused code confirmed youth %s, want %s", g.YouthID, c)
	}
	if ga := mustGuardianOf(t, s, a); ga.Confirmed() {
		t.Errorf("the expired holder got confirmed: %+v", ga)
	}
}

func testGuardianConcurrentCodes(t *testing.T, s content.Store) {
	const n = 10
	code := newCode(t)
	youths := make([]string, n)
	for i := range youths {
		youths[i] = newUser(t, s)
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		ok, clash int
		start     = make(chan struct{})
	)
	for _, y := range youths {
		wg.Go(func() {
			<-start
			err := s.CreateGuardianCode(t.Context(), y, code, at(0), at(0).Add(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			switch content.ErrorCode(err) {
			case "":
				ok++
			case content.ECONFLICT:
				clash++
			default:
				t.Errorf("concurrent CreateGuardianCode: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok != 1 || clash != n-1 {
		t.Errorf("%d youths asking for one code at once: %d got it, %d conflicts; want 1 and %d", n, ok, clash, n-1)
	}
}

func testGuardianCaseInsensitive(t *testing.T, s content.Store) {
	ctx := t.Context()
	youth, parent := newUser(t, s), newUser(t, s)
	code := newCode(t) + "ab"
	lower := strings.ToLower(code)
	must(t, "CreateGuardianCode (lower case)", s.CreateGuardianCode(ctx, youth, lower, at(0), at(30)))
	if g := mustGuardianOf(t, s, youth); g.Code != strings.ToUpper(code) {
		t.Errorf("stored code = %q, want upper case %q", g.Code, strings.ToUpper(code))
	}
	mixed := strings.ToUpper(code[:4]) + strings.ToLower(code[4:])
	g, err := s.ConfirmGuardian(ctx, mixed, parent, at(1))
	must(t, "ConfirmGuardian (mixed case)", err)
	if g.YouthID != youth || g.GuardianID != parent {
		t.Errorf("ConfirmGuardian(mixed case) = %+v, want youth %s confirmed by %s", g, youth, parent)
	}
}

// ---- Plan and outcomes ----

func testPlanReplace(t *testing.T, s content.Store) {
	ctx := t.Context()
	id := newUser(t, s)
	if _, err := s.Plan(ctx, id); !content.IsNotFound(err) {
		t.Fatalf("Plan before any: err = %v, want ENOTFOUND", err)
	}

	first := content.Plan{UserID: id, SavedAt: at(1), Steps: []content.PlanStep{
		{Kind: "course", Ref: "c-42", TitleTH: "ช่างไฟฟ้า", TitleEN: "Electrician"},
		{Kind: "action", Ref: "visit-school", TitleTH: "ไปดูโรงเรียน"},
	}}
	must(t, "SavePlan", s.SavePlan(ctx, first))
	got, err := s.Plan(ctx, id)
	must(t, "Plan", err)
	first.SavedAt = stored(first.SavedAt)
	assertEqual(t, "Plan", got, first)
	assertUTC(t, "SavedAt", got.SavedAt)

	got.Steps[0].Ref = "changed"
	if again, _ := s.Plan(ctx, id); again.Steps[0].Ref != "c-42" {
		t.Errorf("changing a returned plan changed the store: %+v", again)
	}

	second := content.Plan{UserID: id, SavedAt: at(2), Steps: []content.PlanStep{{Kind: "field", Ref: "health", TitleEN: "Health"}}}
	must(t, "SavePlan (replace)", s.SavePlan(ctx, second))
	got, err = s.Plan(ctx, id)
	must(t, "Plan", err)
	second.SavedAt = stored(second.SavedAt)
	assertEqual(t, "Plan after replace", got, second)

	must(t, "SavePlan (no steps)", s.SavePlan(ctx, content.Plan{UserID: id, SavedAt: at(3)}))
	got, err = s.Plan(ctx, id)
	must(t, "Plan", err)
	if len(got.Steps) != 0 || !got.SavedAt.Equal(stored(at(3))) {
		t.Errorf("Plan after saving no steps = %+v, want no steps saved at %v", got, stored(at(3)))
	}
}

func testOutcomesCount(t *testing.T, s content.Store) {
	ctx := t.Context()
	a, b := newUser(t, s), newUser(t, s)
	enrolled, working, never := newKind(t, "enrolled"), newKind(t, "started_work"), newKind(t, "stopped")
	for _, o := range []content.Outcome{
		{UserID: a, Kind: enrolled, At: at(1), Source: "checkin"},
		{UserID: a, Kind: working, At: at(2), Source: "checkin"},
		{UserID: b, Kind: enrolled, At: at(3)},
		{UserID: b, Kind: enrolled, At: at(4), Source: "checkin"},
	} {
		must(t, "RecordOutcome", s.RecordOutcome(ctx, o))
	}
	counts, err := s.CountOutcomes(ctx)
	must(t, "CountOutcomes", err)
	if counts == nil {
		t.Fatal("CountOutcomes returned a nil map")
	}
	if counts[enrolled] != 3 || counts[working] != 1 || counts[never] != 0 {
		t.Errorf("CountOutcomes: enrolled %d, working %d, never %d; want 3, 1, 0", counts[enrolled], counts[working], counts[never])
	}
}

// ---- Scheduling ----

// schedule stores a pending message for user and returns its ID (new, unless id
// is given).
func schedule(t *testing.T, s content.Store, user, kind string, due time.Time) string {
	t.Helper()
	id := uuid.NewString()
	must(t, "Schedule", s.Schedule(t.Context(), content.Scheduled{ID: id, UserID: user, Kind: kind, Node: "node." + kind, DueAt: due}))
	return id
}

func claim(t *testing.T, s content.Store, now time.Time, limit int, lease time.Duration) []content.Scheduled {
	t.Helper()
	got, err := s.ClaimDue(t.Context(), now, limit, lease)
	must(t, "ClaimDue", err)
	return got
}

func ids(ms []content.Scheduled) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func exportOf(t *testing.T, s content.Store, user string) content.UserData {
	t.Helper()
	d, err := s.Export(t.Context(), user)
	must(t, "Export", err)
	return d
}

// scheduledIn returns the user's message with this ID from an export.
func scheduledIn(t *testing.T, s content.Store, user, id string) content.Scheduled {
	t.Helper()
	for _, m := range exportOf(t, s, user).Scheduled {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %s missing from the export of %s", id, user)
	return content.Scheduled{}
}

func testClaimDueInOrder(t *testing.T, s content.Store) {
	exclusive(t)
	base := era(0)
	user := newUser(t, s)
	cancelPendingAtEnd(t, s, user)

	third := schedule(t, s, user, "checkin", base.Add(3*time.Minute))
	first := schedule(t, s, user, "checkin", base.Add(1*time.Minute))
	schedule(t, s, user, "checkin", base.Add(10*time.Minute)) // not due yet
	second := schedule(t, s, user, "reminder", base.Add(2*time.Minute))

	// Claimed one at a time, earliest first, never past what is due.
	var got []content.Scheduled
	for range 4 {
		got = append(got, claim(t, s, base.Add(5*time.Minute), 1, time.Hour)...)
	}
	if want := []string{first, second, third}; !slices.Equal(ids(got), want) {
		t.Fatalf("claimed %v, want %v (due order, only what is due)", ids(got), want)
	}
	m := got[0]
	if m.UserID != user || m.Kind != "checkin" || m.Node != "node.checkin" || m.Status != "pending" || m.Reason != "" || !m.SentAt.IsZero() {
		t.Errorf("claimed message = %+v", m)
	}
	assertTime(t, "DueAt", m.DueAt, stored(base.Add(time.Minute)))
	assertUTC(t, "DueAt", m.DueAt)
	if _, err := uuid.Parse(m.RetryKey); err != nil {
		t.Errorf("RetryKey %q is not a UUID: %v", m.RetryKey, err)
	}

	// An empty ID and retry key are filled in; given ones are kept.
	key := uuid.NewString()
	must(t, "Schedule (no ID)", s.Schedule(t.Context(), content.Scheduled{UserID: user, Kind: "reminder", Node: "n", DueAt: base.Add(4 * time.Minute)}))
	given := uuid.NewString()
	must(t, "Schedule (given key)", s.Schedule(t.Context(), content.Scheduled{ID: given, UserID: user, Kind: "reminder", Ref: "c:sample:c0001", DueAt: base.Add(4 * time.Minute), RetryKey: key}))
	got = claim(t, s, base.Add(5*time.Minute), 10, time.Hour)
	if len(got) != 2 {
		t.Fatalf("claimed %d new messages, want 2: %+v", len(got), got)
	}
	for _, m := range got {
		if _, err := uuid.Parse(m.ID); err != nil {
			t.Errorf("ID %q is not a UUID", m.ID)
		}
		if m.ID == given && m.RetryKey != key {
			t.Errorf("RetryKey = %q, want the given %q", m.RetryKey, key)
		}
		if m.ID == given && m.Ref != "c:sample:c0001" {
			t.Errorf("Ref = %q, want what it was scheduled with", m.Ref)
		}
		if _, err := uuid.Parse(m.RetryKey); err != nil {
			t.Errorf("RetryKey %q is not a UUID", m.RetryKey)
		}
	}
	err := s.Schedule(t.Context(), content.Scheduled{ID: given, UserID: user, Kind: "reminder", DueAt: base})
	assertCode(t, "Schedule with a used ID", err, content.ECONFLICT)
}

func testClaimLease(t *testing.T, s content.Store) {
	exclusive(t)
	base := era(1)
	user := newUser(t, s)
	cancelPendingAtEnd(t, s, user)
	id := schedule(t, s, user, "checkin", base)

	got := claim(t, s, base.Add(time.Minute), 5, 10*time.Minute)
	if !slices.Equal(ids(got), []string{id}) {
		t.Fatalf("first claim = %v, want [%s]", ids(got), id)
	}
	key := got[0].RetryKey
	for _, now := range []time.Time{base.Add(time.Minute), base.Add(5 * time.Minute), base.Add(11*time.Minute - time.Millisecond)} {
		if again := claim(t, s, now, 5, 10*time.Minute); len(again) != 0 {
			t.Errorf("claim at %v, within the lease: got %v, want nothing", now, ids(again))
		}
	}
	// The claimer died: once the lease runs out, the message is claimed again,
	// with the same retry key so LINE drops a duplicate push.
	again := claim(t, s, base.Add(11*time.Minute), 5, 10*time.Minute)
	if !slices.Equal(ids(again), []string{id}) {
		t.Fatalf("claim after the lease = %v, want [%s]", ids(again), id)
	}
	if again[0].RetryKey != key {
		t.Errorf("RetryKey changed from %s to %s between claims", key, again[0].RetryKey)
	}
}

func testFinishScheduled(t *testing.T, s content.Store) {
	exclusive(t)
	ctx := t.Context()
	base := era(2)
	user := newUser(t, s)
	cancelPendingAtEnd(t, s, user)
	sent := schedule(t, s, user, "checkin", base)
	skipped := schedule(t, s, user, "checkin", base.Add(time.Second))

	if got := claim(t, s, base.Add(time.Minute), 5, time.Minute); len(got) != 2 {
		t.Fatalf("claimed %v, want both", ids(got))
	}
	must(t, "FinishScheduled sent", s.FinishScheduled(ctx, sent, "sent", "", base.Add(time.Minute+time.Second)))
	must(t, "FinishScheduled skipped", s.FinishScheduled(ctx, skipped, "skipped", "blocked", base.Add(2*time.Minute)))
	if got := claim(t, s, base.Add(time.Hour), 5, time.Minute); len(got) != 0 {
		t.Errorf("finished messages claimed again: %v", ids(got))
	}

	m := scheduledIn(t, s, user, sent)
	if m.Status != "sent" {
		t.Errorf("Status = %q, want sent", m.Status)
	}
	assertTime(t, "SentAt", m.SentAt, stored(base.Add(time.Minute+time.Second)))
	assertUTC(t, "SentAt", m.SentAt)
	if m := scheduledIn(t, s, user, skipped); m.Status != "skipped" || m.Reason != "blocked" || !m.SentAt.IsZero() {
		t.Errorf("skipped message = %+v, want skipped for blocked, not sent", m)
	}

	// Finishing again the same way is harmless; another way is a conflict.
	must(t, "FinishScheduled sent again", s.FinishScheduled(ctx, sent, "sent", "", base.Add(time.Hour)))
	assertCode(t, "FinishScheduled sent → cancelled", s.FinishScheduled(ctx, sent, "cancelled", "x", base.Add(time.Hour)), content.ECONFLICT)
	assertCode(t, "FinishScheduled unknown", s.FinishScheduled(ctx, uuid.NewString(), "sent", "", base), content.ENOTFOUND)
	pending := schedule(t, s, user, "checkin", base)
	assertCode(t, "FinishScheduled bad status", s.FinishScheduled(ctx, pending, "pending", "", base), content.EINVALID)
	assertCode(t, "FinishScheduled not a UUID", s.FinishScheduled(ctx, "nope", "sent", "", base), content.EINVALID)
}

func testReschedule(t *testing.T, s content.Store) {
	exclusive(t)
	ctx := t.Context()
	base := era(3)
	user := newUser(t, s)
	cancelPendingAtEnd(t, s, user)
	id := schedule(t, s, user, "checkin", base)

	if got := claim(t, s, base.Add(time.Minute), 5, 10*time.Minute); !slices.Equal(ids(got), []string{id}) {
		t.Fatalf("claimed %v, want [%s]", ids(got), id)
	}
	later := base.Add(time.Hour)
	must(t, "Reschedule", s.Reschedule(ctx, id, later))
	if got := claim(t, s, base.Add(30*time.Minute), 5, 10*time.Minute); len(got) != 0 {
		t.Errorf("rescheduled message claimed before its new time: %v", ids(got))
	}
	// Released: claimable at the new time even though the old lease (to base+11m)
	// is irrelevant, and a reschedule before the old lease ends also releases.
	must(t, "Reschedule back", s.Reschedule(ctx, id, base.Add(2*time.Minute)))
	got := claim(t, s, base.Add(3*time.Minute), 5, 10*time.Minute)
	if !slices.Equal(ids(got), []string{id}) {
		t.Fatalf("claim after rescheduling = %v, want [%s]", ids(got), id)
	}
	assertTime(t, "DueAt after Reschedule", got[0].DueAt, stored(base.Add(2*time.Minute)))

	must(t, "FinishScheduled", s.FinishScheduled(ctx, id, "sent", "", base.Add(4*time.Minute)))
	assertCode(t, "Reschedule a sent message", s.Reschedule(ctx, id, later), content.ECONFLICT)
	assertCode(t, "Reschedule unknown", s.Reschedule(ctx, uuid.NewString(), later), content.ENOTFOUND)
}

func testCancelScheduled(t *testing.T, s content.Store) {
	exclusive(t)
	ctx := t.Context()
	base := era(4)
	user, other := newUser(t, s), newUser(t, s)
	cancelPendingAtEnd(t, s, user, other)
	c1 := schedule(t, s, user, "checkin", base)
	c2 := schedule(t, s, user, "checkin", base.Add(time.Second))
	r := schedule(t, s, user, "reminder", base.Add(2*time.Second))
	o := schedule(t, s, other, "checkin", base.Add(3*time.Second))
	sent := schedule(t, s, user, "checkin", base.Add(4*time.Second))
	must(t, "FinishScheduled", s.FinishScheduled(ctx, sent, "sent", "", base))

	n, err := s.CancelScheduled(ctx, user, "checkin", "stopped")
	must(t, "CancelScheduled(checkin)", err)
	if n != 2 {
		t.Errorf("CancelScheduled(checkin) = %d, want 2", n)
	}
	got := claim(t, s, base.Add(time.Minute), 10, time.Hour)
	if want := []string{r, o}; !slices.Equal(ids(got), want) {
		t.Errorf("claimed after cancelling check-ins: %v, want %v", ids(got), want)
	}

	// "" cancels every kind, held ones too.
	n, err = s.CancelScheduled(ctx, user, "", "deleted")
	must(t, "CancelScheduled(all)", err)
	if n != 1 {
		t.Errorf("CancelScheduled(all) = %d, want 1 (the held reminder)", n)
	}
	if n, _ := s.CancelScheduled(ctx, user, "", "again"); n != 0 {
		t.Errorf("CancelScheduled with nothing pending = %d, want 0", n)
	}
	for id, want := range map[string][2]string{c1: {"cancelled", "stopped"}, c2: {"cancelled", "stopped"}, r: {"cancelled", "deleted"}, sent: {"sent", ""}} {
		if m := scheduledIn(t, s, user, id); m.Status != want[0] || m.Reason != want[1] {
			t.Errorf("message %s is %q (%q), want %q (%q)", id, m.Status, m.Reason, want[0], want[1])
		}
	}
	if m := scheduledIn(t, s, other, o); m.Status != "pending" {
		t.Errorf("another user's message is %q, want pending", m.Status)
	}
	if got := claim(t, s, base.Add(2*time.Hour), 10, time.Hour); !slices.Equal(ids(got), []string{o}) {
		t.Errorf("claim after all cancelled = %v, want only the other user's [%s]", ids(got), o)
	}
}

func testConcurrentClaims(t *testing.T, s content.Store) {
	exclusive(t)
	const items, claimers, rounds, limit = 20, 2, 10, 3
	base := era(5)
	user := newUser(t, s)
	cancelPendingAtEnd(t, s, user)
	all := map[string]bool{}
	for i := range items {
		all[schedule(t, s, user, "checkin", base.Add(time.Duration(i)*time.Second))] = true
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
				got, err := s.ClaimDue(t.Context(), now, limit, time.Hour)
				if err != nil {
					t.Errorf("concurrent ClaimDue: %v", err)
					return
				}
				if len(got) > limit {
					t.Errorf("ClaimDue returned %d, limit %d", len(got), limit)
				}
				mu.Lock()
				for _, m := range got {
					claimed[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()

	for id, n := range claimed {
		if n > 1 {
			t.Errorf("message %s claimed %d times", id, n)
		}
		if !all[id] {
			t.Errorf("claimed %s, which this test did not schedule", id)
		}
	}
	// Whatever is left is still claimable, once.
	for _, m := range claim(t, s, now, items, time.Hour) {
		if claimed[m.ID]++; claimed[m.ID] > 1 {
			t.Errorf("message %s claimed again within its lease", m.ID)
		}
	}
	if len(claimed) != items {
		t.Errorf("%d of %d messages were claimed", len(claimed), items)
	}
}

// ---- Handoffs ----

func testHandoffsOrder(t *testing.T, s content.Store) {
	ctx := t.Context()
	a, b := newUser(t, s), newUser(t, s)
	request := func(user string, urgent bool, when time.Time, status string) string {
		id := uuid.NewString()
		must(t, "RequestHandoff", s.RequestHandoff(ctx, content.Handoff{ID: id, UserID: user, Reason: "asked", Urgent: urgent, At: when, Status: status}))
		return id
	}
	normalLate := request(a, false, at(4), "")
	urgentLate := request(b, true, at(3), "open")
	normalEarly := request(b, false, at(1), "")
	urgentEarly := request(a, true, at(2), "")
	request(a, true, at(0), "closed")
	must(t, "RequestHandoff (no ID)", s.RequestHandoff(ctx, content.Handoff{UserID: a, Reason: "crisis", Urgent: true, At: at(5)}))

	open, err := s.OpenHandoffs(ctx)
	must(t, "OpenHandoffs", err)
	var got []string
	var generated content.Handoff
	for _, h := range open {
		if h.UserID != a && h.UserID != b {
			continue // someone else's, in a shared store
		}
		if h.Reason == "crisis" {
			generated = h
			got = append(got, "crisis")
			continue
		}
		got = append(got, h.ID)
		if h.Status != "open" {
			t.Errorf("open handoff %s has status %q", h.ID, h.Status)
		}
		assertUTC(t, "Handoff.At", h.At)
	}
	want := []string{urgentEarly, urgentLate, "crisis", normalEarly, normalLate}
	if !slices.Equal(got, want) {
		t.Errorf("OpenHandoffs = %v,\nwant %v (urgent first, then oldest; closed left out)", got, want)
	}
	if _, err := uuid.Parse(generated.ID); err != nil || generated.Status != "open" || !generated.At.Equal(stored(at(5))) {
		t.Errorf("handoff requested without ID or status = %+v, want a UUID, open, at %v", generated, stored(at(5)))
	}
}

// ---- Messages kept for the counsellor ----

// mustKeep keeps text for the user's counsellor and returns the handoff it
// joined.
func mustKeep(t *testing.T, s content.Store, user, text string, when time.Time) string {
	t.Helper()
	id, err := s.KeepForCounsellor(t.Context(), user, text, when)
	must(t, "KeepForCounsellor", err)
	return id
}

func handoffMessages(t *testing.T, s content.Store, handoffID string) []content.HandoffMessage {
	t.Helper()
	ms, err := s.HandoffMessages(t.Context(), handoffID)
	must(t, "HandoffMessages", err)
	if ms == nil {
		t.Errorf("HandoffMessages(%s) = nil, want a non-nil slice", handoffID)
	}
	return ms
}

// texts returns the messages' texts, checking each is whole and in UTC.
func texts(t *testing.T, ms []content.HandoffMessage) []string {
	t.Helper()
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
		if _, err := uuid.Parse(m.ID); err != nil {
			t.Errorf("kept message %+v: ID is not a UUID", m)
		}
		if m.HandoffID == "" || m.UserID == "" || m.At.IsZero() {
			t.Errorf("kept message %+v has empty fields", m)
		}
		assertUTC(t, "HandoffMessage.At", m.At)
	}
	return out
}

// handoffsOf returns the user's handoffs from an export.
func handoffsOf(t *testing.T, s content.Store, user string) []content.Handoff {
	t.Helper()
	return exportOf(t, s, user).Handoffs
}

func testKeepJoinsMostRecentOpenHandoff(t *testing.T, s content.Store) {
	ctx := t.Context()
	user, other := newUser(t, s), newUser(t, s)
	crisis := uuid.NewString()
	must(t, "RequestHandoff (crisis)", s.RequestHandoff(ctx, content.Handoff{ID: crisis, UserID: user, Reason: "crisis", Urgent: true, At: at(1)}))
	asked := uuid.NewString()
	must(t, "RequestHandoff (asked)", s.RequestHandoff(ctx, content.Handoff{ID: asked, UserID: user, Reason: "asked", At: at(3)}))
	must(t, "RequestHandoff (closed, later)", s.RequestHandoff(ctx, content.Handoff{UserID: user, Reason: "asked", At: at(5), Status: "closed"}))
	must(t, "RequestHandoff (someone else's, later)", s.RequestHandoff(ctx, content.Handoff{UserID: other, Reason: "crisis", Urgent: true, At: at(6)}))

	// Kept out of time order, two at the same time; one as typed, spaces and all.
	for _, m := range []struct {
		text string
		at   time.Time
	}{
		{"  ยังอยู่ไหม\n", at(9)},
		{"ไม่ไหวแล้ว", at(7)},
		{"first at 8", at(8)},
		{"second at 8", at(8)},
	} {
		if got := mustKeep(t, s, user, m.text, m.at); got != asked {
			t.Errorf("KeepForCounsellor(%q) joined handoff %s, want the most recent open one %s (not the older crisis %s or the closed one)", m.text, got, asked, crisis)
		}
	}
	ms := handoffMessages(t, s, asked)
	assertEqual(t, "HandoffMessages texts (oldest first, equal times in the order kept)", texts(t, ms), []string{"ไม่ไหวแล้ว", "first at 8", "second at 8", "  ยังอยู่ไหม\n"})
	if len(ms) == 4 {
		want := content.HandoffMessage{ID: ms[0].ID, HandoffID: asked, UserID: user, Text: "ไม่ไหวแล้ว", At: stored(at(7)), Author: content.AuthorPerson}
		assertEqual(t, "HandoffMessages[0]", ms[0], want)
		if ms[1].ID == ms[2].ID {
			t.Errorf("two kept messages share ID %s", ms[1].ID)
		}
	}
	if ms := handoffMessages(t, s, crisis); len(ms) != 0 {
		t.Errorf("HandoffMessages of the older handoff = %+v, want none", ms)
	}
	if hs := handoffsOf(t, s, user); len(hs) != 3 {
		t.Errorf("handoffs after keeping messages = %+v, want the 3 requested (none opened)", hs)
	}

	// The returned slice is the caller's.
	if len(ms) > 0 {
		ms[0].Text = "changed"
		if again := handoffMessages(t, s, asked); again[0].Text != "ไม่ไหวแล้ว" {
			t.Errorf("changing returned messages changed the store: %+v", again[0])
		}
	}
}

func testKeepOpensMessageHandoff(t *testing.T, s content.Store) {
	ctx := t.Context()
	for _, tt := range []struct {
		name   string
		before func(user string) // what the user has before their message
	}{
		{"no handoff", func(string) {}},
		{"only a closed handoff", func(user string) {
			must(t, "RequestHandoff (closed)", s.RequestHandoff(ctx, content.Handoff{UserID: user, Reason: "crisis", Urgent: true, At: at(9), Status: "closed"}))
		}},
	} {
		user := newUser(t, s)
		tt.before(user)
		before := len(handoffsOf(t, s, user))

		first := mustKeep(t, s, user, "hello?", at(2))
		if _, err := uuid.Parse(first); err != nil {
			t.Fatalf("%s: KeepForCounsellor returned handoff ID %q, not a UUID", tt.name, first)
		}
		var opened *content.Handoff
		hs := handoffsOf(t, s, user)
		for i := range hs {
			if hs[i].ID == first {
				opened = &hs[i]
			}
		}
		want := content.Handoff{ID: first, UserID: user, Reason: "message", Urgent: false, At: stored(at(2)), Status: "open"}
		if len(hs) != before+1 || opened == nil || *opened != want {
			t.Errorf("%s: handoffs after the first message = %+v, want one more: %+v", tt.name, hs, want)
		}
		open, err := s.OpenHandoffs(ctx)
		must(t, "OpenHandoffs", err)
		if !slices.ContainsFunc(open, func(h content.Handoff) bool { return h.ID == first }) {
			t.Errorf("%s: OpenHandoffs does not list the opened handoff %s", tt.name, first)
		}

		// The next message joins it.
		if second := mustKeep(t, s, user, "anyone there?", at(3)); second != first {
			t.Errorf("%s: second message joined %s, want the handoff the first opened, %s", tt.name, second, first)
		}
		if hs := handoffsOf(t, s, user); len(hs) != before+1 {
			t.Errorf("%s: handoffs after the second message = %+v, want %d", tt.name, hs, before+1)
		}
		assertEqual(t, tt.name+": HandoffMessages", texts(t, handoffMessages(t, s, first)), []string{"hello?", "anyone there?"})
	}
}

func testKeepCutsLongText(t *testing.T, s content.Store) {
	user := newUser(t, s)
	whole := strings.Repeat("ก", content.MaxHandoffMessageLen-1) + "ข" // 5,000 characters, 15,000 bytes
	long := strings.Repeat("ค", content.MaxHandoffMessageLen) + "ง่ายๆ"
	h := mustKeep(t, s, user, whole, at(1))
	mustKeep(t, s, user, long, at(2))
	got := texts(t, handoffMessages(t, s, h))
	if len(got) != 2 {
		t.Fatalf("kept %d messages, want 2", len(got))
	}
	if got[0] != whole {
		t.Errorf("a message of exactly %d characters was changed: kept %d characters", content.MaxHandoffMessageLen, utf8.RuneCountInString(got[0]))
	}
	if want := strings.Repeat("ค", content.MaxHandoffMessageLen); got[1] != want {
		t.Errorf("a longer message kept %d characters (ends %q), want its first %d", utf8.RuneCountInString(got[1]), got[1][max(0, len(got[1])-9):], content.MaxHandoffMessageLen)
	}
}

func testKeepConcurrentOpensOneHandoff(t *testing.T, s content.Store) {
	const n = 20
	user := newUser(t, s)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		got   = map[string]int{} // handoff ID → messages that joined it
		start = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			id, err := s.KeepForCounsellor(t.Context(), user, fmt.Sprintf("message %02d", i), at(i))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("concurrent KeepForCounsellor: %v", err)
				return
			}
			got[id]++
		})
	}
	close(start)
	wg.Wait()

	if len(got) != 1 {
		t.Fatalf("%d concurrent messages joined handoffs %v, want all one handoff", n, got)
	}
	if hs := handoffsOf(t, s, user); len(hs) != 1 || hs[0].Reason != "message" {
		t.Errorf("handoffs after %d concurrent messages = %+v, want exactly one \"message\" handoff", n, hs)
	}
	for id := range got {
		var want []string
		for i := range n {
			want = append(want, fmt.Sprintf("message %02d", i)) // at(i): oldest first is the order made
		}
		assertEqual(t, "HandoffMessages after concurrent keeps", texts(t, handoffMessages(t, s, id)), want)
	}
}

// ---- Export and deletion ----

// everything gives user one of each record and returns the messages' IDs.
func everything(t *testing.T, s content.Store, user, parent string, due time.Time) (pending, cancelled string) {
	t.Helper()
	ctx := t.Context()
	must(t, "RecordConsent", s.RecordConsent(ctx, content.Consent{UserID: user, Version: "v1", Accepted: false, At: at(1)}))
	must(t, "RecordConsent", s.RecordConsent(ctx, content.Consent{UserID: user, Version: "v2", Accepted: true, At: at(2)}))
	code := newCode(t)
	must(t, "CreateGuardianCode", s.CreateGuardianCode(ctx, user, code, at(3), at(3).Add(time.Hour)))
	if _, err := s.ConfirmGuardian(ctx, code, parent, at(4)); err != nil {
		t.Fatalf("ConfirmGuardian: %v", err)
	}
	must(t, "SaveProfile", s.SaveProfile(ctx, user, map[string]string{"province": "Nan", "age": "17"}, at(5)))
	must(t, "SetSetting", s.SetSetting(ctx, user, "lang", "th"))
	must(t, "SavePlan", s.SavePlan(ctx, content.Plan{UserID: user, SavedAt: at(6), Steps: []content.PlanStep{{Kind: "course", Ref: "c1", TitleTH: "ก", TitleEN: "A"}}}))
	must(t, "RecordOutcome", s.RecordOutcome(ctx, content.Outcome{UserID: user, Kind: "enrolled", At: at(8), Source: "checkin"}))
	must(t, "RecordOutcome", s.RecordOutcome(ctx, content.Outcome{UserID: user, Kind: "earning", At: at(7), Source: "checkin"}))
	pending = schedule(t, s, user, "checkin", due.Add(time.Hour))
	cancelled = schedule(t, s, user, "reminder", due)
	if _, err := s.CancelScheduled(ctx, user, "reminder", "not needed"); err != nil {
		t.Fatalf("CancelScheduled: %v", err)
	}
	must(t, "RequestHandoff", s.RequestHandoff(ctx, content.Handoff{UserID: user, Reason: "asked", At: at(9)}))
	mustKeep(t, s, user, "ขอคุยกับพี่หน่อย", at(11))
	mustKeep(t, s, user, "still there?", at(10))
	return pending, cancelled
}

func testExport(t *testing.T, s content.Store) {
	ctx := t.Context()
	user, parent := newUser(t, s), newUser(t, s)
	pending, cancelled := everything(t, s, user, parent, farFuture)
	must(t, "RecordOutcome (parent)", s.RecordOutcome(ctx, content.Outcome{UserID: parent, Kind: "enrolled", At: at(1)}))

	d := exportOf(t, s, user)
	if u := mustUser(t, s, user); d.User != u {
		t.Errorf("Export.User = %+v, want %+v", d.User, u)
	}
	assertEqual(t, "Export.Consent", d.Consent, &content.Consent{UserID: user, Version: "v2", Accepted: true, At: stored(at(2))})
	if d.Guardian == nil || d.Guardian.YouthID != user || d.Guardian.GuardianID != parent || !d.Guardian.ConfirmedAt.Equal(stored(at(4))) {
		t.Errorf("Export.Guardian = %+v, want %s confirmed by %s", d.Guardian, user, parent)
	}
	assertEqual(t, "Export.Profile", d.Profile, map[string]string{"province": "Nan", "age": "17"})
	assertEqual(t, "Export.Plan", d.Plan, &content.Plan{UserID: user, SavedAt: stored(at(6)), Steps: []content.PlanStep{{Kind: "course", Ref: "c1", TitleTH: "ก", TitleEN: "A"}}})
	assertEqual(t, "Export.Outcomes", d.Outcomes, []content.Outcome{
		{UserID: user, Kind: "earning", At: stored(at(7)), Source: "checkin"},
		{UserID: user, Kind: "enrolled", At: stored(at(8)), Source: "checkin"},
	})
	if len(d.Scheduled) != 2 || d.Scheduled[0].ID != cancelled || d.Scheduled[1].ID != pending {
		t.Errorf("Export.Scheduled = %+v, want [%s %s] in due order", d.Scheduled, cancelled, pending)
	} else {
		if m := d.Scheduled[0]; m.Status != "cancelled" || m.Reason != "not needed" || m.Kind != "reminder" {
			t.Errorf("exported cancelled message = %+v", m)
		}
		if m := d.Scheduled[1]; m.Status != "pending" || !m.DueAt.Equal(stored(farFuture.Add(time.Hour))) || m.UserID != user {
			t.Errorf("exported pending message = %+v", m)
		}
	}
	if len(d.Handoffs) != 1 || d.Handoffs[0].UserID != user || d.Handoffs[0].Reason != "asked" || d.Handoffs[0].Status != "open" {
		t.Errorf("Export.Handoffs = %+v, want one open request", d.Handoffs)
	} else {
		h := d.Handoffs[0].ID
		assertEqual(t, "Export.HandoffMessages texts (oldest first)", texts(t, d.HandoffMessages), []string{"still there?", "ขอคุยกับพี่หน่อย"})
		for _, m := range d.HandoffMessages {
			if m.HandoffID != h || m.UserID != user {
				t.Errorf("exported message %+v, want it with handoff %s of %s", m, h, user)
			}
		}
		assertEqual(t, "Export.HandoffMessages", d.HandoffMessages, handoffMessages(t, s, h))
	}

	// The returned data is the caller's.
	d.Profile["province"] = "changed"
	d.Plan.Steps[0].Ref = "changed"
	if again := exportOf(t, s, user); again.Profile["province"] != "Nan" || again.Plan.Steps[0].Ref != "c1" {
		t.Errorf("changing an export changed the store: %+v", again)
	}

	// The parent has nothing but a user record and an outcome: the youth's
	// guardian record is the youth's.
	p := exportOf(t, s, parent)
	if p.Consent != nil || p.Guardian != nil || p.Plan != nil || len(p.Scheduled) != 0 || len(p.Handoffs) != 0 {
		t.Errorf("Export of the parent = %+v, want no consent, guardian, plan, messages or handoffs", p)
	}
	if p.Profile == nil || len(p.Profile) != 0 {
		t.Errorf("Export of the parent: Profile = %#v, want an empty non-nil map", p.Profile)
	}
	if p.HandoffMessages == nil || len(p.HandoffMessages) != 0 {
		t.Errorf("Export of the parent: HandoffMessages = %#v, want an empty non-nil slice", p.HandoffMessages)
	}
	if len(p.Outcomes) != 1 {
		t.Errorf("Export of the parent: Outcomes = %+v, want 1", p.Outcomes)
	}
}

func testDeleteUser(t *testing.T, s content.Store) {
	exclusive(t) // counts deletions exactly and claims
	ctx := t.Context()
	base := era(6)
	user, parent, keep := newUser(t, s), newUser(t, s), newUser(t, s)
	cancelPendingAtEnd(t, s, keep)
	everything(t, s, user, parent, base)
	userHandoff := exportOf(t, s, user).Handoffs[0].ID
	keptHandoff := mustKeep(t, s, keep, "someone else's", at(12))
	// One of the user's messages is held by a claimer when they delete, another
	// is pending; someone else's is pending too.
	if got := claim(t, s, base.Add(time.Hour+time.Minute), 1, time.Minute); len(got) != 1 || got[0].UserID != user {
		t.Fatalf("claimed %+v, want the user's pending check-in", got)
	}
	must(t, "Schedule", s.Schedule(ctx, content.Scheduled{UserID: user, Kind: "reminder", DueAt: base.Add(time.Minute)}))
	kept := schedule(t, s, keep, "checkin", base.Add(30*time.Minute))

	before, err := s.Deletions(ctx)
	must(t, "Deletions", err)
	must(t, "DeleteUser", s.DeleteUser(ctx, user, at(30)))
	must(t, "DeleteUser again", s.DeleteUser(ctx, user, at(31)))
	must(t, "DeleteUser(unknown)", s.DeleteUser(ctx, NewUserID(t), at(32)))
	after, err := s.Deletions(ctx)
	must(t, "Deletions", err)
	if after != before+1 {
		t.Errorf("Deletions went from %d to %d, want +1 (unknown and repeated deletes do not count)", before, after)
	}

	if _, err := s.User(ctx, user); !content.IsNotFound(err) {
		t.Errorf("User after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Export(ctx, user); !content.IsNotFound(err) {
		t.Errorf("Export after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Consent(ctx, user); !content.IsNotFound(err) {
		t.Errorf("Consent after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.GuardianOf(ctx, user); !content.IsNotFound(err) {
		t.Errorf("GuardianOf after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Plan(ctx, user); !content.IsNotFound(err) {
		t.Errorf("Plan after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Profile(ctx, user); !content.IsNotFound(err) {
		t.Errorf("Profile after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Settings(ctx, user); !content.IsNotFound(err) {
		t.Errorf("Settings after DeleteUser: err = %v, want ENOTFOUND", err)
	}
	open, err := s.OpenHandoffs(ctx)
	must(t, "OpenHandoffs", err)
	for _, h := range open {
		if h.UserID == user {
			t.Errorf("OpenHandoffs still lists the deleted user: %+v", h)
		}
	}
	if _, err := s.HandoffMessages(ctx, userHandoff); !content.IsNotFound(err) {
		t.Errorf("HandoffMessages of the deleted user's handoff: err = %v, want ENOTFOUND", err)
	}
	assertEqual(t, "someone else's kept messages", texts(t, handoffMessages(t, s, keptHandoff)), []string{"someone else's"})

	// Their messages are never claimed again, not even once the lease runs out;
	// other people's are.
	got := claim(t, s, base.Add(3*time.Hour), 10, time.Minute)
	if !slices.Equal(ids(got), []string{kept}) {
		t.Errorf("claim after DeleteUser = %+v, want only [%s] of another user", got, kept)
	}

	// A new follow starts from nothing.
	mustFollow(t, s, user, at(40))
	d := exportOf(t, s, user)
	if d.Consent != nil || d.Guardian != nil || d.Plan != nil || len(d.Profile) != 0 || len(d.Outcomes) != 0 || len(d.Scheduled) != 0 || len(d.Handoffs) != 0 || len(d.HandoffMessages) != 0 {
		t.Errorf("Export after deleting and following again = %+v, want nothing but the user", d)
	}
	if st, _ := s.Settings(ctx, user); len(st) != 0 {
		t.Errorf("Settings after deleting and following again = %v, want none", st)
	}
}

func testDeleteGuardianDropsConfirmation(t *testing.T, s content.Store) {
	exclusive(t) // counts a deletion
	ctx := t.Context()
	code := newCode(t)
	youth, parent := guardianSetup(t, s, code)
	if _, err := s.ConfirmGuardian(ctx, code, parent, at(1)); err != nil {
		t.Fatalf("ConfirmGuardian: %v", err)
	}
	must(t, "DeleteUser(parent)", s.DeleteUser(ctx, parent, at(2)))
	if _, err := s.GuardianOf(ctx, youth); !content.IsNotFound(err) {
		t.Errorf("GuardianOf after the guardian deleted their data: err = %v, want ENOTFOUND", err)
	}
	// The youth can ask someone again.
	must(t, "CreateGuardianCode after the guardian left", s.CreateGuardianCode(ctx, youth, newCode(t), at(3), at(4)))
}

// ---- Unknown users and invalid input ----

func testGuidanceUnknownUser(t *testing.T, s content.Store) {
	ctx := t.Context()
	ghost := NewUserID(t)
	notFound := func(op string, err error) {
		t.Helper()
		assertCode(t, op, err, content.ENOTFOUND)
	}
	notFound("RecordConsent", s.RecordConsent(ctx, content.Consent{UserID: ghost, Version: "v", Accepted: true, At: at(0)}))
	_, err := s.Consent(ctx, ghost)
	notFound("Consent", err)
	notFound("SaveProfile", s.SaveProfile(ctx, ghost, map[string]string{"a": "b"}, at(0)))
	_, err = s.Profile(ctx, ghost)
	notFound("Profile", err)
	notFound("SetSetting", s.SetSetting(ctx, ghost, "lang", "th"))
	_, err = s.Settings(ctx, ghost)
	notFound("Settings", err)
	notFound("CreateGuardianCode", s.CreateGuardianCode(ctx, ghost, newCode(t), at(0), at(5)))
	_, err = s.GuardianOf(ctx, ghost)
	notFound("GuardianOf", err)
	notFound("SavePlan", s.SavePlan(ctx, content.Plan{UserID: ghost, SavedAt: at(0)}))
	_, err = s.Plan(ctx, ghost)
	notFound("Plan", err)
	notFound("RecordOutcome", s.RecordOutcome(ctx, content.Outcome{UserID: ghost, Kind: "enrolled", At: at(0)}))
	notFound("Schedule", s.Schedule(ctx, content.Scheduled{UserID: ghost, Kind: "checkin", DueAt: farFuture}))
	_, err = s.CancelScheduled(ctx, ghost, "", "x")
	notFound("CancelScheduled", err)
	notFound("RequestHandoff", s.RequestHandoff(ctx, content.Handoff{UserID: ghost, Reason: "asked", At: at(0)}))
	_, err = s.KeepForCounsellor(ctx, ghost, "hello", at(0))
	notFound("KeepForCounsellor", err)
	if err != nil && strings.Contains(err.Error(), ghost) {
		t.Errorf("KeepForCounsellor's error %q names the user", err)
	}
	_, err = s.HandoffMessages(ctx, uuid.NewString())
	notFound("HandoffMessages(unknown handoff)", err)
	_, err = s.Export(ctx, ghost)
	notFound("Export", err)

	// A known code confirmed by someone who never talked to Pai Tor.
	code := newCode(t)
	youth := newUser(t, s)
	must(t, "CreateGuardianCode", s.CreateGuardianCode(ctx, youth, code, at(0), at(30)))
	_, err = s.ConfirmGuardian(ctx, code, ghost, at(1))
	notFound("ConfirmGuardian by an unknown guardian", err)
	if g := mustGuardianOf(t, s, youth); g.Confirmed() {
		t.Errorf("unknown guardian confirmed: %+v", g)
	}

	// None of it created the user.
	if _, err := s.User(ctx, ghost); !content.IsNotFound(err) {
		t.Errorf("User after refused writes: err = %v, want ENOTFOUND", err)
	}
}

func testGuidanceInvalidInput(t *testing.T, s content.Store) {
	ctx := t.Context()
	id := newUser(t, s)
	var zero time.Time
	bad := func(op string, err error) {
		t.Helper()
		assertCode(t, op, err, content.EINVALID)
	}
	bad(`RecordConsent("")`, s.RecordConsent(ctx, content.Consent{Version: "v", At: at(0)}))
	bad("RecordConsent(no version)", s.RecordConsent(ctx, content.Consent{UserID: id, At: at(0)}))
	bad("RecordConsent(zero time)", s.RecordConsent(ctx, content.Consent{UserID: id, Version: "v"}))
	_, err := s.Consent(ctx, "")
	bad(`Consent("")`, err)
	bad(`SaveProfile("")`, s.SaveProfile(ctx, "", map[string]string{"a": "b"}, at(0)))
	bad("SaveProfile(zero time)", s.SaveProfile(ctx, id, map[string]string{"a": "b"}, zero))
	bad("SaveProfile(empty key)", s.SaveProfile(ctx, id, map[string]string{"": "b"}, at(0)))
	_, err = s.Profile(ctx, "")
	bad(`Profile("")`, err)
	bad(`SetSetting("")`, s.SetSetting(ctx, "", "k", "v"))
	bad("SetSetting(empty key)", s.SetSetting(ctx, id, "", "v"))
	_, err = s.Settings(ctx, "")
	bad(`Settings("")`, err)
	bad(`CreateGuardianCode("")`, s.CreateGuardianCode(ctx, "", newCode(t), at(0), at(1)))
	bad("CreateGuardianCode(empty code)", s.CreateGuardianCode(ctx, id, "  ", at(0), at(1)))
	bad("CreateGuardianCode(expires first)", s.CreateGuardianCode(ctx, id, newCode(t), at(1), at(1)))
	bad("CreateGuardianCode(zero time)", s.CreateGuardianCode(ctx, id, newCode(t), zero, at(1)))
	_, err = s.ConfirmGuardian(ctx, "", id, at(0))
	bad(`ConfirmGuardian(code "")`, err)
	_, err = s.ConfirmGuardian(ctx, newCode(t), "", at(0))
	bad(`ConfirmGuardian(guardian "")`, err)
	_, err = s.ConfirmGuardian(ctx, newCode(t), id, zero)
	bad("ConfirmGuardian(zero time)", err)
	_, err = s.GuardianOf(ctx, "")
	bad(`GuardianOf("")`, err)
	bad(`SavePlan("")`, s.SavePlan(ctx, content.Plan{SavedAt: at(0)}))
	bad("SavePlan(zero time)", s.SavePlan(ctx, content.Plan{UserID: id}))
	_, err = s.Plan(ctx, "")
	bad(`Plan("")`, err)
	bad(`RecordOutcome("")`, s.RecordOutcome(ctx, content.Outcome{Kind: "k", At: at(0)}))
	bad("RecordOutcome(no kind)", s.RecordOutcome(ctx, content.Outcome{UserID: id, At: at(0)}))
	bad("RecordOutcome(zero time)", s.RecordOutcome(ctx, content.Outcome{UserID: id, Kind: "k"}))
	bad(`Schedule("")`, s.Schedule(ctx, content.Scheduled{Kind: "k", DueAt: farFuture}))
	bad("Schedule(no kind)", s.Schedule(ctx, content.Scheduled{UserID: id, DueAt: farFuture}))
	bad("Schedule(zero due)", s.Schedule(ctx, content.Scheduled{UserID: id, Kind: "k"}))
	bad("Schedule(bad ID)", s.Schedule(ctx, content.Scheduled{ID: "x", UserID: id, Kind: "k", DueAt: farFuture}))
	bad("Schedule(bad retry key)", s.Schedule(ctx, content.Scheduled{UserID: id, Kind: "k", DueAt: farFuture, RetryKey: "x"}))
	bad("Schedule(sent)", s.Schedule(ctx, content.Scheduled{UserID: id, Kind: "k", DueAt: farFuture, Status: "sent"}))
	_, err = s.ClaimDue(ctx, zero, 1, time.Minute)
	bad("ClaimDue(zero now)", err)
	_, err = s.ClaimDue(ctx, era(0), 0, time.Minute)
	bad("ClaimDue(limit 0)", err)
	_, err = s.ClaimDue(ctx, era(0), 1, 0)
	bad("ClaimDue(lease 0)", err)
	bad(`FinishScheduled("")`, s.FinishScheduled(ctx, "", "sent", "", at(0)))
	bad("FinishScheduled(zero time)", s.FinishScheduled(ctx, uuid.NewString(), "sent", "", zero))
	bad(`Reschedule("")`, s.Reschedule(ctx, "", at(0)))
	bad("Reschedule(zero time)", s.Reschedule(ctx, uuid.NewString(), zero))
	_, err = s.CancelScheduled(ctx, "", "", "")
	bad(`CancelScheduled("")`, err)
	bad(`RequestHandoff("")`, s.RequestHandoff(ctx, content.Handoff{At: at(0)}))
	bad("RequestHandoff(zero time)", s.RequestHandoff(ctx, content.Handoff{UserID: id}))
	bad("RequestHandoff(bad status)", s.RequestHandoff(ctx, content.Handoff{UserID: id, At: at(0), Status: "pending"}))
	for _, tt := range []struct {
		name, user, text string
		at               time.Time
		field            string // what the error must name
	}{
		{`""`, "", "hello", at(0), "user ID"},
		{"empty text", id, "", at(0), "text"},
		{"blank text", id, " \t\n\u3000", at(0), "text"},
		{"NUL", id, "a\x00b", at(0), "text"},
		{"not UTF-8", id, "a\xffb", at(0), "text"},
		{"zero time", id, "hello", zero, "time"},
	} {
		_, err := s.KeepForCounsellor(ctx, tt.user, tt.text, tt.at)
		bad("KeepForCounsellor("+tt.name+")", err)
		if err != nil && !strings.Contains(err.Error(), tt.field) {
			t.Errorf("KeepForCounsellor(%s): error %q does not name the %s", tt.name, err, tt.field)
		}
		if err != nil && tt.user != "" && strings.Contains(err.Error(), tt.user) {
			t.Errorf("KeepForCounsellor(%s): error %q names the user", tt.name, err)
		}
	}
	_, err = s.HandoffMessages(ctx, "")
	bad(`HandoffMessages("")`, err)
	_, err = s.HandoffMessages(ctx, "not-a-uuid")
	bad("HandoffMessages(not a UUID)", err)
	_, err = s.Export(ctx, "")
	bad(`Export("")`, err)
	bad(`DeleteUser("")`, s.DeleteUser(ctx, "", at(0)))
	bad("DeleteUser(zero time)", s.DeleteUser(ctx, id, zero))

	// Nothing was stored.
	d := exportOf(t, s, id)
	if d.Consent != nil || d.Guardian != nil || d.Plan != nil || len(d.Profile) != 0 || len(d.Outcomes) != 0 || len(d.Scheduled) != 0 || len(d.Handoffs) != 0 || len(d.HandoffMessages) != 0 {
		t.Errorf("Export after rejected writes = %+v, want nothing (no handoff opened either)", d)
	}
	if st, _ := s.Settings(ctx, id); len(st) != 0 {
		t.Errorf("Settings after rejected writes = %v, want none", st)
	}
}

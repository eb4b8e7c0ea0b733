package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// Organisations and counsellors are made by each test for itself, and tickets
// belong to each test's own users, so the org-scoped calls see only the
// test's own. The calls that look across everyone are handled like ClaimDue:
//
//   - DueEscalations: only testDueEscalations has tickets opened, routed or
//     escalated before 1950 (ticketEra(0)); every other ticket is of 2025
//     (at) or its own era, and the test asks with a before inside its era;
//   - PurgeHandoffMessages: only testPurgeHandoffMessages closes tickets with
//     messages before 1950 (ticketEra(1)), and purges with a time inside its
//     era (testDueEscalations closes one without messages in its own);
//   - DeleteUser counts deletions, so the test that deletes takes claimMu.

// ticketEra returns the start of a ticket test's own stretch of time, long
// before every other test's tickets.
func ticketEra(n int) time.Time {
	return time.Date(1900+n, time.February, 3, 4, 5, 6, 123456789, thaitime.Zone)
}

// newOrg creates an organisation of kind (national when ""), named with a
// random suffix.
func newOrg(t *testing.T, s content.Store, kind string) content.Organisation {
	t.Helper()
	o := content.Organisation{Name: "ศูนย์ให้คำปรึกษา " + randomHex(t, 4), Kind: kind}
	if kind == "" {
		o.Kind = content.OrgNational
	}
	if o.Kind == content.OrgCity {
		o.CityID = newCity(t, s).ID
	}
	o, err := s.CreateOrganisation(t.Context(), o)
	must(t, "CreateOrganisation", err)
	return o
}

// newCounsellor creates a counsellor of an organisation covering TH-40, then
// changed by edit (when not nil).
func newCounsellor(t *testing.T, s content.Store, orgID string, edit func(*content.Counsellor)) content.Counsellor {
	t.Helper()
	c := content.Counsellor{OrgID: orgID, Name: "พี่ " + randomHex(t, 3), Role: content.CounsellorRole,
		Provinces: []string{"TH-40"}, Hours: content.DefaultOfficeHours}
	if edit != nil {
		edit(&c)
	}
	c, err := s.CreateCounsellor(t.Context(), c)
	must(t, "CreateCounsellor", err)
	return c
}

// newTicket opens a ticket for a new user at when and returns its ID and the
// user.
func newTicket(t *testing.T, s content.Store, urgent bool, when time.Time) (id, user string) {
	t.Helper()
	user = newUser(t, s)
	id = uuid.NewString()
	must(t, "RequestHandoff", s.RequestHandoff(t.Context(), content.Handoff{ID: id, UserID: user, Reason: "asked", Urgent: urgent, At: when}))
	return id, user
}

// routedTicket opens a ticket for a new user at when and routes it to org at
// the same time (national level).
func routedTicket(t *testing.T, s content.Store, orgID string, urgent bool, when time.Time) (id, user string) {
	t.Helper()
	id, user = newTicket(t, s, urgent, when)
	route(t, s, id, orgID, when)
	return id, user
}

func route(t *testing.T, s content.Store, id, orgID string, when time.Time) {
	t.Helper()
	must(t, "RouteHandoff", s.RouteHandoff(t.Context(), id, content.Route{OrgID: orgID, Level: "national"}, when))
}

func mustHandoff(t *testing.T, s content.Store, id string) content.Handoff {
	t.Helper()
	h, err := s.Handoff(t.Context(), id)
	must(t, "Handoff", err)
	assertHandoffUTC(t, h)
	return h
}

// assertHandoffUTC checks that every time of a ticket comes back in UTC.
func assertHandoffUTC(t *testing.T, h content.Handoff) {
	t.Helper()
	assertUTC(t, "Handoff.At", h.At)
	for name, tm := range map[string]time.Time{"EscalatedAt": h.EscalatedAt, "FirstReplyAt": h.FirstReplyAt, "ClosedAt": h.ClosedAt} {
		if !tm.IsZero() {
			assertUTC(t, "Handoff."+name, tm)
		}
	}
}

// reply is a counsellor's reply with a fresh ID.
func reply(ticketID, counsellorID, text string, when time.Time) content.HandoffMessage {
	return content.HandoffMessage{ID: uuid.NewString(), HandoffID: ticketID, Author: content.AuthorCounsellor,
		CounsellorID: counsellorID, Text: text, At: when}
}

func mustReply(t *testing.T, s content.Store, orgID string, m content.HandoffMessage) content.HandoffMessage {
	t.Helper()
	stored, created, err := s.AddReply(t.Context(), orgID, m)
	must(t, "AddReply", err)
	if !created {
		t.Errorf("AddReply(%s) with a new ID: created = false", m.ID)
	}
	assertUTC(t, "HandoffMessage.At", stored.At)
	return stored
}

func handoffIDs(hs []content.Handoff) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// ---- Organisations ----

func testOrganisations(t *testing.T, s content.Store) {
	ctx := t.Context()
	prefix := randomHex(t, 4)
	b, err := s.CreateOrganisation(ctx, content.Organisation{Name: prefix + " สพจ. ขอนแก่น", Kind: content.OrgDCY})
	must(t, "CreateOrganisation", err)
	if _, err := uuid.Parse(b.ID); err != nil || b.CreatedAt.IsZero() {
		t.Errorf("created organisation %+v: want a UUID and a creation time", b)
	}
	assertUTC(t, "Organisation.CreatedAt", b.CreatedAt)
	got, err := s.Organisation(ctx, b.ID)
	must(t, "Organisation", err)
	assertEqual(t, "Organisation", got, b)

	// A given ID and time are kept; the ID cannot be used twice.
	city := newCity(t, s)
	id := strings.ToUpper(uuid.NewString())
	a, err := s.CreateOrganisation(ctx, content.Organisation{ID: id, Name: prefix + " เทศบาล", Kind: content.OrgCity, CityID: city.ID, CreatedAt: at(3)})
	must(t, "CreateOrganisation (city, given ID)", err)
	want := content.Organisation{ID: strings.ToLower(id), Name: prefix + " เทศบาล", Kind: content.OrgCity, CityID: city.ID, CreatedAt: stored(at(3))}
	assertEqual(t, "created city organisation", a, want)
	_, err = s.CreateOrganisation(ctx, content.Organisation{ID: id, Name: "again", Kind: content.OrgNGO})
	assertCode(t, "CreateOrganisation with a used ID", err, content.ECONFLICT)
	for _, kind := range []string{content.OrgSchool, content.OrgNGO, content.OrgNational} {
		o, err := s.CreateOrganisation(ctx, content.Organisation{Name: prefix + " " + kind, Kind: kind})
		must(t, "CreateOrganisation("+kind+")", err)
		if o.Kind != kind || o.CityID != "" {
			t.Errorf("created %s organisation = %+v", kind, o)
		}
	}
	long := strings.Repeat("ก", content.MaxNameLen)
	_, err = s.CreateOrganisation(ctx, content.Organisation{Name: long, Kind: content.OrgNGO})
	must(t, "CreateOrganisation (a name of exactly the limit)", err)

	// Listed by name (byte order).
	all, err := s.Organisations(ctx)
	must(t, "Organisations", err)
	var mine []string
	for _, o := range all {
		if strings.HasPrefix(o.Name, prefix) {
			mine = append(mine, o.Name)
			assertUTC(t, "Organisations CreatedAt", o.CreatedAt)
		}
	}
	assertEqual(t, "Organisations (ours, by name in byte order)", mine,
		[]string{prefix + " national", prefix + " ngo", prefix + " school", prefix + " สพจ. ขอนแก่น", prefix + " เทศบาล"})

	_, err = s.Organisation(ctx, uuid.NewString())
	assertCode(t, "Organisation(unknown)", err, content.ENOTFOUND)
	_, err = s.Organisation(ctx, "nope")
	assertCode(t, "Organisation(not a UUID)", err, content.EINVALID)
	for name, bad := range map[string]content.Organisation{
		"no name":            {Kind: content.OrgNGO},
		"blank name":         {Name: " \t", Kind: content.OrgNGO},
		"long name":          {Name: long + "ข", Kind: content.OrgNGO},
		"NUL in name":        {Name: "a\x00b", Kind: content.OrgNGO},
		"name not UTF-8":     {Name: "a\xffb", Kind: content.OrgNGO},
		"no kind":            {Name: "x"},
		"unknown kind":       {Name: "x", Kind: "temple"},
		"city without city":  {Name: "x", Kind: content.OrgCity},
		"school with a city": {Name: "x", Kind: content.OrgSchool, CityID: city.ID},
		"unknown city":       {Name: "x", Kind: content.OrgCity, CityID: uuid.NewString()},
		"city not a UUID":    {Name: "x", Kind: content.OrgCity, CityID: "nope"},
		"ID not a UUID":      {ID: "nope", Name: "x", Kind: content.OrgNGO},
	} {
		_, err := s.CreateOrganisation(ctx, bad)
		assertCode(t, "CreateOrganisation("+name+")", err, content.EINVALID)
	}
}

// ---- Counsellors ----

func testCounsellors(t *testing.T, s content.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, content.OrgDCY), newOrg(t, s, "")
	line, hash := NewUserID(t), newHash(t)
	in := content.Counsellor{
		OrgID:      org.ID,
		Name:       "สมหญิง ใจดี",
		Role:       content.SupervisorRole,
		Provinces:  []string{"TH-40", "TH-44", "TH-40"},
		Districts:  []string{"TH-40/เมืองขอนแก่น", "TH-40/เมืองขอนแก่น"},
		Hours:      content.OfficeHours{{Day: time.Monday, From: "08:30", To: "12:00"}, {Day: time.Saturday, From: "09:00", To: "10:00"}},
		LineUserID: line,
		TokenHash:  hash,
	}
	c, err := s.CreateCounsellor(ctx, in)
	must(t, "CreateCounsellor", err)
	if _, err := uuid.Parse(c.ID); err != nil || c.CreatedAt.IsZero() {
		t.Errorf("created counsellor %+v: want a UUID and a creation time", c)
	}
	assertUTC(t, "Counsellor.CreatedAt", c.CreatedAt)
	want := in
	want.ID, want.CreatedAt = c.ID, c.CreatedAt
	want.Provinces, want.Districts = []string{"TH-40", "TH-44"}, []string{"TH-40/เมืองขอนแก่น"}
	assertEqual(t, "created counsellor", c, want)
	if !c.Active() {
		t.Error("a new counsellor is not active")
	}
	for name, find := range map[string]func() (content.Counsellor, error){
		"Counsellor":            func() (content.Counsellor, error) { return s.Counsellor(ctx, c.ID) },
		"CounsellorByTokenHash": func() (content.Counsellor, error) { return s.CounsellorByTokenHash(ctx, hash) },
		"CounsellorByLine":      func() (content.Counsellor, error) { return s.CounsellorByLine(ctx, line) },
	} {
		got, err := find()
		must(t, name, err)
		assertEqual(t, name, got, want)
	}

	// A national counsellor with a given ID and times, disabled; no hours.
	id := uuid.NewString()
	n, err := s.CreateCounsellor(ctx, content.Counsellor{ID: id, OrgID: org.ID, Name: "กมล", Role: content.CounsellorRole,
		National: true, CreatedAt: at(1), DisabledAt: at(2)})
	must(t, "CreateCounsellor (national, disabled)", err)
	assertEqual(t, "national counsellor", n, content.Counsellor{ID: id, OrgID: org.ID, Name: "กมล", Role: content.CounsellorRole,
		National: true, CreatedAt: stored(at(1)), DisabledAt: stored(at(2))})
	assertUTC(t, "Counsellor.DisabledAt", n.DisabledAt)
	if n.Active() {
		t.Error("a disabled counsellor is active")
	}
	_, err = s.CreateCounsellor(ctx, content.Counsellor{ID: id, OrgID: org.ID, Name: "x", Role: content.CounsellorRole})
	assertCode(t, "CreateCounsellor with a used ID", err, content.ECONFLICT)
	elsewhere := newCounsellor(t, s, other.ID, nil)

	// Listed by name, the organisation's only, disabled ones too.
	list, err := s.Counsellors(ctx, org.ID)
	must(t, "Counsellors", err)
	if got := counsellorNames(list); !slices.Equal(got, []string{"กมล", "สมหญิง ใจดี"}) {
		t.Errorf("Counsellors(org) = %v, want [กมล สมหญิง ใจดี] (by name)", got)
	}
	everyone, err := s.Counsellors(ctx, "")
	must(t, "Counsellors(\"\")", err)
	var ours []string
	for _, x := range everyone {
		if x.ID == c.ID || x.ID == n.ID || x.ID == elsewhere.ID {
			ours = append(ours, x.ID)
		}
	}
	if len(ours) != 3 {
		t.Errorf("Counsellors(\"\") lists %d of our 3 counsellors of two organisations", len(ours))
	}
	if list, err := s.Counsellors(ctx, newOrg(t, s, "").ID); err != nil || list == nil || len(list) != 0 {
		t.Errorf("Counsellors(an organisation with none) = %#v, %v; want an empty list", list, err)
	}
	_, err = s.Counsellors(ctx, uuid.NewString())
	assertCode(t, "Counsellors(unknown organisation)", err, content.ENOTFOUND)
	_, err = s.Counsellors(ctx, "nope")
	assertCode(t, "Counsellors(not a UUID)", err, content.EINVALID)

	// Copies: changing what came back changes nothing stored.
	got, err := s.Counsellor(ctx, c.ID)
	must(t, "Counsellor", err)
	got.Provinces[0], got.Hours[0].From = "TH-99", "00:00"
	if again, _ := s.Counsellor(ctx, c.ID); again.Provinces[0] != "TH-40" || again.Hours[0].From != "08:30" {
		t.Error("changing a returned counsellor changed the stored one")
	}

	// Update replaces everything but the organisation and creation time.
	upd := content.Counsellor{ID: c.ID, Name: "สมหญิง", Role: content.CounsellorRole, Provinces: []string{"TH-44"},
		Hours: content.DefaultOfficeHours, DisabledAt: at(9)}
	must(t, "UpdateCounsellor", s.UpdateCounsellor(ctx, upd))
	wantUpd := upd
	wantUpd.OrgID, wantUpd.CreatedAt, wantUpd.DisabledAt = org.ID, c.CreatedAt, stored(at(9))
	got, err = s.Counsellor(ctx, c.ID)
	must(t, "Counsellor after update", err)
	assertEqual(t, "updated counsellor", got, wantUpd)
	if _, err := s.CounsellorByLine(ctx, line); !content.IsNotFound(err) {
		t.Errorf("CounsellorByLine after unlinking: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.CounsellorByTokenHash(ctx, hash); !content.IsNotFound(err) {
		t.Errorf("CounsellorByTokenHash after removing the token: err = %v, want ENOTFOUND", err)
	}
	upd.OrgID = org.ID // naming their own organisation is fine
	must(t, "UpdateCounsellor (own organisation)", s.UpdateCounsellor(ctx, upd))
	upd.OrgID = other.ID
	assertCode(t, "UpdateCounsellor (another organisation)", s.UpdateCounsellor(ctx, upd), content.ENOTFOUND)
	if got, _ := s.Counsellor(ctx, c.ID); got.OrgID != org.ID {
		t.Errorf("counsellor moved to organisation %s", got.OrgID)
	}
	assertCode(t, "UpdateCounsellor(unknown)", s.UpdateCounsellor(ctx, content.Counsellor{ID: uuid.NewString(), Name: "x", Role: content.CounsellorRole}), content.ENOTFOUND)
	assertCode(t, "UpdateCounsellor(no ID)", s.UpdateCounsellor(ctx, content.Counsellor{Name: "x", Role: content.CounsellorRole}), content.EINVALID)
	assertCode(t, "UpdateCounsellor(bad role)", s.UpdateCounsellor(ctx, content.Counsellor{ID: c.ID, Name: "x", Role: "boss"}), content.EINVALID)

	_, err = s.Counsellor(ctx, uuid.NewString())
	assertCode(t, "Counsellor(unknown)", err, content.ENOTFOUND)
	_, err = s.Counsellor(ctx, "nope")
	assertCode(t, "Counsellor(not a UUID)", err, content.EINVALID)
	_, err = s.CounsellorByTokenHash(ctx, newHash(t))
	assertCode(t, "CounsellorByTokenHash(unknown)", err, content.ENOTFOUND)
	_, err = s.CounsellorByTokenHash(ctx, "")
	assertCode(t, "CounsellorByTokenHash(\"\")", err, content.EINVALID)
	_, err = s.CounsellorByLine(ctx, NewUserID(t))
	assertCode(t, "CounsellorByLine(unknown)", err, content.ENOTFOUND)
	_, err = s.CounsellorByLine(ctx, "")
	assertCode(t, "CounsellorByLine(\"\")", err, content.EINVALID)

	ok := content.Counsellor{OrgID: org.ID, Name: "x", Role: content.CounsellorRole}
	with := func(edit func(*content.Counsellor)) content.Counsellor {
		c := ok
		edit(&c)
		return c
	}
	for name, bad := range map[string]content.Counsellor{
		"unknown organisation":         with(func(c *content.Counsellor) { c.OrgID = uuid.NewString() }),
		"no organisation":              with(func(c *content.Counsellor) { c.OrgID = "" }),
		"organisation not a UUID":      with(func(c *content.Counsellor) { c.OrgID = "nope" }),
		"ID not a UUID":                with(func(c *content.Counsellor) { c.ID = "nope" }),
		"no name":                      with(func(c *content.Counsellor) { c.Name = "" }),
		"long name":                    with(func(c *content.Counsellor) { c.Name = strings.Repeat("ก", content.MaxNameLen+1) }),
		"NUL in name":                  with(func(c *content.Counsellor) { c.Name = "a\x00" }),
		"no role":                      with(func(c *content.Counsellor) { c.Role = "" }),
		"unknown role":                 with(func(c *content.Counsellor) { c.Role = "admin" }),
		"province not a code":          with(func(c *content.Counsellor) { c.Provinces = []string{"ขอนแก่น"} }),
		"province that does not exist": with(func(c *content.Counsellor) { c.Provinces = []string{"TH-99"} }),
		"province in lower case":       with(func(c *content.Counsellor) { c.Provinces = []string{"th-40"} }),
		"district of another province": with(func(c *content.Counsellor) {
			c.Provinces, c.Districts = []string{"TH-40"}, []string{"TH-44/เมืองมหาสารคาม"}
		}),
		"district without provinces": with(func(c *content.Counsellor) { c.Districts = []string{"TH-40/เมืองขอนแก่น"} }),
		"district without a name":    with(func(c *content.Counsellor) { c.Provinces, c.Districts = []string{"TH-40"}, []string{"TH-40/"} }),
		"district without province": with(func(c *content.Counsellor) {
			c.Provinces, c.Districts = []string{"TH-40"}, []string{"เมืองขอนแก่น"}
		}),
		"national with provinces": with(func(c *content.Counsellor) { c.National, c.Provinces = true, []string{"TH-40"} }),
		"national with districts": with(func(c *content.Counsellor) {
			c.National, c.Districts = true, []string{"TH-40/เมืองขอนแก่น"}
		}),
		"hours ending before start": with(func(c *content.Counsellor) {
			c.Hours = content.OfficeHours{{Day: time.Monday, From: "16:00", To: "08:00"}}
		}),
		"hours not HH:MM":       with(func(c *content.Counsellor) { c.Hours = content.OfficeHours{{Day: time.Monday, From: "8", To: "9"}} }),
		"hours on no day":       with(func(c *content.Counsellor) { c.Hours = content.OfficeHours{{Day: 7, From: "08:00", To: "09:00"}} }),
		"token hash not hex":    with(func(c *content.Counsellor) { c.TokenHash = "secret" }),
		"token hash upper case": with(func(c *content.Counsellor) { c.TokenHash = strings.ToUpper(newHash(t)) }),
		"LINE ID with a space":  with(func(c *content.Counsellor) { c.LineUserID = "U 1" }),
	} {
		_, err := s.CreateCounsellor(ctx, bad)
		assertCode(t, "CreateCounsellor("+name+")", err, content.EINVALID)
		if bad.OrgID == org.ID && bad.ID == "" {
			bad.ID = c.ID
			assertCode(t, "UpdateCounsellor("+name+")", s.UpdateCounsellor(ctx, bad), content.EINVALID)
		}
	}
	if got, _ := s.Counsellor(ctx, c.ID); got.Name != "สมหญิง" {
		t.Errorf("refused updates changed the counsellor: %+v", got)
	}
}

// counsellorNames returns the counsellors' names.
func counsellorNames(cs []content.Counsellor) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func testCounsellorUniqueLinks(t *testing.T, s content.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, ""), newOrg(t, s, "")
	line, hash := NewUserID(t), newHash(t)
	a := newCounsellor(t, s, org.ID, func(c *content.Counsellor) { c.LineUserID, c.TokenHash = line, hash })

	// Neither the LINE account nor the token can be another's, whatever the
	// organisation.
	_, err := s.CreateCounsellor(ctx, content.Counsellor{OrgID: other.ID, Name: "b", Role: content.CounsellorRole, LineUserID: line})
	assertCode(t, "CreateCounsellor with a linked LINE account", err, content.ECONFLICT)
	_, err = s.CreateCounsellor(ctx, content.Counsellor{OrgID: org.ID, Name: "b", Role: content.CounsellorRole, TokenHash: hash})
	assertCode(t, "CreateCounsellor with another's token", err, content.ECONFLICT)
	if err != nil && strings.Contains(err.Error(), line) {
		t.Errorf("error %q names the LINE user ID", err)
	}
	b := newCounsellor(t, s, org.ID, nil)
	b.LineUserID = line
	assertCode(t, "UpdateCounsellor taking a linked LINE account", s.UpdateCounsellor(ctx, b), content.ECONFLICT)
	b.LineUserID, b.TokenHash = "", hash
	assertCode(t, "UpdateCounsellor taking another's token", s.UpdateCounsellor(ctx, b), content.ECONFLICT)

	// Keeping one's own is fine; once given up, another may take it.
	a.Name = "a renamed"
	must(t, "UpdateCounsellor keeping its own links", s.UpdateCounsellor(ctx, a))
	a.LineUserID, a.TokenHash = "", ""
	must(t, "UpdateCounsellor giving up its links", s.UpdateCounsellor(ctx, a))
	b.LineUserID, b.TokenHash = line, hash
	must(t, "UpdateCounsellor taking free links", s.UpdateCounsellor(ctx, b))
	got, err := s.CounsellorByLine(ctx, line)
	must(t, "CounsellorByLine", err)
	if got.ID != b.ID {
		t.Errorf("CounsellorByLine = %s, want %s", got.ID, b.ID)
	}
	got, err = s.CounsellorByTokenHash(ctx, hash)
	must(t, "CounsellorByTokenHash", err)
	if got.ID != b.ID {
		t.Errorf("CounsellorByTokenHash = %s, want %s", got.ID, b.ID)
	}
}

// ---- Routing and escalation ----

func testTicketRouting(t *testing.T, s content.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, content.OrgDCY), newOrg(t, s, "")
	id, user := newTicket(t, s, true, at(1))

	h := mustHandoff(t, s, id)
	assertEqual(t, "ticket before routing", h, content.Handoff{ID: id, UserID: user, Reason: "asked", Urgent: true, At: stored(at(1)), Status: "open"})
	_, err := s.Ticket(ctx, org.ID, id)
	assertCode(t, "Ticket before routing", err, content.ENOTFOUND)
	open, err := s.OpenHandoffOf(ctx, user)
	must(t, "OpenHandoffOf", err)
	assertEqual(t, "OpenHandoffOf", open, h)

	r := content.Route{OrgID: org.ID, Level: "district", Province: "TH-40", District: "TH-40/เมืองขอนแก่น"}
	must(t, "RouteHandoff", s.RouteHandoff(ctx, id, r, at(2)))
	want := h
	want.OrgID, want.Level, want.Province, want.District, want.EscalatedAt = org.ID, "district", "TH-40", "TH-40/เมืองขอนแก่น", stored(at(2))
	assertEqual(t, "Handoff after routing", mustHandoff(t, s, id), want)
	got, err := s.Ticket(ctx, org.ID, id)
	must(t, "Ticket", err)
	assertEqual(t, "Ticket after routing", got, want)
	assertHandoffUTC(t, got)

	// Assigned, then routed again within the organisation: the assignee
	// stays, the escalation starts again.
	c := newCounsellor(t, s, org.ID, nil)
	must(t, "AssignHandoff", s.AssignHandoff(ctx, org.ID, id, c.ID, at(3)))
	must(t, "EscalateHandoff", s.EscalateHandoff(ctx, id, content.EscalationArea, at(4)))
	must(t, "RouteHandoff (province)", s.RouteHandoff(ctx, id, content.Route{OrgID: org.ID, Level: "province", Province: "TH-40"}, at(5)))
	want.AssigneeID, want.Level, want.District, want.EscalatedAt = c.ID, "province", "", stored(at(5))
	assertEqual(t, "Handoff after routing again", mustHandoff(t, s, id), want)

	// To another organisation: the assignee (not one of its counsellors) goes.
	must(t, "RouteHandoff (national)", s.RouteHandoff(ctx, id, content.Route{OrgID: other.ID, Level: "national"}, at(6)))
	want.OrgID, want.AssigneeID, want.Level, want.Province, want.EscalatedAt = other.ID, "", "national", "", stored(at(6))
	assertEqual(t, "Handoff after routing elsewhere", mustHandoff(t, s, id), want)
	_, err = s.Ticket(ctx, org.ID, id)
	assertCode(t, "Ticket of the organisation it left", err, content.ENOTFOUND)

	// A ticket KeepForCounsellor opened routes too; OpenHandoffOf finds it.
	kept := mustKeep(t, s, user, "ยังอยู่ไหม", at(7))
	if kept != id {
		t.Errorf("KeepForCounsellor joined %s, want the open ticket %s", kept, id)
	}
	other2 := newUser(t, s)
	opened := mustKeep(t, s, other2, "ช่วยด้วย", at(8))
	must(t, "RouteHandoff (a message's ticket)", s.RouteHandoff(ctx, opened, content.Route{OrgID: org.ID, Level: "national", Province: "TH-44"}, at(9)))
	if h, err := s.OpenHandoffOf(ctx, other2); err != nil || h.ID != opened || h.OrgID != org.ID || h.Reason != "message" {
		t.Errorf("OpenHandoffOf(a message's ticket) = %+v, %v", h, err)
	}

	// Errors.
	for name, bad := range map[string]content.Route{
		"no organisation":            {Level: "national"},
		"organisation not a UUID":    {OrgID: "nope", Level: "national"},
		"unknown organisation":       {OrgID: uuid.NewString(), Level: "national"},
		"no level":                   {OrgID: org.ID},
		"unknown level":              {OrgID: org.ID, Level: "region"},
		"province not a code":        {OrgID: org.ID, Level: "province", Province: "ขอนแก่น"},
		"province route, no area":    {OrgID: org.ID, Level: "province"},
		"district route, no area":    {OrgID: org.ID, Level: "district", Province: "TH-40"},
		"district of another":        {OrgID: org.ID, Level: "district", Province: "TH-40", District: "TH-44/เมืองมหาสารคาม"},
		"district without province":  {OrgID: org.ID, Level: "district", District: "TH-40/เมืองขอนแก่น"},
		"district not PROVINCE/NAME": {OrgID: org.ID, Level: "district", Province: "TH-40", District: "เมืองขอนแก่น"},
	} {
		assertCode(t, "RouteHandoff("+name+")", s.RouteHandoff(ctx, id, bad, at(10)), content.EINVALID)
	}
	assertCode(t, "RouteHandoff(zero time)", s.RouteHandoff(ctx, id, r, time.Time{}), content.EINVALID)
	assertCode(t, "RouteHandoff(ticket not a UUID)", s.RouteHandoff(ctx, "nope", r, at(10)), content.EINVALID)
	assertCode(t, "RouteHandoff(unknown ticket)", s.RouteHandoff(ctx, uuid.NewString(), r, at(10)), content.ENOTFOUND)
	assertEqual(t, "Handoff after refused routings", mustHandoff(t, s, id), want)
	must(t, "CloseHandoff", s.CloseHandoff(ctx, other.ID, id, "", at(11)))
	assertCode(t, "RouteHandoff(closed)", s.RouteHandoff(ctx, id, r, at(12)), content.ECONFLICT)

	_, err = s.Handoff(ctx, uuid.NewString())
	assertCode(t, "Handoff(unknown)", err, content.ENOTFOUND)
	_, err = s.Handoff(ctx, "nope")
	assertCode(t, "Handoff(not a UUID)", err, content.EINVALID)
	_, err = s.OpenHandoffOf(ctx, user)
	assertCode(t, "OpenHandoffOf(only a closed ticket)", err, content.ENOTFOUND)
	_, err = s.OpenHandoffOf(ctx, NewUserID(t))
	assertCode(t, "OpenHandoffOf(unknown user)", err, content.ENOTFOUND)
	_, err = s.OpenHandoffOf(ctx, "")
	assertCode(t, "OpenHandoffOf(\"\")", err, content.EINVALID)
}

func testTicketEscalation(t *testing.T, s content.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "")
	id, _ := routedTicket(t, s, org.ID, false, at(1))

	must(t, "EscalateHandoff(area)", s.EscalateHandoff(ctx, id, content.EscalationArea, at(2)))
	h := mustHandoff(t, s, id)
	if h.Escalation != content.EscalationArea || !h.EscalatedAt.Equal(stored(at(2))) {
		t.Errorf("after escalating to the area: level %d at %v, want %d at %v", h.Escalation, h.EscalatedAt, content.EscalationArea, stored(at(2)))
	}
	// A second escalator to the same level loses.
	assertCode(t, "EscalateHandoff(area) again", s.EscalateHandoff(ctx, id, content.EscalationArea, at(3)), content.ECONFLICT)
	must(t, "EscalateHandoff(supervisor)", s.EscalateHandoff(ctx, id, content.EscalationSupervisor, at(4)))
	assertCode(t, "EscalateHandoff(area) below the level", s.EscalateHandoff(ctx, id, content.EscalationArea, at(5)), content.ECONFLICT)
	h = mustHandoff(t, s, id)
	if h.Escalation != content.EscalationSupervisor || !h.EscalatedAt.Equal(stored(at(4))) {
		t.Errorf("after escalating to supervisors: level %d at %v, want %d at %v", h.Escalation, h.EscalatedAt, content.EscalationSupervisor, stored(at(4)))
	}
	for _, level := range []int{content.EscalationNone, 3, -1} {
		assertCode(t, fmt.Sprintf("EscalateHandoff(level %d)", level), s.EscalateHandoff(ctx, id, level, at(6)), content.EINVALID)
	}
	assertCode(t, "EscalateHandoff(zero time)", s.EscalateHandoff(ctx, id, content.EscalationArea, time.Time{}), content.EINVALID)
	assertCode(t, "EscalateHandoff(unknown)", s.EscalateHandoff(ctx, uuid.NewString(), content.EscalationArea, at(6)), content.ENOTFOUND)
	assertCode(t, "EscalateHandoff(not a UUID)", s.EscalateHandoff(ctx, "nope", content.EscalationArea, at(6)), content.EINVALID)

	// Routing again starts over.
	route(t, s, id, org.ID, at(7))
	if h := mustHandoff(t, s, id); h.Escalation != content.EscalationNone || !h.EscalatedAt.Equal(stored(at(7))) {
		t.Errorf("after routing again: level %d at %v, want 0 at %v", h.Escalation, h.EscalatedAt, stored(at(7)))
	}

	// Unrouted, answered or closed tickets are not escalated.
	unrouted, _ := newTicket(t, s, false, at(1))
	assertCode(t, "EscalateHandoff(unrouted)", s.EscalateHandoff(ctx, unrouted, content.EscalationArea, at(2)), content.ECONFLICT)
	c := newCounsellor(t, s, org.ID, nil)
	mustReply(t, s, org.ID, reply(id, c.ID, "สวัสดีค่ะ", at(8)))
	assertCode(t, "EscalateHandoff(answered)", s.EscalateHandoff(ctx, id, content.EscalationArea, at(9)), content.ECONFLICT)
	closed, _ := routedTicket(t, s, org.ID, false, at(1))
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, closed, "", at(2)))
	assertCode(t, "EscalateHandoff(closed)", s.EscalateHandoff(ctx, closed, content.EscalationArea, at(3)), content.ECONFLICT)
}

// ---- Organisations see only their own ----

func testTicketOrgScoping(t *testing.T, s content.Store) {
	ctx := t.Context()
	a, b := newOrg(t, s, content.OrgDCY), newOrg(t, s, content.OrgNGO)
	ca, cb := newCounsellor(t, s, a.ID, nil), newCounsellor(t, s, b.ID, nil)
	id, _ := routedTicket(t, s, a.ID, false, at(1))
	before := mustHandoff(t, s, id)

	_, err := s.Ticket(ctx, b.ID, id)
	assertCode(t, "Ticket(B, A's)", err, content.ENOTFOUND)
	assertCode(t, "AssignHandoff(B, A's)", s.AssignHandoff(ctx, b.ID, id, cb.ID, at(2)), content.ENOTFOUND)
	_, _, err = s.AddReply(ctx, b.ID, reply(id, cb.ID, "hi", at(2)))
	assertCode(t, "AddReply(B, A's)", err, content.ENOTFOUND)
	bot := content.HandoffMessage{ID: uuid.NewString(), HandoffID: id, Author: content.AuthorBot, Text: "x", At: at(2)}
	_, _, err = s.AddReply(ctx, b.ID, bot)
	assertCode(t, "AddReply(B, A's, the bot's)", err, content.ENOTFOUND)
	assertCode(t, "CloseHandoff(B, A's)", s.CloseHandoff(ctx, b.ID, id, cb.ID, at(2)), content.ENOTFOUND)
	if err != nil && strings.Contains(err.Error(), before.UserID) {
		t.Errorf("error %q names the person", err)
	}
	list, err := s.Tickets(ctx, content.TicketFilter{OrgIDs: []string{b.ID}})
	must(t, "Tickets(B)", err)
	if slices.Contains(handoffIDs(list), id) {
		t.Error("Tickets(B) lists A's ticket")
	}
	assertEqual(t, "A's ticket after B's attempts", mustHandoff(t, s, id), before)
	if ms := handoffMessages(t, s, id); len(ms) != 0 {
		t.Errorf("B's attempts left messages: %+v", ms)
	}

	// A's own calls cannot name B's counsellors.
	assertCode(t, "AssignHandoff(A's, B's counsellor)", s.AssignHandoff(ctx, a.ID, id, cb.ID, at(3)), content.EINVALID)
	assertCode(t, "AssignHandoff(A's, unknown counsellor)", s.AssignHandoff(ctx, a.ID, id, uuid.NewString(), at(3)), content.EINVALID)
	_, _, err = s.AddReply(ctx, a.ID, reply(id, cb.ID, "hi", at(3)))
	assertCode(t, "AddReply(A's, B's counsellor)", err, content.EINVALID)
	assertCode(t, "CloseHandoff(A's, by B's counsellor)", s.CloseHandoff(ctx, a.ID, id, cb.ID, at(3)), content.EINVALID)
	disabled := newCounsellor(t, s, a.ID, func(c *content.Counsellor) { c.DisabledAt = at(0) })
	assertCode(t, "AssignHandoff(A's, disabled counsellor)", s.AssignHandoff(ctx, a.ID, id, disabled.ID, at(3)), content.EINVALID)
	assertEqual(t, "A's ticket after refused calls", mustHandoff(t, s, id), before)

	must(t, "AssignHandoff", s.AssignHandoff(ctx, a.ID, id, ca.ID, at(4)))
	if h := mustHandoff(t, s, id); h.AssigneeID != ca.ID {
		t.Errorf("AssigneeID = %q, want %s", h.AssigneeID, ca.ID)
	}
	other := newCounsellor(t, s, a.ID, func(c *content.Counsellor) { c.Role = content.SupervisorRole })
	must(t, "AssignHandoff (to another)", s.AssignHandoff(ctx, a.ID, id, other.ID, at(5)))
	if h := mustHandoff(t, s, id); h.AssigneeID != other.ID {
		t.Errorf("AssigneeID after reassigning = %q, want %s", h.AssigneeID, other.ID)
	}
	assertCode(t, "AssignHandoff(no counsellor)", s.AssignHandoff(ctx, a.ID, id, "", at(6)), content.EINVALID)
	assertCode(t, "AssignHandoff(zero time)", s.AssignHandoff(ctx, a.ID, id, ca.ID, time.Time{}), content.EINVALID)
	assertCode(t, "AssignHandoff(unknown ticket)", s.AssignHandoff(ctx, a.ID, uuid.NewString(), ca.ID, at(6)), content.ENOTFOUND)
	_, err = s.Ticket(ctx, "nope", id)
	assertCode(t, "Ticket(organisation not a UUID)", err, content.EINVALID)
	_, err = s.Ticket(ctx, a.ID, "nope")
	assertCode(t, "Ticket(ticket not a UUID)", err, content.EINVALID)

	// Unrouted tickets are nobody's.
	unrouted, _ := newTicket(t, s, false, at(1))
	_, err = s.Ticket(ctx, a.ID, unrouted)
	assertCode(t, "Ticket(unrouted)", err, content.ENOTFOUND)
	assertCode(t, "CloseHandoff(unrouted)", s.CloseHandoff(ctx, a.ID, unrouted, "", at(2)), content.ENOTFOUND)

	must(t, "CloseHandoff", s.CloseHandoff(ctx, a.ID, id, ca.ID, at(7)))
	assertCode(t, "AssignHandoff(closed)", s.AssignHandoff(ctx, a.ID, id, ca.ID, at(8)), content.ECONFLICT)
}

// ---- Replies ----

func testAddReplyIdempotent(t *testing.T, s content.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)
	id, user := routedTicket(t, s, org.ID, false, at(1))
	mustKeep(t, s, user, "ช่วยด้วย", at(2))

	first := reply(id, c.ID, "สวัสดีค่ะ พี่อยู่ตรงนี้นะ", at(4))
	got := mustReply(t, s, org.ID, first)
	if _, err := uuid.Parse(got.RetryKey); err != nil {
		t.Errorf("reply's RetryKey %q is not a UUID", got.RetryKey)
	}
	want := first
	want.UserID, want.At, want.RetryKey, want.Status = user, stored(at(4)), got.RetryKey, content.ReplyPending
	assertEqual(t, "stored reply", got, want)
	if h := mustHandoff(t, s, id); !h.FirstReplyAt.Equal(stored(at(4))) {
		t.Errorf("FirstReplyAt = %v, want the first reply's time %v", h.FirstReplyAt, stored(at(4)))
	}

	// The same form again, even changed, returns what is stored.
	again := first
	again.Text, again.At = "changed", at(9)
	for range 2 {
		st, created, err := s.AddReply(ctx, org.ID, again)
		must(t, "AddReply (same ID)", err)
		if created {
			t.Error("AddReply with a stored ID: created = true")
		}
		assertEqual(t, "AddReply (same ID)", st, want)
	}

	// Later replies: FirstReplyAt stays; a given retry key and status are
	// kept; the bot's message is nobody's reply.
	key := uuid.NewString()
	second := reply(id, c.ID, "เล่าให้ฟังได้นะ", at(3)) // typed earlier, stored later
	second.RetryKey, second.Status, second.SentAt, second.UserID = key, content.ReplySent, at(5), user
	got2 := mustReply(t, s, org.ID, second)
	if got2.RetryKey != key || got2.Status != content.ReplySent || !got2.SentAt.Equal(stored(at(5))) {
		t.Errorf("second reply = %+v, want retry key %s, sent at %v", got2, key, stored(at(5)))
	}
	assertUTC(t, "HandoffMessage.SentAt", got2.SentAt)
	botMsg := mustReply(t, s, org.ID, content.HandoffMessage{ID: uuid.NewString(), HandoffID: id, Author: content.AuthorBot, Text: "พี่ตอบแล้วนะ", At: at(6)})
	if botMsg.Status != "" || botMsg.RetryKey != "" || botMsg.CounsellorID != "" || botMsg.UserID != user {
		t.Errorf("bot's message = %+v, want no status, retry key or counsellor", botMsg)
	}
	if h := mustHandoff(t, s, id); !h.FirstReplyAt.Equal(stored(at(4))) {
		t.Errorf("FirstReplyAt after more replies = %v, want the first's %v", h.FirstReplyAt, stored(at(4)))
	}
	mustKeep(t, s, user, "ขอบคุณค่ะ", at(7))

	// One timeline, oldest first, every field filled.
	ms := handoffMessages(t, s, id)
	var authors, textsGot []string
	for _, m := range ms {
		authors, textsGot = append(authors, m.Author), append(textsGot, m.Text)
		assertUTC(t, "HandoffMessage.At", m.At)
		if m.UserID != user || m.HandoffID != id {
			t.Errorf("timeline message %+v is not the ticket's person's", m)
		}
	}
	assertEqual(t, "timeline authors", authors, []string{"person", "counsellor", "counsellor", "bot", "person"})
	assertEqual(t, "timeline texts", textsGot, []string{"ช่วยด้วย", "เล่าให้ฟังได้นะ", "สวัสดีค่ะ พี่อยู่ตรงนี้นะ", "พี่ตอบแล้วนะ", "ขอบคุณค่ะ"})
	if len(ms) == 5 {
		assertEqual(t, "timeline reply", ms[2], want)
		assertEqual(t, "timeline bot message", ms[3], botMsg)
	}

	// A bot message does not answer a ticket.
	quiet, _ := routedTicket(t, s, org.ID, false, at(1))
	mustReply(t, s, org.ID, content.HandoffMessage{ID: uuid.NewString(), HandoffID: quiet, Author: content.AuthorBot, Text: "รอสักครู่นะ", At: at(2)})
	if h := mustHandoff(t, s, quiet); !h.FirstReplyAt.IsZero() {
		t.Errorf("the bot's message set FirstReplyAt %v", h.FirstReplyAt)
	}

	// An ID cannot be used on two tickets.
	other := first
	other.HandoffID = quiet
	_, _, err := s.AddReply(ctx, org.ID, other)
	assertCode(t, "AddReply (a stored ID on another ticket)", err, content.ECONFLICT)

	// Closed: the counsellor's new replies are refused, a resubmit still
	// returns what is stored, and the bot may still tell the person.
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, id, c.ID, at(10)))
	_, _, err = s.AddReply(ctx, org.ID, reply(id, c.ID, "อีกนิด", at(11)))
	assertCode(t, "AddReply (closed ticket)", err, content.ECONFLICT)
	if st, created, err := s.AddReply(ctx, org.ID, first); err != nil || created || st != want {
		t.Errorf("AddReply (a stored ID on a closed ticket) = %+v, %v, %v; want the stored reply", st, created, err)
	}
	mustReply(t, s, org.ID, content.HandoffMessage{ID: uuid.NewString(), HandoffID: id, Author: content.AuthorBot, Text: "ปิดแล้วนะ", At: at(12)})

	// Refused input changes nothing.
	fresh, freshUser := routedTicket(t, s, org.ID, false, at(1))
	ok := reply(fresh, c.ID, "ok", at(2))
	with := func(edit func(*content.HandoffMessage)) content.HandoffMessage {
		m := ok
		edit(&m)
		return m
	}
	for name, bad := range map[string]content.HandoffMessage{
		"no ID":                 with(func(m *content.HandoffMessage) { m.ID = "" }),
		"ID not a UUID":         with(func(m *content.HandoffMessage) { m.ID = "form-1" }),
		"no ticket":             with(func(m *content.HandoffMessage) { m.HandoffID = "" }),
		"the person as author":  with(func(m *content.HandoffMessage) { m.Author = content.AuthorPerson }),
		"no author":             with(func(m *content.HandoffMessage) { m.Author = "" }),
		"no counsellor":         with(func(m *content.HandoffMessage) { m.CounsellorID = "" }),
		"counsellor not a UUID": with(func(m *content.HandoffMessage) { m.CounsellorID = "nope" }),
		"unknown counsellor":    with(func(m *content.HandoffMessage) { m.CounsellorID = uuid.NewString() }),
		"bot naming counsellor": with(func(m *content.HandoffMessage) { m.Author = content.AuthorBot }),
		"empty text":            with(func(m *content.HandoffMessage) { m.Text = " \n" }),
		"NUL":                   with(func(m *content.HandoffMessage) { m.Text = "a\x00" }),
		"not UTF-8":             with(func(m *content.HandoffMessage) { m.Text = "a\xff" }),
		"too long":              with(func(m *content.HandoffMessage) { m.Text = strings.Repeat("ก", content.MaxHandoffMessageLen+1) }),
		"zero time":             with(func(m *content.HandoffMessage) { m.At = time.Time{} }),
		"unknown status":        with(func(m *content.HandoffMessage) { m.Status = "read" }),
		"sent time, not sent":   with(func(m *content.HandoffMessage) { m.SentAt = at(3) }),
		"retry key not a UUID":  with(func(m *content.HandoffMessage) { m.RetryKey = "k" }),
		"another person":        with(func(m *content.HandoffMessage) { m.UserID = user }),
	} {
		_, _, err := s.AddReply(ctx, org.ID, bad)
		assertCode(t, "AddReply("+name+")", err, content.EINVALID)
		if err != nil && strings.Contains(err.Error(), freshUser) {
			t.Errorf("AddReply(%s): error %q names the person", name, err)
		}
	}
	if ms := handoffMessages(t, s, fresh); len(ms) != 0 {
		t.Errorf("refused replies were stored: %+v", ms)
	}
	if h := mustHandoff(t, s, fresh); !h.FirstReplyAt.IsZero() {
		t.Errorf("refused replies set FirstReplyAt %v", h.FirstReplyAt)
	}
	_, _, err = s.AddReply(ctx, "nope", ok)
	assertCode(t, "AddReply(organisation not a UUID)", err, content.EINVALID)
	_, _, err = s.AddReply(ctx, org.ID, with(func(m *content.HandoffMessage) { m.HandoffID = uuid.NewString() }))
	assertCode(t, "AddReply(unknown ticket)", err, content.ENOTFOUND)
	exact := mustReply(t, s, org.ID, with(func(m *content.HandoffMessage) { m.Text = strings.Repeat("ก", content.MaxHandoffMessageLen) }))
	if len([]rune(exact.Text)) != content.MaxHandoffMessageLen {
		t.Errorf("a reply of exactly %d characters came back with %d", content.MaxHandoffMessageLen, len([]rune(exact.Text)))
	}
}

func testAddReplyConcurrent(t *testing.T, s content.Store) {
	const n = 10
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)
	id, _ := routedTicket(t, s, org.ID, false, at(1))
	m := reply(id, c.ID, "ส่งครั้งเดียว", at(2))
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		got     []content.HandoffMessage
		start   = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			st, ok, err := s.AddReply(t.Context(), org.ID, m)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("concurrent AddReply: %v", err)
				return
			}
			if ok {
				created++
			}
			got = append(got, st)
		})
	}
	close(start)
	wg.Wait()
	if created != 1 {
		t.Errorf("%d submits of one reply at once: %d created, want 1", n, created)
	}
	for _, st := range got {
		if st != got[0] {
			t.Errorf("concurrent submits returned different messages: %+v and %+v", got[0], st)
			break
		}
	}
	if ms := handoffMessages(t, s, id); len(ms) != 1 {
		t.Errorf("%d submits of one reply at once stored %d messages, want 1", n, len(ms))
	}
	if h := mustHandoff(t, s, id); !h.FirstReplyAt.Equal(stored(at(2))) {
		t.Errorf("FirstReplyAt = %v, want %v", h.FirstReplyAt, stored(at(2)))
	}
}

func testMarkReply(t *testing.T, s content.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)
	id, user := routedTicket(t, s, org.ID, false, at(1))
	a := mustReply(t, s, org.ID, reply(id, c.ID, "a", at(2)))
	b := mustReply(t, s, org.ID, reply(id, c.ID, "b", at(3)))
	botMsg := mustReply(t, s, org.ID, content.HandoffMessage{ID: uuid.NewString(), HandoffID: id, Author: content.AuthorBot, Text: "c", At: at(4)})
	mustKeep(t, s, user, "person", at(5))

	find := func(msgID string) content.HandoffMessage {
		t.Helper()
		for _, m := range handoffMessages(t, s, id) {
			if m.ID == msgID {
				return m
			}
		}
		t.Fatalf("message %s is not in the timeline", msgID)
		return content.HandoffMessage{}
	}
	must(t, "MarkReply(sent)", s.MarkReply(ctx, a.ID, content.ReplySent, at(6)))
	if m := find(a.ID); m.Status != content.ReplySent || !m.SentAt.Equal(stored(at(6))) {
		t.Errorf("after MarkReply(sent): %+v, want sent at %v", m, stored(at(6)))
	} else {
		assertUTC(t, "SentAt", m.SentAt)
	}
	must(t, "MarkReply(sent) again", s.MarkReply(ctx, a.ID, content.ReplySent, at(7)))
	if m := find(a.ID); !m.SentAt.Equal(stored(at(6))) {
		t.Errorf("marking sent again moved SentAt to %v", m.SentAt)
	}
	assertCode(t, "MarkReply(sent → failed)", s.MarkReply(ctx, a.ID, content.ReplyFailed, at(8)), content.ECONFLICT)

	must(t, "MarkReply(failed)", s.MarkReply(ctx, b.ID, content.ReplyFailed, at(6)))
	if m := find(b.ID); m.Status != content.ReplyFailed || !m.SentAt.IsZero() {
		t.Errorf("after MarkReply(failed): %+v, want failed, no sent time", m)
	}
	must(t, "MarkReply(failed → sent)", s.MarkReply(ctx, b.ID, content.ReplySent, at(9)))
	if m := find(b.ID); m.Status != content.ReplySent || !m.SentAt.Equal(stored(at(9))) {
		t.Errorf("after a failed reply went through: %+v", m)
	}
	must(t, "MarkReply(the bot's message)", s.MarkReply(ctx, botMsg.ID, content.ReplySent, at(6)))
	if m := find(botMsg.ID); m.Status != content.ReplySent {
		t.Errorf("bot's message after MarkReply: %+v", m)
	}

	var personal string
	for _, m := range handoffMessages(t, s, id) {
		if m.Author == content.AuthorPerson {
			personal = m.ID
		}
	}
	assertCode(t, "MarkReply(the person's message)", s.MarkReply(ctx, personal, content.ReplySent, at(6)), content.ENOTFOUND)
	assertCode(t, "MarkReply(unknown)", s.MarkReply(ctx, uuid.NewString(), content.ReplySent, at(6)), content.ENOTFOUND)
	assertCode(t, "MarkReply(not a UUID)", s.MarkReply(ctx, "nope", content.ReplySent, at(6)), content.EINVALID)
	for _, status := range []string{"", content.ReplyPending, "read"} {
		assertCode(t, "MarkReply("+status+")", s.MarkReply(ctx, a.ID, status, at(6)), content.EINVALID)
	}
	assertCode(t, "MarkReply(zero time)", s.MarkReply(ctx, a.ID, content.ReplySent, time.Time{}), content.EINVALID)
}

// ---- Closing ----

func testCloseAndHelped(t *testing.T, s content.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)
	first, user := routedTicket(t, s, org.ID, false, at(1))

	assertCode(t, "RecordHelped(nothing closed)", s.RecordHelped(ctx, user, "yes"), content.ENOTFOUND)
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, first, c.ID, at(5)))
	h := mustHandoff(t, s, first)
	if h.Status != "closed" || !h.ClosedAt.Equal(stored(at(5))) || h.ClosedBy != c.ID {
		t.Errorf("closed ticket = %+v, want closed at %v by %s", h, stored(at(5)), c.ID)
	}
	assertCode(t, "CloseHandoff again", s.CloseHandoff(ctx, org.ID, first, c.ID, at(6)), content.ECONFLICT)
	if again := mustHandoff(t, s, first); again != h {
		t.Errorf("closing again changed the ticket: %+v", again)
	}
	_, _, err := s.AddReply(ctx, org.ID, reply(first, c.ID, "late", at(7)))
	assertCode(t, "AddReply after closing", err, content.ECONFLICT)

	// The person opened another ticket earlier that closed later (by
	// nobody): "did it help?" goes with the most recently closed.
	second := uuid.NewString()
	must(t, "RequestHandoff", s.RequestHandoff(ctx, content.Handoff{ID: second, UserID: user, Reason: "crisis", At: at(0)}))
	route(t, s, second, org.ID, at(0))
	must(t, "CloseHandoff (by nobody)", s.CloseHandoff(ctx, org.ID, second, "", at(8)))
	if h := mustHandoff(t, s, second); h.ClosedBy != "" || !h.ClosedAt.Equal(stored(at(8))) {
		t.Errorf("ticket closed by nobody = %+v", h)
	}
	must(t, "RecordHelped", s.RecordHelped(ctx, user, "no"))
	if h := mustHandoff(t, s, second); h.Helped != "no" {
		t.Errorf("Helped of the most recently closed = %q, want no", h.Helped)
	}
	if h := mustHandoff(t, s, first); h.Helped != "" {
		t.Errorf("Helped of the earlier closed = %q, want none", h.Helped)
	}
	must(t, "RecordHelped (changed mind)", s.RecordHelped(ctx, user, "yes"))
	if h := mustHandoff(t, s, second); h.Helped != "yes" {
		t.Errorf("Helped after answering again = %q, want yes", h.Helped)
	}
	// An open ticket is not answered about.
	open, _ := routedTicket(t, s, org.ID, false, at(1))
	if h := mustHandoff(t, s, open); h.Helped != "" {
		t.Errorf("an open ticket has Helped %q", h.Helped)
	}

	for _, bad := range []string{"", "maybe", "YES"} {
		assertCode(t, "RecordHelped("+bad+")", s.RecordHelped(ctx, user, bad), content.EINVALID)
	}
	assertCode(t, "RecordHelped(no user)", s.RecordHelped(ctx, "", "yes"), content.EINVALID)
	assertCode(t, "RecordHelped(unknown user)", s.RecordHelped(ctx, NewUserID(t), "yes"), content.ENOTFOUND)
	assertCode(t, "CloseHandoff(zero time)", s.CloseHandoff(ctx, org.ID, open, "", time.Time{}), content.EINVALID)
	assertCode(t, "CloseHandoff(counsellor not a UUID)", s.CloseHandoff(ctx, org.ID, open, "nope", at(2)), content.EINVALID)
	assertCode(t, "CloseHandoff(unknown counsellor)", s.CloseHandoff(ctx, org.ID, open, uuid.NewString(), at(2)), content.EINVALID)
	assertCode(t, "CloseHandoff(unknown ticket)", s.CloseHandoff(ctx, org.ID, uuid.NewString(), "", at(2)), content.ENOTFOUND)
	if h := mustHandoff(t, s, open); h.Status != "open" {
		t.Errorf("refused closings closed the ticket: %+v", h)
	}
}

// ---- Inboxes ----

func testTicketsList(t *testing.T, s content.Store) {
	ctx := t.Context()
	org, other := newOrg(t, s, ""), newOrg(t, s, "")
	normalLate, _ := routedTicket(t, s, org.ID, false, at(4))
	urgentLate, _ := routedTicket(t, s, org.ID, true, at(3))
	normalEarly, _ := routedTicket(t, s, org.ID, false, at(1))
	urgentEarly, _ := routedTicket(t, s, org.ID, true, at(2))
	closed, _ := routedTicket(t, s, org.ID, false, at(0))
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, closed, "", at(5)))
	elsewhere, _ := routedTicket(t, s, other.ID, true, at(0))
	newTicket(t, s, true, at(0)) // unrouted: nobody's

	list := func(f content.TicketFilter) []string {
		t.Helper()
		hs, err := s.Tickets(ctx, f)
		must(t, "Tickets", err)
		if hs == nil {
			t.Error("Tickets returned nil, want a non-nil slice")
		}
		for _, h := range hs {
			assertHandoffUTC(t, h)
		}
		return handoffIDs(hs)
	}
	mine := []string{org.ID}
	assertEqual(t, "Tickets (urgent first, then oldest)", list(content.TicketFilter{OrgIDs: mine}),
		[]string{urgentEarly, urgentLate, closed, normalEarly, normalLate})
	assertEqual(t, "Tickets (open)", list(content.TicketFilter{OrgIDs: mine, Status: "open"}),
		[]string{urgentEarly, urgentLate, normalEarly, normalLate})
	assertEqual(t, "Tickets (closed)", list(content.TicketFilter{OrgIDs: mine, Status: "closed"}), []string{closed})
	assertEqual(t, "Tickets (limit 2)", list(content.TicketFilter{OrgIDs: mine, Limit: 2}), []string{urgentEarly, urgentLate})
	assertEqual(t, "Tickets (two organisations)", list(content.TicketFilter{OrgIDs: []string{org.ID, other.ID}, Status: "open", Limit: 3}),
		[]string{elsewhere, urgentEarly, urgentLate})
	assertEqual(t, "Tickets (an organisation with none)", list(content.TicketFilter{OrgIDs: []string{newOrg(t, s, "").ID}}), []string{})

	// The default limit is 200.
	many := newOrg(t, s, "")
	user := newUser(t, s)
	for i := range 201 {
		id := uuid.NewString()
		must(t, "RequestHandoff", s.RequestHandoff(ctx, content.Handoff{ID: id, UserID: user, Reason: "asked", At: at(0).Add(time.Duration(i) * time.Second)}))
		route(t, s, id, many.ID, at(1))
	}
	if got := list(content.TicketFilter{OrgIDs: []string{many.ID}}); len(got) != 200 {
		t.Errorf("Tickets with no limit listed %d, want 200", len(got))
	}

	for name, bad := range map[string]content.TicketFilter{
		"no organisation":         {},
		"organisation not a UUID": {OrgIDs: []string{"nope"}},
		"unknown status":          {OrgIDs: mine, Status: "pending"},
		"negative limit":          {OrgIDs: mine, Limit: -1},
	} {
		_, err := s.Tickets(ctx, bad)
		assertCode(t, "Tickets("+name+")", err, content.EINVALID)
	}
}

// ---- Work across every organisation ----

func testDueEscalations(t *testing.T, s content.Store) {
	ctx := t.Context()
	e := ticketEra(0)
	minute := func(m int) time.Time { return e.Add(time.Duration(m) * time.Minute) }
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)

	// Due: counting from when routed (opened earlier, or at once), escalated.
	early, _ := routedTicket(t, s, org.ID, false, minute(0))
	routed, _ := newTicket(t, s, true, minute(1))
	route(t, s, routed, org.ID, minute(10))
	escalated, _ := routedTicket(t, s, org.ID, false, minute(2))
	must(t, "EscalateHandoff", s.EscalateHandoff(ctx, escalated, content.EscalationArea, minute(5)))

	// Not due: unrouted (nobody could take it), answered, closed, at
	// supervisors already, too recent.
	newTicket(t, s, false, minute(0))

	answered, _ := routedTicket(t, s, org.ID, false, minute(0))
	mustReply(t, s, org.ID, reply(answered, c.ID, "ตอบแล้ว", minute(1)))
	closed, _ := routedTicket(t, s, org.ID, false, minute(0))
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, closed, "", minute(1)))
	top, _ := routedTicket(t, s, org.ID, false, minute(0))
	must(t, "EscalateHandoff", s.EscalateHandoff(ctx, top, content.EscalationSupervisor, minute(1)))
	recent, _ := routedTicket(t, s, org.ID, false, minute(100))
	rerouted, _ := routedTicket(t, s, org.ID, false, minute(0))
	route(t, s, rerouted, org.ID, minute(90)) // routed again: counts from then

	due := func(before time.Time, limit int) []string {
		t.Helper()
		hs, err := s.DueEscalations(ctx, before, limit)
		must(t, "DueEscalations", err)
		for _, h := range hs {
			assertHandoffUTC(t, h)
		}
		return handoffIDs(hs)
	}
	assertEqual(t, "DueEscalations (oldest first; unrouted, answered, closed, at supervisors and too recent left out)",
		due(minute(50), 10), []string{early, escalated, routed})
	assertEqual(t, "DueEscalations (limit 2)", due(minute(50), 2), []string{early, escalated})
	assertEqual(t, "DueEscalations (at exactly the due time)", due(minute(5), 10), []string{early, escalated})
	assertEqual(t, "DueEscalations (later)", due(minute(100), 10), []string{early, escalated, routed, rerouted, recent})
	_ = recent

	_, err := s.DueEscalations(ctx, time.Time{}, 10)
	assertCode(t, "DueEscalations(zero time)", err, content.EINVALID)
	_, err = s.DueEscalations(ctx, minute(50), 0)
	assertCode(t, "DueEscalations(limit 0)", err, content.EINVALID)
}

func testPurgeHandoffMessages(t *testing.T, s content.Store) {
	exclusive(t) // purges across the store
	ctx := t.Context()
	e := ticketEra(1)
	minute := func(m int) time.Time { return e.Add(time.Duration(m) * time.Minute) }
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)

	// talk opens a ticket for a new person at when, with two of their
	// messages and a reply.
	talk := func(when time.Time) (string, string) {
		t.Helper()
		id, user := routedTicket(t, s, org.ID, false, when)
		mustKeep(t, s, user, "ช่วยด้วย", when.Add(time.Second))
		mustKeep(t, s, user, "ยังอยู่ไหม", when.Add(2*time.Second))
		mustReply(t, s, org.ID, reply(id, c.ID, "พี่อยู่นี่", when.Add(3*time.Second)))
		return id, user
	}
	old, _ := talk(minute(0))
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, old, c.ID, minute(1)))
	recent, _ := talk(minute(0))
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, recent, c.ID, minute(10)))
	open, _ := talk(minute(0))

	n, err := s.PurgeHandoffMessages(ctx, minute(5))
	must(t, "PurgeHandoffMessages", err)
	if n != 3 {
		t.Errorf("PurgeHandoffMessages deleted %d messages, want the 3 of the ticket closed before", n)
	}
	if ms := handoffMessages(t, s, old); len(ms) != 0 {
		t.Errorf("messages of a ticket closed before the time: %+v, want none", ms)
	}
	if h := mustHandoff(t, s, old); h.Status != "closed" {
		t.Errorf("the purged ticket itself = %+v, want it kept", h)
	}
	for name, id := range map[string]string{"recently closed": recent, "open": open} {
		if ms := handoffMessages(t, s, id); len(ms) != 3 {
			t.Errorf("messages of the %s ticket after purging: %d, want 3", name, len(ms))
		}
	}
	n, err = s.PurgeHandoffMessages(ctx, minute(5))
	must(t, "PurgeHandoffMessages again", err)
	if n != 0 {
		t.Errorf("PurgeHandoffMessages again deleted %d, want 0", n)
	}
	_, err = s.PurgeHandoffMessages(ctx, time.Time{})
	assertCode(t, "PurgeHandoffMessages(zero time)", err, content.EINVALID)
}

// A request no organisation took (nobody covers the person) is not kept
// forever: its messages go with the closed tickets' once it is old enough.
func testPurgeUnroutedRequests(t *testing.T, s content.Store) {
	exclusive(t) // purges across the store
	ctx := t.Context()
	e := ticketEra(2)
	minute := func(m int) time.Time { return e.Add(time.Duration(m) * time.Minute) }
	oldID, oldUser := newTicket(t, s, true, minute(0))
	mustKeep(t, s, oldUser, "ไม่ไหวแล้ว", minute(0))
	newID, newUser := newTicket(t, s, true, minute(20))
	mustKeep(t, s, newUser, "ช่วยด้วย", minute(20))
	if _, err := s.PurgeHandoffMessages(ctx, minute(10)); err != nil {
		t.Fatal(err)
	}
	if ms := handoffMessages(t, s, oldID); len(ms) != 0 {
		t.Errorf("messages of an old request nobody took: %+v, want none", ms)
	}
	if ms := handoffMessages(t, s, newID); len(ms) != 1 {
		t.Errorf("messages of a recent request nobody took: %d, want 1", len(ms))
	}
}

// Counsellor replies LINE has not accepted yet are listed for sending again,
// oldest first; sent ones, failed ones and the person's messages are not.
func testPendingReplies(t *testing.T, s content.Store) {
	ctx := t.Context()
	e := ticketEra(3)
	minute := func(m int) time.Time { return e.Add(time.Duration(m) * time.Minute) }
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)
	id, user := routedTicket(t, s, org.ID, false, minute(0))
	mustKeep(t, s, user, "สวัสดีค่ะ", minute(1))
	late := mustReply(t, s, org.ID, reply(id, c.ID, "ตอบช้า", minute(3)))
	early := mustReply(t, s, org.ID, reply(id, c.ID, "ตอบก่อน", minute(2)))
	sent := mustReply(t, s, org.ID, reply(id, c.ID, "ส่งแล้ว", minute(2)))
	must(t, "MarkReply", s.MarkReply(ctx, sent.ID, content.ReplySent, minute(2)))
	future := mustReply(t, s, org.ID, reply(id, c.ID, "ภายหลัง", minute(30)))
	got, err := s.PendingReplies(ctx, minute(10), 10)
	must(t, "PendingReplies", err)
	var ids []string
	for _, m := range got {
		if m.HandoffID == id {
			ids = append(ids, m.ID)
		}
	}
	if want := []string{early.ID, late.ID}; !slices.Equal(ids, want) {
		t.Errorf("pending replies %v, want %v (oldest first; not the sent one nor %s, stored later)", ids, want, future.ID)
	}
}

// ---- The person's data ----

func testTicketExportAndDelete(t *testing.T, s content.Store) {
	exclusive(t) // counts a deletion
	ctx := t.Context()
	org := newOrg(t, s, "")
	c := newCounsellor(t, s, org.ID, nil)
	id, user := newTicket(t, s, true, at(1))
	must(t, "RouteHandoff", s.RouteHandoff(ctx, id, content.Route{OrgID: org.ID, Level: "province", Province: "TH-40"}, at(2)))
	must(t, "AssignHandoff", s.AssignHandoff(ctx, org.ID, id, c.ID, at(3)))
	mustKeep(t, s, user, "ช่วยด้วย", at(4))
	r := mustReply(t, s, org.ID, reply(id, c.ID, "พี่อยู่นี่", at(5)))
	must(t, "MarkReply", s.MarkReply(ctx, r.ID, content.ReplySent, at(6)))
	must(t, "CloseHandoff", s.CloseHandoff(ctx, org.ID, id, c.ID, at(7)))
	must(t, "RecordHelped", s.RecordHelped(ctx, user, "yes"))

	d := exportOf(t, s, user)
	want := content.Handoff{ID: id, UserID: user, Reason: "asked", Urgent: true, At: stored(at(1)), Status: "closed",
		OrgID: org.ID, Level: "province", Province: "TH-40", EscalatedAt: stored(at(2)), AssigneeID: c.ID,
		FirstReplyAt: stored(at(5)), ClosedAt: stored(at(7)), ClosedBy: c.ID, Helped: "yes"}
	assertEqual(t, "Export.Handoffs", d.Handoffs, []content.Handoff{want})
	r.Status, r.SentAt = content.ReplySent, stored(at(6))
	if len(d.HandoffMessages) != 2 {
		t.Fatalf("Export.HandoffMessages = %+v, want the person's message and the reply", d.HandoffMessages)
	}
	if m := d.HandoffMessages[0]; m.Author != content.AuthorPerson || m.Text != "ช่วยด้วย" {
		t.Errorf("exported person's message = %+v", m)
	}
	assertEqual(t, "exported reply", d.HandoffMessages[1], r)

	must(t, "DeleteUser", s.DeleteUser(ctx, user, at(8)))
	_, err := s.Handoff(ctx, id)
	assertCode(t, "Handoff after DeleteUser", err, content.ENOTFOUND)
	_, err = s.HandoffMessages(ctx, id)
	assertCode(t, "HandoffMessages after DeleteUser", err, content.ENOTFOUND)
	assertCode(t, "MarkReply after DeleteUser", s.MarkReply(ctx, r.ID, content.ReplySent, at(9)), content.ENOTFOUND)
	hs, err := s.Tickets(ctx, content.TicketFilter{OrgIDs: []string{org.ID}})
	must(t, "Tickets", err)
	if len(hs) != 0 {
		t.Errorf("Tickets after the person deleted their data = %+v, want none", hs)
	}
	// The counsellor and organisation stay.
	if _, err := s.Counsellor(ctx, c.ID); err != nil {
		t.Errorf("Counsellor after a person's deletion: %v", err)
	}
}

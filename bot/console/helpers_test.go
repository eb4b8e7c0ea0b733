package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content"
)

// Test data. LINE user IDs are "U" + 32 hex digits, as LINE makes them: the
// pages must never show one.
const (
	orgA = "0b6f4a4e-0000-4000-8000-00000000000a"
	orgB = "0b6f4a4e-0000-4000-8000-00000000000b"

	somchaiID  = "c0000000-0000-4000-8000-000000000001" // org A, signs in
	malaiID    = "c0000000-0000-4000-8000-000000000002" // org A, a colleague
	disabledID = "c0000000-0000-4000-8000-000000000003" // org A, disabled
	otherID    = "c0000000-0000-4000-8000-000000000004" // org B

	somchaiSecret  = "pc_somchai-secret-for-tests"
	disabledSecret = "pc_disabled-secret-for-tests"

	youth1 = "U0123456789abcdef0123456789abcdef"
	youth2 = "Ufedcba9876543210fedcba9876543210"
	youth3 = "U00112233445566778899aabbccddeeff"

	ticketOld    = "7e1c0001-0000-4000-8000-000000000001" // org A, not urgent, oldest
	ticketUrgent = "7e1c0002-0000-4000-8000-000000000002" // org A, urgent
	ticketClosed = "7e1c0003-0000-4000-8000-000000000003" // org A, closed
	ticketOrgB   = "7e1c0004-0000-4000-8000-000000000004" // org B
)

// testNow is the clock of the tests: a Tuesday, 10:00 in Thailand.
var testNow = time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)

var anyLineUserID = regexp.MustCompile(`U[0-9a-f]{32}`)

func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// fakeCounsellors is an in-memory Counsellors.
type fakeCounsellors struct {
	mu sync.Mutex
	by map[string]content.Counsellor
}

func newFakeCounsellors() *fakeCounsellors {
	f := &fakeCounsellors{by: map[string]content.Counsellor{}}
	for _, c := range []content.Counsellor{
		{ID: somchaiID, OrgID: orgA, Name: "ครูสมชาย ใจดี", Role: content.CounsellorRole, Provinces: []string{"TH-40"},
			Hours: content.DefaultOfficeHours, TokenHash: hashOf(somchaiSecret), LineUserID: "U99999999999999999999999999999999"},
		{ID: malaiID, OrgID: orgA, Name: "พี่มาลัย", Role: content.CounsellorRole},
		{ID: disabledID, OrgID: orgA, Name: "ครูที่ถูกระงับ", TokenHash: hashOf(disabledSecret), DisabledAt: testNow.Add(-time.Hour)},
		{ID: otherID, OrgID: orgB, Name: "Other org"},
	} {
		f.by[c.ID] = c
	}
	return f
}

func (f *fakeCounsellors) CounsellorByTokenHash(_ context.Context, hash string) (content.Counsellor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.by {
		if c.TokenHash != "" && c.TokenHash == hash {
			return c, nil
		}
	}
	return content.Counsellor{}, content.Errorf(content.ENOTFOUND, "no such counsellor")
}

func (f *fakeCounsellors) Counsellor(_ context.Context, id string) (content.Counsellor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.by[id]
	if !ok {
		return content.Counsellor{}, content.Errorf(content.ENOTFOUND, "no such counsellor")
	}
	return c, nil
}

func (f *fakeCounsellors) update(id string, change func(*content.Counsellor)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.by[id]
	change(&c)
	f.by[id] = c
}

// replyCall is one call of Reply, as the console made it.
type replyCall struct{ TicketID, RequestID, Text string }

// fakeTickets is an in-memory Tickets: organisations scope tickets, Reply
// dedups by request ID, Subscribe ticks on every change (and on notify).
type fakeTickets struct {
	mu      sync.Mutex
	people  *fakeCounsellors
	order   []string // ticket IDs as added (not sorted: the console sorts urgent first)
	tickets map[string]*TicketView
	stored  map[string]content.HandoffMessage // request ID → reply
	calls   []replyCall
	subs    map[int]chan struct{}
	nextSub int
	now     time.Time
}

func newFakeTickets(people *fakeCounsellors) *fakeTickets {
	f := &fakeTickets{people: people, tickets: map[string]*TicketView{}, stored: map[string]content.HandoffMessage{},
		subs: map[int]chan struct{}{}, now: testNow}
	f.add(TicketView{
		Ticket: content.Handoff{ID: ticketOld, UserID: youth1, Reason: "asked", At: testNow.Add(-3 * time.Hour), Status: "open",
			OrgID: orgA, Level: "district", Province: "TH-40", District: "TH-40/เมืองขอนแก่น", AssigneeID: malaiID},
		Messages: []content.HandoffMessage{
			{ID: "m1", HandoffID: ticketOld, UserID: youth1, Text: "อยากหางานพาร์ทไทม์ค่ะ ไม่รู้จะเริ่มยังไง", At: testNow.Add(-3 * time.Hour), Author: content.AuthorPerson},
			{ID: "m2", HandoffID: ticketOld, UserID: youth1, Text: "ส่งต่อให้เจ้าหน้าที่แล้ว", At: testNow.Add(-3 * time.Hour), Author: content.AuthorBot},
		},
		Profile:  []Field{{"จังหวัด", "ขอนแก่น"}, {"การศึกษาสูงสุด", "ม.6"}, {"สิ่งที่สนใจ", "ทำอาหาร, ซ่อมมือถือ"}, {"สิ่งที่ติดขัด", "ไม่มีรถ, ต้องดูแลน้อง"}},
		AgeBand:  "18–19",
		Guardian: "",
		Plan:     []string{"คอร์สช่างซ่อมมือถือ 5 วัน", "สมัครงานร้านกาแฟใกล้บ้าน"},
	})
	f.add(TicketView{
		Ticket: content.Handoff{ID: ticketUrgent, UserID: youth2, Reason: "crisis", Urgent: true, At: testNow.Add(-20 * time.Minute),
			Status: "open", OrgID: orgA, Level: "province", Province: "TH-10", Escalation: content.EscalationArea},
		Messages: []content.HandoffMessage{{ID: "m3", HandoffID: ticketUrgent, UserID: youth2, Text: "ช่วยด้วย ไม่ไหวแล้ว", At: testNow.Add(-20 * time.Minute)}},
		AgeBand:  "15–17", Guardian: "pending",
	})
	f.add(TicketView{
		Ticket: content.Handoff{ID: ticketClosed, UserID: youth1, Reason: "checkin", At: testNow.Add(-72 * time.Hour), Status: "closed",
			OrgID: orgA, Province: "TH-50", FirstReplyAt: testNow.Add(-70 * time.Hour), ClosedAt: testNow.Add(-48 * time.Hour), ClosedBy: somchaiID},
	})
	f.add(TicketView{
		Ticket:   content.Handoff{ID: ticketOrgB, UserID: youth3, Reason: "asked", At: testNow.Add(-time.Hour), Status: "open", OrgID: orgB, Province: "TH-90"},
		Messages: []content.HandoffMessage{{ID: "m9", HandoffID: ticketOrgB, UserID: youth3, Text: "ความลับของหน่วยงานอื่น", At: testNow.Add(-time.Hour)}},
	})
	return f
}

func (f *fakeTickets) add(tv TicketView) {
	f.mu.Lock()
	f.order = append(f.order, tv.Ticket.ID)
	f.tickets[tv.Ticket.ID] = &tv
	f.mu.Unlock()
	f.notify()
}

// notify ticks every subscriber (without blocking: a tick is "look again").
func (f *fakeTickets) notify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (f *fakeTickets) mine(c content.Counsellor, id string) (*TicketView, error) {
	tv, ok := f.tickets[id]
	if !ok || tv.Ticket.OrgID != c.OrgID {
		return nil, content.Errorf(content.ENOTFOUND, "no such ticket")
	}
	return tv, nil
}

func (f *fakeTickets) Inbox(_ context.Context, c content.Counsellor, status string) ([]content.Handoff, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []content.Handoff
	for _, id := range f.order {
		h := f.tickets[id].Ticket
		if h.OrgID == c.OrgID && h.Status == status {
			out = append(out, h)
		}
	}
	return out, nil
}

func (f *fakeTickets) Ticket(_ context.Context, c content.Counsellor, id string) (TicketView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tv, err := f.mine(c, id)
	if err != nil {
		return TicketView{}, err
	}
	out := *tv
	out.Messages = slices.Clone(tv.Messages)
	return out, nil
}

func (f *fakeTickets) Reply(_ context.Context, c content.Counsellor, ticketID, requestID, text string) (content.HandoffMessage, error) {
	f.mu.Lock()
	f.calls = append(f.calls, replyCall{ticketID, requestID, text})
	tv, err := f.mine(c, ticketID)
	if err != nil {
		f.mu.Unlock()
		return content.HandoffMessage{}, err
	}
	if m, ok := f.stored[requestID]; ok {
		f.mu.Unlock()
		return m, nil
	}
	if tv.Ticket.Status != "open" {
		f.mu.Unlock()
		return content.HandoffMessage{}, content.Errorf(content.ECONFLICT, "closed")
	}
	m := content.HandoffMessage{ID: requestID, HandoffID: ticketID, UserID: tv.Ticket.UserID, Text: text, At: f.now,
		Author: content.AuthorCounsellor, CounsellorID: c.ID, Status: content.ReplyPending}
	f.stored[requestID] = m
	tv.Messages = append(tv.Messages, m)
	if tv.Ticket.FirstReplyAt.IsZero() {
		tv.Ticket.FirstReplyAt = f.now
	}
	f.mu.Unlock()
	f.notify()
	return m, nil
}

func (f *fakeTickets) Assign(_ context.Context, c content.Counsellor, id string) error {
	f.mu.Lock()
	tv, err := f.mine(c, id)
	if err == nil {
		tv.Ticket.AssigneeID = c.ID
	}
	f.mu.Unlock()
	f.notify()
	return err
}

func (f *fakeTickets) Close(_ context.Context, c content.Counsellor, id string) error {
	f.mu.Lock()
	tv, err := f.mine(c, id)
	if err == nil {
		if tv.Ticket.Status == "closed" {
			err = content.Errorf(content.ECONFLICT, "closed already")
		} else {
			tv.Ticket.Status, tv.Ticket.ClosedAt, tv.Ticket.ClosedBy = "closed", f.now, c.ID
		}
	}
	f.mu.Unlock()
	f.notify()
	return err
}

func (f *fakeTickets) LinkCode(context.Context, content.Counsellor) (string, error) {
	return "K7Q2PM", nil
}

func (f *fakeTickets) SetHours(_ context.Context, c content.Counsellor, h content.OfficeHours) error {
	if err := h.Validate(); err != nil {
		return content.Errorf(content.EINVALID, "%v", err)
	}
	f.people.update(c.ID, func(x *content.Counsellor) { x.Hours = h })
	return nil
}

func (f *fakeTickets) Subscribe(_ context.Context, _ content.Counsellor) (<-chan struct{}, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{}, 1)
	id := f.nextSub
	f.nextSub++
	f.subs[id] = ch
	return ch, func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.mu.Unlock()
	}
}

func (f *fakeTickets) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *fakeTickets) replyCalls() []replyCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeTickets) view(id string) TicketView {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.tickets[id]
}

// env is a console mounted at /console on a test server.
type env struct {
	t      *testing.T
	c      *Console
	srv    *httptest.Server
	fake   *fakeTickets
	people *fakeCounsellors
	redis  redistest.Target
}

func newEnv(t *testing.T, tweak ...func(*Config)) *env {
	t.Helper()
	people := newFakeCounsellors()
	fake := newFakeTickets(people)
	tg := redistest.Embedded(t)
	cfg := Config{Tickets: fake, Counsellors: people, Redis: tg.Client, Prefix: tg.Prefix, Now: func() time.Time { return testNow }}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Mount("/console", c.Handler())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &env{t: t, c: c, srv: srv, fake: fake, people: people, redis: tg}
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects (tests look at them).
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// answer is a response, read.
type answer struct {
	Status   int
	Body     string
	Header   http.Header
	Location string
}

func (cl *client) do(req *http.Request) answer {
	cl.t.Helper()
	res, err := cl.http.Do(req)
	if err != nil {
		cl.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Body: string(b), Header: res.Header, Location: res.Header.Get("Location")}
}

func (cl *client) get(path string) answer {
	cl.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, cl.e.srv.URL+path, nil)
	return cl.do(req)
}

func (cl *client) post(path string, form url.Values) answer {
	cl.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, cl.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.do(req)
}

var hiddenField = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)

// fields returns the hidden fields of a page (the last of each name: the
// header's forms come first, the page's own after).
func fields(body string) map[string]string {
	out := map[string]string{}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// signIn signs the client in as a counsellor with a one-time link and
// returns the session's CSRF token.
func (cl *client) signIn(counsellorID string) string {
	cl.t.Helper()
	link, err := cl.e.c.SignInLink(context.Background(), counsellorID, cl.e.srv.URL)
	if err != nil {
		cl.t.Fatal(err)
	}
	u, _ := url.Parse(link)
	page := cl.get(u.RequestURI())
	f := fields(page.Body)
	res := cl.post("/console/signin", url.Values{"pre": {f["pre"]}, "t": {f["t"]}, "next": {f["next"]}})
	if res.Status != http.StatusSeeOther {
		cl.t.Fatalf("sign-in: %d %s", res.Status, res.Body)
	}
	return cl.csrf()
}

// csrf reads the session's CSRF token off the inbox.
func (cl *client) csrf() string {
	cl.t.Helper()
	page := cl.get("/console/")
	tok := fields(page.Body)["csrf"]
	if page.Status != http.StatusOK || tok == "" {
		cl.t.Fatalf("inbox without a CSRF token: %d %s", page.Status, page.Body)
	}
	return tok
}

package console

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
)

func TestSignInWithOneTimeLinkWorksOnce(t *testing.T) {
	e := newEnv(t)
	link, err := e.c.SignInLink(context.Background(), somchaiID, e.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, e.srv.URL+"/console/signin?t=") {
		t.Fatalf("link = %q", link)
	}
	u, _ := url.Parse(link)

	cl := e.client()
	page := cl.get(u.RequestURI())
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `id="use-link"`) {
		t.Fatalf("GET of the link: %d, want the page with its button", page.Status)
	}
	// A GET alone (a link preview, a scanner) does not use the link up: a
	// second GET still offers it.
	if again := e.client().get(u.RequestURI()); !strings.Contains(again.Body, `id="use-link"`) {
		t.Fatal("a second GET no longer offers the link")
	}
	f := fields(page.Body)
	res := cl.post("/console/signin", url.Values{"pre": {f["pre"]}, "t": {f["t"]}})
	if res.Status != http.StatusSeeOther || res.Location != "/console/" {
		t.Fatalf("first use: %d to %q, want 303 to /console/", res.Status, res.Location)
	}
	ck := sessionCookieOf(t, res)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/console" || ck.Secure || ck.MaxAge != int(DefaultSessionTTL.Seconds()) {
		t.Errorf("session cookie = %+v, want HttpOnly, Lax, Path /console, not Secure (not configured), 12 h", ck)
	}
	if inbox := cl.get("/console/"); inbox.Status != http.StatusOK || !strings.Contains(inbox.Body, "ครูสมชาย ใจดี") {
		t.Fatalf("inbox after sign-in: %d", inbox.Status)
	}

	// The second use is refused, in another browser as in this one.
	other := e.client()
	page = other.get(u.RequestURI())
	f = fields(page.Body)
	res = other.post("/console/signin", url.Values{"pre": {f["pre"]}, "t": {f["t"]}})
	if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, "ลิงก์นี้ใช้ไปแล้วหรือหมดอายุ") {
		t.Fatalf("second use: %d, want 401 saying the link was used", res.Status)
	}
	if other.get("/console/").Status != http.StatusSeeOther {
		t.Fatal("the second use signed in")
	}
}

func TestSignInLinkIsOnlyForActiveCounsellors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, id, code string
	}{
		{"disabled", disabledID, content.EFORBIDDEN},
		{"unknown", "c0000000-0000-4000-8000-0000000000ff", content.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.c.SignInLink(context.Background(), tc.id, e.srv.URL); content.ErrorCode(err) != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

func sessionCookieOf(t *testing.T, a answer) *http.Cookie {
	t.Helper()
	for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			return ck
		}
	}
	t.Fatalf("no session cookie in %v", a.Header["Set-Cookie"])
	return nil
}

func TestTokenSignIn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		token  string
		status int
		says   string
	}{
		{"the counsellor's secret signs in", somchaiSecret, http.StatusSeeOther, ""},
		{"spaces around a pasted secret are ignored", "  " + somchaiSecret + "\n", http.StatusSeeOther, ""},
		{"a wrong secret is refused", somchaiSecret + "x", http.StatusUnauthorized, "รหัสไม่ถูกต้อง"},
		{"an empty secret is refused", "", http.StatusUnprocessableEntity, "กรุณาวางรหัสเข้าสู่ระบบ"},
		{"a disabled counsellor is refused", disabledSecret, http.StatusForbidden, "บัญชีนี้ถูกระงับ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			cl := e.client()
			f := fields(cl.get("/console/signin").Body)
			res := cl.post("/console/signin", url.Values{"pre": {f["pre"]}, "token": {tc.token}})
			if res.Status != tc.status || !strings.Contains(res.Body, tc.says) {
				t.Fatalf("status %d, want %d saying %q", res.Status, tc.status, tc.says)
			}
			signedIn := cl.get("/console/").Status == http.StatusOK
			if signedIn != (tc.status == http.StatusSeeOther) {
				t.Errorf("signed in = %v", signedIn)
			}
		})
	}
}

func TestSignInFormNeedsItsOwnToken(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.get("/console/signin") // sets the pre-session cookie
	res := cl.post("/console/signin", url.Values{"pre": {"forged"}, "token": {somchaiSecret}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("a sign-in posted from elsewhere: %d, want 403", res.Status)
	}
	if cl.get("/console/").Status == http.StatusOK {
		t.Fatal("it signed in")
	}
}

func TestDisabledCounsellorLosesSession(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.signIn(somchaiID)
	e.people.update(somchaiID, func(c *content.Counsellor) { c.DisabledAt = testNow })
	res := cl.get("/console/")
	if res.Status != http.StatusSeeOther || !strings.Contains(res.Location, "why=disabled") {
		t.Fatalf("a disabled counsellor's page: %d to %q, want a redirect to sign-in", res.Status, res.Location)
	}
	if keys := e.redis.Mini.Keys(); slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "console:sess:") }) {
		t.Errorf("their session is still in Redis: %v", keys)
	}
	e.people.update(somchaiID, func(c *content.Counsellor) { c.DisabledAt = time.Time{} })
	if cl.get("/console/").Status != http.StatusSeeOther {
		t.Error("the session came back when they were enabled again")
	}
}

func TestRevokeSessionsEndsEveryBrowser(t *testing.T) {
	e := newEnv(t)
	a, b := e.client(), e.client()
	a.signIn(somchaiID)
	b.signIn(somchaiID)
	if err := e.c.RevokeSessions(context.Background(), somchaiID); err != nil {
		t.Fatal(err)
	}
	for i, cl := range []*client{a, b} {
		if cl.get("/console/").Status != http.StatusSeeOther {
			t.Errorf("browser %d is still signed in", i)
		}
	}
}

func TestSessionExpires(t *testing.T) {
	now := testNow
	e := newEnv(t, func(c *Config) { c.Now = func() time.Time { return now } })
	cl := e.client()
	cl.signIn(somchaiID)
	now = now.Add(DefaultSessionTTL + time.Second)
	e.redis.Mini.FastForward(DefaultSessionTTL + time.Second)
	if cl.get("/console/").Status != http.StatusSeeOther {
		t.Fatal("the session outlived its 12 hours")
	}
}

func TestPagesWithoutSessionRedirectToSignIn(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	for _, tc := range []struct {
		path   string
		status int
		next   string
	}{
		{"/console/", http.StatusSeeOther, "/console/"},
		{"/console", http.StatusSeeOther, "/console"},
		{"/console/?status=closed", http.StatusSeeOther, "/console/?status=closed"},
		{"/console/tickets/" + ticketOld, http.StatusSeeOther, "/console/tickets/" + ticketOld},
		{"/console/hours", http.StatusSeeOther, "/console/hours"},
		{"/console/inbox.html?status=open", http.StatusUnauthorized, ""},
		{"/console/events", http.StatusUnauthorized, ""},
		{"/console/tickets/" + ticketOld + "/conversation.html", http.StatusUnauthorized, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := cl.get(tc.path)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d", res.Status, tc.status)
			}
			if tc.status == http.StatusSeeOther {
				want := "/console/signin?next=" + url.QueryEscape(tc.next)
				if res.Location != want {
					t.Errorf("redirect to %q, want %q", res.Location, want)
				}
			}
		})
	}
	// After signing in from such a redirect, the counsellor lands where they were going.
	f := fields(cl.get("/console/signin?next=" + url.QueryEscape("/console/tickets/"+ticketOld)).Body)
	res := cl.post("/console/signin", url.Values{"pre": {f["pre"]}, "token": {somchaiSecret}, "next": {f["next"]}})
	if res.Location != "/console/tickets/"+ticketOld {
		t.Errorf("after sign-in went to %q", res.Location)
	}
	// ...but never off the console.
	for _, next := range []string{"https://evil.example/", "//evil.example/console/", "/console/..//evil", "/console/../api/v1/city", "/console/%2E%2E/api", "/elsewhere"} {
		if got := e.c.safeNext(next); got != "/console/" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	hours := url.Values{"day_0": {"1"}, "on_0": {"1"}, "from_0": {"07:00"}, "to_0": {"11:00"}}
	for _, tc := range []struct {
		name string
		path string
		form url.Values
	}{
		{"reply", "/console/tickets/" + ticketOld + "/reply", url.Values{"text": {"สวัสดี"}, "request_id": {"4b1d0000-0000-4000-8000-000000000001"}}},
		{"assign", "/console/tickets/" + ticketOld + "/assign", url.Values{}},
		{"close", "/console/tickets/" + ticketOld + "/close", url.Values{}},
		{"hours", "/console/hours", hours},
		{"sign out", "/console/signout", url.Values{}},
	} {
		for _, token := range []string{"", "wrong-token"} {
			t.Run(tc.name+"/"+strconv.Quote(token), func(t *testing.T) {
				e := newEnv(t)
				cl := e.client()
				cl.signIn(somchaiID)
				before := e.fake.view(ticketOld)
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				if token != "" {
					form.Set("csrf", token)
				}
				res := cl.post(tc.path, form)
				if res.Status != http.StatusForbidden || !strings.Contains(res.Body, "ไม่ได้เปลี่ยนแปลงอะไร") {
					t.Fatalf("status %d, want 403 with a page saying nothing changed", res.Status)
				}
				after := e.fake.view(ticketOld)
				if len(e.fake.replyCalls()) != 0 || after.Ticket != before.Ticket || len(after.Messages) != len(before.Messages) {
					t.Error("the ticket changed")
				}
				if who, _ := e.people.Counsellor(context.Background(), somchaiID); !slices.Equal(who.Hours, content.DefaultOfficeHours) {
					t.Error("the office hours changed")
				}
				if cl.get("/console/").Status != http.StatusOK {
					t.Error("the session ended")
				}
			})
		}
	}
}

func TestCSRFTokenInHeaderIsAccepted(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/console/tickets/"+ticketOld+"/assign", nil)
	req.Header.Set(csrfHeader, tok)
	if res := cl.do(req); res.Status != http.StatusSeeOther {
		t.Fatalf("status %d", res.Status)
	}
	if e.fake.view(ticketOld).Ticket.AssigneeID != somchaiID {
		t.Error("not assigned")
	}
}

func TestReplyDoubleSubmittedIsOneReply(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	page := cl.get("/console/tickets/" + ticketOld)
	reqID := fields(page.Body)["request_id"]
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(reqID) {
		t.Fatalf("the form's request_id = %q, want a UUID", reqID)
	}
	text := "สวัสดีค่ะ พี่ชื่อสมชาย ได้รับข้อความแล้วนะ"
	form := url.Values{"csrf": {tok}, "request_id": {reqID}, "text": {text}}
	for i := range 2 {
		res := cl.post("/console/tickets/"+ticketOld+"/reply", form)
		if res.Status != http.StatusSeeOther || res.Location != "/console/tickets/"+ticketOld+"?done=replied" {
			t.Fatalf("submit %d: %d to %q", i+1, res.Status, res.Location)
		}
	}
	calls := e.fake.replyCalls()
	if len(calls) != 2 || calls[0] != calls[1] || calls[0].RequestID != reqID || calls[0].Text != text {
		t.Fatalf("Reply calls = %+v, want the same request twice", calls)
	}
	page = cl.get("/console/tickets/" + ticketOld + "?done=replied")
	if n := strings.Count(page.Body, text); n != 1 {
		t.Errorf("the page shows the reply %d times", n)
	}
	if !strings.Contains(page.Body, "กำลังส่ง") || !strings.Contains(page.Body, "บันทึกข้อความแล้ว") {
		t.Error("the reply's status (pending) or the notice is missing")
	}
	if next := fields(page.Body)["request_id"]; next == reqID {
		t.Error("the next form reuses the request ID")
	}
}

func TestReplyValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		text   string
		status int
		says   string
	}{
		{"empty is refused", "   \r\n ", http.StatusUnprocessableEntity, "กรุณาพิมพ์ข้อความก่อนส่ง"},
		{"2,001 characters are refused", strings.Repeat("ก", MaxReplyLen+1), http.StatusUnprocessableEntity, "ข้อความยาวเกิน 2000 ตัวอักษร"},
		{"2,000 characters are sent", strings.Repeat("ก", MaxReplyLen), http.StatusSeeOther, ""},
		{"a NUL is refused", "สวัสดี\x00", http.StatusUnprocessableEntity, "ข้อความมีอักขระที่ส่งไม่ได้"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			cl := e.client()
			tok := cl.signIn(somchaiID)
			reqID := "4b1d0000-0000-4000-8000-000000000009"
			res := cl.post("/console/tickets/"+ticketOld+"/reply", url.Values{"csrf": {tok}, "request_id": {reqID}, "text": {tc.text}})
			if res.Status != tc.status || !strings.Contains(res.Body, tc.says) {
				t.Fatalf("status %d, want %d saying %q", res.Status, tc.status, tc.says)
			}
			if tc.status != http.StatusSeeOther {
				if len(e.fake.replyCalls()) != 0 {
					t.Error("an invalid reply reached Tickets.Reply")
				}
				if f := fields(res.Body); f["request_id"] != reqID {
					t.Errorf("the form came back with request_id %q, want the same %q", f["request_id"], reqID)
				}
				if !strings.Contains(res.Body, `aria-invalid="true"`) {
					t.Error("the reply box is not marked invalid")
				}
			}
		})
	}
}

func TestReplyToClosedTicketSaysSo(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	res := cl.post("/console/tickets/"+ticketClosed+"/reply", url.Values{"csrf": {tok}, "request_id": {"4b1d0000-0000-4000-8000-000000000002"}, "text": {"สวัสดี"}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "เรื่องนี้ปิดไปแล้ว") {
		t.Fatalf("status %d", res.Status)
	}
}

func TestAssignAndClose(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	res := cl.post("/console/tickets/"+ticketOld+"/assign", url.Values{"csrf": {tok}})
	if res.Status != http.StatusSeeOther || e.fake.view(ticketOld).Ticket.AssigneeID != somchaiID {
		t.Fatalf("assign: %d", res.Status)
	}
	page := cl.get(res.Location)
	if !strings.Contains(page.Body, "รับเรื่องนี้แล้ว") || strings.Contains(page.Body, `id="assign"`) {
		t.Error("after assigning, the page should say so and not offer it again")
	}
	res = cl.post("/console/tickets/"+ticketOld+"/close", url.Values{"csrf": {tok}})
	if res.Status != http.StatusSeeOther || e.fake.view(ticketOld).Ticket.Status != "closed" {
		t.Fatalf("close: %d", res.Status)
	}
	page = cl.get(res.Location)
	if strings.Contains(page.Body, `id="reply-form"`) || !strings.Contains(page.Body, "เรื่องนี้ปิดแล้ว ตอบกลับไม่ได้") {
		t.Error("a closed ticket still offers a reply box")
	}
	// Closing again is not an error page: the ticket is shown as it is.
	if res = cl.post("/console/tickets/"+ticketOld+"/close", url.Values{"csrf": {tok}}); res.Status != http.StatusSeeOther {
		t.Errorf("closing twice: %d", res.Status)
	}
}

func TestAnotherOrganisationsTicketIsNotFound(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	for _, tc := range []struct {
		method, path string
	}{
		{http.MethodGet, "/console/tickets/" + ticketOrgB},
		{http.MethodGet, "/console/tickets/" + ticketOrgB + "/conversation.html"},
		{http.MethodPost, "/console/tickets/" + ticketOrgB + "/reply"},
		{http.MethodPost, "/console/tickets/" + ticketOrgB + "/assign"},
		{http.MethodPost, "/console/tickets/" + ticketOrgB + "/close"},
		{http.MethodGet, "/console/tickets/not-a-uuid"},
		{http.MethodGet, "/console/tickets/7e1c00ff-0000-4000-8000-0000000000ff"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var res answer
			if tc.method == http.MethodGet {
				res = cl.get(tc.path)
			} else {
				res = cl.post(tc.path, url.Values{"csrf": {tok}, "text": {"สวัสดี"}, "request_id": {"4b1d0000-0000-4000-8000-000000000003"}})
			}
			if res.Status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.Status)
			}
			if strings.Contains(res.Body, "ความลับของหน่วยงานอื่น") || strings.Contains(res.Body, shortID(ticketOrgB)) {
				t.Error("the 404 reveals the ticket")
			}
		})
	}
	tv := e.fake.view(ticketOrgB)
	if tv.Ticket.AssigneeID != "" || tv.Ticket.Status != "open" || len(tv.Messages) != 1 {
		t.Error("another organisation's ticket changed")
	}
	if inbox := cl.get("/console/"); strings.Contains(inbox.Body, ticketOrgB) {
		t.Error("the inbox lists another organisation's ticket")
	}
}

func TestOfficeHoursValidation(t *testing.T) {
	week := func(rows ...[3]string) url.Values {
		v := url.Values{}
		for i, d := range []string{"1", "2", "3", "4", "5", "6", "0"} {
			k := strconv.Itoa(i)
			v.Set("day_"+k, d)
			v.Set("from_"+k, "08:30")
			v.Set("to_"+k, "16:30")
		}
		for _, r := range rows { // index, from, to: switched on
			v.Set("on_"+r[0], "1")
			v.Set("from_"+r[0], r[1])
			v.Set("to_"+r[0], r[2])
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		says   []string
		want   content.OfficeHours
	}{
		{"Monday and Saturday are saved", week([3]string{"0", "8:00", "12:00"}, [3]string{"5", "09:00", "15:30"}), http.StatusSeeOther, nil,
			content.OfficeHours{{Day: time.Monday, From: "08:00", To: "12:00"}, {Day: time.Saturday, From: "09:00", To: "15:30"}}},
		{"an end before the start is refused", week([3]string{"0", "16:00", "08:00"}), http.StatusUnprocessableEntity,
			[]string{"เวลาเริ่มต้องมาก่อนเวลาสิ้นสุด", "ยังบันทึกไม่ได้"}, nil},
		{"a time that is not HH:MM is refused", week([3]string{"2", "9.30", "16:00"}), http.StatusUnprocessableEntity,
			[]string{"กรอกเวลาเป็น ชั่วโมง:นาที"}, nil},
		{"25:00 is refused", week([3]string{"2", "09:00", "25:00"}), http.StatusUnprocessableEntity,
			[]string{"กรอกเวลาเป็น ชั่วโมง:นาที"}, nil},
		{"no day at all is refused", week(), http.StatusUnprocessableEntity, []string{"กรุณาเลือกอย่างน้อยหนึ่งวัน"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			cl := e.client()
			tc.form.Set("csrf", cl.signIn(somchaiID))
			res := cl.post("/console/hours", tc.form)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			for _, s := range tc.says {
				if !strings.Contains(res.Body, s) {
					t.Errorf("the page does not say %q", s)
				}
			}
			who, _ := e.people.Counsellor(context.Background(), somchaiID)
			if tc.want == nil {
				if !slices.Equal(who.Hours, content.DefaultOfficeHours) {
					t.Errorf("refused hours were saved: %v", who.Hours)
				}
				return
			}
			if !slices.Equal(who.Hours, tc.want) {
				t.Errorf("saved %v, want %v", who.Hours, tc.want)
			}
			page := cl.get(res.Location)
			if !strings.Contains(page.Body, "บันทึกเวลาทำการแล้ว") || !strings.Contains(page.Body, `value="15:30"`) {
				t.Error("the page after saving does not show the saved hours")
			}
		})
	}
}

func TestOfficeHoursFormKeepsEveryShift(t *testing.T) {
	e := newEnv(t)
	e.people.update(somchaiID, func(c *content.Counsellor) {
		c.Hours = content.OfficeHours{{Day: time.Monday, From: "13:00", To: "16:30"}, {Day: time.Monday, From: "08:30", To: "12:00"}}
	})
	cl := e.client()
	cl.signIn(somchaiID)
	page := cl.get("/console/hours")
	if strings.Count(page.Body, `<legend class="sr-only">วันจันทร์</legend>`) != 2 || strings.Count(page.Body, " checked") != 2 {
		t.Fatal("a day with two shifts should show two checked rows")
	}
	if strings.Index(page.Body, `value="08:30"`) > strings.Index(page.Body, `value="13:00"`) {
		t.Error("a day's shifts are not in time order")
	}
}

func TestEventsStreamSendsEventWhenSubscribeTicks(t *testing.T) {
	e := newEnv(t)
	e.c.heartbeat = 50 * time.Millisecond
	cl := e.client()
	cl.signIn(somchaiID)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/console/events", nil)
	res, err := cl.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("status %d, type %q", res.StatusCode, ct)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	await := func(want string) {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the stream ended before %q", want)
				}
				if l == want {
					return
				}
			case <-timeout:
				t.Fatalf("no %q within 5 s", want)
			}
		}
	}
	await(": connected")
	await(": heartbeat")
	e.fake.notify()
	await("event: inbox")
	await("data: changed")

	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for e.fake.subscribers() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.fake.subscribers(); n != 0 {
		t.Errorf("%d subscriptions left after the client went", n)
	}
}

func TestEventsStreamEndsWithTheSession(t *testing.T) {
	e := newEnv(t)
	e.c.heartbeat = 20 * time.Millisecond
	cl := e.client()
	tok := cl.signIn(somchaiID)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/console/events", nil)
	res, err := cl.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	cl.post("/console/signout", url.Values{"csrf": {tok}})
	done := make(chan string)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
		}
		done <- all.String()
	}()
	select {
	case all := <-done:
		if !strings.Contains(all, "event: signout") {
			t.Errorf("the stream ended without a signout event:\n%s", all)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the session")
	}
}

func TestCloseEndsEventStreams(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.signIn(somchaiID)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/console/events", nil)
	res, err := cl.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	e.c.Close()
	e.c.Close() // twice is fine
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, res.Body)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived Close")
	}
}

func TestInboxFragmentListsUrgentFirst(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.signIn(somchaiID)
	res := cl.get("/console/inbox.html?status=open")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	if strings.Contains(res.Body, "<html") || strings.Contains(res.Body, "<header") {
		t.Error("the fragment is a whole page")
	}
	urgent, old := strings.Index(res.Body, shortID(ticketUrgent)), strings.Index(res.Body, shortID(ticketOld))
	if urgent < 0 || old < 0 || urgent > old {
		t.Fatalf("urgent at %d, older at %d: want both, urgent first", urgent, old)
	}
	for _, want := range []string{
		"อาจอยู่ในภาวะวิกฤต", "ด่วน", "20 นาที", "กรุงเทพมหานคร", "ขยายถึงทุกคนในพื้นที่", // the urgent one
		"ขอคุยกับเจ้าหน้าที่", "3 ชม.", "เมืองขอนแก่น, ขอนแก่น", "พี่มาลัย", "ยังไม่ได้ตอบ", // the older one
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the fragment lacks %q", want)
		}
	}
	if strings.Contains(res.Body, shortID(ticketClosed)) {
		t.Error("the open tab lists a closed ticket")
	}
	closed := cl.get("/console/inbox.html?status=closed")
	if !strings.Contains(closed.Body, shortID(ticketClosed)) || strings.Contains(closed.Body, shortID(ticketOld)) {
		t.Error("the closed tab lists the wrong tickets")
	}
}

func TestEnglishToggleSwitchesWords(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.signIn(somchaiID)
	th := cl.get("/console/")
	if !strings.Contains(th.Body, `<html lang="th">`) || !strings.Contains(th.Body, "กล่องเรื่อง") {
		t.Fatal("the default page is not Thai")
	}
	f := fields(th.Body)
	if f["next"] != "/console/" {
		t.Errorf("the toggle comes back to %q", f["next"])
	}
	res := cl.post("/console/lang", url.Values{"lang": {"en"}, "next": {"/console/tickets/" + ticketOld}})
	if res.Status != http.StatusSeeOther || res.Location != "/console/tickets/"+ticketOld {
		t.Fatalf("toggle: %d to %q", res.Status, res.Location)
	}
	en := cl.get("/console/")
	for _, want := range []string{`<html lang="en">`, "Inbox", "My office hours", "Sign out", "Possible crisis", "Bangkok", "ภาษาไทย"} {
		if !strings.Contains(en.Body, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	for _, thai := range []string{"กล่องเรื่อง", "ออกจากระบบ", "อาจอยู่ในภาวะวิกฤต"} {
		if strings.Contains(en.Body, thai) {
			t.Errorf("the English page still says %q", thai)
		}
	}
	ticket := cl.get("/console/tickets/" + ticketOld)
	if !strings.Contains(ticket.Body, "Say hello") || !strings.Contains(ticket.Body, "Assign to me") {
		t.Error("the English ticket page lacks English canned labels or buttons")
	}
	if !strings.Contains(ticket.Body, "สวัสดีค่ะ/ครับ") {
		t.Error("a canned reply should still fill Thai text (what the young person reads)")
	}
	cl.post("/console/lang", url.Values{"lang": {"th"}, "next": {"/console/"}})
	if !strings.Contains(cl.get("/console/").Body, "กล่องเรื่อง") {
		t.Error("switching back to Thai did not")
	}
}

// TestPagesNeverShowLineUserIDs renders every page, in both languages, with
// test data full of LINE user IDs.
func TestPagesNeverShowLineUserIDs(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	cl.post("/console/tickets/"+ticketOld+"/reply", url.Values{"csrf": {tok}, "request_id": {"4b1d0000-0000-4000-8000-000000000004"}, "text": {"สวัสดีค่ะ"}})
	for _, lang := range []string{"th", "en"} {
		cl.post("/console/lang", url.Values{"lang": {lang}})
		pages := map[string]answer{}
		for _, p := range []string{
			"/console/", "/console/?status=closed", "/console/inbox.html?status=open", "/console/inbox.html?status=closed",
			"/console/tickets/" + ticketOld, "/console/tickets/" + ticketUrgent, "/console/tickets/" + ticketClosed,
			"/console/tickets/" + ticketOld + "/conversation.html", "/console/tickets/" + ticketOrgB,
			"/console/hours", "/console/nowhere", "/console/signin?t=x",
		} {
			pages[p] = cl.get(p)
		}
		pages["bad reply"] = cl.post("/console/tickets/"+ticketOld+"/reply", url.Values{"csrf": {tok}, "request_id": {"x"}, "text": {""}})
		pages["csrf"] = cl.post("/console/tickets/"+ticketOld+"/assign", url.Values{})
		for name, res := range pages {
			if res.Status >= 500 {
				t.Errorf("%s %s: status %d", lang, name, res.Status)
			}
			if m := anyLineUserID.FindString(res.Body); m != "" {
				t.Errorf("%s %s shows a LINE user ID", lang, name)
			}
		}
	}
}

func TestRenderMasksLineUserIDsThatSlipThrough(t *testing.T) {
	e := newEnv(t)
	e.fake.mu.Lock()
	e.fake.tickets[ticketOld].Messages[0].Text = "my id is " + youth1
	e.fake.mu.Unlock()
	cl := e.client()
	cl.signIn(somchaiID)
	page := cl.get("/console/tickets/" + ticketOld)
	if page.Status != http.StatusOK || anyLineUserID.MatchString(page.Body) || !strings.Contains(page.Body, "my id is U…") {
		t.Fatalf("status %d; the ID was not masked", page.Status)
	}
}

func TestTicketPageShowsTheConversationAndProfile(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.signIn(somchaiID)
	page := cl.get("/console/tickets/" + ticketOld)
	for _, want := range []string{
		`class="msg person"`, "อยากหางานพาร์ทไทม์ค่ะ", `class="msg bot"`, // the conversation
		"18–19 ปี", "การศึกษาสูงสุด", "ม.6", "คอร์สช่างซ่อมมือถือ 5 วัน", // profile, age band, plan
		shortID(ticketOld), "เมืองขอนแก่น, ขอนแก่น", "ทักทาย", `data-fill="สวัสดีค่ะ/ครับ`, // heading, canned replies
		`maxlength="2000"`, `id="assign"`, "ยืนยันปิดเรื่อง",
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the ticket page lacks %q", want)
		}
	}
	urgent := cl.get("/console/tickets/" + ticketUrgent)
	if !strings.Contains(urgent.Body, "รอผู้ปกครองยืนยัน") || !strings.Contains(urgent.Body, "ยังไม่มีแผน") {
		t.Error("the urgent ticket lacks its guardian status or the no-plan note")
	}
}

func TestEveryPageCarriesSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.signIn(somchaiID)
	for _, p := range []string{"/console/", "/console/signin", "/console/tickets/" + ticketOld} {
		res := cl.get(p)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: referrer or cache headers missing", p)
		}
	}
	css := cl.get("/console/static/console.css")
	if css.Status != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("console.css: %d %q", css.Status, css.Header.Get("Content-Type"))
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	tok := cl.signIn(somchaiID)
	res := cl.post("/console/signout", url.Values{"csrf": {tok}})
	if res.Status != http.StatusSeeOther || res.Location != "/console/signin" {
		t.Fatalf("sign out: %d to %q", res.Status, res.Location)
	}
	if cl.get("/console/").Status != http.StatusSeeOther {
		t.Error("still signed in")
	}
}

// wordKey finds the words templates use.
var wordKey = regexp.MustCompile(`\{\{-?\s*tf? "([^"]+)"`)

func TestEveryWordUsedIsInWordsYAML(t *testing.T) {
	w, err := loadWords()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	tmpls, _ := filepath.Glob("templates/*.html")
	for _, p := range tmpls {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range wordKey.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	// The keys Go code builds.
	for _, r := range []string{"asked", "crisis", "model", "checkin", "message", "other"} {
		keys = append(keys, "reason."+r)
	}
	for i := range 3 {
		keys = append(keys, "escalation."+strconv.Itoa(i))
	}
	for i := range 7 {
		keys = append(keys, "day."+strconv.Itoa(i))
	}
	for i := 1; i <= 12; i++ {
		keys = append(keys, "month."+strconv.Itoa(i))
	}
	for _, n := range notices {
		keys = append(keys, "done."+n)
	}
	for _, code := range []string{content.ENOTFOUND, content.EINVALID, content.ECONFLICT, content.EUNAUTHORIZED, content.EFORBIDDEN, "csrf", "method", "bad_form"} {
		keys = append(keys, "error."+code, "error."+code+".heading")
	}
	keys = append(keys, "reply.pending", "reply.sent", "reply.failed", "guardian.confirmed", "guardian.pending",
		"assignee.none", "assignee.me", "assignee.other", "area.unknown", "age.now", "age.minutes", "age.hours", "age.days")
	goFiles, _ := filepath.Glob("*.go")
	sayKey := regexp.MustCompile(`say\([^,]+, "([a-z_.]+)"[,)]`)
	for _, p := range goFiles {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(p)
		for _, m := range sayKey.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, k := range keys {
		for _, lang := range languages {
			if _, err := w.get(lang, k); err != nil {
				t.Errorf("%s: %v", lang, err)
			}
		}
	}
}

func TestCannedRepliesLoad(t *testing.T) {
	rs, err := DefaultCannedReplies()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 4 {
		t.Fatalf("%d canned replies, want a handful", len(rs))
	}
	thai := regexp.MustCompile(`\p{Thai}`)
	for _, r := range rs {
		if !thai.MatchString(r.TextTH) || thai.MatchString(r.TextEN) {
			t.Errorf("%s: text_th should be Thai and text_en English", r.ID)
		}
	}
	if _, err := New(Config{Tickets: &fakeTickets{}, Counsellors: newFakeCounsellors(), Redis: newEnv(t).redis.Client,
		CannedReplies: []CannedReply{{ID: "x", LabelTH: "ก"}}}); err == nil {
		t.Error("New accepted a canned reply without its English")
	}
}

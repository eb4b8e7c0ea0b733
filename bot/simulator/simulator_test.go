package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/paitor/paitor/bot/linefake"
)

const testSecret = "sim-test-secret"

// receiver is a stand-in for the bot's /callback: it checks the signature,
// records the events and, when onEvent is set, may act on them.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	status int // answered status; 0 means 200

	mu      sync.Mutex
	events  []map[string]any
	badSigs int
	onEvent func(ev map[string]any)
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if !webhook.ValidateSignature(testSecret, r.Header.Get("X-Line-Signature"), body) {
		rc.mu.Lock()
		rc.badSigs++
		rc.mu.Unlock()
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	// The SDK must parse what the simulator sends, as the real bot does.
	r2 := httptest.NewRequest(http.MethodPost, "/callback", bytes.NewReader(body))
	r2.Header = r.Header.Clone()
	if _, err := webhook.ParseRequest(testSecret, r2); err != nil {
		rc.t.Errorf("SDK cannot parse the webhook: %v\n%s", err, body)
	}
	var cb struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		rc.t.Errorf("webhook body is not JSON: %v", err)
	}
	rc.mu.Lock()
	rc.events = append(rc.events, cb.Events...)
	on, status := rc.onEvent, rc.status
	rc.mu.Unlock()
	if on != nil {
		for _, ev := range cb.Events {
			on(ev)
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func (rc *receiver) got() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.events...)
}

// rig is a simulator wired to a fake LINE API and a receiver.
type rig struct {
	fake *linefake.Server
	rc   *receiver
	sim  *Simulator
	srv  *httptest.Server // serves the simulator at /dev/chat
	logs *bytes.Buffer
}

func newRig(t *testing.T) *rig {
	t.Helper()
	fake := linefake.NewTest(t, linefake.Options{})
	rc := newReceiver(t)
	logs := &bytes.Buffer{}
	sim, err := New(Config{
		Fake:          fake,
		CallbackURL:   rc.srv.URL + "/callback",
		ChannelSecret: testSecret,
		Logger:        slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil)),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/dev/chat", sim.Handler())
	mux.Handle("/dev/chat/", sim.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &rig{fake: fake, rc: rc, sim: sim, srv: srv, logs: logs}
}

// lockedWriter serialises writes to a buffer shared with the test.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// do sends a request to the simulator and decodes a JSON answer into out.
func (g *rig) do(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, _ := http.NewRequest(method, g.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: answer is not JSON (%d): %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

func (g *rig) newUser(t *testing.T) string {
	t.Helper()
	var u UserResponse
	if st := g.do(t, http.MethodPost, "/dev/chat/api/users", map[string]any{"displayName": "ผู้ใช้ 1"}, &u); st != http.StatusOK {
		t.Fatalf("create user: status %d", st)
	}
	if !userIDPattern.MatchString(u.UserID) || u.DisplayName != "ผู้ใช้ 1" {
		t.Fatalf("create user: got %+v", u)
	}
	return u.UserID
}

func push(t *testing.T, fake *linefake.Server, to string, msgs ...messaging_api.MessageInterface) {
	t.Helper()
	api, err := messaging_api.NewMessagingApiAPI("t", messaging_api.WithEndpoint(fake.URL()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.PushMessage(&messaging_api.PushMessageRequest{
		To: to, Messages: msgs, CustomAggregationUnits: []string{},
	}, "")
	if err != nil {
		t.Fatalf("push: %v", err)
	}
}

func TestSendDeliversSignedEventOfEachKind(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	cases := []struct {
		name  string
		body  map[string]any
		check func(t *testing.T, ev map[string]any)
	}{
		{"text", map[string]any{"kind": "text", "text": "สวัสดีครับ\nhello"}, func(t *testing.T, ev map[string]any) {
			m := ev["message"].(map[string]any)
			if ev["type"] != "message" || m["type"] != "text" || m["text"] != "สวัสดีครับ\nhello" {
				t.Errorf("got %v", ev)
			}
			if ev["replyToken"] == "" || ev["replyToken"] == nil {
				t.Errorf("no reply token: %v", ev)
			}
		}},
		{"follow", map[string]any{"kind": "follow"}, func(t *testing.T, ev map[string]any) {
			f, _ := ev["follow"].(map[string]any)
			if ev["type"] != "follow" || f["isUnblocked"] != false {
				t.Errorf("got %v", ev)
			}
		}},
		{"postback", map[string]any{"kind": "postback", "data": "action=plan&step=2", "params": map[string]string{"date": "2025-07-01"}, "label": "เลือกวัน"},
			func(t *testing.T, ev map[string]any) {
				p := ev["postback"].(map[string]any)
				params, _ := p["params"].(map[string]any)
				if ev["type"] != "postback" || p["data"] != "action=plan&step=2" || params["date"] != "2025-07-01" {
					t.Errorf("got %v", ev)
				}
			}},
		{"sticker", map[string]any{"kind": "sticker", "packageId": "446", "stickerId": "1989"}, func(t *testing.T, ev map[string]any) {
			m := ev["message"].(map[string]any)
			if m["type"] != "sticker" || m["packageId"] != "446" || m["stickerId"] != "1989" {
				t.Errorf("got %v", ev)
			}
		}},
		{"sticker default", map[string]any{"kind": "sticker"}, func(t *testing.T, ev map[string]any) {
			m := ev["message"].(map[string]any)
			if m["type"] != "sticker" || m["packageId"] != "446" || m["stickerId"] != "1988" {
				t.Errorf("got %v", ev)
			}
		}},
		{"location", map[string]any{"kind": "location", "title": "โคราช", "address": "นครราชสีมา", "lat": 14.9799, "lng": 102.0978},
			func(t *testing.T, ev map[string]any) {
				m := ev["message"].(map[string]any)
				if m["type"] != "location" || m["title"] != "โคราช" || m["latitude"] != 14.9799 || m["longitude"] != 102.0978 {
					t.Errorf("got %v", ev)
				}
			}},
		{"image", map[string]any{"kind": "image"}, func(t *testing.T, ev map[string]any) {
			m := ev["message"].(map[string]any)
			if m["type"] != "image" {
				t.Errorf("got %v", ev)
			}
		}},
		{"unfollow", map[string]any{"kind": "unfollow"}, func(t *testing.T, ev map[string]any) {
			if ev["type"] != "unfollow" {
				t.Errorf("got %v", ev)
			}
		}},
		{"follow after unfollow is an unblock", map[string]any{"kind": "follow"}, func(t *testing.T, ev map[string]any) {
			f, _ := ev["follow"].(map[string]any)
			if ev["type"] != "follow" || f["isUnblocked"] != true {
				t.Errorf("got %v", ev)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(g.rc.got())
			tc.body["userId"] = user
			var resp SendResponse
			if st := g.do(t, http.MethodPost, "/dev/chat/api/send", tc.body, &resp); st != http.StatusOK || resp.Status != http.StatusOK {
				t.Fatalf("send: HTTP %d, webhook status %d (%s)", st, resp.Status, resp.Error)
			}
			evs := g.rc.got()
			if len(evs) != before+1 {
				t.Fatalf("receiver got %d new events, want 1", len(evs)-before)
			}
			ev := evs[len(evs)-1]
			src, _ := ev["source"].(map[string]any)
			if src["type"] != "user" || src["userId"] != user {
				t.Errorf("source = %v", src)
			}
			if id, _ := ev["webhookEventId"].(string); id == "" {
				t.Errorf("no webhookEventId: %v", ev)
			}
			tc.check(t, ev)
		})
	}
	g.rc.mu.Lock()
	defer g.rc.mu.Unlock()
	if g.rc.badSigs != 0 {
		t.Errorf("%d webhooks had a bad signature", g.rc.badSigs)
	}
}

func TestSendReportsWebhookStatus(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	g.rc.mu.Lock()
	g.rc.status = http.StatusInternalServerError
	g.rc.mu.Unlock()
	var resp SendResponse
	if st := g.do(t, http.MethodPost, "/dev/chat/api/send", map[string]any{"userId": user, "kind": "text", "text": "hi"}, &resp); st != http.StatusOK {
		t.Fatalf("HTTP %d", st)
	}
	if resp.Status != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", resp.Status)
	}
	if strings.Contains(g.logs.String(), user) {
		t.Errorf("log holds the user ID in clear:\n%s", g.logs.String())
	}
	if !strings.Contains(g.logs.String(), userHash(user)) {
		t.Errorf("log does not name the user by hash:\n%s", g.logs.String())
	}
}

func TestSendToUnreachableWebhook(t *testing.T) {
	fake := linefake.NewTest(t, linefake.Options{})
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	logs := &bytes.Buffer{}
	sim, err := New(Config{Fake: fake, CallbackURL: deadURL + "/callback", ChannelSecret: testSecret,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	user := linefake.NewUserID()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/dev/chat/api/send",
		strings.NewReader(`{"userId":"`+user+`","kind":"text","text":"hi"}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	sim.Handler().ServeHTTP(rec, req)
	var resp SendResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusBadGateway || resp.Status != 0 || resp.Error == "" {
		t.Errorf("got HTTP %d %+v; want 502 with status 0 and an error", rec.Code, resp)
	}
	if strings.Contains(logs.String(), user) {
		t.Errorf("log holds the user ID in clear:\n%s", logs.String())
	}
}

func TestValidation(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"unknown kind", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "video"}, 400, "bad_kind"},
		{"missing kind", "POST", "/dev/chat/api/send", map[string]any{"userId": user}, 400, "bad_kind"},
		{"bad user id", "POST", "/dev/chat/api/send", map[string]any{"userId": "U123", "kind": "text", "text": "x"}, 400, "bad_user_id"},
		{"upper-case user id", "POST", "/dev/chat/api/send", map[string]any{"userId": strings.ToUpper(user), "kind": "text", "text": "x"}, 400, "bad_user_id"},
		{"empty text", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "text", "text": "  "}, 400, "bad_text"},
		{"text too long", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "text", "text": strings.Repeat("😀", 2501)}, 400, "bad_text"},
		{"postback without data", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "postback"}, 400, "bad_data"},
		{"location without lat", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "location", "lng": 100.0}, 400, "bad_location"},
		{"location out of range", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "location", "lat": 91.0, "lng": 100.0}, 400, "bad_location"},
		{"sticker not digits", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "sticker", "packageId": "a", "stickerId": "1"}, 400, "bad_sticker"},
		{"unknown field", "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "text", "text": "x", "evil": 1}, 400, "bad_json"},
		{"not JSON", "POST", "/dev/chat/api/send", "{", 400, "bad_json"},
		{"two objects", "POST", "/dev/chat/api/send", `{"userId":"` + user + `","kind":"follow"} {}`, 400, "bad_json"},
		{"GET send", "GET", "/dev/chat/api/send", nil, 405, "method_not_allowed"},
		{"user with bad id", "POST", "/dev/chat/api/users", map[string]any{"userId": "Uxyz", "displayName": "a"}, 400, "bad_user_id"},
		{"user name too long", "POST", "/dev/chat/api/users", map[string]any{"displayName": strings.Repeat("ก", 21)}, 400, "bad_display_name"},
		{"user name control char", "POST", "/dev/chat/api/users", map[string]any{"displayName": "a\nb"}, 400, "bad_display_name"},
		{"messages bad user", "GET", "/dev/chat/api/messages?userId=nope", nil, 400, "bad_user_id"},
		{"messages bad after", "GET", "/dev/chat/api/messages?userId=" + user + "&after=-1", nil, 400, "bad_after"},
		{"messages bad timeout", "GET", "/dev/chat/api/messages?userId=" + user + "&timeout=soon", nil, 400, "bad_timeout"},
		{"unknown path", "GET", "/dev/chat/api/nothing", nil, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e errorBody
			st := g.do(t, tc.method, tc.path, tc.body, &e)
			if st != tc.status || e.Code != tc.code || e.Error == "" {
				t.Errorf("got %d %+v; want %d %s", st, e, tc.status, tc.code)
			}
		})
	}
	if n := len(g.rc.got()); n != 0 {
		t.Errorf("invalid requests delivered %d events", n)
	}
}

func TestPostsNeedJSONContentType(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		for _, p := range []string{"/dev/chat/api/send", "/dev/chat/api/users"} {
			req, _ := http.NewRequest("POST", g.srv.URL+p, strings.NewReader(`{"userId":"`+user+`","kind":"follow"}`))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("%s with %q: %d, want 415", p, ct, resp.StatusCode)
			}
		}
	}
	if n := len(g.rc.got()); n != 0 {
		t.Errorf("delivered %d events", n)
	}
}

func TestUsersEndpoint(t *testing.T) {
	g := newRig(t)
	var u UserResponse
	if st := g.do(t, "POST", "/dev/chat/api/users", map[string]any{}, &u); st != 200 || !userIDPattern.MatchString(u.UserID) || u.DisplayName == "" {
		t.Fatalf("default name: %d %+v", st, u)
	}
	// Registering an existing ID again (after a restart) keeps the ID.
	id := linefake.NewUserID()
	if st := g.do(t, "POST", "/dev/chat/api/users", map[string]any{"userId": id, "displayName": "ผู้ใช้ 7"}, &u); st != 200 || u.UserID != id {
		t.Fatalf("re-register: %d %+v", st, u)
	}
	// The fake now serves the profile.
	api, _ := messaging_api.NewMessagingApiAPI("t", messaging_api.WithEndpoint(g.fake.URL()))
	p, err := api.GetProfile(id)
	if err != nil || p.DisplayName != "ผู้ใช้ 7" {
		t.Errorf("profile: %+v %v", p, err)
	}
}

func TestMessagesReturnsDeliveriesAndHistory(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	other := g.newUser(t)
	push(t, g.fake, user, messaging_api.TextMessage{Text: "ยินดีต้อนรับ"}, messaging_api.StickerMessage{PackageId: "446", StickerId: "1988"})
	push(t, g.fake, other, messaging_api.TextMessage{Text: "not yours"})
	if st := g.do(t, "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "text", "text": "hi"}, nil); st != 200 {
		t.Fatalf("send: %d", st)
	}

	var got MessagesResponse
	if st := g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after=0&timeout=0", nil, &got); st != 200 {
		t.Fatalf("messages: %d", st)
	}
	if len(got.Messages) != 2 {
		t.Fatalf("got %d messages, want 2: %+v", len(got.Messages), got)
	}
	var m0 map[string]any
	_ = json.Unmarshal(got.Messages[0].Message, &m0)
	if m0["type"] != "text" || m0["text"] != "ยินดีต้อนรับ" || got.Messages[0].Via != "push" || got.Messages[0].At.IsZero() {
		t.Errorf("first message = %+v %v", got.Messages[0], m0)
	}
	if got.Messages[0].Seq >= got.Messages[1].Seq {
		t.Errorf("seqs not increasing: %d, %d", got.Messages[0].Seq, got.Messages[1].Seq)
	}
	if len(got.Sent) != 1 || got.Sent[0].Kind != "text" || got.Sent[0].Text != "hi" || got.Sent[0].Status != 200 {
		t.Errorf("sent history = %+v", got.Sent)
	}

	// after the last seq: nothing, and no history.
	var rest MessagesResponse
	last := got.Messages[1].Seq
	g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after="+itoa(last)+"&timeout=0", nil, &rest)
	if len(rest.Messages) != 0 || rest.Sent != nil {
		t.Errorf("after last: %+v", rest)
	}
	// after the first: the second only, at once even with the default long-poll.
	start := time.Now()
	g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after="+itoa(got.Messages[0].Seq), nil, &rest)
	if len(rest.Messages) != 1 || rest.Messages[0].Seq != last || time.Since(start) > 2*time.Second {
		t.Errorf("after first: %+v in %v", rest, time.Since(start))
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestLongPollReturnsWhenAMessageArrives(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	type result struct {
		resp    MessagesResponse
		elapsed time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		var r MessagesResponse
		g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after=0&timeout=10", nil, &r)
		done <- result{r, time.Since(start)}
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("long-poll returned before any message: %+v", r.resp)
	default:
	}
	push(t, g.fake, user, messaging_api.TextMessage{Text: "มาแล้ว"})
	select {
	case r := <-done:
		if len(r.resp.Messages) != 1 || r.elapsed > 5*time.Second {
			t.Errorf("got %+v after %v", r.resp, r.elapsed)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("long-poll did not return after a push")
	}
}

func TestLongPollTimesOutWithAnEmptyList(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	start := time.Now()
	resp, err := http.Get(g.srv.URL + "/dev/chat/api/messages?userId=" + user + "&after=0&timeout=0.4")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"messages":[]`) {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
	if elapsed < 350*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("timed out after %v, want about 0.4 s", elapsed)
	}
}

func TestLongPollIsCappedAndStopsWithTheClient(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", g.srv.URL+"/dev/chat/api/messages?userId="+user+"&timeout=9999", nil)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if err == nil {
		t.Fatal("want the client's timeout")
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("client cancel took %v", time.Since(start))
	}
}

// TestFollowGetsTheBotsReply runs the whole loop: a follow goes to the
// stand-in bot, which replies through the fake with a quick reply, and the
// page's messages endpoint returns that reply.
func TestFollowGetsTheBotsReply(t *testing.T) {
	g := newRig(t)
	api, _ := messaging_api.NewMessagingApiAPI("t", messaging_api.WithEndpoint(g.fake.URL()))
	g.rc.mu.Lock()
	g.rc.onEvent = func(ev map[string]any) {
		tok, _ := ev["replyToken"].(string)
		if ev["type"] != "follow" || tok == "" {
			return
		}
		_, err := api.ReplyMessage(&messaging_api.ReplyMessageRequest{ReplyToken: tok, Messages: []messaging_api.MessageInterface{
			messaging_api.TextMessage{Text: "สวัสดี! ยินดีต้อนรับสู่ ไปต่อ", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{
				{Type: "action", Action: messaging_api.MessageAction{Label: "เริ่มเลย", Text: "เริ่ม"}},
			}}},
		}})
		if err != nil {
			t.Errorf("reply: %v", err)
		}
	}
	g.rc.mu.Unlock()
	user := g.newUser(t)
	var sr SendResponse
	if st := g.do(t, "POST", "/dev/chat/api/send", map[string]any{"userId": user, "kind": "follow"}, &sr); st != 200 || sr.Status != 200 {
		t.Fatalf("follow: %d %+v", st, sr)
	}
	var got MessagesResponse
	g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after=0&timeout=5", nil, &got)
	if len(got.Messages) != 1 || got.Messages[0].Via != "reply" {
		t.Fatalf("got %+v", got)
	}
	var m struct {
		Text       string `json:"text"`
		QuickReply struct {
			Items []struct {
				Action struct{ Type, Text string } `json:"action"`
			} `json:"items"`
		} `json:"quickReply"`
	}
	_ = json.Unmarshal(got.Messages[0].Message, &m)
	if m.Text != "สวัสดี! ยินดีต้อนรับสู่ ไปต่อ" || len(m.QuickReply.Items) != 1 || m.QuickReply.Items[0].Action.Text != "เริ่ม" {
		t.Errorf("message = %s", got.Messages[0].Message)
	}
}

func TestPageAndAssets(t *testing.T) {
	g := newRig(t)
	cases := []struct {
		path, ctype, contains string
	}{
		{"/dev/chat", "text/html; charset=utf-8", "ไปต่อ Pai Tor"},
		{"/dev/chat/", "text/html; charset=utf-8", `src="/dev/chat/static/app.js?v=`},
		{"/dev/chat/static/app.js", "text/javascript; charset=utf-8", "pollLoop"},
		{"/dev/chat/static/render.js", "text/javascript; charset=utf-8", "PaiTorRender"},
		{"/dev/chat/static/app.css", "text/css; charset=utf-8", ".phone"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(g.srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("security headers missing: %v", resp.Header)
			}
		})
	}
	for _, p := range []string{"/dev/chat/static/nope.js", "/dev/chat/static/../simulator.go", "/dev/chat/static/", "/dev/chat/static/index.html"} {
		resp, err := http.Get(g.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", p, resp.StatusCode)
		}
	}
	resp, err := http.Post(g.srv.URL+"/dev/chat/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST page: %d", resp.StatusCode)
	}
}

// TestMountStyles checks that the page's asset and API URLs follow the
// prefix however the handler is mounted.
func TestMountStyles(t *testing.T) {
	fake := linefake.NewTest(t, linefake.Options{})
	rc := newReceiver(t)
	sim, err := New(Config{Fake: fake, CallbackURL: rc.srv.URL + "/callback", ChannelSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	chiDev := chi.NewRouter()
	chiDev.Mount("/dev/chat", sim.Handler())
	chiOther := chi.NewRouter()
	chiOther.Mount("/sim", sim.Handler())
	stdStrip := http.NewServeMux()
	stdStrip.Handle("/tools/chat/", http.StripPrefix("/tools/chat", sim.Handler()))
	cases := []struct {
		name   string
		h      http.Handler
		prefix string
	}{
		{"direct", sim.Handler(), "/dev/chat"},
		{"chi mount", chiDev, "/dev/chat"},
		{"chi mount elsewhere", chiOther, "/sim"},
		{"StripPrefix", stdStrip, "/tools/chat"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			resp, err := http.Get(srv.URL + tc.prefix + "/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), `content="`+tc.prefix+`"`) ||
				!strings.Contains(string(body), `href="`+tc.prefix+`/static/app.css?v=`) {
				t.Fatalf("page: %d\n%s", resp.StatusCode, body)
			}
			resp, err = http.Get(srv.URL + tc.prefix + "/static/app.js")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("asset: %d", resp.StatusCode)
			}
			resp, err = http.Post(srv.URL+tc.prefix+"/api/users", "application/json", strings.NewReader(`{"displayName":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("api: %d", resp.StatusCode)
			}
		})
	}
}

func TestNewChecksConfig(t *testing.T) {
	fake := linefake.NewTest(t, linefake.Options{})
	ok := Config{Fake: fake, CallbackURL: "http://127.0.0.1:8080/callback", ChannelSecret: "s"}
	if _, err := New(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	bad := []func(c *Config){
		func(c *Config) { c.Fake = nil },
		func(c *Config) { c.ChannelSecret = "" },
		func(c *Config) { c.CallbackURL = "" },
		func(c *Config) { c.CallbackURL = "/callback" },
		func(c *Config) { c.CallbackURL = "ftp://x/callback" },
		func(c *Config) { c.BasePath = "dev/chat" },
	}
	for i, mut := range bad {
		c := ok
		mut(&c)
		if _, err := New(c); err == nil {
			t.Errorf("case %d: want an error for %+v", i, c)
		}
	}
}

func TestCloseEndsPendingLongPolls(t *testing.T) {
	g := newRig(t)
	user := g.newUser(t)
	done := make(chan MessagesResponse, 1)
	go func() {
		var r MessagesResponse
		g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after=0", nil, &r)
		done <- r
	}()
	time.Sleep(200 * time.Millisecond)
	g.sim.Close()
	g.sim.Close() // twice is fine
	select {
	case r := <-done:
		if len(r.Messages) != 0 {
			t.Errorf("got %+v", r)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not end the long-poll")
	}
	// Later polls answer at once.
	start := time.Now()
	var r MessagesResponse
	g.do(t, "GET", "/dev/chat/api/messages?userId="+user+"&after=0", nil, &r)
	if time.Since(start) > time.Second {
		t.Errorf("poll after Close waited %v", time.Since(start))
	}
}

// TestLongPollOutlivesAShortWriteTimeout: a server whose WriteTimeout is
// shorter than the poll still answers the poll.
func TestLongPollOutlivesAShortWriteTimeout(t *testing.T) {
	fake := linefake.NewTest(t, linefake.Options{})
	rc := newReceiver(t)
	sim, err := New(Config{Fake: fake, CallbackURL: rc.srv.URL + "/callback", ChannelSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim.Handler())
	srv.Config.WriteTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	user := linefake.NewUserID()
	pushed := make(chan error, 1)
	go func() {
		time.Sleep(600 * time.Millisecond)
		api, err := messaging_api.NewMessagingApiAPI("t", messaging_api.WithEndpoint(fake.URL()))
		if err == nil {
			_, err = api.PushMessage(&messaging_api.PushMessageRequest{
				To: user, Messages: []messaging_api.MessageInterface{messaging_api.TextMessage{Text: "ช้าหน่อย"}}, CustomAggregationUnits: []string{},
			}, "")
		}
		pushed <- err
	}()
	// The push must finish before the test (and the fake) does.
	defer func() {
		if err := <-pushed; err != nil {
			t.Errorf("push: %v", err)
		}
	}()
	resp, err := http.Get(srv.URL + "/dev/chat/api/messages?userId=" + user + "&timeout=5")
	if err != nil {
		t.Fatalf("poll cut by WriteTimeout: %v", err)
	}
	defer resp.Body.Close()
	var got MessagesResponse
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got.Messages) != 1 {
		t.Errorf("got %+v, %v", got, err)
	}
}

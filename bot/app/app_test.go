package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/content"
)

func TestFollowGetsAThaiWelcomeWithQuickReplies(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		u := h.NewUser()
		h.MustPost(h.Fake.Event(u).Follow(false))
		got := h.Wait(u, 2)
		if got[0].Via != "reply" || !strings.Contains(got[0].Text(), "ยินดีต้อนรับ") {
			t.Fatalf("first message %s %q", got[0].Via, got[0].Text())
		}
		if labels := apptest.QuickReplyLabels(got[1]); len(labels) != 3 {
			t.Fatalf("role question offers %v", labels)
		}
		user, err := h.Store.User(context.Background(), u)
		if err != nil || user.Status != content.StatusFollowing {
			t.Fatalf("user after follow: %+v %v", user, err)
		}
	})
}

func TestTextAndPostbackGetAnswers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		u := h.NewUser()
		h.MustPost(h.Fake.Event(u).Follow(false))
		welcome := h.Wait(u, 2)
		h.MustPost(h.Fake.Event(u).Postback(h.Tap(welcome[1], "ผู้ปกครอง"), nil))
		got := h.Wait(u, 3)
		if !strings.Contains(got[2].Text(), "ผู้ปกครอง") {
			t.Fatalf("after tapping parent: %q", got[2].Text())
		}
		user, _ := h.Store.User(context.Background(), u)
		if user.Role != content.RoleParent {
			t.Fatalf("role = %q", user.Role)
		}
		h.MustPost(h.Fake.Event(u).Text("ช่วยด้วย"))
		got = h.Wait(u, 4)
		if !strings.Contains(got[3].Text(), "1323") {
			t.Fatalf("help: %q", got[3].Text())
		}
	})
}

func TestOneUsersMessagesAreAnsweredInOrder(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		u := h.NewUser()
		h.MustPost(h.Fake.Event(u).Text("ช่วยด้วย"), h.Fake.Event(u).Text("เมนู"))
		h.MustPost(h.Fake.Event(u).Text("English"))
		got := apptest.Texts(h.Wait(u, 3))
		if !strings.Contains(got[0], "วิธีใช้") || !strings.Contains(got[1], "เมนูหลัก") || !strings.Contains(got[2], "Main menu") {
			t.Fatalf("answers out of order: %q", got)
		}
	})
}

func TestBadRequestsAreRefused(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	valid := linefake.CallbackBody(linefake.DefaultDestination, h.Fake.Event(h.NewUser()).Text("hi"))
	big := append([]byte(`{"destination":"x","events":[],"pad":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	big = append(big, `"}`...)
	cases := []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"no signature", valid, "", 400},
		{"wrong signature", valid, linefake.Sign("another-secret", valid), 400},
		{"signature of another body", valid, linefake.Sign(apptest.Secret, []byte("{}")), 400},
		{"body over 1 MiB", big, linefake.Sign(apptest.Secret, big), 413},
		{"malformed JSON", []byte(`{"events":[`), linefake.Sign(apptest.Secret, []byte(`{"events":[`)), 400},
		{"event without an ID", []byte(`{"events":[{"type":"message"}]}`), linefake.Sign(apptest.Secret, []byte(`{"events":[{"type":"message"}]}`)), 400},
		{"empty events (LINE's verify)", []byte(`{"destination":"x","events":[]}`), linefake.Sign(apptest.Secret, []byte(`{"destination":"x","events":[]}`)), 200},
		{"valid", valid, linefake.Sign(apptest.Secret, valid), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.Server.URL+"/callback", bytes.NewReader(c.body))
			if c.sig != "" {
				req.Header.Set("X-Line-Signature", c.sig)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.want {
				t.Fatalf("status %d (%s), want %d", res.StatusCode, body, c.want)
			}
			if !json.Valid(body) {
				t.Fatalf("answer is not JSON: %q", body)
			}
		})
	}
}

func TestUnknownEventsAndMessagesAreHandled(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		u := h.NewUser()
		unknownMessage := json.RawMessage(strings.Replace(string(h.Fake.Event(u).Text("x")), `"type":"text"`, `"type":"hologram"`, 1))
		h.MustPost(
			h.Fake.Event(u).Unknown("teleport"),
			h.Fake.Event(u).Unsend("123"),
			h.Fake.Event(u).Sticker("446", "1988"),
			unknownMessage,
			h.Fake.Event(u).Image(),
			h.Fake.Event(u).Location("บ้าน", "โคราช", 14.97, 102.09),
		)
		got := apptest.Texts(h.Wait(u, 4))
		want := []string{"สติกเกอร์", "ยังไม่เข้าใจ", "อ่านได้แค่ข้อความ", "ตำแหน่ง"}
		for i, w := range want {
			if !strings.Contains(got[i], w) {
				t.Fatalf("answer %d = %q, want it to mention %q (all: %q)", i, got[i], w, got)
			}
		}
		h.Settle()
		if n, _ := h.App.Queue.DeadLetters(context.Background()); n != 0 {
			t.Fatalf("%d events given up on", n)
		}
	})
}

func TestRedeliveredEventIsAnsweredOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		u := h.NewUser()
		ev := h.Fake.Event(u).Text("เมนู")
		h.MustPost(ev)
		h.MustPost(ev) // LINE redelivers
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() { h.Post(ev) })
		}
		wg.Wait()
		h.Wait(u, 1)
		h.Settle()
		if n := len(h.Fake.Received(u)); n != 1 {
			t.Fatalf("one event delivered 12 times was answered %d times", n)
		}
	})
}

func TestGroupsGetAPoliteGoodbye(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	u := h.NewUser()
	h.MustPost(h.Fake.Event(u).Join("C0123456789abcdef0123456789abcdef"))
	h.Settle()
	if len(h.Fake.CallsTo("group.leave")) != 1 {
		t.Fatalf("calls: %d leave", len(h.Fake.CallsTo("group.leave")))
	}
	replies := h.Fake.CallsTo("reply")
	if len(replies) != 1 || !strings.Contains(string(replies[0].Body), "ตัวต่อตัว") {
		t.Fatalf("no goodbye in the group: %d replies", len(replies))
	}
}

func TestNothingIsSentToAUserWhoBlockedTheBot(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		u := h.NewUser()
		// The person blocks the bot; LINE then redelivers a message they sent
		// before (its reply token is not to be trusted, so it would be a push).
		h.MustPost(h.Fake.Event(u).Unfollow(), h.Fake.Event(u).Redelivered().Text("เมนู"))
		h.Settle()
		if got := h.Fake.Received(u); len(got) != 0 {
			t.Fatalf("a blocked user received %q", apptest.Texts(got))
		}
		user, _ := h.Store.User(context.Background(), u)
		if user.CanReceive() {
			t.Fatal("unfollow did not block")
		}
		h.MustPost(h.Fake.Event(u).Follow(true))
		if got := h.Wait(u, 1); !strings.Contains(got[0].Text(), "ยินดีต้อนรับ") {
			t.Fatalf("after unblocking: %q", got[0].Text())
		}
	})
}

// Each LINE fault: the user still gets the answer, exactly once.
func TestLineFaultsStillDeliverExactlyOnce(t *testing.T) {
	cases := []struct {
		name        string
		redelivered bool // a redelivered event is answered by push
		fault       linefake.Fault
		via         string
	}{
		{"reply 429 with Retry-After", false, linefake.Fault{Endpoint: "reply", Status: 429, RetryAfter: time.Second}, "reply"},
		{"reply 500", false, linefake.Fault{Endpoint: "reply", Status: 500, Times: 2}, "reply"},
		{"reply timeout after LINE accepted it", false, linefake.Fault{Endpoint: "reply", Delay: 700 * time.Millisecond, Deliver: true}, "reply"},
		{"push 429 with Retry-After", true, linefake.Fault{Endpoint: "push", Status: 429, RetryAfter: time.Second}, "push"},
		{"push 500 then 503", true, linefake.Fault{Endpoint: "push", Status: 500, Times: 2}, "push"},
		{"push timeout after LINE accepted it (retry gets 409)", true, linefake.Fault{Endpoint: "push", Delay: 700 * time.Millisecond, Deliver: true}, "push"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := apptest.New(t, apptest.Options{Tweak: func(cfg *app.Config) { cfg.HTTPTimeout = 300 * time.Millisecond }})
			u := h.NewUser()
			h.Fake.Inject(c.fault)
			b := h.Fake.Event(u)
			if c.redelivered {
				b = b.Redelivered()
			}
			start := time.Now()
			h.MustPost(b.Text("เมนู"))
			got := h.Wait(u, 1)
			h.Settle()
			if n := len(h.Fake.Received(u)); n != 1 {
				t.Fatalf("received %d times", n)
			}
			if got[0].Via != c.via {
				t.Fatalf("went by %s, want %s", got[0].Via, c.via)
			}
			if c.fault.RetryAfter > 0 && time.Since(start) < c.fault.RetryAfter {
				t.Fatalf("answered after %v: Retry-After %v not honoured", time.Since(start), c.fault.RetryAfter)
			}
		})
	}
}

package linefake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

const testSecret = "test-channel-secret"

// builderEvents returns one event per EventBuilder method.
func builderEvents(s *Server, user string) map[string]json.RawMessage {
	group := "C" + strings.Repeat("1", 32)
	return map[string]json.RawMessage{
		"text":        s.Event(user).Text("ไปเชียงใหม่ 3 วัน 😀"),
		"sticker":     s.Event(user).Sticker("446", "1988"),
		"image":       s.Event(user).Image(),
		"location":    s.Event(user).Location("ดอยสุเทพ", "เชียงใหม่", 18.8048, 98.9216),
		"postback":    s.Event(user).Postback("action=pick&date=1", map[string]string{"date": "2026-03-01"}),
		"postback0":   s.Event(user).Postback("plain", nil),
		"follow":      s.Event(user).Follow(false),
		"unblocked":   s.Event(user).Follow(true),
		"unfollow":    s.Event(user).Unfollow(),
		"unsend":      s.Event(user).Unsend("325708"),
		"join":        s.Event(user).Join(group),
		"leave":       s.Event(user).Leave(group),
		"unknown":     s.Event(user).Unknown("futureThing"),
		"redelivered": s.Event(user).Redelivered().Text("again"),
	}
}

func TestValidateWebhookAcceptsBuilderOutput(t *testing.T) {
	s := NewTest(t, Options{})
	user := NewUserID()
	events := builderEvents(s, user)
	for name, ev := range events {
		t.Run(name, func(t *testing.T) {
			if err := ValidateWebhook(CallbackBody(DefaultDestination, ev)); err != nil {
				t.Errorf("%s: %v\n%s", name, err, ev)
			}
		})
	}
	if err := ValidateWebhook(CallbackBody(DefaultDestination)); err != nil {
		t.Errorf("empty events: %v", err)
	}
}

func TestValidateWebhookRejectsBrokenEvents(t *testing.T) {
	s := NewTest(t, Options{})
	user := NewUserID()
	edit := func(ev json.RawMessage, fn func(m map[string]any)) json.RawMessage {
		var m map[string]any
		if err := json.Unmarshal(ev, &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		out, _ := json.Marshal(m)
		return out
	}
	cases := []struct {
		name, property string
		body           []byte
	}{
		{"bad destination", "destination", CallbackBody("bot", s.Event(user).Text("x"))},
		{"no webhookEventId", "events[0].webhookEventId", CallbackBody(DefaultDestination, edit(s.Event(user).Text("x"), func(m map[string]any) { delete(m, "webhookEventId") }))},
		{"text without text", "events[0].message.text", CallbackBody(DefaultDestination, edit(s.Event(user).Text("x"), func(m map[string]any) { delete(m["message"].(map[string]any), "text") }))},
		{"unknown message type", "events[0].message.type", CallbackBody(DefaultDestination, edit(s.Event(user).Text("x"), func(m map[string]any) { m["message"].(map[string]any)["type"] = "hologram" }))},
		{"follow without detail", "events[0].follow", CallbackBody(DefaultDestination, edit(s.Event(user).Follow(false), func(m map[string]any) { delete(m, "follow") }))},
		{"bad mode", "events[0].mode", CallbackBody(DefaultDestination, edit(s.Event(user).Text("x"), func(m map[string]any) { m["mode"] = "sleepy" }))},
		{"timestamp string", "events[0].timestamp", CallbackBody(DefaultDestination, edit(s.Event(user).Text("x"), func(m map[string]any) { m["timestamp"] = "now" }))},
		{"group without id", "events[0].source.groupId", CallbackBody(DefaultDestination, edit(s.Event(user).Join("C"+strings.Repeat("2", 32)), func(m map[string]any) { delete(m["source"].(map[string]any), "groupId") }))},
		{"not json", "", []byte(`{"destination":`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateWebhook(tc.body)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.property != "" && !strings.Contains(err.Error(), tc.property+":") {
				t.Errorf("error %q does not name %s", err, tc.property)
			}
		})
	}
}

func TestBuilderFields(t *testing.T) {
	clk := newClock()
	s := NewTest(t, Options{Now: clk.Now})
	user := NewUserID()
	var ev struct {
		Type            string
		ReplyToken      string
		Timestamp       int64
		Mode            string
		WebhookEventID  string `json:"webhookEventId"`
		DeliveryContext struct{ IsRedelivery bool }
		Source          map[string]string
		Message         map[string]any
	}
	if err := json.Unmarshal(s.Event(user).Redelivered().Text("hi"), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "message" || ev.Mode != "active" || ev.Timestamp != clk.Now().UnixMilli() || !ev.DeliveryContext.IsRedelivery ||
		ev.Source["type"] != "user" || ev.Source["userId"] != user || ev.Message["text"] != "hi" || ev.Message["quoteToken"] == "" || len(ev.WebhookEventID) != 26 {
		t.Errorf("event %+v", ev)
	}
	if err := json.Unmarshal(s.Event(user).Unfollow(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DeliveryContext.IsRedelivery {
		t.Error("Redelivered leaked into the next builder")
	}
	// The reply token works once.
	var withToken struct{ ReplyToken string }
	_ = json.Unmarshal(s.Event(user).Follow(false), &withToken)
	s.mu.Lock()
	_, ok := s.replyTokens[withToken.ReplyToken]
	s.mu.Unlock()
	if !ok {
		t.Error("follow reply token not issued")
	}
}

func TestULIDs(t *testing.T) {
	now := time.Now()
	var ids []string
	for i := range 1000 {
		ids = append(ids, newULID(now.Add(time.Duration(i/100)*time.Millisecond)))
	}
	if !sort.StringsAreSorted(ids) {
		t.Error("ULIDs not increasing")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if len(id) != 26 || strings.Trim(id, crockford) != "" || id[0] > '7' || seen[id] {
			t.Fatalf("bad or repeated ULID %q", id)
		}
		seen[id] = true
	}
	// The first 10 characters encode the millisecond time.
	var b [16]byte
	ms := uint64(1469918176385)
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	if got := encodeULID(b)[:10]; got != "01ARYZ6S41" {
		t.Errorf("time part %s, want 01ARYZ6S41 (the ULID spec's example)", got)
	}
}

func TestDeliverIsParsedBySDK(t *testing.T) {
	s := NewTest(t, Options{})
	user := NewUserID()
	events := builderEvents(s, user)
	names := []string{"text", "sticker", "image", "location", "postback", "follow", "unfollow", "unsend", "join", "leave", "unknown"}
	var got *webhook.CallbackRequest
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := webhook.ParseRequest(testSecret, r)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got = cb
	}))
	defer bot.Close()
	var list []json.RawMessage
	for _, n := range names {
		list = append(list, events[n])
	}
	code, err := Deliver(context.Background(), bot.Client(), bot.URL, testSecret, list...)
	if err != nil || code != 200 {
		t.Fatalf("Deliver: %d %v", code, err)
	}
	if got == nil || len(got.Events) != len(names) {
		t.Fatalf("callback %+v", got)
	}
	for i, e := range got.Events {
		if _, unknown := e.(webhook.UnknownEvent); unknown != (names[i] == "unknown") {
			t.Errorf("event %s parsed as %T", names[i], e)
		}
		if me, ok := e.(webhook.MessageEvent); ok {
			if _, unknown := me.Message.(webhook.UnknownMessageContent); unknown {
				t.Errorf("%s content parsed as unknown", names[i])
			}
		}
	}
	if me, ok := got.Events[0].(webhook.MessageEvent); !ok {
		t.Errorf("text event parsed as %T", got.Events[0])
	} else {
		if tm, ok := me.Message.(webhook.TextMessageContent); !ok || tm.Text != "ไปเชียงใหม่ 3 วัน 😀" {
			t.Errorf("text content %#v", me.Message)
		}
		if us, ok := me.Source.(webhook.UserSource); !ok || us.UserId != user {
			t.Errorf("source %#v", me.Source)
		}
	}
	if _, ok := got.Events[5].(webhook.FollowEvent); !ok {
		t.Errorf("follow event parsed as %T", got.Events[5])
	}
	if _, ok := got.Events[8].(webhook.JoinEvent); !ok {
		t.Errorf("join event parsed as %T", got.Events[8])
	}
	if _, ok := got.Events[10].(webhook.UnknownEvent); !ok {
		t.Errorf("unknown event parsed as %T", got.Events[10])
	}
	// A wrong secret is refused by the SDK.
	code, err = Deliver(context.Background(), bot.Client(), bot.URL, "other", events["text"])
	if err != nil || code != 400 {
		t.Errorf("wrong secret: %d %v", code, err)
	}
}

func TestSign(t *testing.T) {
	body := CallbackBody(DefaultDestination)
	if !webhook.ValidateSignature(testSecret, Sign(testSecret, body), body) {
		t.Error("SDK rejects Sign's signature")
	}
	if string(body) != `{"destination":"`+DefaultDestination+`","events":[]}` {
		t.Errorf("body %s", body)
	}
}

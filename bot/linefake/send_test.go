package linefake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

func TestPushTextWithQuickReplyIsDelivered(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	user := NewUserID()
	res, out, err := c.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To:                     user,
		Messages:               []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "สวัสดีครับ ไปไหนดี?", QuickReply: quickReply(13)}},
		CustomAggregationUnits: []string{},
	}, uuid.NewString())
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if res.Header.Get("x-line-request-id") == "" {
		t.Error("no x-line-request-id")
	}
	if len(out.SentMessages) != 1 || out.SentMessages[0].Id == "" {
		t.Errorf("sentMessages = %+v", out.SentMessages)
	}
	got := s.Received(user)
	if len(got) != 1 || got[0].Text() != "สวัสดีครับ ไปไหนดี?" || got[0].Via != "push" || got[0].Type() != "text" {
		t.Fatalf("received %+v", got)
	}
	var m struct {
		QuickReply struct{ Items []any } `json:"quickReply"`
	}
	if err := json.Unmarshal(got[0].Message, &m); err != nil || len(m.QuickReply.Items) != 13 {
		t.Errorf("quick reply not kept: %s", got[0].Message)
	}
	if calls := s.CallsTo("push"); len(calls) != 1 || calls[0].Status != 200 || calls[0].RetryKey == "" {
		t.Errorf("calls = %+v", calls)
	}
	if s.DeliveredCount() != 1 {
		t.Errorf("DeliveredCount = %d", s.DeliveredCount())
	}
}

// flexBubble is a bubble whose body box holds a text and a button.
const flexBubble = `{"type":"bubble","body":{"type":"box","layout":"vertical","contents":[
	{"type":"text","text":"ตลาดน้ำอัมพวา","weight":"bold","wrap":true},
	{"type":"button","style":"primary","action":{"type":"postback","label":"ดูรายละเอียด","data":"place=amphawa"}}]}}`

func flexMessage(contents string) messaging_api.MessageInterface {
	return rawMessage(`{"type":"flex","altText":"ตลาดน้ำ","contents":` + contents + `}`)
}

func TestPushValidation(t *testing.T) {
	user := NewUserID()
	carousel := func(n int) string {
		return `{"type":"carousel","contents":[` + strings.TrimSuffix(repeat(flexBubble+",", n), ",") + `]}`
	}
	thaiLabel := repeat("ที่", 20) // 20 grapheme clusters, 60 runes
	cases := []struct {
		name     string
		to       string
		key      string
		msgs     []messaging_api.MessageInterface
		nullAggr bool
		property string // "" = valid
	}{
		{name: "five texts", msgs: []messaging_api.MessageInterface{text("1"), text("2"), text("3"), text("4"), text("5")}},
		{name: "six messages", msgs: []messaging_api.MessageInterface{text("1"), text("2"), text("3"), text("4"), text("5"), text("6")}, property: "messages"},
		{name: "no messages", msgs: []messaging_api.MessageInterface{}, property: "messages"},
		{name: "14 quick replies", msgs: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "x", QuickReply: quickReply(14)}}, property: "messages[0].quickReply.items"},
		{name: "5000 ascii", msgs: []messaging_api.MessageInterface{text(repeat("a", 5000))}},
		{name: "5001 ascii", msgs: []messaging_api.MessageInterface{text(repeat("a", 5001))}, property: "messages[0].text"},
		{name: "5000 thai", msgs: []messaging_api.MessageInterface{text(repeat("ก", 5000))}},
		{name: "2500 emoji", msgs: []messaging_api.MessageInterface{text(repeat("😀", 2500))}},
		{name: "2500 emoji and one more unit", msgs: []messaging_api.MessageInterface{text(repeat("😀", 2500) + "a")}, property: "messages[0].text"},
		{name: "empty text", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"text"}`)}, property: "messages[0].text"},
		{name: "unknown message type", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"hologram","text":"hi"}`)}, property: "messages[0].type"},
		{name: "sticker", msgs: []messaging_api.MessageInterface{&messaging_api.StickerMessage{PackageId: "446", StickerId: "1988"}}},
		{name: "sticker without id", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"sticker","packageId":"446"}`)}, property: "messages[0].stickerId"},
		{name: "flex bubble", msgs: []messaging_api.MessageInterface{flexMessage(flexBubble)}},
		{name: "flex bad component", msgs: []messaging_api.MessageInterface{flexMessage(`{"type":"bubble","body":{"type":"box","layout":"vertical","contents":[{"type":"paragraph","text":"x"}]}}`)}, property: "messages[0].contents.body.contents[0].type"},
		{name: "flex bad layout", msgs: []messaging_api.MessageInterface{flexMessage(`{"type":"bubble","body":{"type":"box","layout":"diagonal","contents":[]}}`)}, property: "messages[0].contents.body.layout"},
		{name: "flex bad container", msgs: []messaging_api.MessageInterface{flexMessage(`{"type":"scroll"}`)}, property: "messages[0].contents.type"},
		{name: "flex carousel 12", msgs: []messaging_api.MessageInterface{flexMessage(carousel(12))}},
		{name: "flex carousel 13", msgs: []messaging_api.MessageInterface{flexMessage(carousel(13))}, property: "messages[0].contents.contents"},
		{name: "flex button without action", msgs: []messaging_api.MessageInterface{flexMessage(`{"type":"bubble","body":{"type":"box","layout":"vertical","contents":[{"type":"button"}]}}`)}, property: "messages[0].contents.body.contents[0].action"},
		{name: "altText 1501", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"flex","altText":"` + repeat("a", 1501) + `","contents":` + flexBubble + `}`)}, property: "messages[0].altText"},
		{name: "postback data 301", msgs: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "x", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{Type: "action", Action: &messaging_api.PostbackAction{Label: "ok", Data: repeat("d", 301)}}}}}}, property: "messages[0].quickReply.items[0].action.data"},
		{name: "quick reply label 21", msgs: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "x", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{Type: "action", Action: &messaging_api.MessageAction{Label: repeat("a", 21), Text: "a"}}}}}}, property: "messages[0].quickReply.items[0].action.label"},
		{name: "thai label of 20 clusters", msgs: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "x", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{Type: "action", Action: &messaging_api.MessageAction{Label: thaiLabel, Text: "a"}}}}}}},
		{name: "unknown action type", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"text","text":"x","quickReply":{"items":[{"type":"action","action":{"type":"teleport","label":"go"}}]}}`)}, property: "messages[0].quickReply.items[0].action.type"},
		{name: "template buttons", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"template","altText":"a","template":{"type":"buttons","text":"pick","actions":[{"type":"message","label":"A","text":"A"}]}}`)}},
		{name: "template unknown", msgs: []messaging_api.MessageInterface{rawMessage(`{"type":"template","altText":"a","template":{"type":"slideshow"}}`)}, property: "messages[0].template.type"},
		{name: "push to group", to: "C" + strings.Repeat("0", 32), msgs: []messaging_api.MessageInterface{text("hi")}},
		{name: "push to nickname", to: "bob", msgs: []messaging_api.MessageInterface{text("hi")}, property: "to"},
		{name: "customAggregationUnits null", nullAggr: true, msgs: []messaging_api.MessageInterface{text("hi")}, property: "customAggregationUnits"},
		{name: "retry key not a uuid", key: "attempt-1", msgs: []messaging_api.MessageInterface{text("hi")}, property: "X-Line-Retry-Key"},
	}
	s := startServer(t, Options{})
	c := client(t, s)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			to := tc.to
			if to == "" {
				to = user
			}
			req := &messaging_api.PushMessageRequest{To: to, Messages: tc.msgs}
			if !tc.nullAggr {
				req.CustomAggregationUnits = []string{}
			}
			res, _, err := c.PushMessageWithHttpInfo(req, tc.key)
			if tc.property == "" {
				if err != nil {
					t.Fatalf("push: %v (validation errors %v)", err, s.ValidationErrors())
				}
				if got := len(s.Received(to)); got != len(tc.msgs) {
					t.Errorf("delivered %d messages, want %d", got, len(tc.msgs))
				}
				return
			}
			if status(res) != http.StatusBadRequest {
				t.Fatalf("status %d (err %v), want 400", status(res), err)
			}
			body := errorBody(t, res)
			if !strings.HasPrefix(fmt.Sprint(body["message"]), "The request body has ") {
				t.Errorf("message %q", body["message"])
			}
			if !hasProperty(body, tc.property) {
				t.Errorf("details %v lack property %q", body["details"], tc.property)
			}
			errs := s.ValidationErrors()
			if len(errs) != 1 {
				t.Fatalf("ValidationErrors = %v, want 1", errs)
			}
			if ve, ok := errs[0].(*ValidationError); !ok || ve.Endpoint != "push" {
				t.Errorf("validation error %#v", errs[0])
			}
			if s.DeliveredCount() != 0 {
				t.Errorf("delivered %d despite 400", s.DeliveredCount())
			}
		})
	}
}

// hasProperty reports whether a 400 body's details name property.
func hasProperty(body map[string]any, property string) bool {
	details, _ := body["details"].([]any)
	for _, d := range details {
		if m, ok := d.(map[string]any); ok && m["property"] == property {
			return true
		}
	}
	return false
}

func TestRetryKeyRepeatGets409(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	user := NewUserID()
	key := uuid.NewString()
	res, err := push(c, user, key, text("ครั้งเดียว"))
	if err != nil {
		t.Fatal(err)
	}
	firstID := res.Header.Get("x-line-request-id")
	res, err = push(c, user, key, text("ครั้งเดียว"))
	if status(res) != http.StatusConflict {
		t.Fatalf("repeat: status %d, err %v", status(res), err)
	}
	if got := res.Header.Get("x-line-accepted-request-id"); got != firstID {
		t.Errorf("x-line-accepted-request-id %q, want %q", got, firstID)
	}
	body := errorBody(t, res)
	if body["message"] != "The retry key is already accepted" || body["sentMessages"] == nil {
		t.Errorf("409 body %v", body)
	}
	if n := len(s.Received(user)); n != 1 {
		t.Errorf("received %d, want 1", n)
	}
	// An empty key is no key: both are delivered.
	for range 2 {
		if _, err := push(c, user, "", text("ไม่มีคีย์")); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.Received(user)); n != 3 {
		t.Errorf("received %d, want 3", n)
	}
}

func TestReplyToken(t *testing.T) {
	clk := newClock()
	s := NewTest(t, Options{ChannelToken: testToken, Now: clk.Now})
	c := client(t, s)
	user := NewUserID()
	reply := func(tok string) int {
		res, _, err := c.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
			ReplyToken: tok, Messages: []messaging_api.MessageInterface{text("ตอบ")},
		})
		if err != nil && status(res) == 0 {
			t.Fatal(err)
		}
		return status(res)
	}
	tok := s.IssueReplyToken(user)
	if got := reply(tok); got != 200 {
		t.Fatalf("first reply %d", got)
	}
	if got := reply(tok); got != 400 {
		t.Errorf("reused token %d, want 400", got)
	}
	if got := reply("nonsense"); got != 400 {
		t.Errorf("unknown token %d, want 400", got)
	}
	late := s.IssueReplyToken(user)
	clk.Advance(61 * time.Second)
	if got := reply(late); got != 400 {
		t.Errorf("expired token %d, want 400", got)
	}
	inTime := s.IssueReplyToken(user)
	clk.Advance(59 * time.Second)
	if got := reply(inTime); got != 200 {
		t.Errorf("token at 59 s: %d, want 200", got)
	}
	got := s.Received(user)
	if len(got) != 2 || got[0].Via != "reply" {
		t.Errorf("received %+v", got)
	}
	if len(s.ValidationErrors()) != 0 {
		t.Errorf("bad tokens must not count as validation errors: %v", s.ValidationErrors())
	}
}

func TestReplyWithRetryKeyIsInvalid(t *testing.T) {
	s := startServer(t, Options{})
	tok := s.IssueReplyToken(NewUserID())
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v2/bot/message/reply",
		strings.NewReader(`{"replyToken":"`+tok+`","messages":[{"type":"text","text":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("X-Line-Retry-Key", uuid.NewString())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 400 || len(s.ValidationErrors()) != 1 {
		t.Errorf("status %d, validation errors %v", res.StatusCode, s.ValidationErrors())
	}
}

func TestMulticast(t *testing.T) {
	users := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = NewUserID()
		}
		return out
	}
	t.Run("501 recipients", func(t *testing.T) {
		s := startServer(t, Options{})
		res, _, _ := client(t, s).MulticastWithHttpInfo(&messaging_api.MulticastRequest{
			To: users(501), Messages: []messaging_api.MessageInterface{text("hi")}, CustomAggregationUnits: []string{},
		}, "")
		if status(res) != 400 || !hasProperty(errorBody(t, res), "to") || s.DeliveredCount() != 0 {
			t.Errorf("status %d, delivered %d", status(res), s.DeliveredCount())
		}
	})
	t.Run("bad user id", func(t *testing.T) {
		s := startServer(t, Options{})
		res, _, _ := client(t, s).MulticastWithHttpInfo(&messaging_api.MulticastRequest{
			To: append(users(2), "C"+strings.Repeat("a", 32)), Messages: []messaging_api.MessageInterface{text("hi")}, CustomAggregationUnits: []string{},
		}, "")
		if status(res) != 400 || !hasProperty(errorBody(t, res), "to[2]") {
			t.Errorf("status %d", status(res))
		}
	})
	t.Run("10000 recipients", func(t *testing.T) {
		s := NewTest(t, Options{ChannelToken: testToken})
		c := client(t, s)
		all := users(10000)
		for i := 0; i < len(all); i += 500 {
			_, _, err := c.MulticastWithHttpInfo(&messaging_api.MulticastRequest{
				To: all[i : i+500], Messages: []messaging_api.MessageInterface{text("ข่าวดี"), text("ตอนที่ 2")}, CustomAggregationUnits: []string{},
			}, uuid.NewString())
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := s.DeliveredCount(); got != 20000 {
			t.Errorf("DeliveredCount = %d, want 20000", got)
		}
		if got := s.Received(all[9999]); len(got) != 2 || got[1].Text() != "ตอนที่ 2" || got[0].Via != "multicast" {
			t.Errorf("last user received %+v", got)
		}
		if got, _, _ := c.GetMessageQuotaConsumptionWithHttpInfo(); got == nil {
			t.Error("no consumption answer")
		}
		if s.QuotaConsumed() != 20000 {
			t.Errorf("consumed %d", s.QuotaConsumed())
		}
	})
}

func TestBroadcastAndNarrowcast(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	a, b := NewUserID(), NewUserID()
	s.AddUser(a, "Ann")
	if _, err := push(c, b, "", text("hello")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.BroadcastWithHttpInfo(&messaging_api.BroadcastRequest{Messages: []messaging_api.MessageInterface{text("ประกาศ")}}, uuid.NewString()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{a, b} {
		if got := s.Received(u); len(got) == 0 || got[len(got)-1].Via != "broadcast" {
			t.Errorf("%s received %+v", u, got)
		}
	}
	res, _, err := c.NarrowcastWithHttpInfo(&messaging_api.NarrowcastRequest{
		Messages: []messaging_api.MessageInterface{text("เฉพาะกลุ่ม")},
	}, uuid.NewString())
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("narrowcast: %v %d", err, status(res))
	}
	reqID := res.Header.Get("x-line-request-id")
	progress, err := c.GetNarrowcastProgress(reqID)
	if err != nil {
		t.Fatal(err)
	}
	if progress.Phase != "succeeded" || progress.SuccessCount != 2 {
		t.Errorf("progress %+v", progress)
	}
}

func TestNarrowcastBadFilter(t *testing.T) {
	s := startServer(t, Options{})
	body := `{"messages":[{"type":"text","text":"x"}],"filter":{"demographic":{"type":"operator","and":[{"type":"age","gte":"age_20"},{"type":"zodiac"}]}}}`
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v2/bot/message/narrowcast", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 400 || !hasProperty(errorBody(t, res), "filter.demographic.and[1].type") {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestWaitReceivedAndWaitSince(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	user := NewUserID()
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = push(c, user, "", text("one"), text("two"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := s.WaitReceived(ctx, user, 2)
	if err != nil || len(got) != 2 {
		t.Fatalf("WaitReceived: %v %v", got, err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = push(c, user, "", text("three"))
	}()
	more := s.WaitSince(ctx, user, got[1].Seq)
	if len(more) != 1 || more[0].Text() != "three" {
		t.Errorf("WaitSince = %+v", more)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel2()
	if _, err := s.WaitReceived(short, user, 10); err == nil || !strings.Contains(err.Error(), `"three"`) {
		t.Errorf("timeout error should list what arrived: %v", err)
	}
	if got := s.WaitSince(short, user, more[0].Seq); got != nil {
		t.Errorf("WaitSince after timeout = %v", got)
	}
}

func TestNewTestReportsValidationErrors(t *testing.T) {
	tb := &fakeTB{}
	s := NewTest(tb, Options{})
	res, err := http.Post(s.URL()+"/v2/bot/message/push", "application/json", strings.NewReader(`{"to":"x","messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	tb.runCleanups()
	if len(tb.errors) != 1 || !strings.Contains(tb.errors[0], "push") {
		t.Errorf("errors %q", tb.errors)
	}
	if _, err := http.Get(s.URL() + "/v2/bot/info"); err == nil {
		t.Error("server still running after cleanup")
	}
}

package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/llm"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// The words of a reply saying Pai Tor could not place a message: the
// not-understood reply with the likely intents (understand.yaml), and the
// re-ask of a flow's own choices (start.yaml fallback, "ยังไม่เข้าใจ").
var notUnderstoodWords = []string{"ยังไม่เข้าใจ", "ยังไม่แน่ใจว่าหมายถึงอะไร"}

// unplaced is text no layer of Pai Tor places: without a model it gets the
// not-understood reply, with one it goes to the model.
const unplaced = "blorp zix quandle"

// likelyChips are the chips of the not-understood reply to text that hints
// at nothing: the default offer (find_course, find_work, discover) and the
// menu.
var likelyChips = []string{"หาคอร์สเรียน", "หางาน", "ค้นหาตัวเอง", "เมนู"}

// notUnderstood reports whether an answer says Pai Tor did not understand.
func notUnderstood(ds []linefake.Delivery) bool {
	text := apptest.Text(ds)
	for _, w := range notUnderstoodWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// lastChips are the quick replies of the last message of an answer.
func lastChips(ds []linefake.Delivery) []string {
	if len(ds) == 0 {
		return nil
	}
	return apptest.QuickReplyLabels(ds[len(ds)-1])
}

// adultAtMenu follows, chooses the youth role, consents, gives age 24 (so
// what is set is stored at once, no guardian needed) and opens the menu.
func adultAtMenu(t *testing.T, h *apptest.Harness) *apptest.Chat {
	t.Helper()
	c := h.Chat()
	c.Follow()
	c.Tap("ฉันกำลังหาทางไปต่อ")
	c.Tap("ยอมรับ")
	c.Tap("24")
	if got := c.Type("เมนู"); !strings.Contains(apptest.Text(got), "เมนูหลัก") {
		t.Fatalf("menu: %q", apptest.Text(got))
	}
	return c
}

// loadingCalls are the loading-animation calls the fake LINE server got for
// user.
func loadingCalls(h *apptest.Harness, user string) int {
	n := 0
	for _, c := range h.Fake.CallsTo("loading") {
		var body struct {
			ChatID string `json:"chatId"`
		}
		if json.Unmarshal(c.Body, &body) == nil && body.ChatID == user {
			n++
		}
	}
	return n
}

// What young people type every day is placed by Pai Tor's own layers: at
// the main menu, and typed one after another whatever the bot asked in
// between, no phrase is answered with "not understood" and every answer ends
// with quick replies. A model is configured only to show that none of these
// needs it: it gets no request.
func TestEverydayPhrasesAreUnderstoodWithoutAModel(t *testing.T) {
	phrases := []string{
		"ไม่รู้จะทำอะไรกับชีวิต", "แม่ให้ไปเรียนแต่ไม่อยากเรียน", "เรียนไปด้วยทำงานไปด้วยได้ไหม",
		"งานที่ได้เงินวันนี้เลย", "อยากคุยกับคน", "มีเทศกาลอะไรใกล้ๆ บ้าง", "ขอดูแผนของฉัน",
		"เรียนออนไลน์ได้ไหม ไม่มีเงิน", "555", "🙂",
	}
	eachWithModel(t, apptest.ModelError(500), nil, func(t *testing.T, h *apptest.Harness, model *apptest.FakeModel) {
		for _, fromMenu := range []bool{true, false} {
			name := map[bool]string{true: "each from the menu", false: "one after another"}[fromMenu]
			c := h.Chat()
			c.Follow()
			c.Tap("ฉันกำลังหาทางไปต่อ")
			c.Tap("ยอมรับ")
			c.Type("เมนู")
			for _, p := range phrases {
				if fromMenu {
					c.Type("เมนู")
				}
				got := c.Type(p)
				if notUnderstood(got) {
					t.Errorf("%s: %q → not understood: %q", name, p, apptest.Texts(got))
				}
				if len(lastChips(got)) == 0 {
					t.Errorf("%s: %q → %q ends without quick replies", name, p, apptest.Texts(got))
				}
			}
		}
		if n := model.Count(); n != 0 {
			t.Errorf("the model got %d requests for everyday phrases", n)
		}
	})
}

// Each command a model may give is carried out through the real webhook:
// one model call per message, the loading animation while it thinks, and
// nothing in the request that names the person.
func TestModelCommandsAreCarriedOutEndToEnd(t *testing.T) {
	eachWithModel(t, apptest.ModelError(500), nil, func(t *testing.T, h *apptest.Harness, model *apptest.FakeModel) {
		ctx := context.Background()
		c := adultAtMenu(t, h)
		h.NationalPool() // so that the handoff command reaches a counsellor
		steps := []struct {
			name  string
			cmd   map[string]any
			check func(t *testing.T, got []linefake.Delivery)
		}{
			{"set_profile province", map[string]any{"command": "set_profile", "field": "province", "value": "เชียงใหม่"},
				func(t *testing.T, got []linefake.Delivery) {
					if !strings.Contains(apptest.Text(got), "จดไว้แล้ว") {
						t.Errorf("reply %q", apptest.Texts(got))
					}
					p, err := h.Store.Profile(ctx, c.User)
					if err != nil || p["province"] != "TH-50" {
						t.Errorf("stored profile %v (%v), want province TH-50", p, err)
					}
				}},
			{"start festivals", map[string]any{"command": "start", "intent": "festivals"},
				func(t *testing.T, got []linefake.Delivery) {
					// A list of festivals near Chiang Mai (Flex) or "none near you".
					text := apptest.Text(got)
					hasList := false
					for _, d := range got {
						if d.Type() == "flex" && len(apptest.Cards(d)) > 0 {
							hasList = true
						}
					}
					if !hasList && !strings.Contains(text, "ยังไม่มีเทศกาล") {
						t.Errorf("reply %q, want festivals or ยังไม่มีเทศกาล", apptest.Texts(got))
					}
				}},
			{"search", map[string]any{"command": "search", "query": "ทำขนม", "kind": "course"},
				func(t *testing.T, got []linefake.Delivery) {
					cards := carousel(t, got)
					relevant := 0
					for _, card := range cards {
						text := strings.Join(card.Texts, " ")
						if strings.Contains(text, "ขนม") || strings.Contains(text, "เบเกอรี่") || strings.Contains(text, "อาหาร") {
							relevant++
						}
					}
					if relevant == 0 {
						t.Errorf("no card about ทำขนม among %d", len(cards))
					}
				}},
			{"answer faq_cost", map[string]any{"command": "answer", "topic": "faq_cost"},
				func(t *testing.T, got []linefake.Delivery) {
					if !strings.Contains(apptest.Text(got), "ไปต่อใช้ฟรี") {
						t.Errorf("reply %q", apptest.Texts(got))
					}
				}},
			{"clarify", map[string]any{"command": "clarify", "options": []string{"find_course", "find_work"}},
				func(t *testing.T, got []linefake.Delivery) {
					if !strings.Contains(apptest.Text(got), "หมายถึงเรื่องไหน") {
						t.Errorf("reply %q", apptest.Texts(got))
					}
					if chips := lastChips(got); !slices.Equal(chips, []string{"หาคอร์สเรียน", "หางาน", "เมนู"}) {
						t.Errorf("chips %v, want both intents and the menu", chips)
					}
				}},
			{"handoff", map[string]any{"command": "handoff", "reason": "wants to talk to a person"},
				func(t *testing.T, got []linefake.Delivery) {
					if !strings.Contains(apptest.Text(got), "รับเรื่องแล้ว") {
						t.Errorf("reply %q", apptest.Texts(got))
					}
					open, err := h.Store.OpenHandoffs(ctx)
					if err != nil || !slices.ContainsFunc(open, func(o content.Handoff) bool { return o.UserID == c.User }) {
						t.Errorf("open handoffs %+v (%v), want one for the person", open, err)
					}
				}},
		}
		for _, s := range steps {
			model.SetAnswer(apptest.Always(apptest.Command(apptest.CommandJSON(s.cmd))))
			c.Type("เมนู") // no question open: typed text meets every layer
			calls, loading := model.Count(), loadingCalls(h, c.User)
			got := c.Type(unplaced)
			if notUnderstood(got) {
				t.Errorf("%s: not understood: %q", s.name, apptest.Texts(got))
				continue
			}
			s.check(t, got)
			reqs := model.Requests()
			if len(reqs) != calls+1 {
				t.Errorf("%s: the model got %d requests for one message", s.name, len(reqs)-calls)
				continue
			}
			if n := loadingCalls(h, c.User) - loading; n != 1 {
				t.Errorf("%s: %d loading animations, want one while the model thinks", s.name, n)
			}
			r := reqs[len(reqs)-1]
			if strings.Contains(string(r.Body), c.User) {
				t.Errorf("%s: the model request carries the LINE user ID", s.name)
			}
			if len(r.Messages) != 2 || !strings.Contains(r.Messages[1].Content, unplaced) {
				t.Errorf("%s: messages %+v, want the system prompt and the typed text", s.name, r.Messages)
			}
		}
	})
}

// Whatever goes wrong with the model, the person gets the likely intents as
// chips, at once, after exactly one try.
func TestModelFailuresFallBackToTheLikelyIntents(t *testing.T) {
	cases := []struct {
		name   string
		answer apptest.ModelAnswer
	}{
		{"HTTP 500", apptest.ModelError(500)},
		{"HTTP 429", apptest.ModelError(429)},
		{"HTTP 400", apptest.ModelError(400)},
		{"malformed content", apptest.Command(`{"command":"answer","topic":`)},
		{"malformed body", apptest.ModelAnswer{Status: 200, Body: `{"id":"x","choices":[{"message":`}},
		{"unknown command", apptest.Command(apptest.CommandJSON(map[string]any{"command": "launch"}))},
		{"unknown intent", apptest.Command(apptest.CommandJSON(map[string]any{"command": "start", "intent": "launch_rockets"}))},
		{"past the timeout", apptest.ModelAnswer{Status: 200, Body: faqCost.Body, Sleep: 5 * time.Second}},
	}
	eachWithModel(t, apptest.ModelError(500), func(c *llm.Config) { c.Timeout = 300 * time.Millisecond }, func(t *testing.T, h *apptest.Harness, model *apptest.FakeModel) {
		c := adultAtMenu(t, h)
		for _, tc := range cases {
			model.SetAnswer(apptest.Always(tc.answer))
			c.Type("เมนู")
			calls := model.Count()
			start := time.Now()
			got := c.Type(unplaced)
			took := time.Since(start)
			if !notUnderstood(got) {
				t.Errorf("%s: %q, want the not-understood reply", tc.name, apptest.Texts(got))
			}
			if chips := lastChips(got); !slices.Equal(chips, likelyChips) {
				t.Errorf("%s: chips %v, want %v", tc.name, chips, likelyChips)
			}
			if took > 3*time.Second {
				t.Errorf("%s: the answer took %s", tc.name, took)
			}
			if n := model.Count() - calls; n != 1 {
				t.Errorf("%s: %d model requests, want exactly one (no retry)", tc.name, n)
			}
		}
	})
}

// After a crisis message, ten messages, ordinary and emotional, are kept for
// the counsellor with the urgent handoff, in order, and answered warmly;
// none reaches the model. Leaving care brings the usual conversation back.
func TestCareKeepsEverythingForTheCounsellorAndNeverAsksTheModel(t *testing.T) {
	eachWithModel(t, faqCost, nil, func(t *testing.T, h *apptest.Harness, model *apptest.FakeModel) {
		ctx := context.Background()
		c := adultAtMenu(t, h)
		const crisis = "ไม่อยากอยู่แล้ว"
		if got := c.Type(crisis); !strings.Contains(apptest.Text(got), "1323") {
			t.Fatalf("crisis: %q", apptest.Texts(got))
		}
		messages := []string{"เหงามาก ไม่มีใครเข้าใจเลย", "555", "หางาน", "qwerty", "แม่ด่าทุกวัน",
			"เครียด", "ขอบคุณนะ", "🙂", "ไม่รู้จะทำไงดี", "พรุ่งนี้ต้องไปทำงานอีก"}
		for _, m := range messages {
			got := c.Type(m)
			if notUnderstood(got) || strings.Contains(apptest.Text(got), "เมนูหลัก") {
				t.Errorf("%q in care → %q", m, apptest.Texts(got))
			}
			if chips := lastChips(got); !slices.Equal(chips, []string{"กลับไปคุยกับไปต่อ"}) {
				t.Errorf("%q in care: chips %v, want only the way back", m, chips)
			}
		}
		if n := model.Count(); n != 0 {
			t.Errorf("the model got %d requests: crisis and care text must never reach it", n)
		}
		if n := loadingCalls(h, c.User); n != 0 {
			t.Errorf("%d loading animations in care", n)
		}

		want := append([]string{crisis}, messages...)
		open, err := h.Store.OpenHandoffs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var mine []content.Handoff
		for _, o := range open {
			if o.UserID == c.User {
				mine = append(mine, o)
			}
		}
		if len(mine) != 1 || !mine[0].Urgent || mine[0].Reason != "crisis" {
			t.Fatalf("open handoffs of the person: %+v, want one urgent crisis handoff", mine)
		}
		kept, err := h.Store.HandoffMessages(ctx, mine[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := handoffTexts(kept); !slices.Equal(got, want) {
			t.Errorf("kept for the counsellor:\n got %q\nwant %q", got, want)
		}
		data, err := h.Store.Export(ctx, c.User)
		if err != nil || !slices.Equal(handoffTexts(data.HandoffMessages), want) {
			t.Errorf("export holds %q (%v)", handoffTexts(data.HandoffMessages), err)
		}

		if got := c.Tap("กลับไปคุยกับไปต่อ"); !strings.Contains(apptest.Text(got), "เมนูหลัก") && !strings.Contains(apptest.Text(got), "ได้เลยค่ะ") {
			t.Fatalf("leaving care: %q", apptest.Texts(got))
		}
		// Out of care, unplaced text goes to the model again.
		if got := c.Type(unplaced); !strings.Contains(apptest.Text(got), "ไปต่อใช้ฟรี") || model.Count() != 1 {
			t.Errorf("after care: %q with %d model requests", apptest.Texts(got), model.Count())
		}
	})
}

// A person's daily budget of model calls is kept: past it, the likely
// intents without a call; another person still gets the model.
func TestBudgetStopsModelCallsForOnePerson(t *testing.T) {
	eachWithModel(t, faqCost, func(c *llm.Config) { c.UserCalls = 2 }, func(t *testing.T, h *apptest.Harness, model *apptest.FakeModel) {
		c := adultAtMenu(t, h)
		for i := range 3 {
			got := c.Type(unplaced)
			switch {
			case i < 2 && !strings.Contains(apptest.Text(got), "ไปต่อใช้ฟรี"):
				t.Errorf("message %d within the budget: %q", i+1, apptest.Texts(got))
			case i == 2 && (!notUnderstood(got) || !slices.Equal(lastChips(got), likelyChips)):
				t.Errorf("message 3 past the budget: %q chips %v", apptest.Texts(got), lastChips(got))
			}
		}
		if n := model.Count(); n != 2 {
			t.Errorf("the model got %d requests, want 2 (the budget)", n)
		}
		other := adultAtMenu(t, h)
		if got := other.Type(unplaced); !strings.Contains(apptest.Text(got), "ไปต่อใช้ฟรี") || model.Count() != 3 {
			t.Errorf("another person: %q with %d requests in all", apptest.Texts(got), model.Count())
		}
	})
}

// faqCost is a model's answer that Pai Tor is free (faq_cost).
var faqCost = apptest.Command(apptest.CommandJSON(map[string]any{"command": "answer", "topic": "faq_cost"}))

// eachWithModel runs f, as apptest.Each does, on the embedded default and on
// PostgreSQL+Redis (skipped when they are not reachable), each with a fake
// model of its own that answers answer, configured by edit (may be nil).
func eachWithModel(t *testing.T, answer apptest.ModelAnswer, edit func(*llm.Config), f func(t *testing.T, h *apptest.Harness, m *apptest.FakeModel)) {
	t.Helper()
	for _, store := range []string{"embedded", "postgres+redis"} {
		t.Run(store, func(t *testing.T) {
			m := apptest.NewFakeModel(t, apptest.Always(answer))
			var edits []func(*llm.Config)
			if edit != nil {
				edits = append(edits, edit)
			}
			opts := apptest.Options{Tweak: m.Tweak(edits...)}
			if store != "embedded" {
				tg := redistest.Real(t)
				opts.Store, opts.Redis = pgtest.Open(t), &tg
			}
			f(t, apptest.New(t, opts), m)
		})
	}
}

func handoffTexts(ms []content.HandoffMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

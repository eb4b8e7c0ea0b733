package guidance_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/guidance"
)

// afterOnboarding is a young person at the main menu, as after onboarding.
func afterOnboarding(t *testing.T) *chat {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "19", "province", "TH-40")
	c.sess = &guidance.Session{Node: "start.youth_menu"}
	return c
}

// The phrases that got "ไปต่อยังไม่เข้าใจ" before: each is now taken where
// the person meant, or asked about with chips, never only "not understood".
func TestEverydayPhrasesAreUnderstood(t *testing.T) {
	for _, tc := range []struct{ text, node string }{
		{"ไม่รู้จะทำอะไรกับชีวิต", "profile."}, // guidance starts with what it needs to know
		{"แม่ให้ไปเรียนแต่ไม่อยากเรียน", "life.family_pressure"},
		{"เรียนไปด้วยทำงานไปด้วยได้ไหม", "browse."},
		{"งานที่ได้เงินวันนี้เลย", "browse."},
		{"อยากคุยกับคน", "start.human"},
		{"มีเทศกาลอะไรใกล้ๆ บ้าง", "festival."},
		{"ขอดูแผนของฉัน", "plan."},
		{"เรียนออนไลน์ได้ไหม ไม่มีเงิน", ""},
		{"555", "start.youth_menu"},
		{"🙂", "start.youth_menu"},
		{"เหงามาก ไม่มีใครเข้าใจเลย", "life.lonely"},
		{"เครียดมาก เหนื่อย", "life.feeling_low"},
		{"โดนไล่ออกจากงาน", "life.fired"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			c := afterOnboarding(t).say(tc.text)
			said := c.text()
			if strings.Contains(said, "ยังไม่เข้าใจ") || strings.Contains(said, "ยังไม่แน่ใจว่าหมายถึงอะไร") {
				t.Fatalf("%q → not understood: %q", tc.text, said)
			}
			visited := c.visited()
			if tc.node != "" && !strings.Contains(strings.Join(visited, " "), tc.node) {
				t.Errorf("%q went through %v, want %s…", tc.text, visited, tc.node)
			}
			if len(c.labels()) == 0 {
				t.Errorf("%q: a reply without chips", tc.text)
			}
		})
	}
}

func TestAGlobalIntentWorksInTheMiddleOfAQuestion(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted")
	c.sess = &guidance.Session{Node: "profile.age"}
	c.say("ขอดูแผนของฉันหน่อยค่ะ")
	if n := c.node(); !strings.HasPrefix(n, "plan.") {
		t.Fatalf("asked for the plan at the age question → %s %q", n, c.text())
	}
	// An answer in one's own words that fits no chip is asked again, not
	// taken for a request ("เรียนด้วยทำงานด้วย" is not "earn while learning").
	c.sess = &guidance.Session{Node: "profile.status"}
	c.say("เรียนด้วยทำงานด้วย")
	if c.node() != "profile.status" {
		t.Fatalf("an answer at the status question → %s", c.node())
	}
}

func TestNothingFitsOffersTheLikelyThingsAsChips(t *testing.T) {
	c := afterOnboarding(t)
	c.sess = &guidance.Session{Node: "start.youth_menu"}
	c.say("qwerty zxcv")
	if !strings.Contains(c.text(), "ช่วยเรื่องเหล่านี้ได้") {
		t.Fatalf("said %q", c.text())
	}
	if got := c.labels(); len(got) != 4 || got[3] != "เมนู" {
		t.Fatalf("chips %v, want three things Pai Tor can do and the menu", got)
	}
	if got := c.actionNames(); len(got) != 1 || got[0] != "understand" {
		t.Fatalf("actions %v, want the language model asked first", got)
	}
	// Tapping an offered chip starts that intent.
	c.tap(c.labels()[0])
	if strings.HasPrefix(c.node(), "start.youth_menu") && c.text() == "" {
		t.Fatalf("the chip led nowhere")
	}
}

func TestCloseIntentsAreAskedAboutWithChipsForBoth(t *testing.T) {
	c := afterOnboarding(t).say("ช่างแอร์")
	if !strings.Contains(c.text(), "หมายถึงเรื่องไหน") {
		t.Skipf("%q is placed without a question now: %q", "ช่างแอร์", c.text())
	}
	if len(c.labels()) != 3 {
		t.Fatalf("chips %v, want both intents and the menu", c.labels())
	}
}

// The care state after a crisis message: ten messages, ordinary and
// emotional, are each kept for the counsellor and answered warmly; none gets
// "not understood", a menu or the language model; a crisis phrase gets the
// help lines again.
func TestCareAfterACrisisMessage(t *testing.T) {
	c := afterOnboarding(t).say("ไม่อยากอยู่แล้ว")
	if !strings.Contains(c.text(), "1323") {
		t.Fatalf("crisis → %q", c.text())
	}
	messages := []string{"เหงามาก ไม่มีใครเข้าใจเลย", "555", "หางาน", "ไม่รู้จะทำไงดี", "qwerty",
		"แม่ด่าทุกวัน", "เครียด", "ขอบคุณนะ", "🙂", "พรุ่งนี้ต้องไปทำงานอีก"}
	for i, m := range messages {
		c.say(m)
		said := c.text()
		if strings.Contains(said, "ยังไม่เข้าใจ") || strings.Contains(said, "ยังไม่แน่ใจ") || strings.Contains(said, "เมนูหลัก") {
			t.Fatalf("message %d %q in care → %q", i, m, said)
		}
		if got := c.actionNames(); len(got) != 1 || got[0] != "keep_message" {
			t.Fatalf("message %d %q: actions %v, want it kept for the counsellor (and no model)", i, m, got)
		}
		if got := c.labels(); len(got) != 1 || got[0] != "กลับไปคุยกับไปต่อ" {
			t.Fatalf("message %d: chips %v, want only the way back", i, got)
		}
	}
	c.say("อยากตาย")
	if !strings.Contains(c.text(), "📞 1323") || c.actionNames()[0] != "keep_message" {
		t.Fatalf("a crisis phrase in care → %q %v", c.text(), c.actionNames())
	}
	// A global command still works; leaving ends care.
	c.say("กลับไปคุยกับไปต่อ")
	c.say("qwerty")
	if !strings.Contains(c.text(), "ช่วยเรื่องเหล่านี้ได้") {
		t.Fatalf("after leaving care → %q", c.text())
	}
}

func TestCareEndsByItself(t *testing.T) {
	s := script(t)
	p := guidance.Person{Fields: map[string]string{"role": "youth"}}
	turn := s.Respond(nil, p, guidance.Input{Kind: guidance.InputText, Text: "อยากตาย"}, now)
	later := s.Respond(turn.Session, p, guidance.Input{Kind: guidance.InputText, Text: "qwerty"}, now.Add(25*time.Hour))
	if later.Action != nil && later.Action.Name == "keep_message" {
		t.Fatal("still in care a day later")
	}
}

// A language model's command is carried out only when the engine's own check
// passes: an unknown intent, a field a person may not type, a query with a
// link... lead to the likely things instead.
func TestModelCommandsAreCheckedAndCarriedOut(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  guidance.ModelCommand
		want string // a node the conversation stops at, or words it says
	}{
		{"start", guidance.ModelCommand{Command: "start", Intent: "festivals"}, "festival."},
		{"search", guidance.ModelCommand{Command: "search", Query: "ทำขนม", Kind: "course", Filters: []string{"free"}}, "browse.run"},
		{"set province", guidance.ModelCommand{Command: "set_profile", Field: "province", Value: "เชียงใหม่"}, "จดไว้แล้ว"},
		{"answer", guidance.ModelCommand{Command: "answer", Topic: "faq_cost"}, "ไปต่อใช้ฟรี"},
		{"answer a lesson", guidance.ModelCommand{Command: "answer", Topic: "lesson_money"}, "lesson.money"},
		{"clarify", guidance.ModelCommand{Command: "clarify", Options: []string{"find_course", "find_work"}}, "หมายถึงเรื่องไหน"},
		{"handoff", guidance.ModelCommand{Command: "handoff", Reason: "wants a person"}, "start.human"},
		{"unknown intent", guidance.ModelCommand{Command: "start", Intent: "launch_rockets"}, "ช่วยเรื่องเหล่านี้ได้"},
		{"unknown command", guidance.ModelCommand{Command: "broadcast", Query: "hi"}, "ช่วยเรื่องเหล่านี้ได้"},
		{"a link", guidance.ModelCommand{Command: "search", Query: "ดู http://evil.example", Kind: "any"}, "ช่วยเรื่องเหล่านี้ได้"},
		{"a field not for typing", guidance.ModelCommand{Command: "set_profile", Field: "consent", Value: "accepted"}, "ช่วยเรื่องเหล่านี้ได้"},
		{"a value that does not fit", guidance.ModelCommand{Command: "set_profile", Field: "age", Value: "500"}, "ช่วยเรื่องเหล่านี้ได้"},
		{"extra arguments", guidance.ModelCommand{Command: "start", Intent: "festivals", Query: "x"}, "ช่วยเรื่องเหล่านี้ได้"},
		{"clarify with one", guidance.ModelCommand{Command: "clarify", Options: []string{"find_work"}}, "ช่วยเรื่องเหล่านี้ได้"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(tc.cmd)
			c := afterOnboarding(t)
			c.actionVars = func(name string) map[string]string {
				if name == "understand" {
					return map[string]string{"_cmd": string(raw)}
				}
				return nil
			}
			c.say("blorp zix quandle")
			if got := strings.Join(c.visited(), " ") + " " + c.text(); !strings.Contains(got, tc.want) {
				t.Fatalf("stopped at %v saying %q, want %q", c.visited(), c.text(), tc.want)
			}
			if tc.name == "set province" {
				if v, _ := c.effect("province"); v != "TH-50" {
					t.Errorf("province effect %q, want TH-50", v)
				}
			}
		})
	}
}

// While a ticket is open a counsellor has the conversation: what the person
// types is kept for them with a short word at most every half hour, else in
// silence; the care commands still work; a crisis phrase gets the help lines.
func TestWhileATicketIsOpenTheCounsellorHasTheConversation(t *testing.T) {
	c := afterOnboarding(t).withFields("ticket", "open")
	c.say("สวัสดีค่ะ อยากปรึกษาเรื่องงาน")
	if got := c.actionNames(); len(got) != 1 || got[0] != "keep_message" {
		t.Fatalf("actions %v, want the message kept", got)
	}
	if !strings.Contains(c.text(), "เก็บข้อความไว้ให้เจ้าหน้าที่") {
		t.Fatalf("said %q, want a short word that it was kept", c.text())
	}
	c.say("หางานแถวบ้าน")
	if got := c.actionNames(); len(got) != 1 || got[0] != "keep_message" || c.text() != "" {
		t.Fatalf("the next message: actions %v said %q, want it kept in silence", got, c.text())
	}
	c.say("อยากตาย")
	if !strings.Contains(c.text(), "📞 1323") {
		t.Fatalf("a crisis phrase while a ticket is open → %q", c.text())
	}
	c.say("หยุด")
	if !strings.HasPrefix(c.node(), "settings.") {
		t.Fatalf("หยุด while a ticket is open → %s", c.node())
	}
}

func TestClosingATicketHandsThePersonBackAndAsksIfItHelped(t *testing.T) {
	s := script(t)
	p := guidance.Person{Fields: map[string]string{"role": "youth"}}
	turn := s.Enter(&guidance.Session{Vars: map[string]string{"_care": "2999-01-01T00:00:00Z"}}, p, guidance.NodeTicketClosed, now)
	if !strings.Contains(turn.Messages[0].Text, "ปิดเรื่องนี้แล้ว") || turn.Session.Vars["_care"] != "" {
		t.Fatalf("closed → %q care %q", turn.Messages[0].Text, turn.Session.Vars["_care"])
	}
	if got := labels(lastMsg(turn)); len(got) < 2 || got[0] != "👍 ช่วยได้" {
		t.Fatalf("chips %v, want 👍/👎", got)
	}
}

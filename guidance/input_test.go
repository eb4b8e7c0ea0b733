package guidance_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paitor/paitor/guidance"
)

// step is one answer of the journey, given at a node.
type step struct {
	node   string
	answer func(c *chat)
}

func tapStep(node, label string) step { return step{node, func(c *chat) { c.tap(label) }} }

func TestNonsenseAtAnyQuestionGetsAReAskWithTheSameChipsAndAWayToTheMenu(t *testing.T) {
	steps := []step{
		tapStep("start.welcome", "ฉันกำลังหาทางไปต่อ"),
		tapStep("consent.notice", "ยอมรับ"),
		tapStep("profile.age", "24"),
		{"profile.province", func(c *chat) { c.say("โคราช") }},
		// The district is free text: "asdfgh" would be a (strange) district,
		// so the journey skips it without trying nonsense there.
		tapStep("profile.status", "เรียนอยู่"),
		tapStep("profile.education", "ม.6"),
		tapStep("profile.need", "ได้วุฒิ/ใบรับรอง"),
		tapStep("profile.time", "เสาร์-อาทิตย์"),
		tapStep("profile.budget", "ไม่เกิน 2,000 บาท"),
		tapStep("profile.travel", "ไปได้ไกล"),
		tapStep("profile.device", "มีคอมพิวเตอร์ด้วย"),
		tapStep("profile.care", "ต้องดูแลครอบครัว"),
	}
	for i := 1; i <= 12; i++ {
		steps = append(steps, tapStep(fmt.Sprintf("discover.q%02d", i), "เฉย ๆ"))
	}
	steps = append(steps, tapStep("plan.ask", "บันทึกแผนนี้"))

	c := newChat(t).follow()
	for _, s := range steps {
		if s.node == "profile.status" {
			c.wantNode("profile.district").tap("ข้าม")
		}
		c.wantNode(s.node)
		question := c.labels()
		c.say("asdfgh").wantNode(s.node)
		got := c.labels()
		if len(c.msgs) != 1 || c.lastText() == "" {
			t.Fatalf("%s: the re-ask is %d messages: %q", s.node, len(c.msgs), c.text())
		}
		// Nonsense stores nothing; at a flow's choices (not a question) the
		// language model may be asked first, and without an answer the
		// same choices come again.
		if len(c.effects) != 0 || (len(c.actions) != 0 && !slices.Equal(c.actionNames(), []string{"understand"})) {
			t.Fatalf("%s: nonsense stored %v / asked for %v", s.node, c.effects, c.actionNames())
		}
		want := question
		if !slices.Contains(question, "เมนู") {
			want = append(slices.Clone(question), "เมนู")
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: re-ask chips %v, want %v", s.node, got, want)
		}
		// A second try is just as patient.
		c.say("???").wantNode(s.node)
		if !slices.Equal(c.labels(), want) {
			t.Fatalf("%s: second re-ask chips %v, want %v", s.node, c.labels(), want)
		}
		s.answer(c) // the right answer still works
		if c.node() == s.node {
			t.Fatalf("%s: the right answer after a re-ask did not move on: %q", s.node, c.text())
		}
	}
	c.wantNode("plan.saved")
	if c.fields["budget"] != "2000" || c.fields["need"] != "qualification" {
		t.Fatalf("stored %v", c.fields)
	}
	checkTurns(t, c)
}

func TestTheReAskSaysWhatToDoForTheQuestion(t *testing.T) {
	cases := []struct{ node, typed, said string }{
		{"profile.age", "asdfgh", "พิมพ์อายุเป็นตัวเลข"},
		{"profile.province", "asdfgh", "ไม่เจอจังหวัดนี้"},
		{"discover.q05", "asdfgh", "ชอบ เฉย ๆ หรือไม่ชอบ"},
		{"start.welcome", "asdfgh", "ยังไม่แน่ใจว่าหมายถึงอะไร"}, // its own choices again
	}
	for _, tc := range cases {
		turn := respond(t, &guidance.Session{Node: tc.node}, guidance.Person{}, text(tc.typed))
		if !strings.Contains(turn.Messages[0].Text, tc.said) || turn.Session.Node != tc.node {
			t.Errorf("%s: %q → %q at %s, want %q", tc.node, tc.typed, turn.Messages[0].Text, turn.Session.Node, tc.said)
		}
	}
}

func TestStickersMediaAndUnknownInputNeverLeaveADeadEnd(t *testing.T) {
	inputs := []guidance.Input{
		{Kind: guidance.InputFollow}, {Kind: guidance.InputSticker}, {Kind: guidance.InputMedia},
		{Kind: guidance.InputLocation, Lat: 14.97, Lng: 102.09}, {Kind: guidance.InputOther},
		{Kind: guidance.InputPostback, Data: "g=start.youth_menu"}, {Kind: guidance.InputPostback, Data: "%%%"},
		text("ok"), text("asdfgh"),
	}
	for _, sess := range []*guidance.Session{nil, {}, {Node: "start.youth_menu"}, {Node: "profile.age"}} {
		for _, in := range inputs {
			turn := respond(t, sess, guidance.Person{Fields: map[string]string{"role": "youth"}}, in)
			if len(turn.Messages) == 0 || len(lastMsg(turn.Turn).Choices) == 0 {
				t.Errorf("session %+v, %v %q: a reply without chips", sess, in.Kind, in.Text+in.Data)
			}
		}
	}
}

func TestAStickerDuringAQuestionReAsksIt(t *testing.T) {
	turn := respond(t, &guidance.Session{Node: "profile.need"}, guidance.Person{}, guidance.Input{Kind: guidance.InputSticker})
	if turn.Session.Node != "profile.need" || !slices.Contains(labels(lastMsg(turn.Turn)), "ยังไม่แน่ใจ") {
		t.Fatalf("sticker at a question → %s %q %v", turn.Session.Node, turn.Messages[0].Text, labels(lastMsg(turn.Turn)))
	}
}

// atProvince is a chat waiting at the province question.
func atProvince(t *testing.T) *chat {
	t.Helper()
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "22")
	return c.say("แนะแนว").wantNode("profile.province")
}

func TestProvincesAreFoundByTheNamesPeopleUse(t *testing.T) {
	cases := []struct{ typed, code string }{
		{"กทม.", "TH-10"},
		{"กทม", "TH-10"},
		{"กรุงเทพฯ", "TH-10"},
		{"Bangkok", "TH-10"},
		{"เชียงใหม่", "TH-50"},
		{"เชียงใหม่ค่ะ", "TH-50"},
		{"โคราช", "TH-30"},
		{"นครราชสีมา", "TH-30"},
		{"korat", "TH-30"},
	}
	for _, tc := range cases {
		c := atProvince(t).say(tc.typed)
		c.wantEffect("province", tc.code).wantNode("profile.district")
	}
}

func TestAProvinceTypoOffersDidYouMeanChipsThatAnswer(t *testing.T) {
	c := atProvince(t).say("เชียงใม่")
	c.wantNode("profile.province").wantSaid("หมายถึงจังหวัดไหน").wantChips("เชียงใหม่", "เมนู")
	if len(c.effects) != 0 {
		t.Fatalf("a guess was stored before the person chose: %v", c.effects)
	}
	c.tap("เชียงใหม่").wantEffect("province", "TH-50").wantNode("profile.district")
}

func TestSharingALocationAnswersTheProvinceQuestion(t *testing.T) {
	c := atProvince(t).location(18.79, 98.98) // Chiang Mai
	c.wantEffect("province", "TH-50").wantEffect("location", "18.7900,98.9800").wantNode("profile.district")
	if !slices.Contains(atProvince(t).labels(), "📍 ส่งตำแหน่ง") {
		t.Fatal("the province question offers no location chip")
	}
}

func TestALocationOutsideAQuestionIsThankedAndNotStored(t *testing.T) {
	c := newChat(t).withFields("role", "youth").say("เมนู").location(13.75, 100.5)
	c.wantSaid("ขอบคุณที่ส่งตำแหน่ง").wantNode("start.youth_menu")
	if len(c.effects) != 0 {
		t.Fatalf("a location outside a question stored %v", c.effects)
	}
}

func TestAgesAreReadFromWhatPeopleType(t *testing.T) {
	cases := []struct {
		typed string
		age   string // "" for a re-ask
	}{
		{"19", "19"},
		{"๑๙", "19"},
		{"อายุ 19 ค่ะ", "19"},
		{"19 ปี", "19"},
		{" 24 ", "24"},
		{"๒๔ ปีครับ", "24"},
		{"25 ขึ้นไป", "25"},
		{"18 หรือ 19", ""},
		{"abc", ""},
		{"สิบเก้า", ""},
		{"150", ""},
		{"0", ""},
		{"9", ""},
		{"-5", ""},
		{"1,000", ""},
		{"99999999999999999999", ""},
	}
	for _, tc := range cases {
		t.Run(tc.typed, func(t *testing.T) {
			c := newChat(t).withFields("role", "youth", "consent", "accepted", "guardian", "confirmed")
			c.say("แนะแนว").wantNode("profile.age").say(tc.typed)
			if tc.age == "" {
				c.wantNode("profile.age").wantSaid("พิมพ์อายุเป็นตัวเลข").wantChips("19", "เมนู")
				if _, ok := c.effect("age"); ok {
					t.Fatalf("%q stored an age: %v", tc.typed, c.effects)
				}
				return
			}
			c.wantEffect("age", tc.age).wantNode("profile.province")
		})
	}
}

func TestCommandsWorkAnywhereInThaiAndEnglish(t *testing.T) {
	cases := []struct {
		typed   string
		said    string
		effect  [2]string // field, value
		actions []string
		node    string
	}{
		{typed: "เมนู", said: "เมนูหลัก", node: "start.youth_menu"},
		{typed: "Menu!", said: "เมนูหลัก", node: "start.youth_menu"},
		{typed: "  เมนู ค่ะ ", said: "เมนูหลัก", node: "start.youth_menu"},
		{typed: "MENU", said: "เมนูหลัก", node: "start.youth_menu"},
		{typed: "หน้าแรกครับ", said: "เมนูหลัก", node: "start.youth_menu"},
		{typed: "ช่วยด้วย", said: "1323"},
		{typed: "help", said: "1300"},
		{typed: "หยุด", said: "หยุดแล้ว", effect: [2]string{"pushes", "off"}, node: "settings.stop"},
		{typed: "stop", said: "หยุดแล้ว", effect: [2]string{"pushes", "off"}},
		{typed: "หยุดส่งนะคะ", said: "หยุดแล้ว", effect: [2]string{"pushes", "off"}},
		{typed: "ข้อมูลของฉัน", actions: []string{"my_data"}, said: "ทำอะไรกับข้อมูลได้บ้าง", node: "data.options"},
		{typed: "My data", actions: []string{"my_data"}, node: "data.options"},
		{typed: "ลบข้อมูล", said: "ลบข้อมูลทั้งหมดของคุณใช่ไหม", node: "data.delete_confirm"},
		{typed: "คุยกับเจ้าหน้าที่", actions: []string{"handoff"}, said: "รับเรื่องแล้ว"},
		{typed: "ทักษะชีวิต", node: "lesson.menu"},
		{typed: "คอร์ส", node: "browse.results", actions: []string{"search"}},
		{typed: "ตั้งค่า", node: "settings.menu"},
		{typed: "สวัสดีค่ะ", said: "สวัสดีค่ะ 😊", node: "start.youth_menu"},
		{typed: "เริ่มใหม่", said: "ยินดีต้อนรับ", node: "start.welcome"},
	}
	for _, tc := range cases {
		t.Run(tc.typed, func(t *testing.T) {
			// In the middle of a question.
			c := newChat(t).withFields("role", "youth", "consent", "accepted")
			c.say("แนะแนว").wantNode("profile.age").say(tc.typed)
			if tc.said != "" {
				c.wantSaid(tc.said)
			}
			if tc.effect[0] != "" {
				c.wantEffect(tc.effect[0], tc.effect[1])
			}
			c.wantActions(tc.actions...)
			if tc.node != "" {
				c.wantNode(tc.node)
			}
			if _, ok := c.effect("age"); ok {
				t.Fatalf("the command was taken as an age: %v", c.effects)
			}
			if len(c.labels()) == 0 {
				t.Fatalf("%q leaves no chips", tc.typed)
			}
		})
	}
}

func TestHandoffAsksTheEdgeForAPerson(t *testing.T) {
	c := newChat(t).withFields("role", "youth").say("คุยกับเจ้าหน้าที่")
	if len(c.actions) != 1 || c.actions[0].Args["reason"] != "asked" || c.actions[0].Args["urgent"] == "true" {
		t.Fatalf("handoff = %+v", c.actions)
	}
}

func TestMyDataCanBeDownloaded(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted").say("ข้อมูลของฉัน")
	c.tap("ขอไฟล์ข้อมูล").wantActions("export_link").wantSaid("http://x/y", "15 นาที")
	c = newChat(t).withFields("role", "youth", "consent", "accepted").say("ข้อมูลของฉัน")
	c.actionOK = func(string) bool { return false }
	c.tap("ขอไฟล์ข้อมูล").wantActions("export_link").wantSaid("ยังสร้างลิงก์ไม่ได้")
}

func TestDeletingDataAsksForConfirmationFirst(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "19").say("ลบข้อมูลค่ะ")
	c.wantActions().wantChips("ยืนยันลบข้อมูล", "ยกเลิก")
	c.tap("ยืนยันลบข้อมูล").wantActions("delete_data").wantSaid("ลบข้อมูลทั้งหมดแล้ว")

	// Cancelling deletes nothing.
	c = newChat(t).withFields("role", "youth").say("delete my data").tap("ยกเลิก")
	c.wantActions().wantNode("start.youth_menu")

	// Typing the confirmation chip works like tapping it, although "ยืนยัน"
	// followed by a code is the guardian's command.
	c = newChat(t).withFields("role", "youth").say("ลบข้อมูล").say("ยืนยันลบข้อมูล")
	c.wantActions("delete_data")
}

func TestConfirmWithACodeAsksTheEdgeToCheckIt(t *testing.T) {
	cases := []struct{ typed, code string }{
		{"ยืนยัน ab12cd", "ab12cd"},
		{"ยืนยัน AB12CD ค่ะ", "ab12cd"}, // the edge compares codes in upper case
		{"confirm K7Q2PM", "k7q2pm"},
		{"ยืนยัน K7Q 2PM", "k7q2pm"},
	}
	for _, tc := range cases {
		c := newChat(t).withFields("role", "parent")
		c.actionOK = func(string) bool { return false }
		c.say(tc.typed).wantActions("guardian_confirm").wantSaid("รหัสนี้ไม่ถูกต้อง").wantChips("ลองใหม่")
		if got := c.sess.Vars["_code"]; got != tc.code {
			t.Errorf("%q: _code = %q, want %q", tc.typed, got, tc.code)
		}
		if len(c.effects) != 0 {
			t.Errorf("%q: the code was stored: %v", tc.typed, c.effects)
		}
	}
	// "ยืนยันผู้ปกครอง" is its own command, not a code.
	c := newChat(t).withFields("role", "parent").say("ยืนยันผู้ปกครอง")
	c.wantActions().wantNode("parent.ask_code")
}

func TestComingBackAfterTheSessionExpiredPicksUpWhereYouWere(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "24")
	c.say("ok").wantSaid("ยินดีต้อนรับกลับมา").wantChips("ทำต่อ", "เริ่มใหม่")
	c.tap("ทำต่อ").wantNode("profile.province").wantSaid("อยู่จังหวัดไหน")

	// Typing it works too; and "เริ่มใหม่" starts from the welcome.
	c = newChat(t).withFields("role", "youth", "consent", "accepted", "age", "24")
	c.say("ok").say("ทำต่อค่ะ").wantNode("profile.province")
	c = newChat(t).withFields("role", "youth", "consent", "accepted", "age", "24")
	c.say("ok").tap("เริ่มใหม่").wantNode("start.welcome")

	// A command needs no greeting first.
	newChat(t).withFields("role", "youth").say("เมนู").wantNode("start.youth_menu")
	// An old chip tapped after the session expired still answers its question.
	c = newChat(t).withFields("role", "youth", "consent", "accepted", "guardian", "confirmed")
	c.postback("a=profile.age&v=17").wantEffect("age", "17").wantNode("profile.province")
}

func TestEnglishSwitchesTheConversationAndThaiSwitchesBack(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted")
	c.say("English").wantEffect("lang", "en").wantSaid("Main menu").wantChips("Guidance", "Life skills")
	if c.sess.Lang != "en" {
		t.Fatalf("session language = %q", c.sess.Lang)
	}
	c.tap("Guidance").wantSaid("How old are you?").say("banana").wantSaid("Type your age as a number").wantChips("Menu")
	c.say("20").wantSaid("Which province").wantChips("📍 Share location")
	c.say("ภาษาไทย").wantEffect("lang", "th").wantSaid("เมนูหลัก").wantChips("แนะแนว")

	// The stored language holds in a new session.
	c = newChat(t).withFields("role", "youth", "lang", "en").say("ok")
	c.wantSaid("Welcome back").wantChips("Continue")
	// From the settings chips too.
	c = newChat(t).withFields("role", "youth").say("ตั้งค่า").tap("English")
	c.wantEffect("lang", "en").wantSaid("Switched to English").wantChips("Guidance")
}

func TestEnglishLabelsAreWhole(t *testing.T) {
	// Commas in the field registry once cut labels short ("Weekdays" for
	// "Weekdays, daytime", "ไม่เกิน 2" for "ไม่เกิน 2,000 บาท").
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "24", "province", "TH-10",
		"status", "working", "education", "m6", "need", "income")
	c.say("แนะแนว").wantNode("profile.time").wantChips("วันธรรมดา กลางวัน")
	c.tap("วันธรรมดา กลางวัน").wantChips("ไม่เกิน 2,000 บาท")
	c = newChat(t).withFields("role", "youth", "consent", "accepted", "age", "24", "province", "TH-10",
		"need", "income", "lang", "en")
	c.say("guidance").wantChips("Weekdays, daytime").tap("Evenings").wantChips("Up to 2,000 baht")
	c.tap("Free only").tap("Up to 5 km").wantChips("Phone, limited data")
}

func TestForgedPostbacksCannotSetFieldsOrSkipChecks(t *testing.T) {
	youth := guidance.Person{Fields: map[string]string{"role": "youth", "consent": "accepted"}}
	cases := []struct {
		name, data string
		node       string // where the conversation waits after
		said       string
	}{
		{"a goto with a set no chip makes", "g=start.menu&s_role=admin", "start.youth_menu", "เมนูหลัก"},
		{"a goto that sets consent where no chip does", "g=start.menu&s_consent=accepted&s_plan=saved", "start.youth_menu", "เมนูหลัก"},
		{"an age out of range", "a=profile.age&v=500", "profile.age", "พิมพ์อายุเป็นตัวเลข"},
		{"an age that is not a number", "a=profile.age&v=abc", "profile.age", "พิมพ์อายุเป็นตัวเลข"},
		{"a value no chip offers", "a=profile.need&v=money", "profile.need", "แตะเลือกข้อที่ตรงที่สุด"},
		{"a province code that does not exist", "a=profile.province&v=TH-99", "profile.province", "ไม่เจอจังหวัดนี้"},
		{"an answer to a missing node", "a=nowhere&v=1", "start.youth_menu", "ยังไม่เข้าใจ"},
		{"an answer to a node without a question", "a=start.youth_menu&v=1", "start.youth_menu", "ยังไม่เข้าใจ"},
		{"a goto to a missing node", "g=nowhere", "start.youth_menu", "ยังไม่เข้าใจ"},
		{"garbage", "%zz", "start.youth_menu", "ยังไม่เข้าใจ"},
		{"a skip of a question that cannot be skipped", "a=profile.age&skip=1", "profile.age", "พิมพ์อายุเป็นตัวเลข"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			turn := respond(t, &guidance.Session{Node: "start.youth_menu"}, youth, guidance.Input{Kind: guidance.InputPostback, Data: tc.data})
			if len(turn.Effects) != 0 {
				t.Fatalf("effects = %v", turn.Effects)
			}
			if turn.Session.Node != tc.node || !strings.Contains(turn.Messages[0].Text, tc.said) {
				t.Fatalf("→ %s %q, want %s %q", turn.Session.Node, turn.Messages[0].Text, tc.node, tc.said)
			}
			if len(lastMsg(turn.Turn).Choices) == 0 {
				t.Fatal("no chips after a forged postback")
			}
		})
	}
	// What a real chip sets is accepted, and values come out canonical.
	turn := respond(t, nil, guidance.Person{}, guidance.Input{Kind: guidance.InputPostback, Data: "g=consent.notice&s_role=youth&s_consent=accepted"})
	if len(turn.Effects) != 1 || turn.Effects[0] != (guidance.Effect{Field: "role", Value: "youth"}) {
		t.Fatalf("a real chip's set: effects = %v", turn.Effects)
	}
	turn = respond(t, nil, youth, guidance.Input{Kind: guidance.InputPostback, Data: "a=profile.province&v=th-50"})
	if len(turn.Effects) != 1 || turn.Effects[0] != (guidance.Effect{Field: "province", Value: "TH-50"}) {
		t.Fatalf("province from a postback: effects = %v", turn.Effects)
	}
	turn = respond(t, nil, youth, guidance.Input{Kind: guidance.InputPostback, Data: "a=profile.age&v=024"})
	if len(turn.Effects) == 0 || turn.Effects[0] != (guidance.Effect{Field: "age", Value: "24"}) {
		t.Fatalf("age from a postback: effects = %v", turn.Effects)
	}
}

package guidance_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paitor/paitor/guidance"
)

func TestFollowWelcomesInThaiAndAsksWhoYouAre(t *testing.T) {
	c := newChat(t).follow()
	c.wantSaid("ยินดีต้อนรับ", "ไปต่อ").wantNode("start.welcome")
	if got := c.labels(); !slices.Equal(got, []string{"ฉันกำลังหาทางไปต่อ", "ผู้ปกครอง", "ครู/อื่น ๆ"}) {
		t.Fatalf("role chips = %v", got)
	}
	if len(c.effects) != 0 {
		t.Fatalf("following stored %v before anything was chosen", c.effects)
	}
}

func TestChoosingARoleRecordsItAndLeadsOn(t *testing.T) {
	cases := []struct {
		chip, role, said string
		chips            []string
	}{
		{"ฉันกำลังหาทางไปต่อ", "youth", "ข้อมูลส่วนตัว", []string{"ยอมรับ", "ไม่ยอมรับ"}},
		{"ผู้ปกครอง", "parent", "คุณผู้ปกครอง", []string{"ยืนยันผู้ปกครอง"}},
		{"ครู/อื่น ๆ", "other", "ยินดีต้อนรับ", []string{"แนะแนว"}},
	}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			c := newChat(t).follow().tap(tc.chip)
			c.wantEffect("role", tc.role).wantSaid(tc.said).wantChips(tc.chips...)
		})
	}
}

func TestTypingAChipLabelWorksLikeTappingIt(t *testing.T) {
	for _, typed := range []string{"ผู้ปกครอง", "ผู้ปกครอง ค่ะ", " ผู้ปกครองครับ"} {
		c := newChat(t).follow().say(typed)
		c.wantEffect("role", "parent")
	}
}

func TestAcceptingConsentRecordsItAndAsksTheAge(t *testing.T) {
	c := newChat(t).follow().tap("ฉันกำลังหาทางไปต่อ")
	c.wantNode("consent.notice").wantSaid("ยินยอม")
	if got := c.labels(); !slices.Equal(got, []string{"ยอมรับ", "ไม่ยอมรับ"}) {
		t.Fatalf("consent chips = %v", got)
	}
	c.tap("ยอมรับ").wantEffect("consent", "accepted").wantNode("profile.age").wantSaid("อายุเท่าไหร่")
	if len(c.labels()) != 11 {
		t.Fatalf("age chips = %v, want 15…24 and 25+", c.labels())
	}
}

// riasecAnswer answers an inventory item: like the hands-on (R) items,
// dislike the rest.
func riasecAnswer(question string) string {
	hands := []string{"ซ่อมของใช้ในบ้าน", "ปลูกผัก", "ใช้เครื่องมือช่าง", "ทำอาหาร"}
	for _, h := range hands {
		if strings.Contains(question, h) {
			return "ชอบ"
		}
	}
	return "ไม่ชอบ"
}

// checkTurns fails when a turn leaves the person without chips or a message
// asks something without offering quick replies.
func checkTurns(t *testing.T, c *chat) {
	t.Helper()
	for i, turn := range c.all {
		if turn.Action != nil {
			continue // the edge resumes it
		}
		if len(turn.Messages) == 0 {
			t.Errorf("turn %d says nothing", i)
			continue
		}
		if len(lastMsg(turn).Choices) == 0 {
			t.Errorf("turn %d ends without quick replies (a dead end): %q", i, lastMsg(turn).Text)
		}
		for _, m := range turn.Messages {
			if strings.Contains(m.Text, "?") && len(m.Choices) == 0 {
				t.Errorf("turn %d asks %q without quick replies", i, m.Text)
			}
			if len(m.Choices) > 13 {
				t.Errorf("turn %d offers %d quick replies: %v", i, len(m.Choices), labels(m))
			}
			for _, ch := range m.Choices {
				if n := len([]rune(ch.Label)); n > 20 || n == 0 {
					t.Errorf("turn %d chip %q is %d characters", i, ch.Label, n)
				}
			}
		}
	}
}

// youthJourney plays the whole journey of a 24-year-old from Korat, up to the
// plan proposal.
func youthJourney(t *testing.T) *chat {
	t.Helper()
	c := newChat(t).follow()
	c.tap("ฉันกำลังหาทางไปต่อ").wantEffect("role", "youth")
	c.tap("ยอมรับ").wantEffect("consent", "accepted")
	c.tap("24").wantEffect("age", "24").wantNode("profile.province")
	c.say("โคราช").wantEffect("province", "TH-30").wantNode("profile.district")
	c.tap("ข้าม").wantNode("profile.status")
	if _, ok := c.effect("district"); ok {
		t.Fatalf("skipping the district stored %v", c.effects)
	}
	steps := []struct{ chip, field, value string }{
		{"ยังไม่ได้เรียน/ทำงาน", "status", "neither"},
		{"ม.3", "education", "m3"},
		{"มีรายได้เร็ว ๆ", "need", "income"},
		{"ตอนเย็น/ค่ำ", "time", "evening"},
		{"ฟรีเท่านั้น", "budget", "free"},
		{"ไม่เกิน 15 กม.", "travel", "15"},
		{"มือถือ มีเน็ต", "device", "phone_data"},
		{"ไม่มี", "care", "none"},
	}
	for _, s := range steps {
		c.tap(s.chip).wantEffect(s.field, s.value)
	}
	c.wantNode("discover.q01").wantSaid("12 ข้อ")
	for i := 1; i <= 12; i++ {
		c.wantNode(fmt.Sprintf("discover.q%02d", i)).wantSaid(fmt.Sprintf("%d/12", i))
		c.tap(riasecAnswer(c.lastText()))
		if i < 12 && len(c.effects) != 0 {
			t.Fatalf("an inventory answer was stored as %v: answers stay in the conversation", c.effects)
		}
	}
	return c
}

func TestAYoungAdultGoesFromFollowToASavedPlanInAtMost25Taps(t *testing.T) {
	c := youthJourney(t)
	// The result explains the top interest in words, and is stored.
	c.wantSaid("ผลของคุณ: สายลงมือทำ")
	c.wantEffect("riasec_top", "R")
	if v, _ := c.effect("riasec"); v != "R:4,I:0,A:0,S:0,E:0,C:0" {
		t.Fatalf("riasec = %q, want R to score 4 (two likes) and the rest 0", v)
	}
	if v, _ := c.effect("interests"); !strings.HasPrefix(v, "trades") {
		t.Fatalf("interests = %q, want the hands-on fields first", v)
	}
	// A plan of three steps is proposed, fitting the need (income).
	c.wantNode("plan.ask").wantSaid("แผนของคุณ 3 ขั้น", "\n1. ", "\n2. ", "\n3. ", "ช่าง", "สมัครงานพาร์ทไทม์")
	if strings.Contains(c.text(), "\n4. ") {
		t.Fatalf("the plan has more than 3 steps: %q", c.text())
	}
	c.wantChips("บันทึกแผนนี้", "เปลี่ยนขั้นที่ 3", "เมนู")

	c.tap("บันทึกแผนนี้").wantActions("save_plan", "schedule_checkins").wantNode("plan.saved").wantSaid("บันทึกแผนแล้ว")
	if c.taps > 25 {
		t.Errorf("the journey took %d taps, want at most 25", c.taps)
	}
	t.Logf("taps from follow to a saved plan: %d", c.taps)
	checkTurns(t, c)

	// What the edge stored along the way.
	want := map[string]string{
		"role": "youth", "consent": "accepted", "age": "24", "province": "TH-30", "status": "neither",
		"education": "m3", "need": "income", "time": "evening", "budget": "free", "travel": "15",
		"device": "phone_data", "care": "none", "riasec_top": "R",
	}
	for f, v := range want {
		if c.fields[f] != v {
			t.Errorf("stored %s = %q, want %q", f, c.fields[f], v)
		}
	}
	for f := range c.fields {
		if strings.HasPrefix(f, "q_") || strings.HasPrefix(f, "_") || strings.HasPrefix(f, "plan_") {
			t.Errorf("scratch value %s was stored", f)
		}
	}
}

func TestTheResultNamesTheTopInterestInEnglishToo(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "24", "province", "TH-10",
		"need", "unsure", "care", "none", "lang", "en")
	c.say("guidance").wantNode("discover.q01").wantSaid("12 short questions")
	for range 12 {
		c.tap("Dislike")
	}
	// Nothing liked: the result is kind, not a verdict, and a plan still comes.
	c.wantSaid("that is completely fine", "Your plan, 3 steps").wantNode("plan.ask")
}

func TestSavingThePlanWhenTheEdgeRefusesExplainsConsent(t *testing.T) {
	c := youthJourney(t)
	c.actionOK = func(name string) bool { return name != "save_plan" }
	c.tap("บันทึกแผนนี้").wantActions("save_plan").wantNode("plan.not_saved").wantChips("อ่านเรื่องความยินยอม")
}

func TestChangingStep3OffersTheActionsForTheNeed(t *testing.T) {
	c := youthJourney(t)
	c.tap("เปลี่ยนขั้นที่ 3").wantNode("planstep.income").wantChips("ถามศูนย์ฝึกอาชีพ", "ลองขายของออนไลน์")
	c.tap("ลองขายของออนไลน์").wantNode("plan.ask").wantSaid("3. ลองขายของเล็ก ๆ น้อย ๆ ออนไลน์")
}

func TestAMinorGetsAGuardianCodeToSend(t *testing.T) {
	c := newChat(t).follow().tap("ฉันกำลังหาทางไปต่อ").tap("ยอมรับ")
	c.tap("16").wantEffect("age", "16").wantActions("guardian_code")
	c.wantSaid("ต่ำกว่า 20 ปี", "K7Q2PM", "ยืนยัน K7Q2PM").wantNode("consent.minor_code")
	// The young person goes on while the guardian confirms.
	c.tap("คุยต่อเลย").wantNode("profile.province")
	checkTurns(t, c)
}

func TestAMinorWhoseGuardianConfirmedIsNotAskedAgain(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "guardian", "confirmed")
	c.say("แนะแนว").wantNode("profile.age")
	c.tap("16").wantActions().wantNode("profile.province")
}

func TestAnUnder15IsToldWhatFitsAndStillGetsTheGuardianPath(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted")
	c.say("แนะแนว").say("13").wantSaid("15-24").wantActions("guardian_code").wantSaid("K7Q2PM")
}

func TestAGuardianConfirmsWithTheCode(t *testing.T) {
	c := newChat(t).follow().tap("ผู้ปกครอง").tap("ยืนยันผู้ปกครอง").wantNode("parent.ask_code")
	c.say("K7Q2PM").wantActions("guardian_confirm").wantSaid("ยืนยันเรียบร้อย")
	if c.sess.Vars["_code"] != "K7Q2PM" {
		t.Fatalf("the code given to the edge is %q", c.sess.Vars["_code"])
	}
	if _, ok := c.effect("_code"); ok {
		t.Fatal("the code was stored as a field")
	}
	// The parent's menu is the parents' one.
	c.say("เมนู").wantSaid("เมนูผู้ปกครอง").wantNode("parent.menu")
}

func TestTheYoungPersonHearsWhenTheGuardianConfirmed(t *testing.T) {
	turn := script(t).Enter(nil, guidance.Person{Fields: map[string]string{"role": "youth"}}, guidance.NodeGuardianConfirmed, now)
	if !strings.Contains(turn.Messages[0].Text, "ผู้ปกครองยืนยันให้แล้ว") || len(lastMsg(turn).Choices) == 0 {
		t.Fatalf("got %q %v", turn.Messages[0].Text, labels(lastMsg(turn)))
	}
}

func TestDecliningConsentStillLetsYouBrowseAndLearn(t *testing.T) {
	c := newChat(t).follow().tap("ฉันกำลังหาทางไปต่อ").tap("ไม่ยอมรับ")
	c.wantEffect("consent", "declined").wantSaid("ไม่เก็บข้อมูลส่วนตัว").wantNode("start.youth_menu")
	cases := []struct{ chip, said string }{
		{"หาคอร์ส/งาน", "กรองเพิ่ม"},           // after the search the edge did
		{"เทศกาล", "จะหาเทศกาลและกิจกรรมใกล้"}, // no province without a profile: it asks
		{"ทักษะชีวิต", "ทักษะชีวิต"},
	}
	for _, tc := range cases {
		c.say("เมนู").tap(tc.chip).wantSaid(tc.said)
		if len(c.labels()) == 0 {
			t.Fatalf("%s leaves no chips", tc.chip)
		}
	}
	c.say("เมนู").tap("หาคอร์ส/งาน").tap("เรียนไปทำไป").wantActions("search").wantNode("browse.results")
	c.say("ทักษะชีวิต").tap("เงินทองต้องวางแผน").tap("เริ่มเลย").wantNode("lesson.money_1")
	// Guidance needs consent: it asks for it instead of profile questions.
	c.say("เมนู").tap("แนะแนว").wantNode("consent.needed").wantChips("อ่านและตัดสินใจ", "ไว้ก่อน")
	if strings.Contains(c.text(), "อายุ") {
		t.Fatalf("guidance without consent asked about the person: %q", c.text())
	}
	c.say("แนะแนว").wantNode("consent.needed")
	c.tap("อ่านและตัดสินใจ").wantNode("consent.notice")
	checkTurns(t, c)
}

func TestTypingADistrictStoresItAndALongOneIsReAsked(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "22", "province", "TH-30")
	c.say("แนะแนว").wantNode("profile.status") // the district is optional: the journey does not come back for it
	c = newChat(t).withFields("role", "youth", "consent", "accepted", "age", "22")
	c.say("แนะแนว").say("โคราช").wantNode("profile.district")
	c.say(strings.Repeat("ปากช่อง", 10)).wantNode("profile.district").wantChips("ข้าม", "เมนู")
	c.say("ปากช่อง").wantEffect("district", "ปากช่อง").wantNode("profile.status")
}

func TestTellingYourStrengthsRecordsThem(t *testing.T) {
	c := youthJourney(t)
	c.tap("บอกทักษะที่มี").wantNode("discover.s01")
	for i := 0; c.node() != "start.youth_menu"; i++ {
		if i > 12 {
			t.Fatalf("the strength questions do not end: at %s", c.node())
		}
		answer := "ยังไม่ได้"
		if i%2 == 0 {
			answer = "ทำได้"
		}
		c.tap(answer)
	}
	c.wantSaid("ทักษะที่คุณมีอยู่แล้ว")
	if v, _ := c.effect("strengths"); !strings.Contains(v, "digital_basic") || strings.Contains(v, "cooking") {
		t.Fatalf("strengths = %q, want the first (yes) and not the second (not yet)", v)
	}
}

func TestGuidanceForSomeoneWithASavedPlanOffersWhatsNext(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted", "age", "22", "province", "TH-30",
		"need", "unsure", "care", "none", "riasec_top", "SEC", "interests", "care,retail", "plan", "saved")
	c.say("แนะแนว").wantNode("guide.done").wantChips("ดูแผนของฉัน", "ทำแบบทดสอบใหม่")
	c.tap("ดูแผนของฉัน").wantSaid("แผนของคุณ 3 ขั้น", "ดูแลผู้สูงอายุ/เด็ก").wantNode("plan.ask")
	// Someone with a profile but no result yet goes to the quiz.
	c = newChat(t).withFields("role", "youth", "consent", "accepted", "age", "22", "province", "TH-30",
		"need", "unsure", "care", "none")
	c.say("แนะแนว").wantNode("discover.q01")
}

func TestSettingsTurnMessagesOnAndOff(t *testing.T) {
	cases := []struct{ chip, field, value string }{
		{"หยุดรับข้อความ", "pushes", "off"},
		{"รับข้อความอีกครั้ง", "pushes", "on"},
		{"ปิดการติดตามผล", "checkins", "off"},
		{"เปิดการติดตามผล", "checkins", "on"},
		{"ปิดข่าวเทศกาล", "festivals", "off"},
		{"เปิดข่าวเทศกาล", "festivals", "on"},
		{"ปิดแจ้งคอร์ส/งาน", "alerts", "off"},
		{"เปิดแจ้งคอร์ส/งาน", "alerts", "on"},
	}
	for _, tc := range cases {
		c := newChat(t).withFields("role", "youth").say("ตั้งค่า").tap(tc.chip)
		c.wantEffect(tc.field, tc.value)
		if len(c.effects) != 1 || len(c.labels()) == 0 {
			t.Errorf("%s: effects %v, chips %v", tc.chip, c.effects, c.labels())
		}
	}
}

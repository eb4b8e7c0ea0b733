package guidance_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/guidance"
)

// checkin starts a scheduled check-in like the edge's scheduler does.
func checkin(t *testing.T, kv ...string) *chat {
	t.Helper()
	c := newChat(t).withFields(append([]string{"role", "youth", "consent", "accepted", "plan", "saved"}, kv...)...)
	c.apply(c.s.Enter(nil, c.person(), guidance.NodeCheckin, now))
	return c
}

func TestACheckInAsksHowThePlanIsGoingWithSevenChips(t *testing.T) {
	c := checkin(t).wantNode("checkin.ask_plan").wantSaid("ไปต่อมาถามข่าว")
	want := []string{"สมัครเรียนแล้ว", "เริ่มทำงานแล้ว", "มีรายได้แล้ว", "ยังไม่ได้เริ่ม", "หยุดไปแล้ว", "อยากได้ความช่วยเหลือ", "ไม่ต้องทักมาแล้ว"}
	if got := c.labels(); !slices.Equal(got, want) {
		t.Fatalf("chips = %v, want %v", got, want)
	}
}

func TestCheckInAnswersAreRecordedAndAnswered(t *testing.T) {
	cases := []struct{ chip, outcome, said, node string }{
		{"สมัครเรียนแล้ว", "enrolled", "เยี่ยมมาก", "start.youth_menu"},
		{"เริ่มทำงานแล้ว", "started_work", "เยี่ยมมาก", "start.youth_menu"},
		{"มีรายได้แล้ว", "earning", "เยี่ยมมาก", "start.youth_menu"},
		{"ยังไม่ได้เริ่ม", "not_started", "ไม่เป็นไรเลย", "checkin.encourage"},
		{"หยุดไปแล้ว", "stopped", "ขอบคุณที่บอก", "checkin.stopped"},
		{"อยากได้ความช่วยเหลือ", "need_help", "ส่งต่อให้เจ้าหน้าที่แล้ว", "start.youth_menu"}, // a ticket opens at once
	}
	for _, tc := range cases {
		t.Run(tc.outcome, func(t *testing.T) {
			c := checkin(t).tap(tc.chip)
			if tc.outcome == "need_help" {
				c.wantActions("record_outcome", "handoff")
			} else {
				c.wantActions("record_outcome")
			}
			c.wantSaid(tc.said).wantNode(tc.node)
			if got := c.turns[0].Session.Vars["_outcome"]; got != tc.outcome {
				t.Fatalf("the edge is asked to record %q, want %q", got, tc.outcome)
			}
			if len(c.effects) != 0 {
				t.Fatalf("an outcome is recorded by the edge, not stored as a field: %v", c.effects)
			}
			if len(c.labels()) == 0 {
				t.Fatal("no chips after a check-in answer")
			}
		})
	}
}

func TestStoppingCheckInsFromTheCheckIn(t *testing.T) {
	c := checkin(t).tap("ไม่ต้องทักมาแล้ว")
	c.wantEffect("checkins", "off").wantActions().wantSaid("จะไม่ทักมาถามความคืบหน้า")
	// Typing it works as well.
	checkin(t).say("ไม่ต้องทักมาแล้วค่ะ").wantEffect("checkins", "off")
}

func TestACheckInThatCannotBeRecordedSaysSo(t *testing.T) {
	c := checkin(t)
	c.actionOK = func(string) bool { return false }
	c.tap("สมัครเรียนแล้ว").wantActions("record_outcome").wantSaid("ระบบขัดข้อง")
}

func TestACheckInIsInTheStoredLanguage(t *testing.T) {
	checkin(t, "lang", "en").wantSaid("How is your plan going?").wantChips("I enrolled", "Stop check-ins")
}

func TestEnteringAnUnknownNodeShowsTheMenu(t *testing.T) {
	turn := script(t).Enter(nil, guidance.Person{Fields: map[string]string{"role": "parent"}}, "nowhere.at_all", now)
	if turn.Session.Node != "parent.menu" || len(lastMsg(turn).Choices) == 0 {
		t.Fatalf("→ %s %v", turn.Session.Node, labels(lastMsg(turn)))
	}
}

// finishLesson taps through a lesson from its chip in the lessons menu and
// answers the check with answer (a chip label) or the first chip.
func finishLesson(c *chat, chip, answer string) *chat {
	c.t.Helper()
	c.say("ทักษะชีวิต").tap(chip).tap("เริ่มเลย")
	for i := 0; strings.HasPrefix(c.node(), "lesson.") && !strings.HasSuffix(c.node(), "_check"); i++ {
		if i > 10 {
			c.t.Fatalf("lesson %s does not reach its check", chip)
		}
		c.tap("ต่อไป ▶")
	}
	if answer == "" {
		answer = c.labels()[0]
	}
	return c.tap(answer)
}

func TestTheLessonsMenuListsAtLeastSixModules(t *testing.T) {
	c := newChat(t).withFields("role", "youth").say("ทักษะชีวิต").wantNode("lesson.menu")
	got := c.labels()
	if len(got) < 7 || got[len(got)-1] != "เมนู" {
		t.Fatalf("lessons menu chips = %v, want at least 6 lessons and เมนู", got)
	}
}

func TestFinishingTheMoneyLessonEarnsItsBadge(t *testing.T) {
	c := newChat(t).withFields("role", "youth", "consent", "accepted")
	c.say("ทักษะชีวิต").tap("เงินทองต้องวางแผน").wantSaid("ประมาณ 3 นาที").tap("เริ่มเลย").wantNode("lesson.money_1")
	for range 4 {
		c.tap("ต่อไป ▶")
	}
	c.wantNode("lesson.money_check").wantSaid("ควรแยกเงินออมตอนไหน")
	c.tap("แยกเก็บทันที").wantSaid("ถูกต้องค่ะ", "ได้เหรียญ 💰 นักออมมือใหม่", "ลองทำสัปดาห์นี้")
	c.wantEffect("lesson_money", "done").wantEffect("badges", "money").wantChips("บทต่อไป", "บทเรียนอื่น", "เมนู")
	if _, ok := c.effect("q_check"); ok {
		t.Fatal("the check's answer was stored")
	}

	// The next lesson adds its badge; redoing one does not count twice.
	c.tap("บทต่อไป").tap("เริ่มเลย")
	for strings.HasPrefix(c.node(), "lesson.scams_") && !strings.HasSuffix(c.node(), "_check") {
		c.tap("ต่อไป ▶")
	}
	c.tap(c.labels()[0]).wantEffect("lesson_scams", "done").wantEffect("badges", "money,scams")
	finishLesson(c, "เงินทองต้องวางแผน", "เหลือค่อยเก็บ").wantSaid("ไม่เป็นไรนะคะ", "ได้เหรียญ").wantEffect("badges", "money,scams")
}

func TestEveryLessonCanBeFinishedWithoutConsent(t *testing.T) {
	modules := newChat(t).withFields("role", "youth").say("ทักษะชีวิต").labels()
	modules = modules[:len(modules)-1] // เมนู
	for _, m := range modules {
		c := newChat(t).withFields("role", "youth", "consent", "declined")
		finishLesson(c, m, "").wantSaid("ได้เหรียญ")
		if v, _ := c.effect("badges"); v == "" {
			t.Errorf("%s: no badge", m)
		}
		checkTurns(t, c)
	}
}

// TestDataFilesKeepTextAfterCommas guards against a YAML trap: in a flow
// mapping, {th: ไม่เกิน 2,000 บาท} is th "ไม่เกิน 2" and a key "000 บาท".
func TestDataFilesKeepTextAfterCommas(t *testing.T) {
	var files []string
	for _, pattern := range []string{"flows/*.yaml", "data/*.yaml", "lessons/*.yaml", "assess/*.yaml", "place/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found only %v", files)
	}
	var walk func(file string, n *yaml.Node)
	walk = func(file string, n *yaml.Node) {
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if v := n.Content[i+1]; v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == "" {
					t.Errorf("%s:%d: key %q has no value: a comma cut a text short? Quote it.", file, n.Content[i].Line, n.Content[i].Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(file, c)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(f, &doc)
	}
}

func TestFieldLabelsAreWholeInBothLanguages(t *testing.T) {
	for name, f := range script(t).Fields() {
		if f.Store == guidance.StoreDerived {
			continue // shown in "my data" only, never as a chip
		}
		for v, l := range f.Values {
			if l.TH == "" || l.EN == "" {
				t.Errorf("%s=%s has label %+v", name, v, l)
			}
			if n := len([]rune(l.TH)); n > 20 {
				t.Errorf("%s=%s: Thai label %q is %d characters, too long for a chip", name, v, l.TH, n)
			}
			if n := len([]rune(l.EN)); n > 20 {
				t.Errorf("%s=%s: English label %q is %d characters, too long for a chip", name, v, l.EN, n)
			}
		}
	}
}

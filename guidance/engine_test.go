package guidance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/guidance"
)

func script(t *testing.T) *guidance.Script {
	t.Helper()
	s, err := guidance.LoadScript()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var now = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func last(turn guidance.Turn) guidance.Message { return turn.Messages[len(turn.Messages)-1] }

func labels(m guidance.Message) []string {
	var out []string
	for _, c := range m.Choices {
		out = append(out, c.Label)
	}
	return out
}

func TestFollowGetsAThaiWelcomeAndARoleQuestion(t *testing.T) {
	turn := script(t).Respond(nil, guidance.Person{New: true}, guidance.Input{Kind: guidance.InputFollow}, now)
	if !strings.Contains(turn.Messages[0].Text, "ยินดีต้อนรับ") {
		t.Fatalf("welcome = %q", turn.Messages[0].Text)
	}
	if got := labels(last(turn)); len(got) != 3 || got[0] != "ฉันกำลังหาทางไปต่อ" {
		t.Fatalf("role choices = %v", got)
	}
}

func TestTappingARoleRecordsIt(t *testing.T) {
	s := script(t)
	turn := s.Respond(nil, guidance.Person{}, guidance.Input{Kind: guidance.InputFollow}, now)
	tap := last(turn).Choices[1] // parent
	turn = s.Respond(turn.Session, guidance.Person{}, guidance.Input{Kind: guidance.InputPostback, Data: tap.Data}, now)
	if len(turn.Effects) != 1 || turn.Effects[0] != (guidance.Effect{Field: "role", Value: "parent"}) {
		t.Fatalf("effects = %v", turn.Effects)
	}
	if len(last(turn).Choices) == 0 {
		t.Fatal("after the role the person is left without choices")
	}
}

func TestTypingAChoiceLabelWorksLikeTappingIt(t *testing.T) {
	s := script(t)
	turn := s.Respond(nil, guidance.Person{}, guidance.Input{Kind: guidance.InputFollow}, now)
	turn = s.Respond(turn.Session, guidance.Person{}, guidance.Input{Kind: guidance.InputText, Text: "ผู้ปกครอง ค่ะ"}, now)
	if len(turn.Effects) != 1 || turn.Effects[0].Value != "parent" {
		t.Fatalf("effects = %v", turn.Effects)
	}
}

func TestCommandsWorkAnywhereInThaiAndEnglish(t *testing.T) {
	s := script(t)
	for _, typed := range []string{"เมนู", "เมนู ค่ะ", "Menu!", "  menu  "} {
		turn := s.Respond(&guidance.Session{Node: "start.welcome"}, guidance.Person{}, guidance.Input{Kind: guidance.InputText, Text: typed}, now)
		if !strings.Contains(turn.Messages[0].Text, "เมนูหลัก") {
			t.Errorf("%q → %q, want the main menu", typed, turn.Messages[0].Text)
		}
	}
	turn := s.Respond(&guidance.Session{}, guidance.Person{}, guidance.Input{Kind: guidance.InputText, Text: "English"}, now)
	if turn.Session.Lang != "en" || !strings.Contains(turn.Messages[0].Text, "Main menu") {
		t.Fatalf("English switch: %+v %q", turn.Session, turn.Messages[0].Text)
	}
	turn = s.Respond(turn.Session, guidance.Person{}, guidance.Input{Kind: guidance.InputText, Text: "ช่วยด้วย"}, now)
	if !strings.Contains(turn.Messages[0].Text, "1323") {
		t.Fatalf("help does not give the hotline: %q", turn.Messages[0].Text)
	}
}

func TestNonsenseGetsAReAskWithAWayOut(t *testing.T) {
	s := script(t)
	turn := s.Respond(nil, guidance.Person{}, guidance.Input{Kind: guidance.InputFollow}, now)
	for _, junk := range []string{"asdfgh", "55555", "???", "ไม่รู้สิ"} {
		turn = s.Respond(turn.Session, guidance.Person{}, guidance.Input{Kind: guidance.InputText, Text: junk}, now)
		m := last(turn)
		if !strings.Contains(turn.Messages[0].Text, "ยังไม่เข้าใจ") {
			t.Fatalf("%q → %q", junk, turn.Messages[0].Text)
		}
		got := labels(m)
		if len(got) != 4 || got[0] != "ฉันกำลังหาทางไปต่อ" || got[3] != "เมนู" {
			t.Fatalf("%q → choices %v, want the role question again plus เมนู", junk, got)
		}
	}
}

func TestForgedPostbackCannotSetArbitraryValues(t *testing.T) {
	turn := script(t).Respond(&guidance.Session{}, guidance.Person{}, guidance.Input{Kind: guidance.InputPostback, Data: "g=start.menu&role=admin&x=1"}, now)
	if len(turn.Effects) != 0 {
		t.Fatalf("effects = %v", turn.Effects)
	}
	turn = script(t).Respond(&guidance.Session{}, guidance.Person{}, guidance.Input{Kind: guidance.InputPostback, Data: "g=nowhere"}, now)
	if !strings.Contains(turn.Messages[0].Text, "ยังไม่เข้าใจ") {
		t.Fatalf("postback to a missing node → %q", turn.Messages[0].Text)
	}
}

func TestComingBackAfterTheSessionExpiredIsGreeted(t *testing.T) {
	turn := script(t).Respond(nil, guidance.Person{}, guidance.Input{Kind: guidance.InputText, Text: "ok"}, now)
	if !strings.Contains(turn.Messages[0].Text, "ยินดีต้อนรับกลับมา") || len(last(turn).Choices) == 0 {
		t.Fatalf("got %q %v", turn.Messages[0].Text, labels(last(turn)))
	}
}

func TestEveryReplyOffersChoices(t *testing.T) {
	s := script(t)
	inputs := []guidance.Input{
		{Kind: guidance.InputFollow}, {Kind: guidance.InputSticker}, {Kind: guidance.InputMedia},
		{Kind: guidance.InputLocation, Lat: 14.97, Lng: 102.09}, {Kind: guidance.InputOther},
		{Kind: guidance.InputText, Text: "คุยกับเจ้าหน้าที่"}, {Kind: guidance.InputPostback, Data: "g=start.guide"},
	}
	for _, in := range inputs {
		turn := s.Respond(&guidance.Session{}, guidance.Person{}, in, now)
		if len(turn.Messages) == 0 || len(last(turn).Choices) == 0 {
			t.Errorf("%v: a reply without choices (a dead end)", in.Kind)
		}
	}
}

package guidance_test

import (
	"strings"
	"testing"

	"github.com/paitor/paitor/guidance"
)

func TestCrisisMessagesGetHotlinesAndAnUrgentHandoffAtOnce(t *testing.T) {
	crisis := []string{
		"ไม่อยากอยู่แล้ว",
		"อยากตายยยย",
		"อยาก ตาย",
		"เค้าโดนพ่อตีทุกวัน",
		"ไม่อยากมีชีวิตอยู่แล้วค่ะ",
		"ไม่ ไหว แล้ว จริง ๆ",
		"คิดสั้นอยู่",
		"หนูถูกลวนลามที่ทำงาน",
		"I want to die",
		"i wanna die",
		"I want to kill myself",
		"killmyself",
		"help me end my life", // "me end" folds to "mend": the phrase still starts a word
		"SUICIDAL thoughts again",
		"self-harm",
		"I was abused",
		"my dad beats me",
		// Contains a listed phrase, so it fires although it may be a joke:
		// better a caring message too many than one too few.
		"เกมนี้โหดจนอยากตายเลย555",
		"ไม่อยากตาย", // "I don't want to die" still contains อยากตาย
	}
	for _, msg := range crisis {
		t.Run(msg, func(t *testing.T) {
			// In the middle of a question, the crisis comes first.
			turn := respond(t, &guidance.Session{Node: "profile.age"}, guidance.Person{Fields: map[string]string{"role": "youth"}}, text(msg))
			if len(turn.Messages) == 0 {
				t.Fatal("no reply")
			}
			first := turn.Messages[0].Text
			if !strings.Contains(first, "1323") || !strings.Contains(first, "1300") {
				t.Fatalf("first message %q, want the hotlines 1323 and 1300", first)
			}
			if turn.FirstAction == nil || turn.FirstAction.Name != "handoff" || turn.FirstAction.Args["reason"] != "crisis" || turn.FirstAction.Args["urgent"] != "true" {
				t.Fatalf("action = %+v, want an urgent crisis handoff", turn.FirstAction)
			}
			if len(turn.Effects) != 0 {
				t.Fatalf("effects = %v: a crisis message is not an answer", turn.Effects)
			}
		})
	}
}

func TestEverydayIdiomsAreNotCrises(t *testing.T) {
	idioms := []string{
		"ตายแล้ว ลืมกระเป๋า",
		"ขำจะตาย",
		"เหนื่อยจะตาย 555",
		"หิวจะตายแล้ว",
		"ร้อนจะตาย",
		"โดนแม่ดุนิดหน่อย",
		"ทำงานไม่ไหวแล้วมั้ง วันนี้ขอพัก",
		"I scraped my knee at football",
		"a grape drink please",
		"stuck in traffic, feel trapped lol",
		"dying of laughter",
		"24",
		"เมนู",
	}
	for _, msg := range idioms {
		turn := respond(t, &guidance.Session{Node: "start.youth_menu"}, guidance.Person{Fields: map[string]string{"role": "youth"}}, text(msg))
		if turn.FirstAction != nil && turn.FirstAction.Name == "handoff" {
			t.Errorf("%q opened a crisis handoff", msg)
		}
		// The crisis message lists the help lines with 📞 (a caring reply to
		// "so tired" may name 1323 once, but is not the crisis path).
		if len(turn.Messages) > 0 && strings.Contains(turn.Messages[0].Text, "📞") {
			t.Errorf("%q got the crisis message: %q", msg, turn.Messages[0].Text)
		}
	}
}

func TestCrisisComesBeforeCommands(t *testing.T) {
	turn := respond(t, nil, guidance.Person{}, text("ช่วยด้วย อยากตาย"))
	if turn.FirstAction == nil || turn.FirstAction.Args["urgent"] != "true" {
		t.Fatalf("action = %+v, want an urgent handoff", turn.FirstAction)
	}
}

// After a crisis message the person hears honestly whether a counsellor has
// their request (and when they answer) or that none covers them yet, and can
// say they are OK.
func TestAfterACrisisThePersonHearsWhoHasItAndCanSayTheyAreOK(t *testing.T) {
	for _, tc := range []struct {
		routed bool
		node   string
		said   string
	}{
		{true, "safety.offer", "เวลาทำการ"},
		{false, "safety.offer_none", "ยังไม่มีเจ้าหน้าที่"},
	} {
		c := newChat(t).withFields("role", "youth")
		c.actionOK = func(string) bool { return tc.routed }
		c.say("อยากหายไปจากโลกนี้").wantActions("handoff").wantNode(tc.node)
		c.wantSaid("1323", tc.said).wantChips("ตอนนี้ฉันโอเค")
		c.tap("ตอนนี้ฉันโอเค").wantSaid("1323").wantNode("start.youth_menu")
	}
}

func TestTheCrisisMessageIsInEnglishForEnglishSpeakers(t *testing.T) {
	turn := respond(t, &guidance.Session{Lang: "en"}, guidance.Person{}, text("I want to die"))
	if !strings.Contains(turn.Messages[0].Text, "you are not alone") || !strings.Contains(turn.Messages[0].Text, "1323") {
		t.Fatalf("got %q", turn.Messages[0].Text)
	}
}

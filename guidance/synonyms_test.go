package guidance

import (
	"reflect"
	"sync"
	"testing"
	"time"
)

var (
	synOnce   sync.Once
	synScript *Script
	synErr    error
)

// loadedScript returns the embedded script, loaded once.
func loadedScript(t *testing.T) *Script {
	t.Helper()
	synOnce.Do(func() { synScript, synErr = LoadScript() })
	if synErr != nil {
		t.Fatalf("LoadScript: %v", synErr)
	}
	return synScript
}

var synNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// typedLikeTapped checks that typing word at node key does exactly what
// tapping the chip (postback data) does.
func typedLikeTapped(t *testing.T, s *Script, key, word, data string) {
	t.Helper()
	typed := s.Respond(&Session{Node: key}, Person{}, Input{Kind: InputText, Text: word}, synNow)
	tapped := s.Respond(&Session{Node: key}, Person{}, Input{Kind: InputPostback, Data: data}, synNow)
	if !reflect.DeepEqual(typed, tapped) {
		t.Errorf("%s: typing %q → node %s vars %v; tapping its chip → node %s vars %v",
			key, word, typed.Session.Node, typed.Session.Vars, tapped.Session.Node, tapped.Session.Vars)
	}
}

func TestEveryChipQuestionTakesATypedSynonymForEachChoiceLikeATap(t *testing.T) {
	s := loadedScript(t)
	questions, synonyms := 0, 0
	for _, key := range s.sortedKeys() {
		n := s.nodes[key]
		if n.Ask != nil {
			chips := s.askChoices(n.Ask)
			if len(chips) > 0 {
				questions++
			}
			for _, o := range chips {
				if len(o.Also) == 0 {
					t.Errorf("%s: choice %q lists nothing people type for it (also)", key, o.Label.TH)
				}
				for _, word := range o.Also {
					synonyms++
					typedLikeTapped(t, s, key, word, answerData(key, o.Value, o.Goto))
				}
			}
		}
		// Menu-style choices have synonyms where natural: each must work.
		for _, o := range n.Choices {
			for _, word := range o.Also {
				synonyms++
				typedLikeTapped(t, s, key, word, gotoData(o.Goto, o.Set))
			}
		}
	}
	// The written profile questions, the inventory (12 + 6), the lessons'
	// checks, the plan steps and the check-ins: far more than a handful.
	if questions < 40 || synonyms < 1000 {
		t.Errorf("walked %d questions with chips and %d synonyms: the walk missed some", questions, synonyms)
	}
	t.Logf("%d questions with chips, %d typed synonyms", questions, synonyms)
}

func TestTypedAnswersPickOneChoiceByItsWordsAndNeverByANegatedWord(t *testing.T) {
	s := loadedScript(t)
	opt := func(label string, also ...string) Option { return Option{Label: Text{TH: label}, Also: also} }
	consent := []Option{
		opt("ยอมรับ", "โอเค", "ตกลง", "ยอม", "ok", "yes"),
		opt("ไม่ยอมรับ", "ไม่", "ไม่โอเค", "ไม่ยอม", "no"),
	}
	status := []Option{
		opt("เรียนอยู่", "เรียน", "นักเรียน"),
		opt("ทำงานอยู่", "ทำงาน", "มีงานทำ"),
		opt("ยังไม่ได้เรียน/ทำงาน", "ว่างงาน", "ไม่ได้เรียน", "ไม่ได้ทำงาน", "ไม่มีงานทำ"),
	}
	budget := []Option{
		opt("ฟรีเท่านั้น", "ฟรี", "ไม่มีเงิน", "0"),
		opt("ไม่เกิน 500 บาท", "500"),
		opt("ไม่เกิน 2,000 บาท", "2000", "1000", "ไม่เกิน 2000"),
		opt("มากกว่านั้นได้", "เกิน 2000"),
	}
	scale := []Option{
		opt("ชอบ", "ชอบมาก", "ใช่", "ok"),
		opt("เฉย ๆ", "ไม่แน่ใจ", "ก็โอเค"),
		opt("ไม่ชอบ", "ไม่", "ไม่เลย", "ไม่ใช่"),
	}
	link := []Option{
		opt("กดลิงก์ทันที", "กดลิงก์", "กดเลย"),
		opt("ไม่กด ถามธนาคาร", "ไม่กด", "ถามธนาคาร"),
	}
	travel := []Option{
		opt("ไม่เกิน 5 กม.", "5", "ใกล้บ้าน", "ไม่ไกล"),
		opt("ไม่เกิน 15 กม.", "15", "ไม่ไกลมาก"),
		opt("ไปได้ไกล", "ไกล", "ที่ไหนก็ได้"),
	}
	food := []Option{opt("กิน"), opt("ดี")}
	const none = -1
	cases := []struct {
		name  string
		opts  []Option
		typed string
		want  int
	}{
		// Exactly a label or a synonym, whatever the spaces, case and polite ending.
		{"a label", consent, "ยอมรับ", 0},
		{"a label with a polite ending", consent, "ยอมรับครับ", 0},
		{"a synonym", consent, "โอเค", 0},
		{"a Latin synonym in capitals with a Thai ending", consent, "OK ค่ะ", 0},
		{"a negative synonym", consent, "ไม่โอเค", 1},
		{"exact wins over containment", budget, "ไม่เกิน 2000", 2},
		// Containment: the words of one choice only.
		{"a synonym inside a sentence", status, "ว่างงานอยู่ค่ะ", 2},
		{"two words of the same choice", consent, "โอเค ตกลงค่ะ", 0},
		{"words of two choices are ambiguous", status, "เรียนและทำงาน", none},
		{"a longer word hides the shorter one inside it", scale, "ไม่แน่ใจเลย", 1},
		{"a longer word hides a shorter one of another choice", scale, "ก็โอเคนะ", 1},
		{"a number beside Thai text", budget, "งบ 500 บาท", 1},
		{"a word inside a longer one of another choice", budget, "มากกว่า เกิน 2000 ได้", 3},
		// Negation before the word.
		{"not free is not free", budget, "ไม่ฟรี", none},
		{"not okay is not okay", consent, "ไม่โอเคเลยค่ะ", 1},
		{"not agreeing in a sentence", consent, "ไม่ยอมเด็ดขาด", 1},
		{"not studying and not working is neither", status, "ไม่ได้เรียนไม่ได้ทำงาน", 2},
		{"not studying and not working with spaces", status, "ตอนนี้ ไม่ได้เรียน ไม่ได้ทำงาน", 2},
		{"a negated phrase hides the words inside it", status, "ไม่มีงานทำเลย", 2},
		{"a choice's own negative phrase", link, "ไม่กดลิงก์", 1},
		{"dislike, not like", scale, "ไม่ชอบเลย", 2},
		{"not yes is no", scale, "ไม่ใช่", 2},
		{"not, in English", consent, "not ok", none},
		{"not near is not 5 km", travel, "ไม่ใกล้บ้าน", none},
		{"not far is near", travel, "ไม่ไกล", 0},
		{"not very far", travel, "ไม่ไกลมากค่ะ", 1},
		// Negation after the word.
		{"cannot accept never accepts", consent, "ยอมรับไม่ได้", none},
		{"cannot go far", travel, "ไปไกลไม่ได้", none},
		{"a negation that starts another choice's word is that word's", status, "ไม่ได้ทำงาน ไม่ได้เรียนค่ะ", 2},
		{"working, not studying is never neither", status, "ทำงานไม่ได้เรียน", none},
		// Questions answer nothing, unless the question word is part of a choice's word.
		{"is it free?", budget, "ฟรีไหม", none},
		{"a question mark", consent, "โอเค?", 0},
		{"a question mark in a sentence", consent, "โอเคจริงๆ?", none},
		{"a question word later on", consent, "ตกลงแล้วต้องทำอะไรต่อ", none},
		{"a question word inside a choice's word", travel, "ไปที่ไหนก็ได้เลย", 2},
		// Latin letters and digits match whole words only.
		{"ok is not in book", consent, "book", none},
		{"ok as a word of its own", consent, "ok na", 0},
		{"yes is not in yesterday", consent, "yesterday", none},
		{"0 is not in 500", budget, "ห้าร้อยหรือ500", 1},
		{"5 is not in 15", travel, "15 กิโล", 1},
		{"a number glued to Thai", travel, "ประมาณ5โล", 0},
		// Thai syllables are not cut.
		{"a word does not start after a leading vowel", food, "ไม่เกิน 500", none},
		{"a word does not end before its vowel or tone mark", food, "เดี๋ยวนะ", none},
		{"a Thai word found whole", food, "กินดี", none},
		{"a Thai word found whole, alone", food, "อยากกินข้าว", 0},
		// Nothing at all.
		{"nonsense", consent, "asdfgh", none},
		{"only punctuation", consent, "!!!", none},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := s.matchChoice(tc.opts, tc.typed)
			if !ok {
				got = none
			}
			if got != tc.want {
				t.Errorf("%q picks %d, want %d", tc.typed, got, tc.want)
			}
		})
	}
}

func TestANumberedAnswerAcceptsItsNumberFromTheData(t *testing.T) {
	s := loadedScript(t)
	got := s.typing.numbered(2)
	for _, want := range []string{"2", "ข้อ 2", "๒"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("answer 2 accepts %v, want %q among them", got, want)
		}
	}
}

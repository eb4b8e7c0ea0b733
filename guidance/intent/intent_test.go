package intent

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The intents the conversation engine relies on exist, lead where the engine
// expects, set what it expects and search what it expects.
func TestIntentsLeadWhereTheEngineExpects(t *testing.T) {
	s := mustLoad(t)
	want := []struct {
		id, gotoNode, search string
		set                  map[string]string
	}{
		{"find_course", "browse.courses", SearchCourse, nil},
		{"find_work", "browse.jobs", SearchOpening, nil},
		{"earn_learn", "browse.pairs", SearchPair, nil},
		{"discover", "guide.start", "", nil},
		{"my_plan", "plan.mine", "", nil},
		{"festivals", "festival.near", "", nil},
		{"festivals_weekend", "festival.weekend", "", nil},
		{"life_skills", "lesson.menu", "", nil},
		{"lesson_money", "lesson.money", "", nil},
		{"lesson_scams", "lesson.scams", "", nil},
		{"lesson_applying", "lesson.applying", "", nil},
		{"lesson_rights", "lesson.workplace", "", nil},
		{"lesson_stress", "lesson.wellbeing", "", nil},
		{"lesson_grit", "lesson.grit", "", nil},
		{"lesson_digital", "lesson.digital", "", nil},
		{"talk_to_person", "start.human", "", nil},
		{"help", "start.help", "", nil},
		{"menu", "start.menu", "", nil},
		{"restart", "start.welcome", "", nil},
		{"stop", "settings.stop", "", nil},
		{"settings", "settings.menu", "", nil},
		{"my_data", "data.mine", "", nil},
		{"delete_data", "data.delete_confirm", "", nil},
		{"language_en", "start.menu", "", map[string]string{"lang": "en"}},
		{"language_th", "start.menu", "", map[string]string{"lang": "th"}},
		{"greeting", "start.hello", "", nil},
		{"thanks", "life.thanks", "", nil},
		{"laughter", "life.smile", "", nil},
		{"parent_tips", "parent.tips", "", nil},
		{"help_child", "parent.support", "", nil},
		{"family_pressure", "life.family_pressure", "", nil},
		{"no_money", "life.no_money", "", nil},
		{"fired", "life.fired", "", nil},
		{"feeling_low", "life.feeling_low", "", nil},
		{"lonely", "life.lonely", "", nil},
		{"faq_cost", "life.faq_cost", "", nil},
		{"faq_privacy", "life.faq_privacy", "", nil},
	}
	if got := len(s.Intents()); got != len(want) {
		t.Errorf("%d intents, want %d", got, len(want))
	}
	for i, w := range want {
		in, ok := s.Lookup(w.id)
		if !ok {
			t.Errorf("no intent %s", w.id)
			continue
		}
		if in.Goto != w.gotoNode || in.Search != w.search || !maps.Equal(in.Set, w.set) {
			t.Errorf("%s: goto %q search %q set %v, want %q %q %v", w.id, in.Goto, in.Search, in.Set, w.gotoNode, w.search, w.set)
		}
		if i < len(s.Intents()) && s.Intents()[i].ID != w.id {
			t.Errorf("intent %d is %s, want %s (file order)", i, s.Intents()[i].ID, w.id)
		}
	}
	if _, ok := s.Lookup("nope"); ok {
		t.Error("Lookup found an unknown ID")
	}
}

// place is what a behaviour table expects of a message.
type place struct {
	text string
	want string // the intent; "" for none
	// how: "confident" (the default when want is set), "close" (want is one of
	// the two), "best" (want is Best[0], confident or not), "not" (want is
	// not placed with confidence), "nothing" (Best is empty).
	how string
}

func checkPlaces(t *testing.T, cases []place) {
	t.Helper()
	s := mustLoad(t)
	for _, c := range cases {
		r := s.Place(c.text)
		how := c.how
		if how == "" {
			how = "confident"
		}
		ok := false
		switch how {
		case "confident":
			ok = r.Confident && r.Best[0].Intent.ID == c.want
		case "close":
			ok = r.Close && (r.Best[0].Intent.ID == c.want || r.Best[1].Intent.ID == c.want)
		case "best":
			ok = len(r.Best) > 0 && r.Best[0].Intent.ID == c.want
		case "not":
			ok = !(r.Confident && r.Best[0].Intent.ID == c.want)
		case "nothing":
			ok = len(r.Best) == 0
		default:
			t.Fatalf("unknown how %q", how)
		}
		if !ok {
			t.Errorf("%q: want %s %s, got %s\n%s", c.text, how, c.want, describe(r), s.Explain(c.text))
		}
	}
}

func describe(r Result) string {
	var parts []string
	for _, m := range r.Best {
		parts = append(parts, fmt.Sprintf("%s %.2f", m.Intent.ID, m.Score))
	}
	return fmt.Sprintf("%v confident=%v close=%v", parts, r.Confident, r.Close)
}

// "ไม่อยากเรียน" is not a request for a course: a "do not want" word covers
// what follows it in the word group; a plain "not" covers the next word only.
func TestNegationIsNotARequest(t *testing.T) {
	checkPlaces(t, []place{
		{text: "ไม่อยากเรียน", want: "find_course", how: "not"},
		{text: "ไม่อยากเรียนแล้ว อยากหางานทำ", want: "find_work"},
		{text: "ไม่อยากเรียนแต่อยากทำงาน", want: "find_work"},
		{text: "ไม่เอาคอร์ส", want: "find_course", how: "not"},
		{text: "ลูกไม่หางานทำเลย", want: "find_work", how: "not"},
		{text: "ไม่รู้จะหางานที่ไหนดี", want: "find_work", how: "best"},
		{text: "ไม่เอาบอท ขอคุยกับคน", want: "talk_to_person"},
		{text: "ไม่ต้องส่งแจ้งเตือนมาแล้ว", want: "stop"},
		{text: "i don't want a course, i need a job", want: "find_work"},
		{text: "not interested in courses", want: "find_course", how: "not"},
		{text: "ไม่อยากให้เก็บข้อมูลฉัน", want: "delete_data"},
	})
}

// The patterns around a request: ขอดู…, อยาก…, …ได้ไหม, มี…ไหม/บ้าง, ทำยังไงดี, …หน่อย.
func TestRequestPatterns(t *testing.T) {
	checkPlaces(t, []place{
		{text: "ขอดูแผนหน่อย", want: "my_plan"},
		{text: "อยากทำงานค่ะ", want: "find_work"},
		{text: "อยากเรียนทำอาหาร", want: "find_course"},
		{text: "เรียนไปทำงานไปได้มั้ย", want: "earn_learn"},
		{text: "มีคอร์สฟรีบ้างไหม", want: "find_course"},
		{text: "มีงานไหม", want: "find_work"},
		{text: "โดนโกงเงิน ทำยังไงดี", want: "lesson_scams"},
		{text: "ช่วยแนะแนวหน่อย", want: "discover"},
	})
}

// Question endings in any spelling read as ไหม.
func TestQuestionEndings(t *testing.T) {
	checkPlaces(t, []place{
		{text: "ฟรีไหม", want: "faq_cost"},
		{text: "ฟรีมั้ยคะ", want: "faq_cost"},
		{text: "ฟรีมะ", want: "faq_cost"},
		{text: "ฟรีป่ะ", want: "faq_cost"},
		{text: "ใช้ฟรีรึเปล่าครับ", want: "faq_cost"},
		{text: "ฟรี ไหม", want: "faq_cost"},
	})
}

// Polite particles and letters repeated for emphasis change nothing; words
// that end like a particle ("ตั้งค่า", "หัวหน้า") keep their ending.
func TestParticlesAndRepeats(t *testing.T) {
	checkPlaces(t, []place{
		{text: "หางานค่ะ", want: "find_work"},
		{text: "หางานครับบบบ", want: "find_work"},
		{text: "หางานหน่อยนะคะ", want: "find_work"},
		{text: "อยากกก หางานนน", want: "find_work"},
		{text: "เหงาาาาา", want: "lonely"},
		{text: "ขอบใจจ้า", want: "thanks"},
		{text: "ตั้งค่า", want: "settings"},
		{text: "ตั้งค่าค่ะ", want: "settings"},
		{text: "หัวหน้าไม่จ่ายเงิน", want: "lesson_rights"},
	})
}

// A message of emoji only is a smile; emoji next to words change nothing;
// punctuation alone, or nothing, places nowhere.
func TestEmoji(t *testing.T) {
	checkPlaces(t, []place{
		{text: "🙂", want: "laughter"},
		{text: "👍👍", want: "laughter"},
		{text: "😂🤣", want: "laughter"},
		{text: "❤️", want: "laughter"},
		{text: "หางาน 🙏", want: "find_work"},
		{text: "เหนื่อยมาก 😭😭", want: "feeling_low"},
		{text: "???", how: "nothing"},
		{text: "", how: "nothing"},
		{text: "   ", how: "nothing"},
	})
}

// English and mixed Thai and English.
func TestEnglishAndMixed(t *testing.T) {
	checkPlaces(t, []place{
		{text: "i need a job", want: "find_work"},
		{text: "Looking for jobs", want: "find_work"},
		{text: "is it free?", want: "faq_cost"},
		{text: "talk to a human", want: "talk_to_person"},
		{text: "STOP", want: "stop"},
		{text: "English", want: "language_en"},
		{text: "I can't read Thai", want: "language_en"},
		{text: "หา job part time", want: "find_work"},
		{text: "มี course online ฟรีไหม", want: "find_course"},
		{text: "ขอ cv ตัวอย่าง", want: "lesson_applying"},
		{text: "thx krub", want: "thanks"},
	})
}

// Slang and typos.
func TestSlangAndTypos(t *testing.T) {
	checkPlaces(t, []place{
		{text: "งานพาททาม", want: "find_work"},
		{text: "คอสเรียนฟรี", want: "find_course"},
		{text: "มีอีเว้นท์ไหม", want: "festivals"},
		{text: "ขอบคุน", want: "thanks"},
		{text: "สวัดดี", want: "greeting"},
		{text: "ไม่มีตังค์", want: "no_money"},
		{text: "ทำไงดี เรซูเม", want: "lesson_applying"},
	})
}

// A message that only names a subject from the search dictionary is a search
// for a course or for work: the engine asks which.
func TestSubjectAloneIsASearch(t *testing.T) {
	checkPlaces(t, []place{
		{text: "ช่างแอร์", want: "find_course", how: "close"},
		{text: "ช่างแอร์", want: "find_work", how: "close"},
		{text: "อยากเรียนทำขนม", want: "find_course"},
		{text: "งานเสิร์ฟ", want: "find_work"},
	})
}

// Things Pai Tor does not do are not placed with confidence.
func TestNothingToDo(t *testing.T) {
	checkPlaces(t, []place{
		{text: "ฝนจะตกไหมวันนี้", want: "", how: "nothing"},
		{text: "กินข้าวหรือยัง", how: "nothing"},
		{text: "jkjkjkjk", how: "nothing"},
	})
}

// Results keep their promises: at most three, best first, never both
// Confident and Close, Close only with two; the same text always places the
// same way.
func TestResultInvariants(t *testing.T) {
	s := mustLoad(t)
	for _, set := range testSets {
		for _, p := range loadPhrases(t, set.file) {
			r := s.Place(p.text)
			if len(r.Best) > 3 {
				t.Errorf("%q: %d matches", p.text, len(r.Best))
			}
			if !slices.IsSortedFunc(r.Best, func(a, b Match) int { return cmp.Compare(b.Score, a.Score) }) {
				t.Errorf("%q: not best first: %s", p.text, describe(r))
			}
			if r.Confident && r.Close || r.Close && len(r.Best) < 2 || r.Confident && len(r.Best) == 0 {
				t.Errorf("%q: %s", p.text, describe(r))
			}
			if again := s.Place(p.text); describe(again) != describe(r) {
				t.Errorf("%q: %s, then %s", p.text, describe(r), describe(again))
			}
		}
	}
}

// A Set is safe for concurrent use (run with -race).
func TestConcurrentPlace(t *testing.T) {
	s := mustLoad(t)
	ps := loadPhrases(t, testSets[0].file)
	want := make([]string, len(ps))
	for i, p := range ps {
		want[i] = describe(s.Place(p.text))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range ps {
				j := (i + g*37) % len(ps)
				if got := describe(s.Place(ps[j].text)); got != want[j] {
					t.Errorf("%q: %s concurrently, %s alone", ps[j].text, got, want[j])
				}
			}
		})
	}
	wg.Wait()
}

// Explain names the words and examples that gave the points.
func TestExplain(t *testing.T) {
	s := mustLoad(t)
	got := s.Explain("ไม่อยากเรียนแล้ว อยากหางานพาททามค่ะ")
	for _, want := range []string{"confident", "find_work", `"หางาน" +2.00`, `"พาร์ทไทม์" +2.00`, "asked for"} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain lacks %q:\n%s", want, got)
		}
	}
}

// How messages are prepared for comparison.
func TestPrepare(t *testing.T) {
	s := mustLoad(t)
	for _, c := range []struct{ in, want string }{
		{"หางานหน่อยค่ะ", "หางาน"},
		{"ได้มั้ยคะ", "ไดไหม"},
		{"ฟรี ไหม", "ฟรีไหม"},
		{"อยากกก", "อยาก"},
		{"ครับบบบ", ""},
		{"มากกว่า", "มากกวา"},
		{"ไม่อยากเรียน", "¬เรียน"},
		{"ไม่หางาน", "⌐หางาน"},
		{"งานพาททาม", "งานพารทไทม"},
		{"ไม่มีตังค์อ่ะ", "⌐มีเงิน"},
		{"ตั้งค่า", "ตังคา"},
		{"หัวหน้า", "หัวหนา"},
		{"Looking for JOBS!!", "look for job"},
		{"I can't read Thai", "i cannot read thai"},
		{"555+", "5"},
		{"🙂🙂", ""},
	} {
		if got := s.rules.prepare(c.in).String(); got != c.want {
			t.Errorf("prepare(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// validHead is a minimal valid intents file without intents.
const validHead = `
scoring: {strong: 2, term: 1, weak: 0.5, whole: 3, together: 2.5, request: 0.5, catalog: 1, example: 2.5,
  example_floor: 0.3, profile: 2, profile_floor: 0.15, confident: 1, lead: 0.6, plausible: 1}
language:
  particles: [ครับ, ค่ะ, แล้ว]
  questions: [ไหม, มั้ย]
  negators: [ไม่อยาก]
  not: [ไม่]
  breakers: [แต่]
  requests: [อยาก]
intents:
`

const validIntent = `
  - id: find_work
    label: {th: หางาน, en: Find work}
    goto: browse.jobs
    search: opening
    strong: [หางาน]
    examples: [อยากหางานทำ]
`

// Parse rejects data the engine could not use, naming the problem.
func TestParseRejectsBadData(t *testing.T) {
	if _, err := Parse([]byte(validHead + validIntent)); err != nil {
		t.Fatalf("valid data: %v", err)
	}
	for _, c := range []struct {
		name, data, want string
	}{
		{"duplicate id", validHead + validIntent + validIntent, `"find_work": duplicate id`},
		{"thai label over 20 characters", validHead + strings.Replace(validIntent, "th: หางาน", "th: หางานพาร์ทไทม์ใกล้บ้านฉัน", 1), "label.th"},
		{"english label over 20 characters", validHead + strings.Replace(validIntent, "en: Find work", "en: Find work near where I live", 1), "label.en"},
		{"no thai label", validHead + strings.Replace(validIntent, "th: หางาน", `th: ""`, 1), "label.th is empty"},
		{"missing goto", validHead + strings.Replace(validIntent, "    goto: browse.jobs\n", "", 1), "goto is missing"},
		{"goto not flow.node", validHead + strings.Replace(validIntent, "goto: browse.jobs", "goto: jobs", 1), "not flow.node"},
		{"unknown search kind", validHead + strings.Replace(validIntent, "search: opening", "search: job", 1), `search "job"`},
		{"no examples", validHead + strings.Replace(validIntent, "    examples: [อยากหางานทำ]\n", "", 1), "no examples"},
		{"no key words", validHead + strings.Replace(validIntent, "    strong: [หางาน]\n", "", 1), "no key words"},
		{"key word too short", validHead + strings.Replace(validIntent, "[หางาน]", "[หางาน, ดา]", 1), "too short"},
		{"key word ending in a particle", validHead + strings.Replace(validIntent, "[หางาน]", "[หางาน, งานเสร็จแล้ว]", 1), "ends with a particle"},
		{"same word twice", validHead + strings.Replace(validIntent, "[หางาน]", "[หางาน, หางานน]", 1), "same as"},
		{"unknown field", validHead + strings.Replace(validIntent, "examples:", "exampels:", 1), "exampels"},
		{"together with one list", validHead + validIntent + "    together: [[[งาน]]]\n", "two to eight lists"},
		{"bad id", validHead + strings.Replace(validIntent, "id: find_work", "id: Find-Work", 1), "id must be"},
		{"no intents", validHead, "no intents"},
		{"lead out of range", strings.Replace(validHead, "lead: 0.6", "lead: 1.5", 1) + validIntent, "scoring.lead"},
		{"two emoji intents", validHead + strings.Replace(validIntent, "strong:", "emoji_only: true\n    strong:", 1) +
			strings.Replace(strings.Replace(validIntent, "find_work", "smile", 1), "strong:", "emoji_only: true\n    strong:", 1), "emoji_only already"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.data))
			if err == nil {
				t.Fatalf("no error, want one with %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to say %q", err, c.want)
			}
		})
	}
}

// Every label fits a chip and the embedded data loads.
func TestEmbeddedLabelsFitChips(t *testing.T) {
	for _, in := range mustLoad(t).Intents() {
		for _, l := range []string{in.Label.TH, in.Label.EN} {
			if n := len([]rune(l)); n == 0 || n > MaxLabelRunes {
				t.Errorf("%s: label %q is %d characters", in.ID, l, n)
			}
		}
	}
}

// Place never panics, whatever it is given, and keeps its promises.
func FuzzPlace(f *testing.F) {
	s := mustLoad(f)
	for _, seed := range []string{"", "¬", "⌐ ไม่", "ไม่อยาก", "don't want", "\xff\xfe", "ๆๆๆ", "ค่ะ", "มั้ย", "5", "🙂 555", "ไม่ ไม่ ไม่",
		"i don't want , , ,", "ข้อมูล", strings.Repeat("หางาน", 200)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := s.Place(text)
		if len(r.Best) > 3 || r.Confident && r.Close || r.Close && len(r.Best) < 2 {
			t.Errorf("%q: %s", text, describe(r))
		}
		_ = s.Explain(text)
	})
}

// Random text from the characters people type (Thai letters, vowels and tone
// marks, Latin letters, digits, punctuation, emoji, negation marks) never
// panics, keeps the promises and takes well under a millisecond.
func TestRandomText(t *testing.T) {
	s := mustLoad(t)
	alphabet := []rune("กขคงจชซดตทนบปผพฟมยรลวสหอฮะาิีึืุูเแโใไำั่้๊๋็์ๆ abcdefghijklmnopqrstuvwxyz0123456789 ,.!?'¬⌐🙂😂👍\u200b")
	rng := rand.New(rand.NewPCG(1, 2))
	var slowest time.Duration
	for range 20000 {
		rs := make([]rune, rng.IntN(60))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		text := string(rs)
		t0 := time.Now()
		r := s.Place(text)
		slowest = max(slowest, time.Since(t0))
		if len(r.Best) > 3 || r.Confident && r.Close || r.Close && len(r.Best) < 2 {
			t.Fatalf("%q: %s", text, describe(r))
		}
	}
	t.Logf("slowest of 20,000 random messages: %v", slowest)
}

// Two loads place every message with exactly the same points: nothing
// depends on map order.
func TestSameOnEveryLoad(t *testing.T) {
	a, b := mustLoad(t), mustLoad(t)
	for _, set := range testSets {
		for _, p := range loadPhrases(t, set.file) {
			ra, rb := a.Place(p.text), b.Place(p.text)
			if len(ra.Best) != len(rb.Best) || ra.Confident != rb.Confident || ra.Close != rb.Close {
				t.Fatalf("%q: %s, then %s", p.text, describe(ra), describe(rb))
			}
			for i := range ra.Best {
				if ra.Best[i].Intent.ID != rb.Best[i].Intent.ID || ra.Best[i].Score != rb.Best[i].Score {
					t.Fatalf("%q: %v, then %v", p.text, ra.Best[i], rb.Best[i])
				}
			}
			if ea, eb := a.Explain(p.text), b.Explain(p.text); ea != eb {
				t.Fatalf("Explain differs:\n%s\n%s", ea, eb)
			}
		}
	}
}

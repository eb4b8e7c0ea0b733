package guidance_test

import (
	"testing"

	"github.com/paitor/paitor/guidance"
)

// typedCase is something typed at a question and the value it must give the
// question's field ("" when it must not answer: the question is asked again,
// or another choice is taken, never the wrong one).
type typedCase struct {
	node, typed, field, want string
}

// answerTyped types at a waiting question and returns the field's value after
// the turn (and whether the person is still at the question).
func answerTyped(t *testing.T, tc typedCase) (string, bool) {
	t.Helper()
	turn := respond(t, &guidance.Session{Node: tc.node}, guidance.Person{}, text(tc.typed))
	return turn.Session.Vars[tc.field], turn.Session.Node == tc.node
}

func checkTyped(t *testing.T, cases []typedCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.node+" "+tc.typed, func(t *testing.T) {
			got, reasked := answerTyped(t, tc)
			if got != tc.want {
				t.Fatalf("%q at %s gives %s=%q, want %q", tc.typed, tc.node, tc.field, got, tc.want)
			}
			if tc.want == "" && !reasked {
				t.Fatalf("%q at %s answered nothing but did not ask again", tc.typed, tc.node)
			}
		})
	}
}

func TestTypingConsentInOwnWordsAcceptsAndNegationNeverDoes(t *testing.T) {
	for _, typed := range []string{"โอเค", "ตกลง", "ok ค่ะ", "ยอมรับครับ", "OK!", "โอเคค่ะ ยินยอม", "ตกลงค่ะ ยอมรับ"} {
		c := newChat(t).follow().tap("ฉันกำลังหาทางไปต่อ").wantNode("consent.notice")
		c.say(typed).wantEffect("consent", "accepted").wantNode("profile.age")
	}
	for _, typed := range []string{"ไม่โอเค", "ไม่ตกลง", "ไม่โอเคค่ะ", "ไม่ตกลงนะ", "ยอมรับไม่ได้", "ไม่ยอมรับค่ะ", "ไม่ยอม", "โอเคไหม", "ตกลงแล้วเก็บอะไรบ้าง", "ตกลงแต่ไม่ยอมรับ", "not ok", "book"} {
		c := newChat(t).follow().tap("ฉันกำลังหาทางไปต่อ").wantNode("consent.notice").say(typed)
		if v, ok := c.effect("consent"); ok && v == "accepted" {
			t.Fatalf("%q accepted consent", typed)
		}
		if node := c.node(); node != "consent.notice" && node != "consent.declined" && c.fields["consent"] != "declined" {
			t.Fatalf("%q led to %s, want a decline or the question again", typed, node)
		}
	}
	for _, typed := range []string{"ไม่โอเค", "ไม่ตกลง", "ไม่ค่ะ", "ไม่ยอมรับ", "ยอมรับไม่ได้ค่ะ", "ไม่โอเคเลย"} {
		newChat(t).follow().tap("ฉันกำลังหาทางไปต่อ").say(typed).wantEffect("consent", "declined")
	}
}

func TestTypingTheOnboardingAnswersInOwnWords(t *testing.T) {
	checkTyped(t, []typedCase{
		// What are you doing now?
		{"profile.status", "ว่างงานอยู่", "status", "neither"},
		{"profile.status", "ว่างงานอยู่ค่ะ", "status", "neither"},
		{"profile.status", "ตกงาน", "status", "neither"},
		{"profile.status", "ไม่ได้ทำอะไร", "status", "neither"},
		{"profile.status", "ไม่ได้เรียนไม่ได้ทำงาน", "status", "neither"},
		{"profile.status", "ตอนนี้ไม่มีงานทำเลย", "status", "neither"},
		{"profile.status", "ยังเรียนอยู่ครับ", "status", "studying"},
		{"profile.status", "ทำงานร้านสะดวกซื้อ", "status", "working"},
		{"profile.status", "เลี้ยงลูกอยู่บ้าน", "status", ""}, // caring, or neither at home: ask again
		{"profile.status", "เรียนด้วยทำงานด้วย", "status", ""},
		// When are you free?
		{"profile.time", "ตอนเย็น", "time", "evening"},
		{"profile.time", "หลังเลิกงาน", "time", "evening"},
		{"profile.time", "กลางคืนค่ะ", "time", "evening"},
		{"profile.time", "ว่างแค่ตอนเย็น", "time", "evening"},
		{"profile.time", "ตอนเย็นไม่ว่าง", "time", ""},
		{"profile.time", "วันหยุดค่ะ", "time", "weekend"},
		{"profile.time", "ไม่ค่อยมีเวลา", "time", "little"},
		// Budget.
		{"profile.budget", "ฟรี", "budget", "free"},
		{"profile.budget", "ไม่มีเงินเลย", "budget", "free"},
		{"profile.budget", "0 บาท", "budget", "free"},
		{"profile.budget", "ไม่ฟรี", "budget", ""},
		{"profile.budget", "ฟรีไหม", "budget", ""},
		{"profile.budget", "ไม่เกิน 2000", "budget", "2000"},
		{"profile.budget", "1,000 บาท", "budget", "2000"},
		{"profile.budget", "มากกว่า 2,000 ก็ได้", "budget", "more"},
		{"profile.budget", "ซัก 300 บาท", "budget", "500"},
		// What do you need most?
		{"profile.need", "อยากได้เงิน", "need", "income"},
		{"profile.need", "อยากได้เงินเร็วๆ", "need", "income"},
		{"profile.need", "หาเงิน", "need", "income"},
		{"profile.need", "ไม่อยากได้เงิน", "need", ""},
		{"profile.need", "อยากได้วุฒิ ม.6", "need", "qualification"},
		{"profile.need", "ไม่แน่ใจค่ะ", "need", "unsure"},
		// The other profile questions.
		{"profile.education", "จบ ม.3", "education", "m3"},
		{"profile.education", "ป.ตรี", "education", "bachelor"},
		{"profile.education", "ม.6 ไม่จบ", "education", ""},
		{"profile.travel", "ไปไกลไม่ได้", "travel", ""},
		{"profile.travel", "ไม่ไกล", "travel", "5"},
		{"profile.travel", "ออนไลน์อย่างเดียว", "travel", "online"},
		{"profile.device", "มือถือกับคอม", "device", "computer"},
		{"profile.device", "ไม่มีคอม", "device", ""},
		{"profile.device", "ไม่มีเน็ต ใช้ไวไฟ", "device", "phone_wifi"},
		{"profile.device", "มีแต่มือถือ ไม่มีเน็ต", "device", ""}, // a phone, and no data: ask
		{"profile.care", "ไม่มีค่ะ", "care", "none"},
		// Numbers keep their own reading: a synonym never steals an age.
		{"profile.age", "19", "age", "19"},
		{"profile.age", "อายุ 19 ปีค่ะ", "age", "19"},
		{"profile.age", "25+", "age", "25"},
		{"profile.age", "อายุ 15", "age", "15"},
	})
}

func TestTypingAnswersToGeneratedQuestions(t *testing.T) {
	checkTyped(t, []typedCase{
		// The interest inventory's scale.
		{"discover.q01", "ชอบมาก", "q_r1", "2"},
		{"discover.q01", "ok", "q_r1", "2"},
		{"discover.q01", "ใช่เลย", "q_r1", "2"},
		{"discover.q01", "เฉยๆ", "q_r1", "1"},
		{"discover.q01", "ไม่แน่ใจ", "q_r1", "1"},
		{"discover.q01", "ก็โอเคนะ", "q_r1", "1"},
		{"discover.q01", "ไม่ชอบเลย", "q_r1", "0"},
		{"discover.q01", "ไม่ค่อยชอบ", "q_r1", "0"},
		{"discover.q01", "ไม่", "q_r1", "0"},
		{"discover.q01", "ไม่ใช่แนวเลย", "q_r1", "0"},
		// A bare "ไม่" inside a sentence about something else is no answer.
		{"discover.q01", "แม่ให้ไปเรียนแต่ไม่อยากเรียน", "q_r1", ""},
		// The strengths' yes / not yet.
		{"discover.s01", "ได้ค่ะ", "q_s_phone", "1"},
		{"discover.s01", "คล่องมาก", "q_s_phone", "1"},
		{"discover.s01", "ทำไม่เป็น", "q_s_phone", "0"},
		{"discover.s01", "ยังไม่ค่อยได้", "q_s_phone", "0"},
		// A lesson's check: by number, by "ข้อ n", by its key word.
		{"lesson.money_check", "1", "q_check", "0"},
		{"lesson.money_check", "ข้อ 2", "q_check", "1"},
		{"lesson.money_check", "ข้อ 3 ค่ะ", "q_check", "2"},
		{"lesson.money_check", "แยกเก็บก่อนเลย", "q_check", "0"},
		{"lesson.digital_check", "ไม่กดลิงก์ค่ะ", "q_check", "1"},
		{"lesson.scams_check", "ไม่โอนเงิน บล็อกเลย", "q_check", "1"},
		{"lesson.scams_check", "1 หรือ 2", "q_check", ""},
		// A plan step.
		{"planstep.income", "2", "plan_3", "action:ask_dsd"},
		{"planstep.income", "พาร์ทไทม์", "plan_3", "action:apply_parttime"},
		// Check-ins.
		{"checkin.ask_plan", "ได้งานแล้วค่ะ", "_outcome", "started_work"},
		{"checkin.ask_plan", "ยังเลย", "_outcome", "not_started"},
	})
}

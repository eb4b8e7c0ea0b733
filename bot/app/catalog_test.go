package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/content/thaitime"
)

// adultInKorat has consented and given a profile (24, Korat, income first).
func adultInKorat(t *testing.T, h *apptest.Harness) *apptest.Chat {
	c := h.Chat()
	c.Follow()
	c.Tap("ฉันกำลังหาทางไปต่อ")
	c.Tap("ยอมรับ")
	c.Tap("24")
	youthProfile(t, c, "โคราช")
	c.Tap("ไม่มี")
	c.Type("เมนู")
	return c
}

func carousel(t *testing.T, got []linefake.Delivery) []apptest.CardView {
	t.Helper()
	for _, d := range got {
		if cards := apptest.Cards(d); len(cards) > 0 {
			return cards
		}
	}
	t.Fatalf("no carousel in %q", apptest.Text(got))
	return nil
}

func TestTypedThaiSearchesFindRelevantItems(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		c := h.Chat()
		c.Follow()
		cases := []struct {
			typed string
			want  []string // a card is relevant when its texts mention one of these
		}{
			{"อยากเรียนทำขนม", []string{"ขนม", "เบเกอรี่", "อาหาร"}},
			{"งานพาร์ทไทม์ เชียงใหม่", []string{"เชียงใหม่"}},
			{"อยากเป็นช่างแอร์", []string{"แอร์", "เครื่องปรับอากาศ", "ช่าง"}},
			{"ดูแลคนแก่", []string{"ผู้สูงอายุ", "ดูแล"}},
		}
		for _, tc := range cases {
			cards := carousel(t, c.Type(tc.typed))
			relevant := 0
			for _, card := range cards {
				text := strings.Join(card.Texts, " ")
				for _, w := range tc.want {
					if strings.Contains(text, w) {
						relevant++
						break
					}
				}
			}
			if relevant == 0 || relevant*2 < len(cards) {
				t.Errorf("%q: %d of %d cards relevant; first card %q", tc.typed, relevant, len(cards), cards[0].Texts)
			}
		}
	})
}

func TestRefiningToFreeShowsOnlyFreeItemsWithReasons(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := adultInKorat(t, h)
	c.Tap("หาคอร์ส/งาน")
	cards := carousel(t, c.Tap("ฟรี"))
	for _, card := range cards {
		text := strings.Join(card.Texts, " ")
		if !strings.Contains(text, "ฟรี") {
			t.Errorf("a non-free course after ฟรี: %q", card.Texts)
		}
		if !strings.Contains(text, "✨") {
			t.Errorf("a card without a reason: %q", card.Texts)
		}
	}
	if chips := c.Chips(); !containsAll(chips, []string{"ใกล้ฉัน", "ออนไลน์", "ฟรี", "มีรายได้", "เสาร์-อาทิตย์", "ดูเพิ่ม"}) {
		t.Fatalf("refine chips: %v", chips)
	}
}

func TestSaveVoteApplyAndTheCheckinAsksAboutIt(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		c := adultInKorat(t, h)
		cards := carousel(t, c.Tap("หาคอร์ส/งาน"))
		first := cards[0]
		button := func(card apptest.CardView, label string) apptest.QuickReply {
			for _, b := range card.Buttons {
				if b.Label == label {
					return b
				}
			}
			t.Fatalf("no %q button on %q (buttons %v)", label, card.Texts, card.Buttons)
			return apptest.QuickReply{}
		}
		got := c.TapButton(button(first, "ดูรายละเอียด"))
		if detail := carousel(t, got); len(detail) != 1 || len(detail[0].Texts) <= len(first.Texts) {
			t.Fatalf("details show no more than the card: %v", detail)
		}
		if got := c.TapButton(button(first, "บันทึก")); !strings.Contains(apptest.Text(got), "บันทึกไว้") {
			t.Fatalf("save: %q", apptest.Text(got))
		}
		saved, err := h.Store.SavedItems(ctx, c.User)
		if err != nil || len(saved) != 1 {
			t.Fatalf("saved items: %v %v", saved, err)
		}
		c.TapButton(button(first, "👍 ตรงใจ"))
		if scores, _ := h.Store.FeedbackScores(ctx); scores[saved[0]] != 1 {
			t.Fatalf("👍 not recorded: %v", scores)
		}
		// My plan lists the saved item.
		if mine := carousel(t, c.Type("แผนของฉัน")); !strings.Contains(strings.Join(mine[0].Texts, " "), first.Texts[1]) {
			t.Fatalf("my plan shows %v, want %q", mine[0].Texts, first.Texts[1])
		}
		// Apply: the service records the tap and sends the person on.
		apply := button(first, "สมัคร/ติดต่อ")
		path := apply.Text[strings.Index(apply.Text, "/go/"):]
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Get(h.Server.URL + path)
		if err != nil || res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "https://example.org/") {
			t.Fatalf("apply link: %v %v", res, err)
		}
		clicks, _ := h.Store.Clicks(ctx, c.User)
		if len(clicks) != 1 {
			t.Fatalf("clicks: %v", clicks)
		}
		// The next check-in asks about it.
		c.Type("เมนู")
		c.Type("แนะแนว")
		for _, l := range []string{"ชอบ", "ชอบ", "ชอบ", "ชอบ", "ชอบ", "ชอบ", "ไม่ชอบ", "ไม่ชอบ", "ไม่ชอบ", "ไม่ชอบ", "ไม่ชอบ", "ไม่ชอบ"} {
			c.Tap(l)
		}
		c.Tap("บันทึกแผนนี้")
		h.Clock.Set(nextDaytime().AddDate(0, 0, 3))
		h.App.Worker.SendDue(ctx)
		got = c.Collect()
		if !strings.Contains(apptest.Text(got), "กดสมัคร") {
			t.Fatalf("check-in after applying: %q", apptest.Text(got))
		}
	})
}

func TestASavedCourseIsRemindedTheDayBefore(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	c := adultInKorat(t, h)
	cards := carousel(t, c.Tap("หาคอร์ส/งาน"))
	for _, card := range cards {
		for _, b := range card.Buttons {
			if b.Label == "บันทึก" {
				c.TapButton(b)
			}
		}
	}
	data, err := h.Store.Export(ctx, c.User)
	if err != nil {
		t.Fatal(err)
	}
	var due []time.Time
	for _, m := range data.Scheduled {
		if m.Kind == "reminder" && m.Status == "pending" {
			due = append(due, m.DueAt)
		}
	}
	if len(due) == 0 {
		t.Fatal("saving courses that start later scheduled no reminder")
	}
	// Not before its time; then once, on the day before at 10:00.
	h.Clock.Set(due[0].Add(-time.Hour))
	h.App.Worker.SendDue(ctx)
	if got := c.Collect(); len(got) != 0 {
		t.Fatalf("reminder sent early: %q", apptest.Text(got))
	}
	if h := due[0].In(thaitime.Zone).Hour(); h != 10 {
		t.Fatalf("reminder due at %d:00 Thai time", h)
	}
	h.Clock.Set(due[0].Add(time.Minute))
	h.App.Worker.SendDue(ctx)
	got := c.Collect()
	if !strings.Contains(apptest.Text(got), "เตือนความจำ") || len(carousel(t, got)) != 1 {
		t.Fatalf("reminder: %q", apptest.Text(got))
	}
}

// Someone whose schooling an opening asks more of sees, among the jobs, the
// course that would open it.
func TestAnOpeningOutOfReachComesWithTheCourseThatLeadsToIt(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Chat()
	c.Follow()
	c.Tap("ฉันกำลังหาทางไปต่อ")
	c.Tap("ยอมรับ")
	c.Tap("24")
	c.Type("โคราช")
	c.Tap("ข้าม")
	c.Tap("ยังไม่ได้เรียน/ทำงาน")
	c.Tap("ป.6")
	c.Tap("มีรายได้เร็ว ๆ")
	c.Tap("ว่างได้ทุกช่วง")
	c.Tap("ฟรีเท่านั้น")
	c.Tap("ไปได้ไกล")
	c.Tap("มือถือ มีเน็ต")
	c.Tap("ไม่มี")
	c.Type("เมนู")
	c.Tap("หาคอร์ส/งาน")
	cards := carousel(t, c.Tap("หางาน"))
	found := false
	for _, card := range cards {
		if len(card.Texts) > 0 && card.Texts[0] == "เรียนก่อนแล้วสมัคร" {
			found = true
			if !strings.Contains(strings.Join(card.Texts, " "), "+") {
				t.Errorf("a gap card without the course and the job: %q", card.Texts)
			}
		}
	}
	if !found {
		var firsts []string
		for _, card := range cards {
			firsts = append(firsts, card.Texts[0])
		}
		t.Fatalf("no skill-gap card among %v", firsts)
	}
}

package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// youthProfile answers the profile questions after the age and any guardian
// step: province typed as people type it, district skipped, then taps.
func youthProfile(t *testing.T, c *apptest.Chat, province string) {
	t.Helper()
	got := c.Type(province)
	if !strings.Contains(apptest.Text(got), "อำเภอ") {
		t.Fatalf("after typing %q: %q", province, apptest.Text(got))
	}
	c.Tap("ข้าม")
	c.Tap("ยังไม่ได้เรียน/ทำงาน")
	c.Tap("ม.3")
	c.Tap("มีรายได้เร็ว ๆ")
	c.Tap("เสาร์-อาทิตย์")
	c.Tap("ฟรีเท่านั้น")
	c.Tap("ไม่เกิน 15 กม.")
	c.Tap("มือถือ มีเน็ต")
}

// inventory answers the 12 interest questions: likes practical and caring
// things, not much else.
func inventory(t *testing.T, c *apptest.Chat) []linefake.Delivery {
	t.Helper()
	got := c.Tap("ไม่มี") // the last profile question opens the inventory
	if !strings.Contains(apptest.Text(got), "1/12") {
		t.Fatalf("inventory did not start: %q", apptest.Text(got))
	}
	for i := 1; i <= 12; i++ {
		q := c.LastWithChoices().Text()
		answer := "ไม่ชอบ"
		if strings.Contains(q, "ซ่อม") || strings.Contains(q, "ดูแล") || strings.Contains(q, "ช่วย") || strings.Contains(q, "ทำอาหาร") {
			answer = "ชอบ"
		}
		got = c.Tap(answer)
	}
	return got
}

func TestNineteenYearOldInKoratGetsAPlanAndHerGuardianConfirms(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		c := h.Chat()
		got := c.Follow()
		if !strings.Contains(apptest.Text(got), "ยินดีต้อนรับ") {
			t.Fatalf("welcome: %q", apptest.Text(got))
		}
		got = c.Tap("ฉันกำลังหาทางไปต่อ")
		if !strings.Contains(apptest.Text(got), "ข้อมูลส่วนตัว") || !slicesEqual(c.Chips(), []string{"ยอมรับ", "ไม่ยอมรับ"}) {
			t.Fatalf("consent notice: %q chips %v", apptest.Text(got), c.Chips())
		}
		if p, _ := h.Store.Profile(ctx, c.User); len(p) != 0 {
			t.Fatalf("profile stored before consent: %v", p)
		}
		c.Tap("ยอมรับ")
		got = c.Type("19")
		text := apptest.Text(got)
		code := regexp.MustCompile(`ยืนยัน ([A-Z0-9]{6})`).FindStringSubmatch(text)
		if code == nil || !strings.Contains(text, "ผู้ปกครอง") {
			t.Fatalf("a 19-year-old is a minor in Thai law: want the guardian path, got %q", text)
		}
		c.Tap("คุยต่อเลย")
		youthProfile(t, c, "โคราช")
		got = inventory(t, c)
		text = apptest.Text(got)
		if !strings.Contains(text, "ผลของคุณ") || !strings.Contains(text, "แผนของคุณ 3 ขั้น") {
			t.Fatalf("after the inventory: %q", text)
		}
		got = c.Tap("บันทึกแผนนี้")
		if !strings.Contains(apptest.Text(got), "ผู้ปกครองยืนยัน") {
			t.Fatalf("a minor's plan is held until the guardian confirms: %q", apptest.Text(got))
		}
		if c.Taps > 25 {
			t.Errorf("%d taps from follow to a plan; the goal is at most 25", c.Taps)
		}
		// Nothing personal stored yet: consent is recorded, the profile is not.
		consent, err := h.Store.Consent(ctx, c.User)
		if err != nil || !consent.Accepted || consent.Version == "" {
			t.Fatalf("consent record: %+v %v", consent, err)
		}
		if p, _ := h.Store.Profile(ctx, c.User); len(p) != 0 {
			t.Fatalf("a minor's profile was stored before the guardian confirmed: %v", p)
		}

		// The parent follows Pai Tor and confirms with the code.
		parent := h.Chat()
		parent.Follow()
		parent.Tap("ผู้ปกครอง")
		got = parent.Type("ยืนยัน " + strings.ToLower(code[1]))
		if !strings.Contains(apptest.Text(got), "ยืนยันเรียบร้อย") {
			t.Fatalf("guardian confirmation: %q", apptest.Text(got))
		}
		profile, err := h.Store.Profile(ctx, c.User)
		if err != nil || profile["province"] != "TH-30" || profile["education"] != "m3" || profile["age"] != "19" || profile["riasec_top"] == "" {
			t.Fatalf("after the guardian confirmed, the profile is %v (%v)", profile, err)
		}
		plan, err := h.Store.Plan(ctx, c.User)
		if err != nil || len(plan.Steps) != 3 {
			t.Fatalf("plan: %+v %v", plan, err)
		}
		// The young person is told (by push, at the next scheduler round,
		// outside quiet hours).
		h.Clock.Set(nextDaytime())
		h.App.Worker.SendDue(ctx)
		if got := c.Collect(); !strings.Contains(apptest.Text(got), "ผู้ปกครองยืนยันให้แล้ว") {
			t.Fatalf("youth not told: %q", apptest.Text(got))
		}
	})
}

func TestSixteenYearOldGetsTheGuardianPath(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Chat()
	c.Follow()
	c.Tap("ฉันกำลังหาทางไปต่อ")
	c.Tap("ยอมรับ")
	got := c.Tap("16")
	if !regexp.MustCompile(`ยืนยัน [A-Z0-9]{6}`).MatchString(apptest.Text(got)) {
		t.Fatalf("no guardian code: %q", apptest.Text(got))
	}
	g, err := h.Store.GuardianOf(context.Background(), c.User)
	if err != nil || g.Confirmed() {
		t.Fatalf("guardian record: %+v %v", g, err)
	}
}

func TestDeclinerCanStillBrowse(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		c := h.Chat()
		c.Follow()
		c.Tap("ฉันกำลังหาทางไปต่อ")
		got := c.Tap("ไม่ยอมรับ")
		if !strings.Contains(apptest.Text(got), "ไม่เก็บข้อมูลส่วนตัว") {
			t.Fatalf("after declining: %q", apptest.Text(got))
		}
		for _, step := range []struct{ tap, alt string }{
			{"หาคอร์ส/งาน", "คอร์สที่เหมาะกับคุณ"},
			{"เรียนไปทำไป", "เรียนไปด้วยทำงานไปด้วย"},
			{"หางาน", "งานที่เรียนไปด้วยได้เงินไปด้วย"},
		} {
			got := c.Tap(step.tap)
			if len(got) == 0 || !strings.Contains(apptest.AltText(got[0]), step.alt) || len(apptest.Cards(got[0])) == 0 {
				t.Fatalf("tap %q: %q", step.tap, apptest.Text(got))
			}
		}
		if got := c.Tap("เมนู"); !strings.Contains(apptest.Text(got), "เมนูหลัก") {
			t.Fatalf("menu: %q", apptest.Text(got))
		}
		if got := c.Tap("เทศกาล"); !strings.Contains(apptest.Text(got), "เทศกาล") {
			t.Fatalf("festivals: %q", apptest.Text(got))
		}
		c.Type("เมนู")
		if got := c.Tap("แนะแนว"); !strings.Contains(apptest.Text(got), "ความยินยอม") {
			t.Fatalf("guidance without consent should ask for it: %q", apptest.Text(got))
		}
		consent, _ := h.Store.Consent(context.Background(), c.User)
		if consent.Accepted {
			t.Fatal("declined consent recorded as accepted")
		}
	})
}

// At every question of the journey a person types nonsense first: each time
// Pai Tor re-asks with the question's choices and a way to the menu, and the
// right answer then still works.
func TestNonsenseInEveryQuestionNeverGetsStuck(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Chat()
	c.Follow()
	steps := []string{"ฉันกำลังหาทางไปต่อ", "ยอมรับ", "24", "@province", "ข้าม", "ยังไม่ได้เรียน/ทำงาน", "ม.3",
		"มีรายได้เร็ว ๆ", "เสาร์-อาทิตย์", "ฟรีเท่านั้น", "ไม่เกิน 15 กม.", "มือถือ มีเน็ต", "ไม่มี"}
	for i := 0; i < 12; i++ {
		steps = append(steps, "ชอบ")
	}
	for _, step := range steps {
		if step == "ข้าม" {
			// The district is free text: any name is an answer there.
			c.Tap(step)
			continue
		}
		before := c.Chips()
		got := c.Type("asdfgh 555")
		if len(got) == 0 {
			t.Fatalf("silence after nonsense at %q", step)
		}
		after := c.Chips()
		if !containsAll(after, before) || !contains(after, "เมนู") && !contains(before, "เมนู") && len(after) < 13 {
			t.Fatalf("at %q: the re-ask offers %v, before it offered %v; got %q", step, after, before, apptest.Text(got))
		}
		if step == "@province" {
			c.Type("เชียงใหม่")
			continue
		}
		c.Tap(step)
	}
	if got := apptest.Text(c.All[len(c.All)-2:]); !strings.Contains(got, "แผนของคุณ") {
		t.Fatalf("journey did not reach the plan: %q", got)
	}
}

func TestStopEndsCheckinsAndCheckinsAskHowItIsGoing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		adultWithPlan := func() *apptest.Chat {
			c := h.Chat()
			c.Follow()
			c.Tap("ฉันกำลังหาทางไปต่อ")
			c.Tap("ยอมรับ")
			c.Tap("24")
			youthProfile(t, c, "ขอนแก่น")
			inventory(t, c)
			if got := c.Tap("บันทึกแผนนี้"); !strings.Contains(apptest.Text(got), "บันทึกแผนแล้ว") {
				t.Fatalf("save plan: %q", apptest.Text(got))
			}
			return c
		}
		keen, quiet := adultWithPlan(), adultWithPlan()
		if got := quiet.Type("หยุด"); !strings.Contains(apptest.Text(got), "หยุดแล้ว") {
			t.Fatalf("stop: %q", apptest.Text(got))
		}
		// Three days later, at 10:30 in Thailand.
		day3 := time.Now().In(thaitime.Zone).AddDate(0, 0, 3)
		h.Clock.Set(time.Date(day3.Year(), day3.Month(), day3.Day(), 10, 30, 0, 0, day3.Location()))
		if _, err := h.App.Worker.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := quiet.Collect(); len(got) != 0 {
			t.Fatalf("after หยุด a check-in was sent: %q", apptest.Text(got))
		}
		got := keen.Collect()
		if !strings.Contains(apptest.Text(got), "ไปต่อมาถามข่าว") || got[0].Via != "push" || got[0].RetryKey == "" {
			t.Fatalf("check-in: %q via %s", apptest.Text(got), got[0].Via)
		}
		if got := keen.Tap("สมัครเรียนแล้ว"); !strings.Contains(apptest.Text(got), "เยี่ยมมาก") {
			t.Fatalf("after answering: %q", apptest.Text(got))
		}
		counts, _ := h.Store.CountOutcomes(ctx)
		if counts["enrolled"] < 1 {
			t.Fatalf("outcome not recorded: %v", counts)
		}
		// Sending again finds nothing more due today.
		h.App.Worker.SendDue(ctx)
		if got := keen.Collect(); len(got) != 0 {
			t.Fatalf("check-in sent twice: %q", apptest.Text(got))
		}
	})
}

func TestCheckinsWaitOutQuietHours(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	c := h.Chat()
	c.Follow()
	if err := h.Store.Schedule(ctx, content.Scheduled{UserID: c.User, Kind: "checkin", Node: "checkin.ask", DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c.Collect()
	night := time.Now().In(thaitime.Zone).AddDate(0, 0, 1)
	h.Clock.Set(time.Date(night.Year(), night.Month(), night.Day(), 22, 15, 0, 0, thaitime.Zone))
	h.App.Worker.SendDue(ctx)
	if got := c.Collect(); len(got) != 0 {
		t.Fatalf("sent at 22:15: %q", apptest.Text(got))
	}
	h.Clock.Set(time.Date(night.Year(), night.Month(), night.Day(), 23, 59, 0, 0, thaitime.Zone).Add(8*time.Hour + time.Minute)) // 08:00 next day
	h.App.Worker.SendDue(ctx)
	if got := c.Collect(); !strings.Contains(apptest.Text(got), "ไปต่อมาถามข่าว") {
		t.Fatalf("not sent after the quiet hours: %q", apptest.Text(got))
	}
}

func TestMyDataExportAndDeleteRemovesEverything(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		c := h.Chat()
		c.Follow()
		c.Tap("ฉันกำลังหาทางไปต่อ")
		c.Tap("ยอมรับ")
		c.Tap("24")
		youthProfile(t, c, "กทม.")
		inventory(t, c)
		c.Tap("บันทึกแผนนี้")

		got := c.Type("ข้อมูลของฉัน")
		text := apptest.Text(got)
		for _, want := range []string{"อายุ: 24", "จังหวัด: กรุงเทพมหานคร", "การศึกษาสูงสุด: ม.3", "แผนการเรียนรู้"} {
			if !strings.Contains(text, want) {
				t.Fatalf("my data does not show %q: %q", want, text)
			}
		}
		got = c.Tap("ขอไฟล์ข้อมูล")
		link := regexp.MustCompile(`https?://\S+/me/export\?token=\w+`).FindString(apptest.Text(got))
		if link == "" {
			t.Fatalf("no export link: %q", apptest.Text(got))
		}
		res, err := http.Get(h.Server.URL + link[strings.Index(link, "/me/"):])
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var doc map[string]any
		if res.StatusCode != 200 || json.Unmarshal(body, &doc) != nil || doc["profile"].(map[string]any)["province"] != "TH-10" {
			t.Fatalf("export: %d %s", res.StatusCode, body)
		}
		if res, _ := http.Get(h.Server.URL + "/me/export?token=" + strings.Repeat("a", 48)); res.StatusCode != 404 {
			t.Fatalf("a made-up token gives %d", res.StatusCode)
		}

		c.Type("ลบข้อมูล")
		got = c.Tap("ยืนยันลบข้อมูล")
		if !strings.Contains(apptest.Text(got), "ลบข้อมูลทั้งหมดแล้ว") {
			t.Fatalf("delete: %q", apptest.Text(got))
		}
		if _, err := h.Store.Export(ctx, c.User); !content.IsNotFound(err) {
			t.Fatalf("after delete, export gives %v", err)
		}
		if n, _ := h.Store.Deletions(ctx); n < 1 {
			t.Fatal("deletion not counted")
		}
		if _, ok, _ := h.App.State().Session(ctx, c.User); ok {
			t.Fatal("session survived deletion")
		}
		res, _ = http.Get(h.Server.URL + link[strings.Index(link, "/me/"):])
		if res.StatusCode != 404 {
			t.Fatalf("the export link still works after deletion: %d", res.StatusCode)
		}
	})
}

func TestCrisisMessageGetsHotlinesAndAPersonAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		c := h.Chat()
		c.Follow()
		c.Tap("ฉันกำลังหาทางไปต่อ")
		c.Tap("ยอมรับ")
		h.NationalPool()
		got := c.Type("ช่วงนี้ไม่ไหวแล้ว ไม่อยากอยู่แล้ว")
		text := apptest.Text(got)
		if !strings.Contains(text, "1323") || !strings.Contains(text, "1300") || !strings.Contains(text, "ส่งเรื่องให้เจ้าหน้าที่แล้ว (ด่วน)") {
			t.Fatalf("crisis reply: %q chips %v", text, c.Chips())
		}
		open, err := h.Store.OpenHandoffs(context.Background())
		if err != nil || len(open) == 0 || !open[0].Urgent || open[0].Reason != "crisis" {
			t.Fatalf("handoff: %+v %v", open, err)
		}
	})
}

// nextDaytime is 10:00 in Thailand tomorrow: outside the quiet hours.
func nextDaytime() time.Time {
	d := time.Now().In(thaitime.Zone).AddDate(0, 0, 1)
	return time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, thaitime.Zone)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsAll(list, want []string) bool {
	for _, w := range want {
		if !contains(list, w) {
			return false
		}
	}
	return true
}

func TestChoosingARoleLinksThatRolesRichMenu(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	menus, err := richmenu.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := richmenu.Install(ctx, h.App.Sender, menus, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	youth, parent := h.Chat(), h.Chat()
	youth.Follow()
	youth.Tap("ฉันกำลังหาทางไปต่อ")
	parent.Follow()
	parent.Tap("ผู้ปกครอง")
	if got := h.Fake.RichMenuOf(youth.User); got != ids["youth"] {
		t.Fatalf("youth has rich menu %q, want %q", got, ids["youth"])
	}
	if got := h.Fake.RichMenuOf(parent.User); got != ids["parent"] {
		t.Fatalf("parent has rich menu %q, want %q", got, ids["parent"])
	}
	// Every word the menus send is one the bot understands.
	for _, m := range menus {
		for _, word := range m.Commands() {
			got := youth.Type(word)
			if strings.Contains(apptest.Text(got), "ยังไม่เข้าใจ") {
				t.Errorf("rich menu word %q is not understood", word)
			}
		}
	}
}

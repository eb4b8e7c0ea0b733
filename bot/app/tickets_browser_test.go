package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/browsertest"
)

// TestATicketEndToEndInHeadlessChromium is the whole loop on a phone-sized
// screen: a counsellor signs in with a one-time link and keeps the inbox
// open; a young person asks for a person in LINE and the ticket appears
// without a reload; the counsellor answers (the person gets it once) and
// closes it (the person gets the close note); Pai Tor answers the person
// again. Screenshots go to a new temporary folder, kept and logged; with
// UPDATE_SCREENSHOTS=1 the inbox and the ticket are copied to
// testdata/screenshots/.
func TestATicketEndToEndInHeadlessChromium(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Clock.Set(thaiAt(time.Tuesday, 10, 0)) // office hours, outside quiet hours
	counsellor := h.NationalPool()
	br := browsertest.New(t, "paitor-ticket-screenshots-", 120*time.Second)
	shots := br.Dir()
	do, eval, waitFor := br.Do, br.Eval, br.WaitFor
	shot := func(name string) { br.Shot(name, false) }

	// The counsellor signs in with a one-time link and keeps the inbox open.
	link, err := h.App.Console.SignInLink(context.Background(), counsellor.ID, h.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	do("open the sign-in link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#use-link")))
	do("sign in", chromedp.Click(chromedp.CSS("#use-link")), chromedp.WaitVisible(chromedp.CSS("#inbox")))
	if loc := eval(`location.pathname`); loc != "/console/" {
		t.Fatalf("after sign-in the browser is at %s", loc)
	}
	eval(`window.__samePage = 'yes', 'ok'`)
	// Wait until the page's event stream listens to the organisation's channel.
	channel := h.Redis.Prefix + "tickets:" + counsellor.OrgID
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := h.Redis.Client.PubSubNumSub(context.Background(), channel).Result()
		if err == nil && n[channel] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox page never subscribed to %s (%v %v)", channel, n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A young person asks for a person in LINE: the ticket appears.
	c := adultAtMenu(t, h)
	if text := askForPerson(t, c); !strings.Contains(text, "ส่งต่อให้เจ้าหน้าที่แล้ว") {
		t.Fatalf("asking for a person: %q", text)
	}
	c.Type("สวัสดีค่ะ อยากหางานพาร์ทไทม์ใกล้บ้าน แต่ไม่รู้จะเริ่มตรงไหน")
	tk := openTicketOf(t, h, c.User)
	row := `#inbox li.ticket a[href$="/tickets/` + tk.ID + `"]`
	waitFor("the new ticket appears in the open inbox", `!!document.querySelector('`+row+`')`)
	if eval(`String(window.__samePage)`) != "yes" {
		t.Fatal("the page reloaded to show the new ticket")
	}
	shot("ticket-inbox.png")

	// Open it, answer.
	const reply = "สวัสดีค่ะ ครูช่วยหางานพาร์ทไทม์ได้ค่ะ ตอนนี้อยู่อำเภออะไรคะ?"
	do("open the ticket", chromedp.Click(chromedp.CSS(row)), chromedp.WaitVisible(chromedp.CSS("#reply-form")))
	if text := eval(`document.getElementById('conversation').innerText`); !strings.Contains(text, "อยากหางานพาร์ทไทม์") {
		t.Fatalf("the ticket page lacks the person's message:\n%s", text)
	}
	do("type the reply", chromedp.Focus(chromedp.CSS("#reply-text")), chromedp.SetValue(chromedp.CSS("#reply-text"), reply))
	do("send", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS(".msg.counsellor")))
	if got := pushesOf(h, c.User, reply); len(got) != 1 {
		t.Fatalf("the person received the reply %d times, want once", len(got))
	}
	eval(`document.getElementById('conv-h').scrollIntoView(), 'ok'`)
	shot("ticket-page.png")

	// Close it, confirming.
	do("close", chromedp.Click(chromedp.CSS("details.confirm summary")),
		chromedp.WaitVisible(chromedp.CSS("details.confirm button.danger")),
		chromedp.Click(chromedp.CSS("details.confirm button.danger")),
		chromedp.WaitVisible(chromedp.CSS(".closed-note")))
	if _, err := h.App.Worker.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.Collect(); !strings.Contains(apptest.Text(got), "ปิดเรื่องนี้แล้ว") {
		t.Fatalf("after closing, the person got %q, want the close note", apptest.Texts(got))
	}
	if got := pushesOf(h, c.User, reply); len(got) != 1 {
		t.Errorf("in the end the person had the reply %d times, want once", len(got))
	}
	if got := c.Type("หางาน"); !hasFlex(got) {
		t.Fatalf("หางาน after the ticket closed: %q, want a carousel", apptest.Texts(got))
	}

	if html := eval(`document.documentElement.outerHTML`); strings.Contains(html, c.User) {
		t.Error("a page shows the person's LINE user ID")
	}
	for _, p := range br.Problems() {
		t.Errorf("browser console: %s", p)
	}

	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		dir := filepath.Join("testdata", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"ticket-inbox.png", "ticket-page.png"} {
			b, err := os.ReadFile(filepath.Join(shots, name))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, name), b, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("copied the inbox and ticket screenshots to %s", dir)
	}
}

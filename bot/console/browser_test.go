package console

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/paitor/paitor/bot/browsertest"
	"github.com/paitor/paitor/content"
)

// TestConsoleInHeadlessChromium drives the console on a phone-sized screen:
// sign in with a one-time link, see the inbox, see a new ticket arrive
// without a reload, open it, fill the reply from a canned answer and send it.
// Screenshots go to a new temporary folder, kept and logged; with UPDATE_SCREENSHOTS=1
// the inbox and the ticket are copied to testdata/screenshots/ for the README.
func TestConsoleInHeadlessChromium(t *testing.T) {
	e := newEnv(t)
	// Kept after the test (unlike t.TempDir) so that a person can look.
	br := browsertest.New(t, "paitor-console-screenshots-", 90*time.Second)
	shots := br.Dir()
	do, eval, waitFor := br.Do, br.Eval, br.WaitFor
	shot := func(name string, full bool) { br.Shot(name, full) }

	// Sign in with a one-time link: the page offers a button, which signs in.
	link, err := e.c.SignInLink(context.Background(), somchaiID, e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	do("open the sign-in link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#use-link")))
	shot("signin.png", false)
	do("sign in", chromedp.Click(chromedp.CSS("#use-link")), chromedp.WaitVisible(chromedp.CSS("#inbox .tickets")))
	if loc := eval(`location.pathname`); loc != "/console/" {
		t.Fatalf("after sign-in the browser is at %s", loc)
	}
	if text := eval(`document.body.innerText`); !strings.Contains(text, "อาจอยู่ในภาวะวิกฤต") || !strings.Contains(text, "ครูสมชาย ใจดี") {
		t.Fatalf("the inbox lacks the urgent ticket or the counsellor's name:\n%s", text)
	}

	// A new ticket appears without a reload, pushed through Subscribe.
	eval(`window.__samePage = 'yes', 'ok'`)
	deadline := time.Now().Add(15 * time.Second)
	for e.fake.subscribers() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if e.fake.subscribers() == 0 {
		t.Fatal("the inbox page never opened its event stream")
	}
	const newTicket = "7e1c0005-0000-4000-8000-000000000005"
	e.fake.add(TicketView{
		Ticket: content.Handoff{ID: newTicket, UserID: "U55555555555555555555555555555555", Reason: "message",
			At: testNow.Add(-2 * time.Minute), Status: "open", OrgID: orgA, Level: "district", Province: "TH-40", District: "TH-40/บ้านไผ่"},
		Messages: []content.HandoffMessage{{ID: "m5", HandoffID: newTicket, UserID: "U55555555555555555555555555555555",
			Text: "สวัสดีค่ะ อยากเรียนทำขนมแต่ไม่มีเงินค่าเรียน มีคอร์สฟรีใกล้บ้านไผ่ไหมคะ", At: testNow.Add(-2 * time.Minute)}},
		Profile: []Field{{"จังหวัด", "ขอนแก่น"}, {"สิ่งที่สนใจ", "ทำขนม, ขายของออนไลน์"}, {"สิ่งที่ติดขัด", "ค่าใช้จ่าย"}},
		AgeBand: "20–24",
		Plan:    []string{"คอร์สทำขนมไทย 3 วัน (ฟรี) ที่ศูนย์การเรียนรู้อำเภอบ้านไผ่"},
	})
	row := `li[data-id="` + shortID(newTicket) + `"]`
	waitFor("the new ticket appears", `!!document.querySelector('`+row+`')`)
	if eval(`String(window.__samePage)`) != "yes" {
		t.Fatal("the page reloaded to show the new ticket")
	}
	if eval(`document.querySelector('`+row+`').className`) != "ticket unanswered new" {
		t.Errorf("the new row is not marked new: %s", eval(`document.querySelector('`+row+`').className`))
	}
	shot("inbox.png", false)

	// Open it, fill the reply from the first canned answer, send it.
	do("open the new ticket", chromedp.Click(chromedp.CSS(row+" a")), chromedp.WaitVisible(chromedp.CSS("#reply-form")))
	canned := e.c.canned[0]
	do("tap a canned reply", chromedp.Click(chromedp.CSS(".chip")))
	if got := eval(`document.getElementById('reply-text').value`); got != canned.TextTH {
		t.Fatalf("the reply box holds %q, want the canned %q", got, canned.TextTH)
	}
	do("send", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS(".msg.counsellor")))
	if calls := e.fake.replyCalls(); len(calls) != 1 || calls[0].Text != canned.TextTH || calls[0].TicketID != newTicket {
		t.Fatalf("Reply calls = %+v", calls)
	}
	if text := eval(`document.querySelector('.msg.counsellor').innerText`); !strings.Contains(text, "กำลังส่ง") {
		t.Errorf("the reply shows no delivery status: %q", text)
	}
	shot("ticket-full.png", true)
	eval(`document.getElementById('conv-h').scrollIntoView(), 'ok'`)
	shot("ticket.png", false)

	do("office hours", chromedp.Navigate(e.srv.URL+"/console/hours"), chromedp.WaitVisible(chromedp.CSS("form.hours")))
	shot("hours.png", false)

	if html := eval(`document.documentElement.outerHTML`); anyLineUserID.MatchString(html) {
		t.Error("a page shows a LINE user ID")
	}
	for _, p := range br.Problems() {
		t.Errorf("browser console: %s", p)
	}

	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		dir := filepath.Join("testdata", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for from, to := range map[string]string{"inbox.png": "console-inbox.png", "ticket.png": "console-ticket.png"} {
			b, err := os.ReadFile(filepath.Join(shots, from))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, to), b, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("copied the inbox and ticket screenshots to %s", dir)
	}
}

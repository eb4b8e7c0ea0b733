package simulator

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/linefake"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// welcomeReply is what the stand-in bot answers a follow with: one of each
// kind the page must draw, the last carrying quick replies.
const welcomeReply = `[
 {"type":"text","text":"สวัสดี! ยินดีต้อนรับสู่ ไปต่อ 🎉\nดูคอร์สได้ที่ https://example.com/courses"},
 {"type":"flex","altText":"คอร์สแนะนำ","contents":{"type":"bubble",
  "hero":{"type":"image","url":"https://example.com/hero.png","size":"full","aspectRatio":"20:13","aspectMode":"cover"},
  "body":{"type":"box","layout":"vertical","spacing":"sm","contents":[
   {"type":"text","text":"ช่างซ่อมมือถือ 5 วัน","weight":"bold","size":"lg","wrap":true},
   {"type":"box","layout":"baseline","spacing":"sm","contents":[
    {"type":"text","text":"ที่ไหน","color":"#aaaaaa","size":"sm","flex":1},
    {"type":"text","text":"โคราช (นครราชสีมา)","wrap":true,"color":"#666666","size":"sm","flex":4}]},
   {"type":"separator","margin":"md"},
   {"type":"text","contents":[{"type":"span","text":"ฟรี ","weight":"bold","color":"#06c755"},{"type":"span","text":"มีเบี้ยเลี้ยง 300 บาท/วัน"}],"size":"sm","wrap":true}]},
  "footer":{"type":"box","layout":"vertical","spacing":"sm","contents":[
   {"type":"button","style":"primary","height":"sm","action":{"type":"postback","label":"สมัครเลย","data":"apply=c1","displayText":"สมัครคอร์สนี้"}},
   {"type":"button","style":"link","height":"sm","action":{"type":"uri","label":"รายละเอียด","uri":"https://example.com/c1"}}]}}},
 {"type":"template","altText":"เลือกวัน","template":{"type":"confirm","text":"สะดวกเรียนวันเสาร์ไหม?",
  "actions":[{"type":"message","label":"สะดวก","text":"สะดวก"},{"type":"message","label":"ไม่สะดวก","text":"ไม่สะดวก"}]}},
 {"type":"text","text":"อยากเริ่มจากตรงไหนดี?","quickReply":{"items":[
  {"type":"action","action":{"type":"message","label":"หางาน","text":"หางาน"}},
  {"type":"action","action":{"type":"postback","label":"หาคอร์ส","data":"menu=courses"}},
  {"type":"action","action":{"type":"datetimepicker","label":"นัดคุย","data":"meet","mode":"date"}},
  {"type":"action","action":{"type":"location","label":"ส่งตำแหน่ง"}}]}}
]`

// gallery is pushed after the welcome: every other kind of message and
// action the page must draw, in two pushes (LINE allows 5 messages each).
var gallery = [2]string{`[
 {"type":"sticker","packageId":"446","stickerId":"1988"},
 {"type":"image","originalContentUrl":"https://example.com/a.jpg","previewImageUrl":"https://example.com/a_p.jpg"},
 {"type":"location","title":"ศูนย์ฝึกอาชีพโคราช","address":"อ.เมือง จ.นครราชสีมา","latitude":14.9799,"longitude":102.0978},
 {"type":"template","altText":"นัดหมาย","template":{"type":"buttons","thumbnailImageUrl":"https://example.com/t.png",
  "title":"นัดคุยกับพี่เลี้ยง","text":"เลือกวันที่สะดวก","actions":[
   {"type":"datetimepicker","label":"เลือกวัน","data":"meet=pick","mode":"date"},
   {"type":"uri","label":"โทรหาเรา","uri":"tel:1300"}]}},
 {"type":"template","altText":"คอร์ส","template":{"type":"carousel","columns":[
   {"thumbnailImageUrl":"https://example.com/1.png","title":"ทำอาหาร","text":"3 วัน ฟรี","actions":[{"type":"message","label":"สนใจ","text":"สนใจทำอาหาร"}]},
   {"thumbnailImageUrl":"https://example.com/2.png","title":"ตัดผม","text":"5 วัน","actions":[{"type":"message","label":"สนใจ","text":"สนใจตัดผม"}]}]}}
]`, `[
 {"type":"flex","altText":"งานแนะนำ","contents":{"type":"carousel","contents":[
  {"type":"bubble","size":"kilo","header":{"type":"box","layout":"vertical","contents":[{"type":"text","text":"งานพาร์ทไทม์","color":"#ffffff","weight":"bold"}],
    "background":{"type":"linearGradient","angle":"90deg","startColor":"#06c755","endColor":"#0b8f3f"}},
   "body":{"type":"box","layout":"vertical","spacing":"md","contents":[
    {"type":"box","layout":"baseline","spacing":"sm","contents":[{"type":"icon","url":"https://example.com/star.png"},{"type":"text","text":"ค่าจ้าง 400 บาท/วัน","size":"sm","flex":0}]},
    {"type":"box","layout":"horizontal","contents":[{"type":"text","text":"ซ้าย","size":"xs"},{"type":"filler"},{"type":"text","text":"ขวา","size":"xs","align":"end"}]},
    {"type":"text","text":"ข้อความยาวมากที่ต้องตัดบรรทัดให้เหลือสองบรรทัดเท่านั้นเพื่อทดสอบ maxLines ของ Flex ในหน้าจำลองนี้ว่าทำงานได้ถูกต้องหรือไม่","wrap":true,"maxLines":2,"size":"sm"}]},
   "footer":{"type":"box","layout":"horizontal","spacing":"sm","contents":[
    {"type":"button","style":"secondary","height":"sm","action":{"type":"message","label":"ข้าม","text":"ข้าม"}},
    {"type":"button","style":"primary","color":"#ff6b00","height":"sm","action":{"type":"postback","label":"สนใจ","data":"job=1"}}]}},
  {"type":"bubble","size":"kilo","body":{"type":"box","layout":"vertical","cornerRadius":"md","backgroundColor":"#fff7e0","paddingAll":"lg","contents":[
    {"type":"text","text":"งานร้านกาแฟ","weight":"bold","size":"xl"},{"type":"text","text":"เชียงใหม่","color":"#888888"}]},
   "action":{"type":"message","label":"ดู","text":"ดูงานร้านกาแฟ"}}]}},
 {"type":"imagemap","baseUrl":"https://example.com/imagemap","altText":"เมนูหลัก","baseSize":{"width":1040,"height":1040},"actions":[
   {"type":"message","text":"เมนู","area":{"x":0,"y":0,"width":520,"height":1040}},
   {"type":"uri","linkUri":"https://example.com/map","area":{"x":520,"y":0,"width":520,"height":1040}}]},
 {"type":"video","originalContentUrl":"https://example.com/v.mp4","previewImageUrl":"https://example.com/v.jpg"},
 {"type":"text","text":"ส่งรูปบัตรให้หน่อยนะ","quickReply":{"items":[
   {"type":"action","action":{"type":"camera","label":"ถ่ายรูป"}},
   {"type":"action","action":{"type":"cameraRoll","label":"เลือกรูป"}},
   {"type":"action","action":{"type":"postback","label":"ภายหลัง","data":"later","displayText":"ไว้ทีหลังนะ"}}]}}
]`}

// TestPageInHeadlessChromium opens the page as a first-time visitor in
// headless Chromium and checks that, without any click, a user was made, a
// follow reached the bot and the bot's Thai welcome was drawn.
func TestPageInHeadlessChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not installed (.ci/run installs it with apt-get install chromium)", chromiumPath)
		}
		t.Skipf("browser check skipped: %s not installed (apt-get install chromium)", chromiumPath)
	}
	fake := linefake.NewTest(t, linefake.Options{})
	rc := newReceiver(t)
	rc.onEvent = func(ev map[string]any) {
		tok, _ := ev["replyToken"].(string)
		if ev["type"] != "follow" || tok == "" {
			return
		}
		body, _ := json.Marshal(map[string]any{"replyToken": tok, "messages": json.RawMessage(welcomeReply)})
		resp, err := http.Post(fake.URL()+"/v2/bot/message/reply", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Errorf("reply: %v", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("reply: status %d", resp.StatusCode)
		}
	}
	sim, err := New(Config{Fake: fake, CallbackURL: rc.srv.URL + "/callback", ChannelSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	// Cleanups run last-in first-out: the browser (registered later) closes
	// first, then Close ends any long-poll still open, then the server stops.
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)

	dir := t.TempDir()
	if d := os.Getenv("SIMULATOR_SCREENSHOT_DIR"); d != "" {
		dir = d
	}
	b := startBrowser(t)
	b.navigate(srv.URL + "/dev/chat")

	// A first-time visitor gets the welcome without a click.
	b.waitFor(`document.querySelectorAll('.row.bot').length >= 4 && !!document.querySelector('.chip')`)
	text := b.eval(`document.body.innerText`).(string)
	for _, want := range []string{"สวัสดี! ยินดีต้อนรับสู่ ไปต่อ", "ช่างซ่อมมือถือ 5 วัน", "สะดวกเรียนวันเสาร์ไหม?", "หางาน", "ผู้ใช้ 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q after the first visit; text:\n%s", want, text)
		}
	}
	if evs := rc.got(); len(evs) == 0 || evs[0]["type"] != "follow" {
		t.Errorf("the first visit sent %v, want a follow first", evs)
	}
	b.screenshot(filepath.Join(dir, "simulator-welcome.png"))

	// Tapping a quick-reply chip sends its text as the user's message.
	b.eval(`document.querySelector('.chip').click(), true`)
	b.waitFor(`[...document.querySelectorAll('.user-bubble')].some(e => e.textContent === 'หางาน')`)
	b.waitFor(`document.getElementById('quick-replies').hidden`)
	// A flex postback button with displayText shows it as the user's bubble.
	b.eval(`document.querySelector('.flex-button.primary').click(), true`)
	b.waitFor(`[...document.querySelectorAll('.user-bubble')].some(e => e.textContent === 'สมัครคอร์สนี้')`)
	// Typing and pressing Enter sends a text.
	b.eval(`(() => { const i = document.getElementById('input'); i.value = 'อยากเรียนทำอาหาร';
		i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); return true; })()`)
	b.waitFor(`[...document.querySelectorAll('.user-bubble')].some(e => e.textContent === 'อยากเรียนทำอาหาร')`)
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.got()) < 4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	evs := rc.got()
	if len(evs) < 4 {
		t.Fatalf("bot got %d events, want follow, text, postback, text", len(evs))
	}
	want := []string{"follow", "message", "postback", "message"}
	for i, w := range want {
		if evs[i]["type"] != w {
			t.Errorf("event %d is %v, want %s", i, evs[i]["type"], w)
		}
	}
	if p, _ := evs[2]["postback"].(map[string]any); p["data"] != "apply=c1" {
		t.Errorf("postback = %v", evs[2])
	}
	b.screenshot(filepath.Join(dir, "simulator-after-taps.png"))

	// Every other kind of message renders, and its actions work.
	var user string
	if id, ok := evs[0]["source"].(map[string]any)["userId"].(string); ok {
		user = id
	}
	for _, msgs := range gallery {
		body, _ := json.Marshal(map[string]any{"to": user, "messages": json.RawMessage(msgs), "customAggregationUnits": []string{}})
		resp, err := http.Post(fake.URL()+"/v2/bot/message/push", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("push gallery: %d", resp.StatusCode)
		}
	}
	b.waitFor(`document.querySelectorAll('.row.bot').length >= 13 && document.querySelectorAll('.chip').length === 3`)
	text = b.eval(`document.body.innerText`).(string)
	for _, want := range []string{"[สติกเกอร์ 446/1988]", "ศูนย์ฝึกอาชีพโคราช", "นัดคุยกับพี่เลี้ยง", "ตัดผม", "งานร้านกาแฟ", "เมนูหลัก", "ถ่ายรูป"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q after the gallery", want)
		}
	}
	if n := b.eval(`document.querySelectorAll('.msg-label.unknown').length`).(float64); n != 0 {
		t.Errorf("%v messages drawn as unknown", n)
	}
	b.screenshot(filepath.Join(dir, "simulator-gallery.png"))
	// camera quick reply: an image event.
	b.eval(`[...document.querySelectorAll('.chip')].find(e => e.textContent === 'ถ่ายรูป').click(), true`)
	b.waitFor(`document.getElementById('quick-replies').hidden`)
	// datetimepicker: a native date input, then a postback with params.date.
	b.eval(`[...document.querySelectorAll('.action-button')].find(e => e.textContent === 'เลือกวัน').click(), true`)
	b.waitFor(`!document.getElementById('popup').hidden && !!document.querySelector('#popup input[type=date]')`)
	b.screenshot(filepath.Join(dir, "simulator-datepicker.png"))
	b.eval(`document.querySelector('#popup input').value = '2026-01-15',
		[...document.querySelectorAll('#popup button')].find(e => e.textContent.startsWith('ตกลง')).click(), true`)
	b.waitFor(`document.querySelector('.note') && document.querySelector('.note').textContent.includes('2026-01-15')`)
	deadline = time.Now().Add(5 * time.Second)
	for len(rc.got()) < 6 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	evs = rc.got()
	if len(evs) < 6 {
		t.Fatalf("bot got %d events, want 6", len(evs))
	}
	if m, _ := evs[4]["message"].(map[string]any); evs[4]["type"] != "message" || m["type"] != "image" {
		t.Errorf("camera sent %v", evs[4])
	}
	pb, _ := evs[5]["postback"].(map[string]any)
	params, _ := pb["params"].(map[string]any)
	if evs[5]["type"] != "postback" || pb["data"] != "meet=pick" || params["date"] != "2026-01-15" {
		t.Errorf("datetimepicker sent %v", evs[5])
	}
	if errs := b.eval(`JSON.stringify(window.__errs || [])`).(string); errs != "[]" {
		t.Errorf("page script errors: %s", errs)
	}

	// A reload shows the same conversation, both sides, from the server.
	b.navigate(srv.URL + "/dev/chat")
	b.waitFor(`[...document.querySelectorAll('.user-bubble')].some(e => e.textContent === 'อยากเรียนทำอาหาร') && document.querySelectorAll('.row.bot').length >= 4`)
	if n := len(rc.got()); n != 6 {
		t.Errorf("reload sent events: the bot has %d, want 6", n)
	}
	if errs := b.eval(`JSON.stringify(window.__errs || [])`).(string); errs != "[]" {
		t.Errorf("page script errors: %s", errs)
	}
}

// browser drives headless Chromium through the DevTools protocol over
// --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON).
type browser struct {
	t       *testing.T
	w       io.Writer
	r       *bufio.Reader
	id      int
	session string
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{
		"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--remote-debugging-pipe", "--user-data-dir=" + filepath.Join(t.TempDir(), "profile"),
		"--window-size=420,900", "about:blank",
	}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, chromiumPath, args...)
	cmd.ExtraFiles = []*os.File{inR, outW}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start chromium: %v", err)
	}
	inR.Close()
	outW.Close()
	b := &browser{t: t, w: inW, r: bufio.NewReader(outR)}
	t.Cleanup(func() {
		// Ask Chromium to quit (it also quits when its pipe closes), give it
		// a moment to flush its profile, then kill it.
		b.session = ""
		data, _ := json.Marshal(map[string]any{"id": 1 << 30, "method": "Browser.close"})
		_, _ = inW.Write(append(data, 0))
		inW.Close()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cancel()
			<-exited
		}
		cancel()
		outR.Close()
	})
	res := b.call("Target.createTarget", map[string]any{"url": "about:blank"})
	var tgt struct {
		TargetID string `json:"targetId"`
	}
	_ = json.Unmarshal(res, &tgt)
	res = b.call("Target.attachToTarget", map[string]any{"targetId": tgt.TargetID, "flatten": true})
	var att struct {
		SessionID string `json:"sessionId"`
	}
	_ = json.Unmarshal(res, &att)
	b.session = att.SessionID
	b.call("Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": `window.__errs = [];
		window.addEventListener('error', e => window.__errs.push(String(e.message)));
		window.addEventListener('unhandledrejection', e => window.__errs.push(String(e.reason)));`})
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 420, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	return b
}

// call sends one command (to the page session once attached) and returns its result.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.id++
	msg := map[string]any{"id": b.id, "method": method, "params": params}
	if b.session != "" {
		msg["sessionId"] = b.session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.w.Write(append(data, 0)); err != nil {
		b.t.Fatalf("cdp %s: %v", method, err)
	}
	for {
		frame, err := b.r.ReadBytes(0)
		if err != nil {
			b.t.Fatalf("cdp %s: %v", method, err)
		}
		var resp struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(frame[:len(frame)-1], &resp); err != nil || resp.ID != b.id {
			continue // an event, or another command's answer
		}
		if resp.Error != nil {
			b.t.Fatalf("cdp %s: %s", method, resp.Error.Message)
		}
		return resp.Result
	}
}

func (b *browser) navigate(url string) {
	b.t.Helper()
	b.call("Page.navigate", map[string]any{"url": url})
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (b *browser) eval(expr string) any {
	b.t.Helper()
	res := b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	_ = json.Unmarshal(res, &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("js %q: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	return r.Result.Value
}

// waitFor polls a JavaScript condition until it is true (10 s at most).
func (b *browser) waitFor(cond string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if v, _ := b.eval("!!(" + cond + ")").(bool); v {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("timed out waiting for %s; page text:\n%v", cond, b.eval(`document.body ? document.body.innerText : ""`))
}

func (b *browser) screenshot(path string) {
	b.t.Helper()
	res := b.call("Page.captureScreenshot", map[string]any{"format": "png"})
	var r struct {
		Data []byte `json:"data"`
	}
	if err := json.Unmarshal(res, &r); err != nil || len(r.Data) < 5_000 {
		b.t.Errorf("screenshot: %v (%d bytes)", err, len(r.Data))
		return
	}
	if err := os.WriteFile(path, r.Data, 0o644); err != nil {
		b.t.Errorf("screenshot: %v", err)
	}
}

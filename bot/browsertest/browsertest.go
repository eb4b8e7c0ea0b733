// Package browsertest starts Debian's headless Chromium for the project's
// browser tests (through github.com/chromedp/chromedp), on a phone-sized
// screen, and gives them what each of them needs: run steps, read the page,
// wait for something to appear, take screenshots, and collect the page's
// console errors. A test is skipped when the browser is missing, unless
// CI=true, where that fails it (.ci/run installs the browser).
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

// Browser is one headless Chromium tab on a 390×844 phone screen.
type Browser struct {
	t     testing.TB
	ctx   context.Context
	shots string // where screenshots go (kept after the test)

	mu       sync.Mutex
	problems []string
}

// New starts the browser for t (stopped at cleanup); every step must finish
// within timeout. Screenshots go to a new temporary folder named after
// prefix, kept after the test so that a person can look, and logged.
func New(t testing.TB, prefix string, timeout time.Duration) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not installed (.ci/run installs it: apt-get install chromium)", ChromiumPath)
		}
		t.Skipf("browser check skipped: %s not installed (apt-get install chromium)", ChromiumPath)
	}
	shots, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(390, 844),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	// The first action starts the browser: no timeout on its context.
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	if err := chromedp.Do(ctx, phone); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &Browser{t: t, shots: shots}
	messages := chromedp.Console(ctx) // subscribes now
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.problems = append(b.problems, m.String()+" "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	tctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	b.ctx = tctx
	return b
}

// Context is the tab's context, for steps the helpers do not cover.
func (b *Browser) Context() context.Context { return b.ctx }

// Do runs steps; on failure the test fails with the page's text.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		b.t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
	}
}

// Eval evaluates a JavaScript expression that yields a string.
func (b *Browser) Eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitFor waits (up to 15 s) until a JavaScript condition holds.
func (b *Browser) WaitFor(what, cond string) {
	b.t.Helper()
	b.Do(what, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		return err
	}))
}

// Shot saves a screenshot (of the whole page with full) as name and returns
// its path.
func (b *Browser) Shot(name string, full bool) string {
	b.t.Helper()
	a := chromedp.CaptureScreenshot()
	if full {
		a = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(b.ctx, a)
	if err != nil || len(png) < 5000 {
		b.t.Fatalf("screenshot %s: %v (%d bytes)", name, err, len(png))
	}
	path := filepath.Join(b.shots, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// Problems are the errors the page logged to its console so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// Dir is the folder the screenshots go to.
func (b *Browser) Dir() string { return b.shots }

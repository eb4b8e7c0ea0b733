package linefake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

const testToken = "test-channel-token"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startServer starts a server that does not fail the test on validation
// errors (for tests that provoke them).
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.ChannelToken == "" {
		opts.ChannelToken = testToken
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// client returns an SDK client pointed at s.
func client(t *testing.T, s *Server, opts ...messaging_api.MessagingApiAPIOption) *messaging_api.MessagingApiAPI {
	t.Helper()
	opts = append([]messaging_api.MessagingApiAPIOption{messaging_api.WithEndpoint(s.URL())}, opts...)
	c, err := messaging_api.NewMessagingApiAPI(testToken, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawMessage is a message given as raw JSON (Flex passed through unchanged,
// or deliberately broken messages).
type rawMessage json.RawMessage

func (m rawMessage) GetType() string {
	var v struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(m, &v)
	return v.Type
}

func (m rawMessage) MarshalJSON() ([]byte, error) { return m, nil }

// text returns an SDK text message.
func text(s string) messaging_api.MessageInterface {
	return &messaging_api.TextMessage{Text: s}
}

// push sends a push with the SDK, fixing the customAggregationUnits pitfall.
func push(c *messaging_api.MessagingApiAPI, to, retryKey string, msgs ...messaging_api.MessageInterface) (*http.Response, error) {
	res, _, err := c.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To: to, Messages: msgs, CustomAggregationUnits: []string{},
	}, retryKey)
	return res, err
}

// status returns the response's status (0 when there is none).
func status(res *http.Response) int {
	if res == nil {
		return 0
	}
	return res.StatusCode
}

// errorBody decodes a LINE error answer.
func errorBody(t *testing.T, res *http.Response) map[string]any {
	t.Helper()
	if res == nil {
		t.Fatal("no response")
	}
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("error body %q is not JSON: %v", data, err)
	}
	return m
}

// quickReply returns n message-action quick reply items.
func quickReply(n int) *messaging_api.QuickReply {
	qr := &messaging_api.QuickReply{}
	for i := range n {
		qr.Items = append(qr.Items, messaging_api.QuickReplyItem{
			Type:   "action",
			Action: &messaging_api.MessageAction{Label: fmt.Sprintf("ตัวเลือก %d", i), Text: fmt.Sprint(i)},
		})
	}
	return qr
}

// fakeTB records NewTest's failures.
type fakeTB struct {
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// repeat returns s repeated n times.
func repeat(s string, n int) string { return strings.Repeat(s, n) }

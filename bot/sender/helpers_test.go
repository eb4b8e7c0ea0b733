package sender_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/sender"
)

const token = "t"

// newFake starts a fake LINE server that fails the test for every request that
// breaks LINE's specification.
func newFake(t *testing.T) *linefake.Server {
	t.Helper()
	return linefake.NewTest(t, linefake.Options{ChannelToken: token})
}

// newLenientFake starts a fake LINE server that only records validation errors,
// for tests that send invalid requests on purpose.
func newLenientFake(t *testing.T) *linefake.Server {
	t.Helper()
	fake, err := linefake.New(linefake.Options{ChannelToken: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake
}

// newSender returns the real sender pointed at fake, with a short client
// timeout and short backoff; opts adjust the config.
func newSender(t testing.TB, fake *linefake.Server, opts ...func(*sender.Config)) *sender.Sender {
	t.Helper()
	cfg := sender.Config{
		Token:          token,
		APIURL:         fake.URL(),
		HTTPClient:     &http.Client{Timeout: 300 * time.Millisecond},
		InitialBackoff: 10 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := sender.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// texts returns n text messages "<prefix> 1" … "<prefix> n".
func texts(prefix string, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = textMsg(fmt.Sprintf("%s %d", prefix, i+1))
	}
	return out
}

func textMsg(s string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"type": "text", "text": s})
	return b
}

func textsOf(msgs []json.RawMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		var v struct{ Text string }
		_ = json.Unmarshal(m, &v)
		out[i] = v.Text
	}
	return out
}

// assertReceived checks that the user received exactly want, in order: every
// message once, nothing else.
func assertReceived(t *testing.T, fake *linefake.Server, user string, want []string) []linefake.Delivery {
	t.Helper()
	got := fake.Received(user)
	gotTexts := make([]string, len(got))
	for i, d := range got {
		gotTexts[i] = d.Text()
	}
	if !slices.Equal(gotTexts, want) {
		t.Errorf("user received %d messages %q, want exactly %q", len(gotTexts), gotTexts, want)
	}
	return got
}

// statuses returns the HTTP statuses the fake answered on endpoint, in order.
func statuses(fake *linefake.Server, endpoint string) []int {
	var out []int
	for _, c := range fake.CallsTo(endpoint) {
		out = append(out, c.Status)
	}
	return out
}

// store is the caller's storage of an outbox: every save keeps a JSON copy,
// as Redis would.
type store struct {
	mu    sync.Mutex
	saved [][]byte
}

func (s *store) save(_ context.Context, o *sender.Outbox) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved = append(s.saved, b)
	return nil
}

func (s *store) snapshots(t *testing.T) []sender.Outbox {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]sender.Outbox, len(s.saved))
	for i, b := range s.saved {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// last returns the outbox as last stored, as a retry of the event loads it.
func (s *store) last(t *testing.T) *sender.Outbox {
	t.Helper()
	snaps := s.snapshots(t)
	if len(snaps) == 0 {
		t.Fatal("the outbox was never saved")
	}
	return &snaps[len(snaps)-1]
}

func allowPush(context.Context) (bool, error) { return true, nil }
func denyPush(context.Context) (bool, error)  { return false, nil }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

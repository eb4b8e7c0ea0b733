// Package apptest runs the whole service for tests: the real webhook, queue,
// workers, guidance engine and sender, against the project's fake LINE server,
// on either the embedded default (memory store + miniredis) or real PostgreSQL
// and Redis. Scenario tests drive conversations through it as LINE would.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/postgres/pgtest"
	"github.com/paitor/paitor/content/sample"
)

// Secret is the channel secret the harness signs webhooks with.
const Secret = "test-channel-secret"

// Harness is a running service.
type Harness struct {
	t      testing.TB
	App    *app.App
	Fake   *linefake.Server
	Server *httptest.Server
	Store  content.Store
	Redis  redistest.Target
	Client *http.Client
	Clock  *Clock

	mu      sync.Mutex
	stopRun func()
}

// Options adjust a harness.
type Options struct {
	Store     content.Store       // default: memory
	Redis     *redistest.Target   // default: embedded
	NoWorkers bool                // do not start the queue workers
	Tweak     func(c *app.Config) // change the service's config before it is built
}

// Each runs f against the embedded default and against real PostgreSQL+Redis.
func Each(t *testing.T, f func(t *testing.T, h *Harness)) {
	t.Helper()
	t.Run("embedded", func(t *testing.T) { f(t, New(t, Options{})) })
	t.Run("postgres+redis", func(t *testing.T) {
		tg := redistest.Real(t)
		f(t, New(t, Options{Store: pgtest.Open(t), Redis: &tg}))
	})
}

// New starts a service for t; everything stops at cleanup.
func New(t testing.TB, opts Options) *Harness {
	t.Helper()
	fake := linefake.NewTest(t, linefake.Options{ChannelToken: "test-token"})
	if opts.Store == nil {
		opts.Store = memory.New()
	}
	// The catalog a newcomer sees with `make run`: the sample pack.
	if err := sample.Load(context.Background(), opts.Store); err != nil {
		t.Fatal(err)
	}
	if opts.Redis == nil {
		tg := redistest.Embedded(t)
		opts.Redis = &tg
	}
	clock := &Clock{}
	cfg := app.Config{
		Now:   clock.Now,
		Store: opts.Store, Redis: opts.Redis.Client, RedisPrefix: opts.Redis.Prefix,
		ChannelSecret: Secret, ChannelToken: "test-token", APIURL: fake.URL(), DataAPIURL: fake.URL(),
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Queue:       queue.Config{Block: 50 * time.Millisecond, LeaseTTL: 3 * time.Second, Partitions: 4},
		HTTPTimeout: 2 * time.Second,
		// Tests send scheduled messages themselves (Bot.SendDue) at the clock
		// time they choose.
		SchedulerTick: time.Hour,
		TicketTick:    time.Hour, // tests escalate themselves (App.Tickets.Escalate)
		PublicURL:     "http://paitor.test",
		RetryBackoff:  20 * time.Millisecond,
	}
	if opts.Tweak != nil {
		opts.Tweak(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	h := &Harness{t: t, App: a, Fake: fake, Store: opts.Store, Redis: *opts.Redis, Client: &http.Client{Timeout: 10 * time.Second}, Clock: clock}
	h.Server = httptest.NewServer(a.Handler())
	t.Cleanup(h.Server.Close)
	if !opts.NoWorkers {
		h.StartWorkers()
	}
	t.Cleanup(h.StopWorkers)
	return h
}

// StartWorkers starts the queue workers (a second call does nothing).
func (h *Harness) StartWorkers() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopRun != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = h.App.Run(ctx) }()
	h.stopRun = func() { cancel(); <-done }
}

// StopWorkers stops the workers, letting in-flight events finish.
func (h *Harness) StopWorkers() {
	h.mu.Lock()
	stop := h.stopRun
	h.stopRun = nil
	h.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// NewUser returns a fresh LINE user known to the fake.
func (h *Harness) NewUser() string {
	id := linefake.NewUserID()
	h.Fake.AddUser(id, "ทดสอบ")
	return id
}

// Post delivers events as one signed webhook and returns the HTTP status.
func (h *Harness) Post(events ...json.RawMessage) int {
	h.t.Helper()
	status, err := linefake.Deliver(context.Background(), h.Client, h.Server.URL+"/callback", Secret, events...)
	if err != nil {
		h.t.Fatalf("deliver webhook: %v", err)
	}
	return status
}

// MustPost is Post that fails the test unless the webhook answers 200.
func (h *Harness) MustPost(events ...json.RawMessage) {
	h.t.Helper()
	if s := h.Post(events...); s != http.StatusOK {
		h.t.Fatalf("webhook answered %d", s)
	}
}

// Wait waits until user has received n messages in all and returns them.
func (h *Harness) Wait(user string, n int) []linefake.Delivery {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	got, err := h.Fake.WaitReceived(ctx, user, n)
	if err != nil {
		h.t.Fatalf("waiting for %d messages: %v", n, err)
	}
	return got
}

// Settle waits until the queue is empty and stays so briefly, so a test can
// check that nothing more arrives.
func (h *Harness) Settle() {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	quiet := 0
	for quiet < 5 {
		st, err := h.App.Queue.Stats(context.Background())
		if err == nil && st.Depth == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("queue did not drain: %+v %v", st, err)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// Texts returns the text of each delivery ("[type]" for other messages).
func Texts(ds []linefake.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		if d.Type() == "text" {
			out[i] = d.Text()
		} else {
			out[i] = "[" + d.Type() + "]"
		}
	}
	return out
}

// QuickReply is a quick-reply chip of a delivered message.
type QuickReply struct {
	Label, Type, Data, Text string
}

// QuickReplies returns the quick-reply chips of a delivered message.
func QuickReplies(d linefake.Delivery) []QuickReply {
	var m struct {
		QuickReply struct {
			Items []struct {
				Action QuickReply `json:"action"`
			} `json:"items"`
		} `json:"quickReply"`
	}
	_ = json.Unmarshal(d.Message, &m)
	out := make([]QuickReply, len(m.QuickReply.Items))
	for i, it := range m.QuickReply.Items {
		out[i] = it.Action
	}
	return out
}

// QuickReplyLabels returns the quick-reply labels of a delivered message.
func QuickReplyLabels(d linefake.Delivery) []string {
	var out []string
	for _, q := range QuickReplies(d) {
		out = append(out, q.Label)
	}
	return out
}

// Tap returns the postback data of the chip with this label; the test fails
// when there is none.
func (h *Harness) Tap(d linefake.Delivery, label string) string {
	h.t.Helper()
	for _, q := range QuickReplies(d) {
		if q.Label == label {
			return q.Data
		}
	}
	h.t.Fatalf("no quick reply %q; chips are %v", label, QuickReplyLabels(d))
	return ""
}

package apptest

import (
	"io"
	"log/slog"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/queue"
)

// Instance builds another instance of the service on the harness's store,
// Redis, fake LINE server and clock, configured as New configures the
// harness's own and then changed by tweak (may be nil): a second process, or
// the same one after a restart. Its queue workers are not started (tests call
// its services directly); it is closed at cleanup.
func (h *Harness) Instance(tweak func(c *app.Config)) *app.App {
	h.t.Helper()
	cfg := app.Config{
		Now:   h.Clock.Now,
		Store: h.Store, Redis: h.Redis.Client, RedisPrefix: h.Redis.Prefix,
		ChannelSecret: Secret, ChannelToken: "test-token", APIURL: h.Fake.URL(), DataAPIURL: h.Fake.URL(),
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		Queue:         queue.Config{Block: 50 * time.Millisecond, LeaseTTL: 3 * time.Second, Partitions: 4},
		HTTPTimeout:   2 * time.Second,
		SchedulerTick: time.Hour,
		TicketTick:    time.Hour,
		PublicURL:     "http://paitor.test",
		RetryBackoff:  20 * time.Millisecond,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = a.Close() })
	return a
}

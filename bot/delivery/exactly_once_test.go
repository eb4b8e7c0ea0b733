package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// statuses counts the multicast answers by HTTP status.
func statuses(fake *linefake.Server) map[int]int {
	out := map[int]int{}
	for _, c := range fake.CallsTo("multicast") {
		out[c.Status]++
	}
	return out
}

// 10,000 recipients while LINE fails a fifth of the multicasts with 500 or
// 429: everyone gets the announcement exactly once.
func TestTenThousandRecipientsExactlyOnce(t *testing.T) {
	t.Run("memory+embedded", func(t *testing.T) {
		tenThousand(t, memory.New(), redistest.Embedded(t))
	})
	t.Run("postgres+redis", func(t *testing.T) {
		tg := redistest.Real(t)
		tenThousand(t, pgtest.Open(t), tg)
	})
}

func tenThousand(t *testing.T, st content.Store, tg redistest.Target) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	f := newFixture(t, st, tg, linefake.Options{DiscardCallBodies: true})
	ps := plainPeople(1, 10_000)
	addPeople(t, f.st, ps)
	f.fake.SetFailureRate("multicast", 0.2, 7)
	e := f.engine(t)
	a := f.announce(t, content.Audience{}, noon)
	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, f.fake, ids(ps))
	got := statuses(f.fake)
	if got[500] == 0 || got[429] == 0 || got[200] != 20 {
		t.Errorf("multicast answers %v: want 20 accepted and some 500s and 429s", got)
	}
	st2 := f.stats(t, a)
	if st2 != (content.BroadcastStats{Targeted: 10_000, Sent: 10_000}) {
		t.Errorf("stats %+v", st2)
	}
	if s := f.announcement(t, a).Status; s != content.AnnSent {
		t.Errorf("status %q", s)
	}
	t.Logf("multicast answers: %v", got)
}

var errKilled = errors.New("killed")

// An engine dies after LINE accepted chunks it never recorded; another engine
// finishes the broadcast: the unrecorded chunks go again under their retry
// keys, LINE answers 409, and nobody gets anything twice.
func TestKillMidBroadcast(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		f := newFixture(t, memory.New(), tg, linefake.Options{DiscardCallBodies: true})
		ps := plainPeople(1, 5000)
		addPeople(t, f.st, ps)
		f.fake.SetFailureRate("multicast", 0.1, 3)
		a := f.announce(t, content.Audience{}, noon)

		ctx, kill := context.WithCancel(context.Background())
		defer kill()
		var dead atomic.Bool
		var accepted atomic.Int64
		// A shared limiter keeps the sending slow enough for the kill to come
		// in the middle.
		limiter := redisstate.New(f.rdb, f.prefix).NewLimiter(map[string]int{"multicast": 20})
		first := f.engine(t, func(c *Config) { c.ChunkSize = 100; c.Sender = f.sender(t, limiter) })
		first.hook = func(stage, _ string, _ int) error {
			if dead.Load() {
				return errKilled
			}
			if stage == "sent" && accepted.Add(1) == 8 {
				dead.Store(true) // the process is gone: nothing more is recorded
				kill()
				return errKilled
			}
			return nil
		}
		if err := first.Run(ctx); err != nil {
			t.Fatal(err)
		}
		unrecorded := int(accepted.Load()) - f.stats(t, a).Sent/100
		if unrecorded < 1 || f.fake.DeliveredCount() >= 5000 {
			t.Fatalf("the kill came too late: %d delivered, %d chunks accepted and not recorded", f.fake.DeliveredCount(), unrecorded)
		}

		second := f.engine(t, func(c *Config) { c.ChunkSize = 100 })
		stop := run(t, second)
		waitFor(t, 20*time.Second, "the announcement sent", func() bool { return f.announcement(t, a).Status == content.AnnSent })
		stop()
		checkOnce(t, f.fake, ids(ps))
		if n := statuses(f.fake)[409]; n < unrecorded {
			t.Errorf("%d answers 409, want at least %d (the chunks accepted before the kill)", n, unrecorded)
		}
		if st := f.stats(t, a); st.Sent != 5000 || st.Pending != 0 {
			t.Errorf("stats %+v", st)
		}
	})
}

// Two engines on one Redis and store share a broadcast: both send chunks,
// no chunk goes twice.
func TestTwoEnginesShareABroadcast(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		ctx := context.Background()
		f := newFixture(t, memory.New(), tg, linefake.Options{DiscardCallBodies: true})
		ps := plainPeople(1, 6000)
		addPeople(t, f.st, ps)
		limiter := redisstate.New(f.rdb, f.prefix).NewLimiter(map[string]int{"multicast": 40})
		var engines [2]*Engine
		for i := range engines {
			engines[i] = f.engine(t, func(c *Config) { c.ChunkSize = 100; c.Sender = f.sender(t, limiter) })
			run(t, engines[i])
		}
		// Wait until the two share the partitions.
		waitFor(t, 10*time.Second, "both engines to hold partitions", func() bool {
			owners := map[string]bool{}
			for p := range 8 {
				if v, err := f.rdb.Get(ctx, f.prefix+"bcast:in:lease:"+string(rune('0'+p))).Result(); err == nil {
					owners[v] = true
				}
			}
			return len(owners) == 2
		})
		a := f.announce(t, content.Audience{}, noon)
		waitFor(t, 20*time.Second, "the announcement sent", func() bool { return f.announcement(t, a).Status == content.AnnSent })
		checkOnce(t, f.fake, ids(ps))
		n0, n1 := engines[0].chunksSent.Load(), engines[1].chunksSent.Load()
		if n0 == 0 || n1 == 0 || n0+n1 != 60 {
			t.Errorf("chunks sent by the engines: %d and %d, want both > 0 and 60 in all", n0, n1)
		}
		if got := statuses(f.fake); got[200] != 60 || len(got) != 1 {
			t.Errorf("multicast answers %v, want 60 × 200", got)
		}
		t.Logf("chunks sent: %d and %d", n0, n1)
	})
}

// The engine in another process is killed with SIGKILL in the middle of a
// broadcast, while LINE holds the answers to chunks it already accepted; an
// engine here finishes it. PostgreSQL and the real Redis, as in production.
func TestKillNineMidBroadcast(t *testing.T) {
	if os.Getenv("DELIVERY_CHILD") != "" {
		t.Skip("in the child process")
	}
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	tg := redistest.Real(t)
	st, err := postgres.Open(ctx, dbURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st, tg, linefake.Options{DiscardCallBodies: true})
	ps := plainPeople(1, 10_000)
	addPeople(t, f.st, ps)
	// The first four multicasts are delivered but answered only after 3 s.
	f.fake.Inject(linefake.Fault{Endpoint: "multicast", Delay: 3 * time.Second, Deliver: true, Times: 4})
	a := f.announce(t, content.Audience{}, noon)

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillNineChild$", "-test.v")
	cmd.Env = append(os.Environ(), "DELIVERY_CHILD=1", "DELIVERY_PG="+dbURL, "DELIVERY_SCHEMA="+schema,
		"DELIVERY_REDIS="+redistest.URL(), "DELIVERY_PREFIX="+f.prefix, "DELIVERY_LINE="+f.fake.URL())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the child to deliver 2,500", func() bool {
		return f.fake.DeliveredCount() >= 2500 || cmd.ProcessState != nil
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	before, recorded := f.fake.DeliveredCount(), f.stats(t, a).Sent
	t.Logf("killed the child with %d delivered and %d recorded sent", before, recorded)
	if before >= 10_000 || before-recorded < 250 {
		t.Fatalf("the kill came too late (%d delivered, %d recorded); child output:\n%s", before, recorded, out.String())
	}

	e := f.engine(t, func(c *Config) { c.ChunkSize = 250 })
	stop := run(t, e)
	waitFor(t, 30*time.Second, "the announcement sent", func() bool { return f.announcement(t, a).Status == content.AnnSent })
	stop()
	checkOnce(t, f.fake, ids(ps))
	got := statuses(f.fake)
	if got[409] == 0 {
		t.Errorf("no 409: the chunks accepted before the kill were not sent again under their keys (%v)", got)
	}
	if st := f.stats(t, a); st.Sent != 10_000 || st.Pending != 0 {
		t.Errorf("stats %+v", st)
	}
	t.Logf("multicast answers: %v", got)
}

// TestKillNineChild is the process TestKillNineMidBroadcast kills.
func TestKillNineChild(t *testing.T) {
	if os.Getenv("DELIVERY_CHILD") == "" {
		t.Skip("run by TestKillNineMidBroadcast")
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("DELIVERY_PG"), postgres.Options{Schema: os.Getenv("DELIVERY_SCHEMA")})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(os.Getenv("DELIVERY_REDIS"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	prefix := os.Getenv("DELIVERY_PREFIX")
	snd, err := sender.New(sender.Config{
		Token: token, APIURL: os.Getenv("DELIVERY_LINE"),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, InitialBackoff: 5 * time.Millisecond,
		Limiter: redisstate.New(rdb, prefix).NewLimiter(map[string]int{"multicast": 20}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{
		Store: st, Sender: snd, Redis: rdb, Prefix: prefix, ChunkSize: 250,
		Now: func() time.Time { return noon }, Log: quietLog,
		Messages: func(context.Context, content.Announcement) ([]json.RawMessage, error) {
			return []json.RawMessage{json.RawMessage(`{"type":"text","text":"มหกรรมการเรียนรู้"}`)}, nil
		},
		Tick: 50 * time.Millisecond, LockTTL: 2 * time.Second,
		Queue: queue.Config{Block: 50 * time.Millisecond, LeaseTTL: 900 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = e.Run(ctx) // until killed
}

package delivery

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

const (
	benchRecipients = 1_000_000
	lineLimit       = 200 // multicasts a second the fake LINE allows
	engineLimit     = 190 // multicasts a second the engine's shared limiter allows
)

// reachable skips b unless PostgreSQL and Redis answer (even under CI=true:
// this is a benchmark, not a test).
func reachable(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		u = pgtest.DefaultURL
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		b.Skipf("PostgreSQL not reachable: %v", err)
	}
	conn.Close(ctx)
	opts, err := redis.ParseURL(redistest.URL())
	if err != nil {
		b.Skipf("Redis URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		b.Skipf("Redis not reachable: %v", err)
	}
}

// loadRecipients writes n following users with profiles in Mueang Khon Kaen
// with COPY.
func loadRecipients(b *testing.B, databaseURL string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	now := time.Now().UTC()
	i := 0
	users, err := conn.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "status", "role", "followed_at", "created_at", "updated_at", "settings"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return []any{uid(i), "following", "youth", now, now, now, "{}"}, nil
		}))
	if err != nil || users != int64(n) {
		b.Fatalf("COPY users: %d rows, %v", users, err)
	}
	i = 0
	profiles, err := conn.CopyFrom(ctx, pgx.Identifier{"profiles"}, []string{"user_id", "fields", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return []any{uid(i), `{"province": "TH-40", "district": "เมืองขอนแก่น", "age": "17", "interests": "tech"}`, now}, nil
		}))
	if err != nil || profiles != int64(n) {
		b.Fatalf("COPY profiles: %d rows, %v", profiles, err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE users; ANALYZE profiles`); err != nil {
		b.Fatal(err)
	}
}

// rowsWritten sums the rows inserted, updated and deleted in the schema's
// tables, as PostgreSQL's statistics count them.
func rowsWritten(b *testing.B, conn *pgx.Conn, schema string) int64 {
	var n int64
	err := conn.QueryRow(context.Background(), `
		SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint
		FROM pg_stat_user_tables WHERE schemaname = $1`, schema).Scan(&n)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// memSampler records the peak of the Go runtime's memory (all classes, less
// what was returned to the OS) and of the live heap.
type memSampler struct {
	peakTotal, peakHeap atomic.Uint64
	stop                chan struct{}
	done                sync.WaitGroup
}

func sampleMemory() *memSampler {
	m := &memSampler{stop: make(chan struct{})}
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	m.done.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			total := samples[0].Value.Uint64() - samples[1].Value.Uint64()
			if total > m.peakTotal.Load() {
				m.peakTotal.Store(total)
			}
			if h := samples[2].Value.Uint64(); h > m.peakHeap.Load() {
				m.peakHeap.Store(h)
			}
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	})
	return m
}

func (m *memSampler) Stop() { close(m.stop); m.done.Wait() }

// peakRSS reads the process's peak resident set (Linux), or "unknown".
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// resolveTimer catches the engine's "announcement resolved" log line.
type resolveTimer struct {
	slog.Handler
	took atomic.Int64
}

func (h *resolveTimer) Enabled(context.Context, slog.Level) bool { return true }
func (h *resolveTimer) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "delivery: announcement resolved" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "took" {
				h.took.Store(int64(a.Value.Duration()))
			}
			return true
		})
	}
	if r.Level >= slog.LevelWarn && !strings.Contains(r.Message, "will retry") {
		fmt.Fprintln(os.Stderr, r.Level, r.Message)
	}
	return nil
}

// startFakeLine runs the fake LINE API in a child process (so that the
// memory measured here is the engine's alone) and returns its URL.
func startFakeLine(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFakeLineProcess$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "DELIVERY_FAKE_LINE=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "FAKE-LINE-URL "); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return u
		}
	}
	b.Fatalf("the fake LINE process did not start: %v", sc.Err())
	return ""
}

// fakeStats is what the fake LINE process reports.
type fakeStats struct {
	Delivered int
	NotOnce   int // of uid(1)..uid(n), how many did not receive exactly one message
	Statuses  map[int]int
	Accepted  []time.Time // when each accepted multicast arrived, in order
}

// fakeLine calls one of the fake LINE process's own endpoints.
func fakeLine(b *testing.B, base, path string, into any) {
	res, err := http.Get(base + path)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("%s: %s", path, res.Status)
	}
	if into != nil {
		if err := json.NewDecoder(res.Body).Decode(into); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFakeLineProcess is the fake LINE API process of BenchmarkBroadcastMillion.
func TestFakeLineProcess(t *testing.T) {
	if os.Getenv("DELIVERY_FAKE_LINE") == "" {
		t.Skip("run by BenchmarkBroadcastMillion")
	}
	s, err := linefake.New(linefake.Options{ChannelToken: token, DiscardCallBodies: true})
	if err != nil {
		t.Fatal(err)
	}
	s.SetRateLimit("multicast", lineLimit, lineLimit)
	mux := http.NewServeMux()
	mux.HandleFunc("/_reset", func(w http.ResponseWriter, r *http.Request) { s.Reset() })
	mux.HandleFunc("/_stats", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		st := fakeStats{Delivered: s.DeliveredCount(), Statuses: map[int]int{}}
		for _, c := range s.CallsTo("multicast") {
			st.Statuses[c.Status]++
			if c.Status == 200 {
				st.Accepted = append(st.Accepted, c.At)
			}
		}
		sort.Slice(st.Accepted, func(i, j int) bool { return st.Accepted[i].Before(st.Accepted[j]) })
		for i := 1; i <= n; i++ {
			if len(s.Received(uid(i))) != 1 {
				st.NotOnce++
			}
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.Handle("/", s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("FAKE-LINE-URL http://" + ln.Addr().String())
	_ = http.Serve(ln, mux)
}

// BenchmarkBroadcastMillion sends one announcement to 1,000,000 people stored
// in PostgreSQL through the fake LINE API, which allows 200 multicasts a
// second (the engine's shared limiter: 190). It reports the time to resolve
// the audience into chunks, the delivery rate as a share of LINE's limit, the
// peak memory of the engine's process (the fake LINE server runs in a
// child process) and the PostgreSQL rows written per recipient. Skipped
// unless PostgreSQL and Redis answer. Run it with
//
//	go test -run '^$' -bench BroadcastMillion -benchtime 1x ./bot/delivery/
func BenchmarkBroadcastMillion(b *testing.B) {
	reachable(b)
	ctx := context.Background()
	databaseURL, schema := pgtest.Schema(b)
	st, err := postgres.Open(ctx, databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	loadRecipients(b, databaseURL, benchRecipients)
	b.Logf("loaded %d users with profiles in %v", benchRecipients, time.Since(t0).Round(time.Millisecond))
	statConn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer statConn.Close(ctx)

	tg := redistest.Real(b)
	f := newFixture(b, st, tg, linefake.Options{}) // its fake LINE stays idle
	lineURL := startFakeLine(b)
	limiter := redisstate.New(f.rdb, f.prefix).NewLimiter(map[string]int{"multicast": engineLimit})
	snd, err := sender.New(sender.Config{
		Token: token, APIURL: lineURL, Limiter: limiter,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}},
	})
	if err != nil {
		b.Fatal(err)
	}
	timer := &resolveTimer{}
	e := f.engine(b, func(c *Config) {
		c.Sender, c.Log, c.WeeklyCap = snd, slog.New(timer), 1000
		c.Tick, c.SweepEvery = 20*time.Millisecond, time.Hour
	})

	// broadcast sends one announcement to everyone. Phased, it resolves the
	// audience first and then starts sending (to measure each alone); else
	// it runs the engine as production does, sending while it resolves.
	broadcast := func(phased bool) {
		name := "together (as Run does it)"
		if phased {
			name = "phased (resolve, then send)"
		}
		fakeLine(b, lineURL, "/_reset", nil)
		runtime.GC()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // Linux: restart the peak RSS
		mem := sampleMemory()
		a := content.Announcement{ID: uuid.NewString(), CityID: f.city.ID, FestivalID: f.fest.ID, Status: content.AnnScheduled, ScheduledAt: noon}
		if err := st.SaveAnnouncement(ctx, a); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if phased {
			if err := e.claimRound(ctx); err != nil {
				b.Fatal(err)
			}
		}
		sendStart := time.Now()
		stop := run(b, e)
		deadline := time.Now().Add(5 * time.Minute)
		for {
			got, err := st.Announcement(ctx, a.CityID, a.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.Status == content.AnnSent {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("not sent after 5 min: %+v", f.stats(b, a))
			}
			time.Sleep(50 * time.Millisecond)
		}
		total := time.Since(start)
		stop()
		mem.Stop()

		var fs fakeStats
		fakeLine(b, lineURL, fmt.Sprintf("/_stats?n=%d", benchRecipients), &fs)
		accepted := fs.Accepted
		if fs.Delivered != benchRecipients || fs.NotOnce != 0 || len(accepted) != benchRecipients/500 {
			b.Fatalf("delivered %d in %d accepted multicasts (%d people did not get exactly one); answers %v",
				fs.Delivered, len(accepted), fs.NotOnce, fs.Statuses)
		}
		// The rate over the sending: from the first accepted multicast to
		// the last, counting the intervals between them; and the steady
		// rate, leaving out the first second (the limiters let a second's
		// worth through at once at the start).
		first, last := accepted[0], accepted[len(accepted)-1]
		perSec := float64(len(accepted)-1) / last.Sub(first).Seconds()
		k := sort.Search(len(accepted), func(i int) bool { return accepted[i].Sub(first) >= time.Second })
		steady := float64(len(accepted)-1-k) / last.Sub(accepted[k]).Seconds()
		sts := f.stats(b, a)
		resolve := time.Duration(timer.took.Load())

		unit := "-together"
		if phased {
			unit = "-phased"
			b.ReportMetric(resolve.Seconds(), "resolve-s")
			b.ReportMetric(100*steady/lineLimit, "steady-%-of-LINE-limit")
		}
		b.ReportMetric(total.Seconds(), "total-s"+unit)
		b.ReportMetric(float64(mem.peakTotal.Load())/(1<<20), "peak-MB"+unit)
		fmt.Printf("\nBroadcastMillion, %s: %d recipients, %d multicasts of 500, answers %v\n", name, sts.Sent, len(accepted), fs.Statuses)
		fmt.Printf("  resolve (stream, caps, save, queue):  %v\n", resolve.Round(time.Millisecond))
		fmt.Printf("  first multicast after:                %v\n", accepted[0].Sub(sendStart).Round(time.Millisecond))
		fmt.Printf("  whole broadcast (claim to sent):      %v\n", total.Round(time.Millisecond))
		fmt.Printf("  delivery, first to last multicast:    %.1f multicasts/s = %.0f recipients/s = %.1f%% of LINE's %d/s\n",
			perSec, perSec*500, 100*perSec/lineLimit, lineLimit)
		fmt.Printf("  delivery, steady (after the 1st s):   %.1f multicasts/s = %.0f recipients/s = %.1f%% of LINE's %d/s (%.1f%% of the engine's %d/s)\n",
			steady, steady*500, 100*steady/lineLimit, lineLimit, 100*steady/engineLimit, engineLimit)
		fmt.Printf("  peak memory: %.0f MB in use by the Go runtime (live heap peak %.0f MB; peak RSS %s); the fake LINE runs in another process\n",
			float64(mem.peakTotal.Load())/(1<<20), float64(mem.peakHeap.Load())/(1<<20), peakRSS())
	}
	for b.Loop() {
		time.Sleep(11 * time.Second) // PostgreSQL's statistics of the load reach the views
		rows0 := rowsWritten(b, statConn, schema)
		broadcast(true)
		broadcast(false)
		time.Sleep(11 * time.Second) // idle backends flush their statistics within 10 s
		rows := rowsWritten(b, statConn, schema) - rows0
		b.ReportMetric(float64(rows)/(2*benchRecipients), "pg-rows/recipient")
		fmt.Printf("\nPostgreSQL: %d rows written (inserted, updated, deleted) for the two broadcasts = %.4f per recipient\n",
			rows, float64(rows)/(2*benchRecipients))
	}
}

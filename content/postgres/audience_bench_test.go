package postgres_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// audienceUsers is how many users BenchmarkStreamAudience1M loads.
const audienceUsers = 1_000_000

// benchProvinces are where the benchmark's users live, in turn.
var benchProvinces = []string{"TH-40", "TH-44", "TH-45", "TH-46"}

// loadAudience writes n users with profiles into the schema at databaseURL
// with COPY: every 20th blocked, every 10th with pushes off, roles and
// interests in turn, ages 13 to 42, one in 50 with no age.
func loadAudience(b *testing.B, databaseURL string, n int) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())

	now := time.Now().UTC()
	roles := []string{"youth", "youth", "parent", "other", ""}
	interests := []string{"care,trades", "tech", "arts,care", "agri", ""}
	userID := func(i int) string { return fmt.Sprintf("U%032x", uint64(i)*2654435761) }

	i := 0
	users, err := conn.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "status", "role", "followed_at", "blocked_at", "created_at", "updated_at", "settings"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			status, blockedAt, settings := "following", (*time.Time)(nil), "{}"
			if i%20 == 19 {
				status, blockedAt = "blocked", &now
			}
			if i%10 == 3 {
				settings = `{"pushes": "off"}`
			}
			row := []any{userID(i), status, roles[i%len(roles)], now, blockedAt, now, now, settings}
			i++
			return row, nil
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
			age := fmt.Sprint(13 + i%30)
			if i%50 == 7 {
				age = ""
			}
			fields := fmt.Sprintf(`{"province": %q, "district": "เมือง", "age": %q, "interests": %q}`,
				benchProvinces[i%len(benchProvinces)], age, interests[i%len(interests)])
			row := []any{userID(i), fields, now}
			i++
			return row, nil
		}))
	if err != nil || profiles != int64(n) {
		b.Fatalf("COPY profiles: %d rows, %v", profiles, err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE users; ANALYZE profiles`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStreamAudience1M loads 1,000,000 users with profiles into a fresh
// schema (COPY) and streams audiences over them: everyone, and a narrow one
// (one province, ages 15–24, youth, an interest). It reports users streamed
// per second (users/s: in the audience; scanned-users/s: looked at, which is
// everyone whatever the audience) and the peak Go heap while streaming, which
// stays flat however large the audience: blocks of 1,000 users are read and
// handed on. Not run by `go
// test`; run it with
//
//	go test -run '^$' -bench StreamAudience1M -benchtime 1x ./content/postgres/
func BenchmarkStreamAudience1M(b *testing.B) {
	databaseURL, schema := pgtest.Schema(b)
	ctx := context.Background()
	s, err := postgres.Open(ctx, databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	loadAudience(b, databaseURL, audienceUsers)
	b.Logf("loaded %d users with profiles in %v", audienceUsers, time.Since(start).Round(time.Millisecond))

	for _, bm := range []struct {
		name string
		a    content.Audience
		want func(n int) bool
	}{
		{"everyone", content.Audience{Provinces: benchProvinces}, func(n int) bool { return n == audienceUsers }},
		{"narrow", content.Audience{Provinces: benchProvinces[:1], AgeMin: 15, AgeMax: 24, Roles: []string{"youth"}, Interests: []string{"care"}},
			func(n int) bool { return n > 0 && n < audienceUsers/10 }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var (
				streamed, blocked int
				elapsed           time.Duration
				peak              uint64
			)
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				streamed, blocked = 0, 0
				t0 := time.Now()
				err := s.StreamAudience(ctx, bm.a, func(r content.Recipient) error {
					streamed++
					if r.Blocked {
						blocked++
					}
					return nil
				})
				elapsed += time.Since(t0)
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if !bm.want(streamed) {
					b.Fatalf("streamed %d users", streamed)
				}
			}
			b.ReportMetric(float64(streamed*b.N)/elapsed.Seconds(), "users/s")
			b.ReportMetric(float64(audienceUsers*b.N)/elapsed.Seconds(), "scanned-users/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.Logf("%s: %d users (%d blocked) in %v per stream; peak heap in use %.1f MB",
				bm.name, streamed, blocked, (elapsed / time.Duration(b.N)).Round(time.Millisecond), float64(peak)/(1<<20))
		})
	}
}

// sampleHeap records the largest HeapInuse seen into *peak until stop is
// called.
func sampleHeap(peak *uint64) (stop func()) {
	var (
		done = make(chan struct{})
		wg   sync.WaitGroup
		most atomic.Uint64
	)
	most.Store(*peak)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > most.Load() {
			most.Store(m.HeapInuse)
		}
	}
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		sample()
		*peak = most.Load()
	}
}

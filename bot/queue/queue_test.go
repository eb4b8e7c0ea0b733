package queue_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redistest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newQueue(t *testing.T, tg redistest.Target, cfg queue.Config) *queue.Queue {
	cfg.Prefix = tg.Prefix
	if cfg.Block == 0 {
		cfg.Block = 50 * time.Millisecond
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 900 * time.Millisecond
	}
	q := queue.New(tg.Client, cfg)
	t.Cleanup(func() { _ = q.Close() })
	return q
}

// run starts q.Run in the background and returns a stop function that waits.
func run(t *testing.T, q *queue.Queue, h queue.Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = q.Run(ctx, h, quiet) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRedeliveredEventIsQueuedOnce(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{})
		ctx := context.Background()
		ev := queue.Event{ID: "01JDUPLICATE", Key: "U1", Body: []byte(`{"type":"message"}`)}
		var total atomic.Int64
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				n, err := q.Enqueue(ctx, []queue.Event{ev})
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			})
		}
		wg.Wait()
		if total.Load() != 1 {
			t.Fatalf("10 concurrent deliveries queued %d times, want 1", total.Load())
		}
		st, err := q.Stats(ctx)
		if err != nil || st.Depth != 1 {
			t.Fatalf("depth = %d, %v; want 1", st.Depth, err)
		}
	})
}

func TestEventsOfOneUserAreHandledInOrder(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 4})
		const users, perUser = 12, 25
		var mu sync.Mutex
		seen := map[string][]int{}
		handled := atomic.Int64{}
		run(t, q, func(ctx context.Context, m queue.Message) error {
			var n int
			fmt.Sscanf(string(m.Body), "%d", &n)
			time.Sleep(time.Duration(n%3) * time.Millisecond) // uneven work
			mu.Lock()
			seen[m.Key] = append(seen[m.Key], n)
			mu.Unlock()
			handled.Add(1)
			return nil
		})
		for i := range perUser {
			var batch []queue.Event
			for u := range users {
				batch = append(batch, queue.Event{ID: fmt.Sprintf("e-%d-%d", u, i), Key: fmt.Sprintf("U%d", u), Body: fmt.Appendf(nil, "%d", i)})
			}
			if _, err := q.Enqueue(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "all events", func() bool { return handled.Load() == users*perUser })
		mu.Lock()
		defer mu.Unlock()
		for key, got := range seen {
			for i, n := range got {
				if n != i {
					t.Fatalf("user %s: events handled in order %v", key, got)
				}
			}
		}
	})
}

func TestFailedEventIsRetriedBeforeTheUsersNextEvent(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 1})
		var mu sync.Mutex
		var order []string
		fails := 2
		run(t, q, func(ctx context.Context, m queue.Message) error {
			mu.Lock()
			defer mu.Unlock()
			if m.ID == "first" && fails > 0 {
				fails--
				return errors.New("database unreachable")
			}
			order = append(order, m.ID)
			return nil
		})
		_, err := q.Enqueue(context.Background(), []queue.Event{{ID: "first", Key: "U1", Body: []byte("1")}, {ID: "second", Key: "U1", Body: []byte("2")}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "both events", func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 2 })
		if order[0] != "first" || order[1] != "second" {
			t.Fatalf("order = %v", order)
		}
	})
}

func TestPermanentFailureGoesToDeadLetters(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{})
		var next atomic.Bool
		run(t, q, func(ctx context.Context, m queue.Message) error {
			if m.ID == "bad" {
				return queue.Permanent(errors.New("cannot parse"))
			}
			next.Store(true)
			return nil
		})
		q.Enqueue(context.Background(), []queue.Event{{ID: "bad", Key: "U1", Body: []byte("x")}, {ID: "good", Key: "U1", Body: []byte("y")}})
		waitFor(t, "the next event", next.Load)
		waitFor(t, "a dead letter", func() bool { n, _ := q.DeadLetters(context.Background()); return n == 1 })
	})
}

// A worker that dies holding an event (it read it, never acknowledged it) loses
// nothing: another instance takes the partition over and handles it.
func TestEventHeldByADeadWorkerIsHandledByAnother(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		dying := newQueue(t, tg, queue.Config{Partitions: 1, LeaseTTL: 600 * time.Millisecond})
		picked := make(chan struct{})
		hang := make(chan struct{})
		defer close(hang)
		stopDying := run(t, dying, func(ctx context.Context, m queue.Message) error {
			close(picked)
			<-hang // the process "dies" here: never returns, never acks
			return nil
		})
		if _, err := dying.Enqueue(context.Background(), []queue.Event{{ID: "held", Key: "U1", Body: []byte("x")}}); err != nil {
			t.Fatal(err)
		}
		<-picked
		// Kill: the dead instance stops renewing its lease (its Run never returns
		// while the handler hangs, so stop it from the side).
		go stopDying()
		tg.Client.Del(context.Background(), tg.Prefix+"in:lease:0")

		survivor := newQueue(t, tg, queue.Config{Partitions: 1, LeaseTTL: 600 * time.Millisecond})
		var got atomic.Value
		run(t, survivor, func(ctx context.Context, m queue.Message) error {
			got.Store(m.ID)
			return nil
		})
		waitFor(t, "the survivor to handle the held event", func() bool { return got.Load() == "held" })
	})
}

func TestTwoInstancesHandleEveryEventOnce(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		a := newQueue(t, tg, queue.Config{Partitions: 8})
		b := newQueue(t, tg, queue.Config{Partitions: 8})
		var mu sync.Mutex
		count := map[string]int{}
		h := func(ctx context.Context, m queue.Message) error {
			mu.Lock()
			count[m.ID]++
			mu.Unlock()
			return nil
		}
		run(t, a, h)
		run(t, b, h)
		const n = 400
		for i := range n {
			a.Enqueue(context.Background(), []queue.Event{{ID: fmt.Sprint("e", i), Key: fmt.Sprint("U", i%37), Body: []byte("x")}})
		}
		waitFor(t, "all events", func() bool { mu.Lock(); defer mu.Unlock(); return len(count) == n })
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for id, c := range count {
			if c != 1 {
				t.Fatalf("event %s handled %d times", id, c)
			}
		}
	})
}

func TestEnqueueFailsWhenRedisIsDown(t *testing.T) {
	tg := redistest.Embedded(t)
	q := newQueue(t, tg, queue.Config{})
	tg.Mini.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := q.Enqueue(ctx, []queue.Event{{ID: "x", Key: "U1", Body: []byte("x")}}); err == nil {
		t.Fatal("enqueue with Redis down succeeded; the webhook would acknowledge a lost event")
	}
}

// A slow handler (a language model's answer) holds up only its own user: the
// partition goes on reading and handling the other users' events, and the slow
// user's next events run, in order, as soon as it finishes.
func TestASlowUserDoesNotHoldUpOthers(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 1, Block: time.Second})
		started, release := make(chan struct{}), make(chan struct{})
		var mu sync.Mutex
		var order []string // "A1", "B1"... as handled
		var slowDone time.Time
		handled := func(id string) bool {
			mu.Lock()
			defer mu.Unlock()
			return slices.Contains(order, id)
		}
		run(t, q, func(ctx context.Context, m queue.Message) error {
			if m.ID == "A1" {
				select {
				case <-started:
					t.Error("A1 started twice")
					return nil
				default:
				}
				close(started)
				<-release
			}
			mu.Lock()
			defer mu.Unlock()
			order = append(order, m.ID)
			if m.ID == "A1" {
				slowDone = time.Now()
			}
			return nil
		})
		var once sync.Once
		free := func() { once.Do(func() { close(release) }) }
		t.Cleanup(free) // before the stop of run: a failed test must not hang in it
		enqueue := func(ids ...string) {
			t.Helper()
			for _, id := range ids {
				if _, err := q.Enqueue(context.Background(), []queue.Event{{ID: id, Key: "U" + id[:1], Body: []byte(id)}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		enqueue("A1")
		<-started
		enqueue("A2", "B1", "C1", "A3", "B2")
		waitFor(t, "B's and C's events while A's handler runs", func() bool {
			return handled("B1") && handled("B2") && handled("C1")
		})
		if handled("A2") || handled("A3") {
			t.Fatalf("A's later events ran while A1 was running: %v", order)
		}
		free()
		waitFor(t, "A's later events", func() bool { return handled("A3") })
		mu.Lock()
		defer mu.Unlock()
		byUser := map[byte][]string{}
		for _, id := range order {
			byUser[id[0]] = append(byUser[id[0]], id)
		}
		if fmt.Sprint(byUser['A'], byUser['B']) != "[A1 A2 A3] [B1 B2]" {
			t.Fatalf("order = %v, want each user's events in order", order)
		}
		// Freed keys are noticed at once, not after a read's Block (1 s here).
		if d := time.Since(slowDone); d > 500*time.Millisecond {
			t.Fatalf("A2 and A3 ran %v after A1 finished", d)
		}
	})
}

// Under load (many users, uneven handlers, retried failures, events read across
// many rounds), each user's events are handled one at a time and in order, and
// each exactly once.
func TestEachUsersEventsRunOneAtATimeInOrder(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 2, Parallel: 4, BatchSize: 8})
		const users, perUser = 16, 12
		var mu sync.Mutex
		seen := map[string][]int{}
		busy := map[string]bool{}
		failed := map[string]bool{}
		handled := atomic.Int64{}
		run(t, q, func(ctx context.Context, m queue.Message) error {
			mu.Lock()
			if busy[m.Key] {
				t.Errorf("user %s: two events at once", m.Key)
			}
			busy[m.Key] = true
			fail := !failed[m.ID] && rand.IntN(8) == 0
			failed[m.ID] = true
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			busy[m.Key] = false
			if fail {
				return errors.New("database hiccup")
			}
			var n int
			fmt.Sscanf(string(m.Body), "%d", &n)
			seen[m.Key] = append(seen[m.Key], n)
			handled.Add(1)
			return nil
		})
		for i := range perUser {
			for u := range users {
				ev := queue.Event{ID: fmt.Sprintf("e-%d-%d", u, i), Key: fmt.Sprintf("U%d", u), Body: fmt.Appendf(nil, "%d", i)}
				if _, err := q.Enqueue(context.Background(), []queue.Event{ev}); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(time.Millisecond)
		}
		waitFor(t, "all events", func() bool { return handled.Load() == users*perUser })
		time.Sleep(100 * time.Millisecond) // anything handled twice shows now
		mu.Lock()
		defer mu.Unlock()
		if handled.Load() != users*perUser {
			t.Fatalf("%d events handled, want %d", handled.Load(), users*perUser)
		}
		for key, got := range seen {
			for i, n := range got {
				if n != i {
					t.Fatalf("user %s: events handled in order %v", key, got)
				}
			}
		}
	})
}

// Config.Parallel bounds the handlers running at once in a partition, however
// many rounds their events were read in.
func TestParallelBoundsHandlersPerPartition(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 1, Parallel: 3})
		var now, peak, handled atomic.Int64
		run(t, q, func(ctx context.Context, m queue.Message) error {
			n := now.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond)
			now.Add(-1)
			handled.Add(1)
			return nil
		})
		const events = 60
		for i := range events {
			ev := queue.Event{ID: fmt.Sprint("e", i), Key: fmt.Sprint("U", i%20), Body: []byte("x")}
			if _, err := q.Enqueue(context.Background(), []queue.Event{ev}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // read in many rounds
		}
		waitFor(t, "all events", func() bool { return handled.Load() == events })
		if p := peak.Load(); p != 3 {
			t.Fatalf("at most %d handlers ran at once, want 3", p)
		}
	})
}

// Stopping while a slow handler runs neither cancels nor abandons it: Run
// returns once it finished, its event is acknowledged, and the next owner of
// the partition handles only what was left.
func TestStoppingWaitsForRunningHandlers(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 1})
		var mu sync.Mutex
		count := map[string]int{}
		started, release := make(chan struct{}), make(chan struct{})
		var slowErr error
		var slowDone atomic.Bool
		var once sync.Once
		free := func() { once.Do(func() { close(release) }) }
		defer free() // a failed test must not leave Run waiting for the handler
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			_ = q.Run(ctx, func(hctx context.Context, m queue.Message) error {
				if m.ID == "slow" {
					close(started)
					<-release
					slowErr = hctx.Err()
					slowDone.Store(true)
				}
				mu.Lock()
				count[m.ID]++
				mu.Unlock()
				return nil
			}, quiet)
		}()
		if _, err := q.Enqueue(context.Background(), []queue.Event{{ID: "slow", Key: "U1", Body: []byte("1")}}); err != nil {
			t.Fatal(err)
		}
		<-started
		if _, err := q.Enqueue(context.Background(), []queue.Event{{ID: "next", Key: "U1", Body: []byte("2")}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond) // "next" is read (and left pending: U1 runs)
		cancel()
		select {
		case <-stopped:
			t.Fatal("Run returned while a handler was running")
		case <-time.After(300 * time.Millisecond):
		}
		free()
		<-stopped
		if !slowDone.Load() || slowErr != nil {
			t.Fatalf("slow handler finished = %v, its context ended = %v", slowDone.Load(), slowErr)
		}
		if n, _ := tg.Client.Exists(context.Background(), tg.Prefix+"in:lease:0").Result(); n != 0 {
			t.Fatal("the lease is still held after Run returned")
		}
		left, err := tg.Client.XRange(context.Background(), tg.Prefix+"in:0", "-", "+").Result()
		if err != nil || len(left) != 1 || left[0].Values["id"] != "next" {
			t.Fatalf("stream holds %v (%v), want only the unhandled event", left, err)
		}

		next := newQueue(t, tg, queue.Config{Partitions: 1})
		run(t, next, func(ctx context.Context, m queue.Message) error {
			mu.Lock()
			count[m.ID]++
			mu.Unlock()
			return nil
		})
		waitFor(t, "the next owner to handle what was left", func() bool { mu.Lock(); defer mu.Unlock(); return count["next"] > 0 })
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		if count["slow"] != 1 || count["next"] != 1 {
			t.Fatalf("handled %v, want each once", count)
		}
	})
}

// A user whose events keep failing waits out its backoff without holding up
// the others in its partition.
func TestAFailingUserDoesNotHoldUpOthers(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		q := newQueue(t, tg, queue.Config{Partitions: 1})
		var tries, others atomic.Int64
		run(t, q, func(ctx context.Context, m queue.Message) error {
			if m.Key == "U1" {
				tries.Add(1)
				return errors.New("database unreachable for this user")
			}
			others.Add(1)
			return nil
		})
		if _, err := q.Enqueue(context.Background(), []queue.Event{{ID: "f1", Key: "U1", Body: []byte("x")}, {ID: "f2", Key: "U1", Body: []byte("y")}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a failure", func() bool { return tries.Load() > 0 })
		for i := range 10 {
			if _, err := q.Enqueue(context.Background(), []queue.Event{{ID: fmt.Sprint("o", i), Key: fmt.Sprint("U", 2+i%3), Body: []byte("x")}}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the other users' events", func() bool { return others.Load() == 10 })
		waitFor(t, "a retry", func() bool { return tries.Load() >= 2 })
	})
}

package queue_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

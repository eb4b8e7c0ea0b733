package sender_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/bot/sender"
)

func TestPushesOverLINERateLimitAreRetriedAndArriveOnce(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.SetRateLimit("push", 5, 1) // 5 a second, no burst
	// No limiter of our own: LINE's 429s (without Retry-After) must be
	// retried until they pass. A slot opens every 200 ms, so give the backoff
	// room for that.
	s := newSender(t, fake, func(c *sender.Config) { c.MaxTries = 20 })
	ctx := ctxT(t)
	user := linefake.NewUserID()

	const n = 6
	var want []string
	for i := range n {
		msgs := texts(fmt.Sprintf("รอบ %d", i+1), 1)
		want = append(want, textsOf(msgs)...)
		if err := s.Push(ctx, user, msgs, uuid.NewString()); err != nil {
			t.Fatalf("push %d: %v", i+1, err)
		}
	}

	assertReceived(t, fake, user, want)
	got := statuses(fake, "push")
	if ok := len(slices.DeleteFunc(slices.Clone(got), func(c int) bool { return c != 200 })); ok != n {
		t.Errorf("%d pushes accepted, want %d: %v", ok, n, got)
	}
	if !slices.Contains(got, 429) {
		t.Errorf("LINE never said 429 (%v): the test did not exercise the rate limit", got)
	}
}

func TestSharedLimiterKeepsInstancesUnderLINERateLimit(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		const (
			perSecond = 5
			pushes    = 10 // 5 per instance
		)
		fake := newFake(t)
		// LINE's limit as the fake enforces it; the limiter (GCRA, burst =
		// rate) must keep two instances together under it. One token of
		// headroom absorbs the jitter between the limiter's clock (Redis) and
		// the moment a request reaches LINE; the pacing is checked exactly
		// below from the fake's timestamps.
		fake.SetRateLimit("push", perSecond, perSecond+1)
		lim := redisstate.New(tg.Client, tg.Prefix).NewLimiter(map[string]int{"push": perSecond})
		instances := []*sender.Sender{
			newSender(t, fake, func(c *sender.Config) { c.Limiter = lim }),
			newSender(t, fake, func(c *sender.Config) { c.Limiter = lim }),
		}
		ctx := ctxT(t)
		users := make([]string, pushes)
		for i := range users {
			users[i] = linefake.NewUserID()
		}

		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, pushes)
		for i, s := range instances {
			wg.Go(func() {
				for j := i; j < pushes; j += len(instances) {
					errs[j] = s.Push(ctx, users[j], texts("ข่าว", 1), uuid.NewString())
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)

		for j, err := range errs {
			if err != nil {
				t.Errorf("push %d: %v", j, err)
			}
			assertReceived(t, fake, users[j], []string{"ข่าว 1"})
		}
		calls := fake.CallsTo("push")
		if got := statuses(fake, "push"); len(got) != pushes || slices.ContainsFunc(got, func(c int) bool { return c != 200 }) {
			t.Errorf("LINE answered %v, want %d × 200 and no 429", got, pushes)
		}
		// A burst of 5, then one every 200 ms: the 10th goes after ≥ 1 s.
		const interval = time.Second / perSecond
		if least := (pushes - perSecond) * interval; elapsed < least-50*time.Millisecond {
			t.Errorf("%d pushes took %v, want at least %v at %d/s", pushes, elapsed, least, perSecond)
		}
		for k := perSecond; k < len(calls); k++ {
			if gap, want := calls[k].At.Sub(calls[0].At), time.Duration(k-perSecond+1)*interval; gap < want-30*time.Millisecond {
				t.Errorf("push %d reached LINE %v after the first, want ≥ %v", k+1, gap, want)
			}
		}
		t.Logf("%s: %d pushes by 2 instances in %v", tg.Name, pushes, elapsed.Round(time.Millisecond))
	})
}

package lease_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/lease"
	"github.com/paitor/paitor/bot/redistest"
)

// ttl is short so that expiry can be waited for on the real Redis; renewals
// run every 100 ms.
const ttl = 300 * time.Millisecond

// step is how finely pass moves time along.
const step = 10 * time.Millisecond

// pass lets d go by for the keys' TTLs: real time on the real Redis; on the
// embedded one (whose keys expire only when its clock is moved) real time in
// small steps, its clock moved along with it.
func pass(tg redistest.Target, d time.Duration) {
	for ; d > 0; d -= step {
		time.Sleep(step)
		if tg.Mini != nil {
			tg.Mini.FastForward(step)
		}
	}
}

// waitEnd passes time until held ends or within has passed; it reports
// whether held ended.
func waitEnd(tg redistest.Target, held context.Context, within time.Duration) bool {
	for d := time.Duration(0); d < within && held.Err() == nil; d += step {
		pass(tg, step)
	}
	return held.Err() != nil
}

// value returns key's value, "" when there is no such key.
func value(t *testing.T, tg redistest.Target, key string) string {
	t.Helper()
	v, err := tg.Client.Get(context.Background(), key).Result()
	if errors.Is(err, redis.Nil) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// losses records what onLost is told.
type losses struct {
	mu   sync.Mutex
	errs []error
}

func (l *losses) onLost(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }

func (l *losses) got() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// hold takes key for owner or fails the test; release runs at cleanup too.
func hold(t *testing.T, ctx context.Context, rdb redis.Scripter, key, owner string, l *losses) (context.Context, func()) {
	t.Helper()
	var onLost func(error)
	if l != nil {
		onLost = l.onLost
	}
	held, release, ok, err := lease.Hold(ctx, rdb, key, owner, ttl, onLost)
	if err != nil || !ok {
		t.Fatalf("%s could not take %s: ok %v, err %v", owner, key, ok, err)
	}
	t.Cleanup(release)
	return held, release
}

func TestAHeldKeyCannotBeTakenByAnotherOwner(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		ctx := context.Background()
		key := tg.Prefix + "lease"
		held, _ := hold(t, ctx, tg.Client, key, "A", nil)

		bHeld, bRelease, ok, err := lease.Hold(ctx, tg.Client, key, "B", ttl, nil)
		if err != nil || ok || bHeld != nil || bRelease != nil {
			t.Fatalf("B took A's key: ok %v, err %v, held %v, release set %v", ok, err, bHeld, bRelease != nil)
		}
		if v := value(t, tg, key); v != "A" {
			t.Errorf("key names %q after B's try, want A", v)
		}
		if held.Err() != nil {
			t.Errorf("A's lease ended after B's try: %v", context.Cause(held))
		}
	})
}

// An owner that stops renewing (it died, or its work's context ended) leaves
// its key to expire; then another owner takes it, and the old owner's late
// release leaves the new owner's key alone.
func TestAnExpiredKeyIsTakenByAnotherOwner(t *testing.T) {
	cases := []struct {
		name string
		stop func(t *testing.T, tg redistest.Target, key string) (release func())
	}{
		{"owner died holding the key", func(t *testing.T, tg redistest.Target, key string) func() {
			if err := tg.Client.Set(context.Background(), key, "A", ttl).Err(); err != nil {
				t.Fatal(err)
			}
			return func() {}
		}},
		{"owner's context ended without release", func(t *testing.T, tg redistest.Target, key string) func() {
			ctx, cancel := context.WithCancel(context.Background())
			held, release := hold(t, ctx, tg.Client, key, "A", nil)
			cancel()
			<-held.Done()
			return release
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			redistest.Each(t, func(t *testing.T, tg redistest.Target) {
				ctx := context.Background()
				key := tg.Prefix + "lease"
				releaseA := c.stop(t, tg, key)

				if _, _, ok, err := lease.Hold(ctx, tg.Client, key, "B", ttl, nil); ok || err != nil {
					t.Fatalf("B took the key before it expired: ok %v, err %v", ok, err)
				}
				pass(tg, ttl+ttl/2)
				if v := value(t, tg, key); v != "" {
					t.Fatalf("key still names %q %v after its owner stopped: something renews it", v, ttl+ttl/2)
				}
				bHeld, _ := hold(t, ctx, tg.Client, key, "B", nil)
				releaseA()
				if v := value(t, tg, key); v != "B" {
					t.Errorf("key names %q after A's late release, want B", v)
				}
				if bHeld.Err() != nil {
					t.Errorf("B's lease ended: %v", context.Cause(bHeld))
				}
			})
		})
	}
}

func TestRenewalKeepsTheKeyPastSeveralTTLs(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		key := tg.Prefix + "lease"
		var l losses
		held, _ := hold(t, context.Background(), tg.Client, key, "A", &l)
		pass(tg, 1*time.Second) // more than 3 TTLs
		if v := value(t, tg, key); v != "A" {
			t.Fatalf("after 3 TTLs held, key names %q, want A", v)
		}
		if pttl := tg.Client.PTTL(context.Background(), key).Val(); pttl <= 0 || pttl > ttl {
			t.Errorf("key's TTL %v, want in (0, %v]", pttl, ttl)
		}
		if held.Err() != nil {
			t.Errorf("lease ended while renewed: %v", context.Cause(held))
		}
		if errs := l.got(); len(errs) > 0 {
			t.Errorf("onLost called: %v", errs)
		}
	})
}

// When another owner has the key (A's lease expired during a pause, say), A's
// next renewal finds it, ends A's lease and tells A why, and leaves the key
// (value and TTL) to its new owner.
func TestALeaseTakenOverIsLostNotRenewed(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		ctx := context.Background()
		key := tg.Prefix + "lease"
		var l losses
		held, release := hold(t, ctx, tg.Client, key, "A", &l)
		if err := tg.Client.Set(ctx, key, "B", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		if !waitEnd(tg, held, time.Second) {
			t.Fatal("A's lease did not end after B took the key")
		}
		if cause := context.Cause(held); !errors.Is(cause, lease.ErrLost) {
			t.Errorf("cause %v, want ErrLost", cause)
		}
		release() // waits for onLost
		if errs := l.got(); len(errs) != 1 || !errors.Is(errs[0], lease.ErrLost) {
			t.Errorf("onLost told %v, want ErrLost once", errs)
		}
		if v := value(t, tg, key); v != "B" {
			t.Errorf("key names %q, want B", v)
		}
		if pttl := tg.Client.PTTL(ctx, key).Val(); pttl <= ttl {
			t.Errorf("B's key TTL %v: A renewed it", pttl)
		}
	})
}

func TestReleaseDeletesOnlyTheOwnersKey(t *testing.T) {
	cases := []struct {
		name     string
		ctxEnded bool   // the holder's context ended before release
		takenBy  string // who overwrote the key before release; "" nobody
		want     string // the key's value after release
	}{
		{name: "still ours", want: ""},
		{name: "still ours, context ended", ctxEnded: true, want: ""},
		{name: "taken by another", takenBy: "B", want: "B"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			redistest.Each(t, func(t *testing.T, tg redistest.Target) {
				key := tg.Prefix + "lease"
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var l losses
				held, release := hold(t, ctx, tg.Client, key, "A", &l)
				if c.takenBy != "" {
					if err := tg.Client.Set(context.Background(), key, c.takenBy, time.Hour).Err(); err != nil {
						t.Fatal(err)
					}
				}
				if c.ctxEnded {
					cancel()
				}
				release()
				release() // a second call is harmless
				if v := value(t, tg, key); v != c.want {
					t.Fatalf("after release key names %q, want %q", v, c.want)
				}
				if held.Err() == nil {
					t.Error("held still open after release")
				}
				if errs := l.got(); len(errs) > 0 {
					t.Errorf("onLost called on release: %v", errs)
				}
				if c.want != "" {
					return
				}
				// Nothing renews the key after release: one naming A again (as
				// a Redis restart could bring back) expires.
				if err := tg.Client.Set(context.Background(), key, "A", ttl).Err(); err != nil {
					t.Fatal(err)
				}
				pass(tg, ttl+ttl/2)
				if v := value(t, tg, key); v != "" {
					t.Errorf("key names %q %v after release: still renewed", v, ttl+ttl/2)
				}
			})
		})
	}
}

// After Redis restarts from its append-only file a lease key comes back naming
// the instance that held it; that instance takes it back at once (with the
// lease's TTL) while others still cannot.
func TestAnOwnerRetakesItsOwnKeyAtOnce(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		ctx := context.Background()
		key := tg.Prefix + "lease"
		if err := tg.Client.Set(ctx, key, "A", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		held, release := hold(t, ctx, tg.Client, key, "A", nil)
		if pttl := tg.Client.PTTL(ctx, key).Val(); pttl <= 0 || pttl > ttl {
			t.Errorf("retaken key's TTL %v, want in (0, %v]", pttl, ttl)
		}
		if _, _, ok, err := lease.Hold(ctx, tg.Client, key, "B", ttl, nil); ok || err != nil {
			t.Errorf("B took A's retaken key: ok %v, err %v", ok, err)
		}
		pass(tg, 2*ttl)
		if v := value(t, tg, key); v != "A" || held.Err() != nil {
			t.Errorf("retaken lease not renewed: key %q, held %v", v, context.Cause(held))
		}
		release()
		if v := value(t, tg, key); v != "" {
			t.Errorf("key names %q after release", v)
		}
	})
}

var errInjected = errors.New("injected Redis failure")

// faulty passes scripts to Redis, but while armed fails them (or, with hang,
// lets them wait until their context ends), counting them.
type faulty struct {
	redis.Scripter
	mu     sync.Mutex
	fail   int // scripts still to fail; -1 all
	hang   bool
	failed int
}

func (f *faulty) arm(fail int, hang bool) { f.mu.Lock(); f.fail, f.hang = fail, hang; f.mu.Unlock() }

func (f *faulty) failures() int { f.mu.Lock(); defer f.mu.Unlock(); return f.failed }

func (f *faulty) fault(ctx context.Context) *redis.Cmd {
	f.mu.Lock()
	if f.fail == 0 {
		f.mu.Unlock()
		return nil
	}
	if f.fail > 0 {
		f.fail--
	}
	f.failed++
	hang := f.hang
	f.mu.Unlock()
	cmd := redis.NewCmd(ctx)
	if hang {
		<-ctx.Done()
		cmd.SetErr(ctx.Err())
	} else {
		cmd.SetErr(errInjected)
	}
	return cmd
}

func (f *faulty) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	if cmd := f.fault(ctx); cmd != nil {
		return cmd
	}
	return f.Scripter.Eval(ctx, script, keys, args...)
}

func (f *faulty) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	if cmd := f.fault(ctx); cmd != nil {
		return cmd
	}
	return f.Scripter.EvalSha(ctx, sha, keys, args...)
}

func TestOneFailedRenewalIsRetried(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		key := tg.Prefix + "lease"
		rdb := &faulty{Scripter: tg.Client}
		var l losses
		held, release := hold(t, context.Background(), rdb, key, "A", &l)
		rdb.arm(1, false)
		pass(tg, 1*time.Second)
		if n := rdb.failures(); n != 1 {
			t.Fatalf("%d renewals failed, want 1", n)
		}
		if held.Err() != nil {
			t.Fatalf("lease ended after one failed renewal: %v", context.Cause(held))
		}
		if v := value(t, tg, key); v != "A" {
			t.Errorf("key names %q, want A", v)
		}
		release()
		if errs := l.got(); len(errs) > 0 {
			t.Errorf("onLost called: %v", errs)
		}
	})
}

// When renewals keep failing (Redis down, or not answering) the lease ends
// before its key can expire: by then another owner may take it.
func TestALeaseThatCannotBeRenewedEndsBeforeItsTTL(t *testing.T) {
	cases := []struct {
		name     string
		hang     bool
		want     error
		failures int
	}{
		{"renewals fail", false, errInjected, 2},
		{"renewals get no answer", true, context.DeadlineExceeded, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			redistest.Each(t, func(t *testing.T, tg redistest.Target) {
				key := tg.Prefix + "lease"
				rdb := &faulty{Scripter: tg.Client}
				var l losses
				held, release := hold(t, context.Background(), rdb, key, "A", &l)
				rdb.arm(-1, c.hang)
				if !waitEnd(tg, held, time.Second) {
					t.Fatal("lease held on while renewals failed")
				}
				if v := value(t, tg, key); v != "A" {
					t.Errorf("when the lease ended its key was %q, want still A (not yet expired)", v)
				}
				cause := context.Cause(held)
				if !errors.Is(cause, c.want) || errors.Is(cause, lease.ErrLost) {
					t.Errorf("cause %v, want %v", cause, c.want)
				}
				if n := rdb.failures(); n != c.failures {
					t.Errorf("%d renewals tried, want %d", n, c.failures)
				}
				rdb.arm(0, false)
				release()
				if errs := l.got(); len(errs) != 1 || !errors.Is(errs[0], c.want) {
					t.Errorf("onLost told %v, want %v once", errs, c.want)
				}
			})
		})
	}
}

func TestHoldRefusesUnusableArguments(t *testing.T) {
	tg := redistest.Embedded(t)
	cases := []struct {
		name  string
		owner string
		ttl   time.Duration
	}{
		{"empty owner", "", ttl},
		{"zero ttl", "A", 0},
		{"ttl too short to renew", "A", time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, ok, err := lease.Hold(context.Background(), tg.Client, tg.Prefix+"lease", c.owner, c.ttl, nil)
			if err == nil || ok {
				t.Errorf("ok %v, err %v; want an error", ok, err)
			}
		})
	}
}

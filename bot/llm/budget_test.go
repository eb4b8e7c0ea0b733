package llm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content/thaitime"
)

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func thai(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, thaitime.Zone)
}

var startJob = cmdJSON(map[string]any{"command": "start", "intent": "find_job"})

func askAs(c testClient, user string) error {
	_, err := c.Understand(context.Background(), Request{UserID: user, Text: "อยากหางาน", Choices: testChoices, Lang: "th"})
	return err
}

func TestBudgets(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		t.Run("per-person calls", func(t *testing.T) {
			f := newFake(t, always(answerUsage(startJob, 10, 5)))
			c := newTestClient(t, tg, f, func(cfg *Config) { cfg.UserCalls = 2; cfg.Prefix += "pc:" })
			for i := range 2 {
				if err := askAs(c, "Ua"); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
			}
			if err := askAs(c, "Ua"); !errors.Is(err, ErrBudget) {
				t.Fatalf("third call: %v, want ErrBudget", err)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("the server saw %d requests, want 2", n)
			}
			if err := askAs(c, "Ub"); err != nil {
				t.Errorf("another person is stopped too: %v", err)
			}
			obs := c.obs.all()
			if obs[2].Outcome != "fallback_budget" || obs[2].Prompt != 0 {
				t.Errorf("observed %+v", obs[2])
			}
		})
		t.Run("per-person tokens", func(t *testing.T) {
			f := newFake(t, always(answerUsage(startJob, 50, 10)))
			c := newTestClient(t, tg, f, func(cfg *Config) { cfg.UserTokens = 100; cfg.Prefix += "pt:" })
			// 0 < 100, then 60 < 100: two calls; then 120 ≥ 100: stop.
			for i := range 2 {
				if err := askAs(c, "Ua"); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
			}
			if err := askAs(c, "Ua"); !errors.Is(err, ErrBudget) {
				t.Fatalf("third call: %v, want ErrBudget", err)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("the server saw %d requests, want 2", n)
			}
			if err := askAs(c, "Ub"); err != nil {
				t.Errorf("another person is stopped too: %v", err)
			}
		})
		t.Run("global calls", func(t *testing.T) {
			f := newFake(t, always(answerUsage(startJob, 10, 5)))
			c := newTestClient(t, tg, f, func(cfg *Config) { cfg.GlobalCalls = 3; cfg.Prefix += "gc:" })
			for _, u := range []string{"Ua", "Ub", "Uc"} {
				if err := askAs(c, u); err != nil {
					t.Fatalf("%s: %v", u, err)
				}
			}
			for _, u := range []string{"Ud", "Ua"} {
				if err := askAs(c, u); !errors.Is(err, ErrBudget) {
					t.Fatalf("%s: %v, want ErrBudget", u, err)
				}
			}
			if n := len(f.requests()); n != 3 {
				t.Errorf("the server saw %d requests, want 3", n)
			}
		})
		t.Run("global tokens", func(t *testing.T) {
			f := newFake(t, always(answerUsage(startJob, 900, 100)))
			c := newTestClient(t, tg, f, func(cfg *Config) { cfg.GlobalTokens = 1500; cfg.Prefix += "gt:" })
			for _, u := range []string{"Ua", "Ub"} {
				if err := askAs(c, u); err != nil {
					t.Fatalf("%s: %v", u, err)
				}
			}
			if err := askAs(c, "Uc"); !errors.Is(err, ErrBudget) {
				t.Fatalf("after 2000 tokens: %v, want ErrBudget", err)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("the server saw %d requests, want 2", n)
			}
		})
		t.Run("a new Thai day resets", func(t *testing.T) {
			clk := &clock{}
			// 06:00 in Thailand is 23:00 UTC the day before: the UTC date
			// changes within this Thai day, the budget must not.
			clk.Set(thai(2026, 3, 10, 6, 0))
			f := newFake(t, always(answerUsage(startJob, 10, 5)))
			c := newTestClient(t, tg, f, func(cfg *Config) { cfg.UserCalls = 1; cfg.Now = clk.Now; cfg.Prefix += "day:" })
			if err := askAs(c, "Ua"); err != nil {
				t.Fatal(err)
			}
			clk.Set(thai(2026, 3, 10, 23, 59))
			if err := askAs(c, "Ua"); !errors.Is(err, ErrBudget) {
				t.Fatalf("same Thai day, another UTC day: %v, want ErrBudget", err)
			}
			clk.Set(thai(2026, 3, 11, 0, 0))
			if err := askAs(c, "Ua"); err != nil {
				t.Fatalf("the next Thai day: %v", err)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("the server saw %d requests, want 2", n)
			}
		})
		t.Run("the user ID is hashed in keys and never sent", func(t *testing.T) {
			f := newFake(t, always(answerUsage(startJob, 10, 5)))
			c := newTestClient(t, tg, f, func(cfg *Config) { cfg.Prefix += "ids:" })
			if err := askAs(c, testUser); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			keys, err := tg.Client.Keys(ctx, tg.Prefix+"ids:*").Result()
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 4 {
				t.Errorf("keys %q, want the person's and everyone's calls and tokens", keys)
			}
			for _, k := range keys {
				if strings.Contains(k, testUser) || strings.Contains(k, testUser[1:]) {
					t.Errorf("key %q holds the user ID", k)
				}
				if ttl := tg.Client.TTL(ctx, k).Val(); ttl <= 0 || ttl > budgetTTL {
					t.Errorf("key %q TTL %v", k, ttl)
				}
			}
			want := map[string]string{"calls": "1", "tokens": "15"}
			for _, k := range keys {
				kind := k[strings.LastIndex(k, ":")+1:]
				if v := tg.Client.Get(ctx, k).Val(); v != want[kind] {
					t.Errorf("%s = %q, want %q", k, v, want[kind])
				}
			}
			for _, r := range f.requests() {
				if strings.Contains(string(r.Body), testUser) || strings.Contains(string(r.Body), userKey(testUser)) {
					t.Errorf("the request carries the user ID or its hash")
				}
			}
		})
	})
}

func TestTokensAreEstimatedWhenTheServerReportsNone(t *testing.T) {
	tg := redistest.Embedded(t)
	f := newFake(t, always(answerUsage(startJob, 0, 0)))
	c := newTestClient(t, tg, f)
	if err := askAs(c, testUser); err != nil {
		t.Fatal(err)
	}
	_, ut, _, _ := c.budget.keys(dayOf(time.Now()), testUser)
	if n, _ := tg.Client.Get(context.Background(), ut).Int(); n < 100 {
		t.Errorf("estimated %d tokens for a prompt of some hundred tokens", n)
	}
}

func TestRedisDownMeansNoCall(t *testing.T) {
	tg := redistest.Embedded(t)
	f := newFake(t, always(answer(startJob)))
	c := newTestClient(t, tg, f)
	tg.Mini.SetError("ERR test: Redis is down")
	if err := askAs(c, testUser); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("the model was called %d times without a budget", n)
	}
}

package redisstate_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/bot/sender"
)

func TestTurnStoresSessionAndOutboxTogether(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		s := redisstate.New(tg.Client, tg.Prefix)
		ctx := context.Background()
		o := &sender.Outbox{ID: "ev1", To: "U1", Batches: []sender.Batch{{Messages: []json.RawMessage{json.RawMessage(`{"type":"text","text":"สวัสดี"}`)}, RetryKey: "k"}}}
		if err := s.CommitTurn(ctx, "U1", []byte(`{"node":"menu"}`), time.Hour, o); err != nil {
			t.Fatal(err)
		}
		sess, ok, err := s.Session(ctx, "U1")
		if err != nil || !ok || string(sess) != `{"node":"menu"}` {
			t.Fatalf("session = %s %v %v", sess, ok, err)
		}
		got, ok, err := s.Outbox(ctx, "ev1")
		if err != nil || !ok || got.Batches[0].RetryKey != "k" || got.Done() {
			t.Fatalf("outbox = %+v %v %v", got, ok, err)
		}
		got.Batches[0].Sent = true
		if err := s.SaveOutbox(ctx, got); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.Outbox(ctx, "ev1")
		if !got.Done() {
			t.Fatal("a sent batch was not remembered")
		}
		if _, ok, _ := s.Outbox(ctx, "missing"); ok {
			t.Fatal("missing outbox found")
		}
		if err := s.CommitTurn(ctx, "U1", nil, time.Hour, &sender.Outbox{ID: "ev2"}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Session(ctx, "U1"); ok {
			t.Fatal("a nil session did not delete the old one")
		}
	})
}

func TestSessionExpires(t *testing.T) {
	tg := redistest.Embedded(t)
	s := redisstate.New(tg.Client, tg.Prefix)
	ctx := context.Background()
	s.CommitTurn(ctx, "U1", []byte(`{}`), time.Minute, &sender.Outbox{ID: "e"})
	tg.Mini.FastForward(2 * time.Minute)
	if _, ok, _ := s.Session(ctx, "U1"); ok {
		t.Fatal("session outlived its expiry")
	}
}

func TestLimiterIsSharedAcrossInstances(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		// Two "instances" with their own Store share one bucket: 20/s with
		// burst 20 lets about 20 calls through at once, then about 20 more a second.
		a := redisstate.New(tg.Client, tg.Prefix).NewLimiter(map[string]int{"push": 20})
		b := redisstate.New(tg.Client, tg.Prefix).NewLimiter(map[string]int{"push": 20})
		ctx := context.Background()
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 40 {
			l := a
			if i%2 == 1 {
				l = b
			}
			wg.Go(func() {
				if err := l.Wait(ctx, "push"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if el := time.Since(start); el < 700*time.Millisecond {
			t.Fatalf("40 calls at 20/s across two instances took %v; the limit was not shared", el)
		}
		if err := a.Wait(ctx, "unlimited"); err != nil {
			t.Fatal(err)
		}
	})
}

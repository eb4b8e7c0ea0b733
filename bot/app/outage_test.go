package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// redisBehindProxy returns a Redis target reached through a proxy the test
// can cut, for both the embedded and the real Redis.
func redisBehindProxy(t *testing.T, real bool) (redistest.Target, *pgtest.TCPProxy) {
	var tg redistest.Target
	var addr string
	if real {
		tg = redistest.Real(t)
		addr = tg.Client.(*redis.Client).Options().Addr
	} else {
		tg = redistest.Embedded(t)
		addr = tg.Mini.Addr()
	}
	proxy := pgtest.Proxy(t, addr)
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), MaxRetries: 1, DialTimeout: time.Second, ReadTimeout: 2 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	tg.Client = c
	return tg, proxy
}

func TestRedisOutage(t *testing.T) {
	for _, real := range []bool{false, true} {
		name := map[bool]string{false: "embedded", true: "redis"}[real]
		t.Run(name, func(t *testing.T) {
			tg, proxy := redisBehindProxy(t, real)
			h := apptest.New(t, apptest.Options{Redis: &tg, NoWorkers: true})
			u := h.NewUser()

			// Acknowledged before the outage, handled after it: nothing lost.
			h.MustPost(h.Fake.Event(u).Text("ช่วยด้วย"))
			proxy.Pause()
			h.StartWorkers()

			// During the outage the webhook refuses, so LINE redelivers.
			ev := h.Fake.Event(u).Text("เมนู")
			if s := h.Post(ev); s < 500 {
				t.Fatalf("with Redis down the webhook answered %d; LINE would not redeliver", s)
			}
			time.Sleep(300 * time.Millisecond)
			proxy.Resume()
			h.MustPost(ev) // LINE's redelivery
			got := apptest.Texts(h.Wait(u, 2))
			if !strings.Contains(got[0], "วิธีใช้") || !strings.Contains(got[1], "เมนูหลัก") {
				t.Fatalf("after the outage: %q", got)
			}
			h.Settle()
			if n := len(h.Fake.Received(u)); n != 2 {
				t.Fatalf("received %d messages, want 2", n)
			}
			if res, err := http.Get(h.Server.URL + "/readyz"); err != nil || res.StatusCode != 200 {
				t.Fatalf("readyz after recovery: %v %v", res.StatusCode, err)
			}
		})
	}
}

func TestPostgresOutageDuringOperation(t *testing.T) {
	url, schema := pgtest.Schema(t)
	proxy := pgtest.Proxy(t, strings.TrimPrefix(strings.Split(strings.Split(pgtest.URL(t), "@")[1], "/")[0], ""))
	store, err := postgres.Open(context.Background(), pgtest.WithHost(t, url, proxy.Addr()), postgres.Options{Schema: schema, QueryTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if err := store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := apptest.New(t, apptest.Options{Store: store})
	u := h.NewUser()

	proxy.Pause()
	// Redis still takes the event: the webhook acknowledges it.
	h.MustPost(h.Fake.Event(u).Follow(false))
	res, err := http.Get(h.Server.URL + "/readyz")
	if err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with PostgreSQL down: %v %v", res.StatusCode, err)
	}
	time.Sleep(500 * time.Millisecond) // the worker fails and retries meanwhile
	if n := len(h.Fake.Received(u)); n != 0 {
		t.Fatalf("answered while the database was down: %d", n)
	}
	proxy.Resume()
	got := h.Wait(u, 2)
	if !strings.Contains(got[0].Text(), "ยินดีต้อนรับ") {
		t.Fatalf("after the outage: %q", got[0].Text())
	}
	h.Settle()
	if n := len(h.Fake.Received(u)); n != 2 {
		t.Fatalf("welcome received %d messages, want 2 (once)", n)
	}
}

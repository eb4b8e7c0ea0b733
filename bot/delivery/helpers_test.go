package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

const token = "t"

// noon is a Tuesday noon in Thailand: outside the quiet hours.
var noon = time.Date(2026, 3, 10, 12, 0, 0, 0, thaitime.Zone)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// uid is a valid LINE user ID; IDs sort as i does.
func uid(i int) string { return fmt.Sprintf("U%032x", i) }

// person is a user made through the store.
type person struct {
	id                 string
	province, district string
	age                string
	role               content.Role
	interests          string
	settings           map[string]string
	blocked            bool
	noProfile          bool // followed, never consented
}

// addPeople makes the users through the store (follow, consent, profile, role,
// settings, block), several at a time.
func addPeople(t testing.TB, st content.Store, ps []person) {
	t.Helper()
	ctx := context.Background()
	at := noon.Add(-30 * 24 * time.Hour)
	work := make(chan person)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 8 {
		wg.Go(func() {
			for p := range work {
				if err := addPerson(ctx, st, p, at); err != nil {
					failed.CompareAndSwap(nil, err)
				}
			}
		})
	}
	for _, p := range ps {
		work <- p
	}
	close(work)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
}

func addPerson(ctx context.Context, st content.Store, p person, at time.Time) error {
	if _, _, err := st.Follow(ctx, p.id, at); err != nil {
		return err
	}
	if !p.noProfile {
		if err := st.RecordConsent(ctx, content.Consent{UserID: p.id, Version: "2026-11", Accepted: true, At: at}); err != nil {
			return err
		}
		fields := map[string]string{"province": p.province, "district": p.district, "age": p.age, "interests": p.interests}
		for k, v := range fields {
			if v == "" {
				delete(fields, k)
			}
		}
		if err := st.SaveProfile(ctx, p.id, fields, at); err != nil {
			return err
		}
	}
	if p.role != "" {
		if err := st.SetRole(ctx, p.id, p.role); err != nil {
			return err
		}
	}
	for k, v := range p.settings {
		if err := st.SetSetting(ctx, p.id, k, v); err != nil {
			return err
		}
	}
	if p.blocked {
		return st.Block(ctx, p.id, at.Add(time.Hour))
	}
	return nil
}

// khonKaen is the city of the tests: two provinces.
var khonKaen = content.City{Name: "เทศบาลนครขอนแก่น", Provinces: []string{"TH-40", "TH-41"}}

// fixture is a city with a festival on a store, a Redis and a fake LINE.
type fixture struct {
	st      content.Store
	rdb     redis.UniversalClient
	prefix  string
	fake    *linefake.Server
	clock   *clock
	city    content.City
	fest    content.Festival
	renders atomic.Int64 // calls of Messages
}

func newFixture(t testing.TB, st content.Store, tg redistest.Target, opts linefake.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	opts.ChannelToken = token
	f := &fixture{st: st, rdb: tg.Client, prefix: tg.Prefix, fake: linefake.NewTest(t, opts), clock: &clock{t: noon}}
	city, err := st.CreateCity(ctx, khonKaen)
	if err != nil {
		t.Fatal(err)
	}
	f.city = city
	f.fest = content.Festival{
		ID: uuid.NewString(), CityID: city.ID, TitleTH: "มหกรรมการเรียนรู้ขอนแก่น",
		StartsAt: noon.Add(7 * 24 * time.Hour), EndsAt: noon.Add(9 * 24 * time.Hour),
		Province: "TH-40", District: "เมืองขอนแก่น", Status: "active",
	}
	if err := st.SaveFestival(ctx, f.fest); err != nil {
		t.Fatal(err)
	}
	return f
}

// messages renders an announcement as one text message.
func (f *fixture) messages(ctx context.Context, a content.Announcement) ([]json.RawMessage, error) {
	f.renders.Add(1)
	return []json.RawMessage{json.RawMessage(`{"type":"text","text":"มหกรรมการเรียนรู้ขอนแก่น 17–19 มี.ค. มาร่วมงานกันนะคะ"}`)}, nil
}

func (f *fixture) sender(t testing.TB, limiter sender.Limiter) *sender.Sender {
	t.Helper()
	s, err := sender.New(sender.Config{
		Token: token, APIURL: f.fake.URL(),
		HTTPClient:     &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		InitialBackoff: 5 * time.Millisecond, MaxTries: 10, Limiter: limiter,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// engine returns an engine on the fixture with test timings; mods adjust it.
func (f *fixture) engine(t testing.TB, mods ...func(*Config)) *Engine {
	t.Helper()
	cfg := Config{
		Store: f.st, Sender: f.sender(t, nil), Redis: f.rdb, Prefix: f.prefix,
		Now: f.clock.Now, Log: quietLog, Messages: f.messages,
		Tick: 50 * time.Millisecond, SweepEvery: 200 * time.Millisecond, LockTTL: 3 * time.Second,
		Queue: queue.Config{Block: 50 * time.Millisecond, LeaseTTL: 900 * time.Millisecond},
	}
	for _, m := range mods {
		m(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// announce schedules an announcement of the festival for at.
func (f *fixture) announce(t testing.TB, aud content.Audience, at time.Time) content.Announcement {
	t.Helper()
	a := content.Announcement{
		ID: uuid.NewString(), CityID: f.city.ID, FestivalID: f.fest.ID, Audience: aud,
		Status: content.AnnScheduled, ScheduledAt: at,
	}
	if err := f.st.SaveAnnouncement(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) announcement(t testing.TB, a content.Announcement) content.Announcement {
	t.Helper()
	got, err := f.st.Announcement(context.Background(), a.CityID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *fixture) stats(t testing.TB, a content.Announcement) content.BroadcastStats {
	t.Helper()
	st, err := f.st.Stats(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// run starts e.Run in the background; stop cancels it and waits.
func run(t testing.TB, e *Engine) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkOnce fails unless each of ids received exactly one message and nobody
// else received anything.
func checkOnce(t testing.TB, fake *linefake.Server, ids []string) {
	t.Helper()
	bad := 0
	for _, id := range ids {
		if n := len(fake.Received(id)); n != 1 {
			if bad++; bad <= 5 {
				t.Errorf("%s received %d messages, want 1", id, n)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d recipients in all did not receive exactly one message", bad)
	}
	if n := fake.DeliveredCount(); n != len(ids) {
		t.Errorf("delivered %d messages in all, want %d", n, len(ids))
	}
}

// plainPeople are n people in Mueang Khon Kaen, all in any audience of the city.
func plainPeople(from, n int) []person {
	ps := make([]person, n)
	for i := range ps {
		ps[i] = person{id: uid(from + i), province: "TH-40", district: "เมืองขอนแก่น", age: "17", role: content.RoleYouth, interests: "tech"}
	}
	return ps
}

func ids(ps []person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.id
	}
	return out
}

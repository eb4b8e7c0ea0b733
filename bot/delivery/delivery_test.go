package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/thaitime"
)

func TestScope(t *testing.T) {
	city := content.City{Provinces: []string{"TH-40", "TH-41"}}
	limited := content.City{Provinces: []string{"TH-40", "TH-41"}, Districts: []string{"TH-40/เมืองขอนแก่น"}}
	for _, c := range []struct {
		name  string
		city  content.City
		in    content.Audience
		ok    bool
		provs []string
		dists []string
	}{
		{"empty = whole area", city, content.Audience{}, true, []string{"TH-40", "TH-41"}, nil},
		{"a province of the city", city, content.Audience{Provinces: []string{"TH-41"}}, true, []string{"TH-41"}, nil},
		{"a province outside is dropped", city, content.Audience{Provinces: []string{"TH-10", "TH-40"}}, true, []string{"TH-40"}, nil},
		{"only outside", city, content.Audience{Provinces: []string{"TH-10"}}, false, nil, nil},
		{"districts narrow the provinces", city, content.Audience{Districts: []string{"TH-41/เมืองอุดรธานี"}}, true, []string{"TH-41"}, []string{"TH-41/เมืองอุดรธานี"}},
		{"a district outside", city, content.Audience{Districts: []string{"TH-10/บางรัก"}}, false, nil, nil},
		{"a city limited to districts", limited, content.Audience{}, true, []string{"TH-40"}, []string{"TH-40/เมืองขอนแก่น"}},
		{"a limited city, another district", limited, content.Audience{Districts: []string{"TH-40/บ้านไผ่"}}, false, nil, nil},
		{"a limited city, a province without its districts", limited, content.Audience{Provinces: []string{"TH-41"}}, false, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := scope(c.city, c.in)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, c.ok, got)
			}
			if ok && (!slices.Equal(got.Provinces, c.provs) || !slices.Equal(got.Districts, c.dists)) {
				t.Fatalf("scoped to %v %v, want %v %v", got.Provinces, got.Districts, c.provs, c.dists)
			}
		})
	}
}

// population is a mix of people in and out of testAudience; want says what
// should happen to each: "send", "blocked", "opted", "capped" or "" (not in
// the audience). preset are weekly counters to set before the run.
func population() (ps []person, want map[string]string, preset map[string]int) {
	places := [][2]string{{"TH-40", "เมืองขอนแก่น"}, {"TH-40", "บ้านไผ่"}, {"TH-41", "เมืองอุดรธานี"}, {"TH-10", "บางรัก"}}
	ages := []string{"12", "15", "19", "24", "25", "", "abc"}
	roles := []content.Role{content.RoleYouth, content.RoleParent, content.RoleOther, content.RoleUnknown}
	interests := []string{"tech", "agri,art", "art", "", " tech , health"}
	want, preset = map[string]string{}, map[string]int{}
	for i := range 900 {
		pl := places[i%4]
		p := person{id: uid(i + 1), province: pl[0], district: pl[1], age: ages[i%7], role: roles[(i/3)%4], interests: interests[(i/5)%5]}
		p.noProfile = i%29 == 0
		p.blocked = i%17 == 0
		switch {
		case i%13 == 0:
			p.settings = map[string]string{"pushes": "off"}
		case i%11 == 0:
			p.settings = map[string]string{"festivals": "off"}
		case i%19 == 0:
			p.settings = map[string]string{"festivals": "on", "checkins": "off"}
		}
		switch {
		case i%7 == 3:
			preset[p.id] = 3
		case i%9 == 4:
			preset[p.id] = 2
		}
		ps = append(ps, p)

		age := map[string]int{"15": 15, "19": 19, "24": 24}[p.age] // the others are out of 15–24 or unknown
		in := !p.noProfile && (pl[1] == "เมืองขอนแก่น" || pl[1] == "เมืองอุดรธานี") && age > 0 &&
			(p.role == content.RoleYouth || p.role == content.RoleParent) &&
			slices.ContainsFunc(strings.Split(p.interests, ","), func(s string) bool {
				s = strings.TrimSpace(s)
				return s == "tech" || s == "agri"
			})
		switch {
		case !in:
		case p.blocked:
			want[p.id] = "blocked"
		case p.settings["pushes"] == "off" || p.settings["festivals"] == "off":
			want[p.id] = "opted"
		case preset[p.id] >= 3:
			want[p.id] = "capped"
		default:
			want[p.id] = "send"
		}
	}
	return ps, want, preset
}

var testAudience = content.Audience{
	Districts: []string{"TH-40/เมืองขอนแก่น", "TH-41/เมืองอุดรธานี"},
	AgeMin:    15, AgeMax: 24,
	Roles:     []string{"youth", "parent"},
	Interests: []string{"tech", "agri"},
}

func TestAudienceResolution(t *testing.T) {
	redistest.Each(t, func(t *testing.T, tg redistest.Target) {
		ctx := context.Background()
		f := newFixture(t, memory.New(), tg, linefake.Options{})
		ps, want, preset := population()
		addPeople(t, f.st, ps)
		e := f.engine(t, func(c *Config) { c.ChunkSize = 40 })
		for id, n := range preset {
			if err := f.rdb.HSet(ctx, e.caps.key(e.caps.week(noon), id), id, n).Err(); err != nil {
				t.Fatal(err)
			}
		}
		count := map[string]int{}
		for _, w := range want {
			count[w]++
		}
		if count["send"] < 20 || count["blocked"] == 0 || count["opted"] == 0 || count["capped"] == 0 {
			t.Fatalf("population too thin: %v", count)
		}
		a := f.announce(t, testAudience, noon.Add(-time.Minute))

		p, err := e.Preview(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		wantPreview := Preview{
			Targeted: len(want), WouldSend: count["send"],
			SkippedBlocked: count["blocked"], SkippedOptedOut: count["opted"], SkippedCapped: count["capped"],
			Messages: 1, Multicasts: (count["send"] + 39) / 40, QuotaCost: count["send"],
		}
		if p != wantPreview {
			t.Fatalf("preview\n got %+v\nwant %+v", p, wantPreview)
		}
		if n := len(f.fake.CallsTo("multicast")); n != 0 {
			t.Fatalf("preview made %d multicasts", n)
		}

		if err := e.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for _, pp := range ps {
			got := len(f.fake.Received(pp.id))
			if w := want[pp.id]; (w == "send") != (got == 1) || got > 1 {
				t.Errorf("%s (%s, %+v) received %d messages", pp.id, w, pp, got)
			}
		}
		st := f.stats(t, a)
		wantStats := content.BroadcastStats{
			Targeted: count["send"], Sent: count["send"],
			SkippedBlocked: count["blocked"], SkippedOptedOut: count["opted"], SkippedCapped: count["capped"],
		}
		if st != wantStats {
			t.Errorf("stats\n got %+v\nwant %+v", st, wantStats)
		}
		if got := f.announcement(t, a).Status; got != content.AnnSent {
			t.Errorf("status %q, want sent", got)
		}
		if n := len(f.fake.CallsTo("multicast")); n != p.Multicasts {
			t.Errorf("%d multicasts, preview said %d", n, p.Multicasts)
		}
		// The recipients' weekly counters went up by one; nobody else's moved.
		for _, pp := range ps {
			n, err := f.rdb.HGet(ctx, e.caps.key(e.caps.week(noon), pp.id), pp.id).Int()
			if err != nil && err.Error() != "redis: nil" {
				t.Fatal(err)
			}
			wantN := preset[pp.id]
			if want[pp.id] == "send" {
				wantN++
			}
			if n != wantN {
				t.Errorf("%s: weekly counter %d, want %d", pp.id, n, wantN)
			}
		}
		if ttl := f.rdb.TTL(ctx, e.caps.key(e.caps.week(noon), ps[0].id)).Val(); ttl <= 7*24*time.Hour || ttl > capTTL {
			t.Errorf("weekly counters expire in %v, want about %v", ttl, capTTL)
		}
		if f.renders.Load() > 2 { // once for the preview, once for the send
			t.Errorf("messages rendered %d times", f.renders.Load())
		}

		// The same people are now at the cap or opted out: a second
		// announcement this week reaches only those who were at 1 or 0...
		// and an empty audience means the whole area of the city.
		b := f.announce(t, content.Audience{}, noon.Add(-time.Minute))
		pb, err := e.Preview(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		inArea := 0
		for _, pp := range ps {
			if !pp.noProfile && pp.province != "TH-10" {
				inArea++
			}
		}
		if pb.Targeted != inArea {
			t.Errorf("empty audience targets %d, want the %d people with a profile in the city's area", pb.Targeted, inArea)
		}
	})
}

func TestQuietHoursDelayASend(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, memory.New(), redistest.Embedded(t), linefake.Options{})
	ps := plainPeople(1, 30)
	addPeople(t, f.st, ps)
	e := f.engine(t)
	tenPM := time.Date(2026, 3, 10, 22, 0, 0, 0, thaitime.Zone)
	f.clock.Set(tenPM)
	a := f.announce(t, content.Audience{}, tenPM.Add(-30*time.Minute)) // due at 21:30

	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.fake.CallsTo("multicast")); n != 0 {
		t.Fatalf("%d multicasts at 22:00", n)
	}
	got := f.announcement(t, a)
	eight := time.Date(2026, 3, 11, 8, 0, 0, 0, thaitime.Zone)
	if got.Status != content.AnnScheduled || !got.ScheduledAt.Equal(eight) {
		t.Fatalf("at 22:00: %s at %v, want scheduled at %v", got.Status, got.ScheduledAt, eight)
	}

	f.clock.Set(time.Date(2026, 3, 11, 7, 59, 0, 0, thaitime.Zone))
	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.fake.CallsTo("multicast")); n != 0 {
		t.Fatalf("%d multicasts at 07:59", n)
	}

	f.clock.Set(eight)
	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, f.fake, ids(ps))
	if got := f.announcement(t, a).Status; got != content.AnnSent {
		t.Fatalf("at 08:00: status %q", got)
	}
}

// A chunk queued just before the quiet hours waits in the queue until they end.
func TestQueuedChunksWaitOutQuietHours(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, memory.New(), redistest.Embedded(t), linefake.Options{})
	ps := plainPeople(1, 30)
	addPeople(t, f.st, ps)
	e := f.engine(t, func(c *Config) { c.ChunkSize = 10 })
	f.clock.Set(time.Date(2026, 3, 10, 20, 59, 0, 0, thaitime.Zone))
	a := f.announce(t, content.Audience{}, f.clock.Now())
	if err := e.claimRound(ctx); err != nil { // resolved and queued at 20:59
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 3, 10, 21, 0, 0, 0, thaitime.Zone))
	stop := run(t, e)
	time.Sleep(300 * time.Millisecond)
	if n := len(f.fake.CallsTo("multicast")); n != 0 {
		t.Fatalf("%d multicasts in the quiet hours", n)
	}
	f.clock.Set(time.Date(2026, 3, 11, 8, 0, 0, 0, thaitime.Zone))
	waitFor(t, 10*time.Second, "the announcement sent", func() bool { return f.announcement(t, a).Status == content.AnnSent })
	stop()
	checkOnce(t, f.fake, ids(ps))
}

// A 4xx from LINE fails that chunk for good; the others are sent and the
// announcement finishes.
func TestPermanentErrorFailsTheChunk(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, memory.New(), redistest.Embedded(t), linefake.Options{})
	ps := plainPeople(1, 100)
	addPeople(t, f.st, ps)
	e := f.engine(t, func(c *Config) { c.ChunkSize = 25 })
	f.fake.Inject(linefake.Fault{Endpoint: "multicast", Status: 403})
	a := f.announce(t, content.Audience{}, noon)
	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	st := f.stats(t, a)
	if st.Sent != 75 || st.Failed != 25 || st.Pending != 0 {
		t.Fatalf("stats %+v, want 75 sent, 25 failed", st)
	}
	if got := f.announcement(t, a).Status; got != content.AnnSent {
		t.Fatalf("status %q", got)
	}
	if n := f.fake.DeliveredCount(); n != 75 {
		t.Fatalf("delivered %d", n)
	}
}

// Messages that LINE would refuse fail the preview and the chunks at once,
// without retrying for hours.
func TestBadRenderingFailsAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, memory.New(), redistest.Embedded(t), linefake.Options{})
	addPeople(t, f.st, plainPeople(1, 20))
	six := make([]json.RawMessage, 6)
	for i := range six {
		six[i] = json.RawMessage(`{"type":"text","text":"hi"}`)
	}
	e := f.engine(t, func(c *Config) {
		c.ChunkSize = 10
		c.Messages = func(context.Context, content.Announcement) ([]json.RawMessage, error) { return six, nil }
	})
	a := f.announce(t, content.Audience{}, noon)
	if _, err := e.Preview(ctx, a); !errors.Is(err, errBadRender) {
		t.Fatalf("preview: %v, want a bad rendering", err)
	}
	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if st := f.stats(t, a); st.Failed != 20 || st.Pending != 0 {
		t.Fatalf("stats %+v, want all 20 failed", st)
	}
	if n := len(f.fake.CallsTo("multicast")); n != 0 {
		t.Fatalf("%d multicasts", n)
	}
	if got := f.announcement(t, a).Status; got != content.AnnSent {
		t.Fatalf("status %q", got)
	}
}

// A cancelled announcement's chunks that are still queued are not sent.
func TestCancelledAnnouncementStops(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, memory.New(), redistest.Embedded(t), linefake.Options{})
	addPeople(t, f.st, plainPeople(1, 50))
	e := f.engine(t, func(c *Config) { c.ChunkSize = 10 })
	a := f.announce(t, content.Audience{}, noon)
	if err := e.claimRound(ctx); err != nil {
		t.Fatal(err)
	}
	got := f.announcement(t, a)
	if got.Status != content.AnnSending {
		t.Fatalf("status %q after resolving", got.Status)
	}
	got.Status = content.AnnCancelled
	if err := f.st.SaveAnnouncement(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := e.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.fake.DeliveredCount(); n != 0 {
		t.Fatalf("delivered %d after the cancel", n)
	}
	if st := f.stats(t, a); st.Failed != 50 || st.Pending != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// failingStore makes SaveChunks fail after a number of calls: a resolver
// that dies half-way.
type failingStore struct {
	*memory.Store
	saves, failAfter int
}

func (s *failingStore) SaveChunks(ctx context.Context, cs []content.Chunk) error {
	if s.saves++; s.saves > s.failAfter {
		return errors.New("killed")
	}
	return s.Store.SaveChunks(ctx, cs)
}

// A resolve that died half-way is finished by the sweep: the chunks saved
// keep their recipients and retry keys, the people after them get new ones,
// and nobody gets two — even though the first chunks were sent (and the weekly
// counters moved) in between.
func TestResolveResumesAfterACrash(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	fs := &failingStore{Store: mem, failAfter: 2}
	f := newFixture(t, fs, redistest.Embedded(t), linefake.Options{})
	ps := plainPeople(1, 2000)
	addPeople(t, mem, ps)
	dying := f.engine(t, func(c *Config) { c.ChunkSize = 30; c.WeeklyCap = 1; c.LockTTL = 300 * time.Millisecond })
	a := f.announce(t, content.Audience{}, noon)
	if err := dying.claimRound(ctx); err == nil {
		t.Fatal("the resolve did not fail")
	}
	if got := f.announcement(t, a).Status; got != content.AnnSending {
		t.Fatalf("status %q", got)
	}
	first, err := mem.Chunk(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Send what was saved: these people are now at the weekly cap of 1.
	if err := dying.drain(ctx); err != nil {
		t.Fatal(err)
	}
	sentBefore := f.fake.DeliveredCount()
	if sentBefore != 2*saveBatch*30 {
		t.Fatalf("%d delivered from the saved chunks, want %d", sentBefore, 2*saveBatch*30)
	}

	fs.failAfter = 1 << 30
	e := f.engine(t, func(c *Config) { c.ChunkSize = 50; c.WeeklyCap = 1 })
	waitFor(t, 5*time.Second, "the resolve lock to lapse", func() bool {
		return f.rdb.Exists(ctx, e.lockKey(a.ID)).Val() == 0
	})
	if err := e.RunOnce(ctx); err != nil { // the sweep resolves it again
		t.Fatal(err)
	}
	checkOnce(t, f.fake, ids(ps))
	again, _ := mem.Chunk(ctx, a.ID, 0)
	if again.RetryKey != first.RetryKey || !slices.Equal(again.Recipients, first.Recipients) {
		t.Fatal("a saved chunk changed")
	}
	st := f.stats(t, a)
	if st.Sent != 2000 || st.Pending != 0 || st.SkippedCapped != 0 || st.SkippedBlocked != 0 {
		t.Fatalf("stats %+v", st)
	}
	if got := f.announcement(t, a).Status; got != content.AnnSent {
		t.Fatalf("status %q", got)
	}
}

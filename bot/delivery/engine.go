package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/lease"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// Config sets up an Engine. Store, Sender, Redis and Messages are required.
type Config struct {
	Store     Store                 // the audience, announcements and their chunks
	Sender    *sender.Sender        // the one component that calls LINE
	Redis     redis.UniversalClient // weekly caps, the chunk queue, locks
	Prefix    string                // Redis key prefix; default "paitor:"
	WeeklyCap int                   // pushes per person per ISO week; default 3
	ChunkSize int                   // recipients per multicast, 1 to 500; default 500
	Now       func() time.Time      // default time.Now
	Log       *slog.Logger          // default slog.Default()
	// Messages renders what an announcement sends (1 to 5 LINE messages, e.g.
	// the festival's Flex bubble). The engine calls it once per announcement
	// and process and keeps the result; an error is retried.
	Messages func(ctx context.Context, a content.Announcement) ([]json.RawMessage, error)

	// Quiet are the hours no push is sent; nil means thaitime.Quiet.
	Quiet *thaitime.QuietHours
	// Tick is how often Run looks for due announcements and checks the quiet
	// hours; default 5 s.
	Tick time.Duration
	// SweepEvery is how often Run looks for announcements left "sending" by a
	// dead instance (to resolve them again or mark them sent); default 1 min.
	SweepEvery time.Duration
	// ClaimLease holds a claimed announcement against other instances until it
	// is marked sending; default 2 min.
	ClaimLease time.Duration
	// LockTTL is how long a resolve lock outlives a dead resolver; default 30 s.
	LockTTL time.Duration
	// GiveUpAfter is how long a chunk that keeps failing (LINE or network
	// trouble) is retried before it is recorded failed; default 20 h (more
	// than a night of quiet hours, less than the queue's MaxAge).
	GiveUpAfter time.Duration
	// Queue tunes the chunk queue (partitions, parallelism, lease). Its Prefix
	// is always Prefix+"bcast:". Default: 8 partitions, 4 chunks at once
	// each: 32 multicasts in flight per instance, plenty for LINE's rate.
	Queue queue.Config
}

// Engine resolves due announcements into chunks and sends the chunks. Several
// engines (processes) may run on one Redis and store.
type Engine struct {
	cfg   Config
	st    Store
	q     *queue.Queue
	quiet thaitime.QuietHours
	caps  caps
	log   *slog.Logger

	msgMu    sync.Mutex
	msgCache map[string][]json.RawMessage // rendered messages by announcement ID
	annCache map[string]cachedAnn         // announcements as chunks see them, by ID

	// For tests: called when a chunk's handling starts ("start") and after LINE
	// accepted it, before it is recorded ("sent"); an error stops the handling
	// there, as if the process died.
	hook func(stage string, annID string, seq int) error
	// Chunks this engine had LINE accept (including 409s).
	chunksSent atomic.Int64
}

// New checks the configuration and returns an engine. It does not start
// anything: call Run.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Sender == nil || cfg.Redis == nil || cfg.Messages == nil {
		return nil, errors.New("delivery: Store, Sender, Redis and Messages are required")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "paitor:"
	}
	if cfg.WeeklyCap <= 0 {
		cfg.WeeklyCap = 3
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = sender.MaxRecipients
	}
	if cfg.ChunkSize > sender.MaxRecipients {
		return nil, fmt.Errorf("delivery: ChunkSize %d is over LINE's %d recipients per multicast", cfg.ChunkSize, sender.MaxRecipients)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	quiet := thaitime.Quiet
	if cfg.Quiet != nil {
		quiet = *cfg.Quiet
	}
	cfg.Tick = orDefault(cfg.Tick, 5*time.Second)
	cfg.SweepEvery = orDefault(cfg.SweepEvery, time.Minute)
	cfg.ClaimLease = orDefault(cfg.ClaimLease, 2*time.Minute)
	cfg.LockTTL = orDefault(cfg.LockTTL, 30*time.Second)
	cfg.GiveUpAfter = orDefault(cfg.GiveUpAfter, 20*time.Hour)
	qc := cfg.Queue
	qc.Prefix = cfg.Prefix + "bcast:"
	if qc.Partitions <= 0 {
		qc.Partitions = 8
	}
	if qc.Parallel <= 0 {
		qc.Parallel = 4
	}
	if qc.Group == "" {
		qc.Group = "senders"
	}
	if qc.MaxAge <= 0 {
		qc.MaxAge = max(24*time.Hour, cfg.GiveUpAfter+4*time.Hour)
	}
	return &Engine{
		cfg:      cfg,
		st:       cfg.Store,
		q:        queue.New(cfg.Redis, qc),
		quiet:    quiet,
		caps:     caps{rdb: cfg.Redis, prefix: cfg.Prefix + "cap:", limit: cfg.WeeklyCap, zone: thaitime.Zone},
		log:      cfg.Log,
		msgCache: map[string][]json.RawMessage{},
		annCache: map[string]cachedAnn{},
	}, nil
}

// Close releases the queue's connections. The engine must not be running.
func (e *Engine) Close() error { return e.q.Close() }

// Run claims due announcements, resolves them and sends their chunks until ctx
// ends; then it lets chunks in flight finish (bounded by the queue's drain
// time) and returns nil. No chunk is taken during the quiet hours.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { e.consume(ctx) })
	tick := time.NewTicker(e.cfg.Tick)
	defer tick.Stop()
	var lastSweep time.Time
	for {
		if time.Since(lastSweep) >= e.cfg.SweepEvery {
			lastSweep = time.Now()
			if err := e.sweep(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("delivery: sweep failed", "err", err)
			}
		}
		if err := e.claimRound(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("delivery: claim round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-tick.C:
		}
	}
}

// RunOnce does one sweep and one claim round (resolving what is due), then,
// outside the quiet hours, works the chunk queue until it is empty or ctx ends.
// It is for tests and one-shot commands; do not call it while Run runs on the
// same engine.
func (e *Engine) RunOnce(ctx context.Context) error {
	if err := e.sweep(ctx); err != nil {
		return err
	}
	if err := e.claimRound(ctx); err != nil {
		return err
	}
	if e.quiet.Contains(e.cfg.Now()) {
		return nil
	}
	return e.drain(ctx)
}

// drain works the queue until it holds nothing.
func (e *Engine) drain(ctx context.Context) error {
	qctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = e.q.Run(qctx, e.handle, e.log) }()
	defer func() { cancel(); <-done }()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		st, err := e.q.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Depth == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// consume works the chunk queue outside the quiet hours until ctx ends.
func (e *Engine) consume(ctx context.Context) {
	t := time.NewTicker(min(e.cfg.Tick, time.Second))
	defer t.Stop()
	for ctx.Err() == nil {
		if !e.quiet.Contains(e.cfg.Now()) {
			qctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); _ = e.q.Run(qctx, e.handle, e.log) }()
		watch:
			for {
				select {
				case <-done:
					break watch
				case <-t.C:
					if e.quiet.Contains(e.cfg.Now()) {
						e.log.Info("delivery: quiet hours: sending paused")
						break watch
					}
				}
			}
			cancel()
			<-done
			continue
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
}

// claimRound claims due announcements one at a time until none is left: in
// the quiet hours it moves them to the end of the quiet hours, otherwise it
// resolves them.
func (e *Engine) claimRound(ctx context.Context) error {
	for ctx.Err() == nil {
		now := e.cfg.Now()
		due, err := e.st.ClaimDueAnnouncements(ctx, now, 1, e.cfg.ClaimLease)
		if err != nil {
			return fmt.Errorf("delivery: claim due announcements: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		for _, a := range due {
			if e.quiet.Contains(now) {
				if err := e.postpone(ctx, a, e.quiet.NextAllowed(now)); err != nil {
					return err
				}
				continue
			}
			if err := e.resolve(ctx, a); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// postpone moves a due announcement to later (the end of the quiet hours).
func (e *Engine) postpone(ctx context.Context, a content.Announcement, until time.Time) error {
	cur, err := e.st.Announcement(ctx, a.CityID, a.ID) // the latest, not the claimed copy
	if err != nil {
		return fmt.Errorf("delivery: postpone announcement %s: %w", a.ID, err)
	}
	if cur.Status != content.AnnScheduled {
		return nil
	}
	cur.ScheduledAt = until
	if err := e.st.SaveAnnouncement(ctx, cur); err != nil {
		return fmt.Errorf("delivery: postpone announcement %s past quiet hours: %w", a.ID, err)
	}
	e.log.Info("delivery: announcement postponed past quiet hours", "announcement", a.ID, "until", until)
	return nil
}

// sweep finishes what dead instances left: announcements "sending" that were
// never fully resolved are resolved again, and those whose chunks are all
// finished are marked sent.
func (e *Engine) sweep(ctx context.Context) error {
	cities, err := e.st.Cities(ctx)
	if err != nil {
		return fmt.Errorf("delivery: sweep: %w", err)
	}
	for _, c := range cities {
		anns, err := e.st.Announcements(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("delivery: sweep: %w", err)
		}
		for _, a := range anns {
			if a.Status != content.AnnSending {
				continue
			}
			if err := e.resolve(ctx, a); err != nil {
				e.log.Warn("delivery: sweep: resolve failed", "announcement", a.ID, "err", err)
			}
		}
	}
	return nil
}

// Redis keys of the engine besides the queue's and the caps'.
func (e *Engine) lockKey(annID string) string     { return e.cfg.Prefix + "bcast:lock:" + annID }
func (e *Engine) resolvedKey(annID string) string { return e.cfg.Prefix + "bcast:resolved:" + annID }
func (e *Engine) doneKey(annID string) string     { return e.cfg.Prefix + "bcast:done:" + annID }

// markerTTL is how long the resolve marker and the finished-chunk set live.
const markerTTL = 30 * 24 * time.Hour

// lock takes the resolve lock of an announcement under a fresh owner. It
// returns a context that is cancelled if the lock is lost, and a release
// function; ok is false when another instance holds the lock.
func (e *Engine) lock(ctx context.Context, annID string) (lctx context.Context, release func(), ok bool, err error) {
	return lease.Hold(ctx, e.cfg.Redis, e.lockKey(annID), uuid.NewString(), e.cfg.LockTTL, func(err error) {
		e.log.Warn("delivery: resolve lock lost", "announcement", annID, "err", err)
	})
}

// messages renders an announcement's messages once per process.
func (e *Engine) messages(ctx context.Context, a content.Announcement) ([]json.RawMessage, error) {
	e.msgMu.Lock()
	msgs, ok := e.msgCache[a.ID]
	e.msgMu.Unlock()
	if ok {
		return msgs, nil
	}
	msgs, err := e.render(ctx, a)
	if err != nil {
		return nil, err
	}
	e.msgMu.Lock()
	if len(e.msgCache) >= 256 { // announcements are few; keep the cache bounded anyway
		clear(e.msgCache)
	}
	e.msgCache[a.ID] = msgs
	e.msgMu.Unlock()
	return msgs, nil
}

// errBadRender marks rendered messages LINE would refuse: retrying is useless.
var errBadRender = errors.New("delivery: bad rendering")

// render calls Messages and checks that LINE can take what it gives.
func (e *Engine) render(ctx context.Context, a content.Announcement) ([]json.RawMessage, error) {
	msgs, err := e.cfg.Messages(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("delivery: render announcement %s: %w", a.ID, err)
	}
	if len(msgs) == 0 || len(msgs) > sender.MaxMessagesPerRequest {
		return nil, fmt.Errorf("%w: announcement %s renders %d messages (1 to %d allowed)", errBadRender, a.ID, len(msgs), sender.MaxMessagesPerRequest)
	}
	for i, m := range msgs {
		if !json.Valid(m) {
			return nil, fmt.Errorf("%w: announcement %s: message %d is not JSON", errBadRender, a.ID, i)
		}
	}
	return msgs, nil
}

// cachedAnn is an announcement loaded for its chunks.
type cachedAnn struct {
	a  content.Announcement
	at time.Time
}

// annTTL is how long chunks use a loaded announcement: a cancellation stops
// the chunks not yet taken within this time.
const annTTL = time.Second

// announcement loads an announcement for its chunks, at most once per annTTL.
func (e *Engine) announcement(ctx context.Context, cityID, id string) (content.Announcement, error) {
	e.msgMu.Lock()
	c, ok := e.annCache[id]
	e.msgMu.Unlock()
	if ok && time.Since(c.at) < annTTL {
		return c.a, nil
	}
	a, err := e.st.Announcement(ctx, cityID, id)
	if err != nil {
		return content.Announcement{}, err
	}
	e.msgMu.Lock()
	if len(e.annCache) >= 256 {
		clear(e.annCache)
	}
	e.annCache[id] = cachedAnn{a: a, at: time.Now()}
	e.msgMu.Unlock()
	return a, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

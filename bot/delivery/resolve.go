package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/content"
)

// Chunk statuses (content.Chunk.Status).
const (
	chunkPending = "pending"
	chunkSent    = "sent"
	chunkFailed  = "failed"
)

const (
	capBatch  = 1000 // people whose weekly counters are read in one round trip
	saveBatch = 20   // chunks saved (and then queued) together
)

// Preview is what sending an announcement now would do.
type Preview struct {
	Targeted        int // people in the audience (area, age, role, interests)
	WouldSend       int // of them, who would get it
	SkippedBlocked  int // left out: they blocked Pai Tor
	SkippedOptedOut int // left out: pushes or festival news turned off
	SkippedCapped   int // left out: already WeeklyCap pushes this week
	Messages        int // messages each recipient gets
	Multicasts      int // LINE requests it takes
	QuotaCost       int // messages counted against the monthly quota: WouldSend × Messages
}

// Preview counts who an announcement would reach now and what it would cost,
// streaming the audience exactly as a send does; it sends nothing.
func (e *Engine) Preview(ctx context.Context, a content.Announcement) (Preview, error) {
	msgs, err := e.render(ctx, a) // not cached: a draft may still change
	if err != nil {
		return Preview{}, fmt.Errorf("delivery: preview: %w", err)
	}
	city, err := e.st.City(ctx, a.CityID)
	if err != nil {
		return Preview{}, fmt.Errorf("delivery: preview: %w", err)
	}
	w := &walker{e: e, now: e.cfg.Now(), emit: func([]string) error { return nil }}
	if aud, ok := scope(city, a.Audience); ok {
		err := e.stream(ctx, aud, func(r content.Recipient) error { return w.add(ctx, r) })
		if err == nil {
			err = w.flush(ctx)
		}
		if err != nil {
			return Preview{}, fmt.Errorf("delivery: preview: %w", err)
		}
	}
	t := w.t
	return Preview{
		Targeted: t.targeted, WouldSend: t.eligible,
		SkippedBlocked: t.blocked, SkippedOptedOut: t.optedOut, SkippedCapped: t.capped,
		Messages:   len(msgs),
		Multicasts: (t.eligible + e.cfg.ChunkSize - 1) / e.cfg.ChunkSize,
		QuotaCost:  t.eligible * len(msgs),
	}, nil
}

// scope limits an audience to the city's area (an empty audience area means
// the whole area of the city). ok is false when none of it is in the area.
func scope(c content.City, a content.Audience) (content.Audience, bool) {
	provs := c.Provinces
	if len(a.Provinces) > 0 {
		provs = nil
		for _, p := range a.Provinces {
			if slices.Contains(c.Provinces, p) && !slices.Contains(provs, p) {
				provs = append(provs, p)
			}
		}
	}
	var dists []string
	switch {
	case len(a.Districts) > 0:
		for _, d := range a.Districts {
			p, name, _ := strings.Cut(d, "/")
			if slices.Contains(provs, p) && c.Covers(p, name) && !slices.Contains(dists, d) {
				dists = append(dists, d)
			}
		}
		if len(dists) == 0 {
			return content.Audience{}, false
		}
	case len(c.Districts) > 0:
		for _, d := range c.Districts {
			p, _, _ := strings.Cut(d, "/")
			if slices.Contains(provs, p) {
				dists = append(dists, d)
			}
		}
		if len(dists) == 0 {
			return content.Audience{}, false
		}
	}
	if len(dists) > 0 { // keep only the provinces the districts are in
		provs = slices.DeleteFunc(slices.Clone(provs), func(p string) bool {
			return !slices.ContainsFunc(dists, func(d string) bool { return strings.HasPrefix(d, p+"/") })
		})
	}
	if len(provs) == 0 {
		return content.Audience{}, false
	}
	a.Provinces, a.Districts = provs, dists
	return a, true
}

// Why a person in the audience is left out.
const (
	include = iota
	leftBlocked
	leftOptedOut
)

func classify(r content.Recipient) int {
	switch {
	case r.Blocked:
		return leftBlocked
	case r.Settings["pushes"] == "off" || r.Settings["festivals"] == "off":
		return leftOptedOut
	}
	return include
}

type tally struct{ targeted, blocked, optedOut, capped, eligible int }

// walker counts an audience as it streams by and hands the people who may
// receive the push, in order, to emit, after checking their weekly caps in
// batches. emit must copy what it keeps.
type walker struct {
	e    *Engine
	now  time.Time
	t    tally
	buf  []string
	emit func(ids []string) error
}

func (w *walker) add(ctx context.Context, r content.Recipient) error {
	w.t.targeted++
	switch classify(r) {
	case leftBlocked:
		w.t.blocked++
	case leftOptedOut:
		w.t.optedOut++
	default:
		w.buf = append(w.buf, r.UserID)
		if len(w.buf) >= capBatch {
			return w.flush(ctx)
		}
	}
	return nil
}

func (w *walker) flush(ctx context.Context) error {
	if len(w.buf) == 0 {
		return nil
	}
	over, err := w.e.caps.over(ctx, w.buf, w.now)
	if err != nil {
		return err
	}
	keep := w.buf[:0]
	for i, id := range w.buf {
		if over[i] {
			w.t.capped++
		} else {
			keep = append(keep, id)
		}
	}
	w.t.eligible += len(keep)
	err = w.emit(keep)
	w.buf = w.buf[:0]
	return err
}

// stream calls visit for every person in the audience, in user ID order. The
// store is read ahead (up to four pages of 1,000) in another goroutine, so
// its queries overlap with visit's work.
func (e *Engine) stream(ctx context.Context, aud content.Audience, visit func(content.Recipient) error) error {
	const pageSize = 1000
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []content.Recipient, 4)
	var streamErr error // written before pages is closed
	go func() {
		defer close(pages)
		page := make([]content.Recipient, 0, pageSize)
		send := func() error {
			select {
			case pages <- page:
				page = make([]content.Recipient, 0, pageSize)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		streamErr = e.st.StreamAudience(ctx, aud, func(r content.Recipient) error {
			if page = append(page, r); len(page) == pageSize {
				return send()
			}
			return nil
		})
		if streamErr == nil && len(page) > 0 {
			streamErr = send()
		}
	}()
	var err error
	for page := range pages {
		for _, r := range page {
			if err != nil {
				break
			}
			if err = visit(r); err != nil {
				cancel() // stop the reader; drain what it sent
			}
		}
	}
	if err != nil {
		return err
	}
	return streamErr
}

// chunker cuts recipients into chunks and hands them in batches to a saver
// goroutine, which saves each batch and only then queues it, one batch after
// the other (so the saved chunks are always 0..n-1).
type chunker struct {
	e      *Engine
	a      content.Announcement
	seq    int // the next chunk's
	cur    []string
	batch  []content.Chunk
	saves  chan []content.Chunk
	done   chan struct{}
	err    error // the saver's first error, read after done
	cancel context.CancelFunc
	once   sync.Once
}

// newChunker starts a chunker numbering from seq. Work with the returned
// context: it is cancelled when the saver fails.
func (e *Engine) newChunker(ctx context.Context, a content.Announcement, seq int) (*chunker, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	c := &chunker{e: e, a: a, seq: seq, saves: make(chan []content.Chunk, 2), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(c.done)
		for b := range c.saves {
			if c.err != nil {
				continue
			}
			if err := e.st.SaveChunks(ctx, b); err != nil {
				c.err = fmt.Errorf("delivery: save chunks of %s: %w", a.ID, err)
			} else if err := e.enqueue(ctx, a, b[0].Seq, b[len(b)-1].Seq+1); err != nil {
				c.err = err
			}
			if c.err != nil {
				cancel()
			}
		}
	}()
	return c, ctx
}

func (c *chunker) add(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if c.cur == nil {
			c.cur = make([]string, 0, c.e.cfg.ChunkSize)
		}
		c.cur = append(c.cur, id)
		if len(c.cur) == c.e.cfg.ChunkSize {
			c.cut()
			if len(c.batch) >= saveBatch {
				if err := c.save(ctx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (c *chunker) cut() {
	c.batch = append(c.batch, content.Chunk{
		AnnouncementID: c.a.ID, Seq: c.seq, Recipients: c.cur, RetryKey: uuid.NewString(), Status: chunkPending,
	})
	c.seq++
	c.cur = nil
}

func (c *chunker) save(ctx context.Context) error {
	if len(c.batch) == 0 {
		return nil
	}
	select {
	case c.saves <- c.batch:
		c.batch = make([]content.Chunk, 0, saveBatch)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish saves and queues what is left (when complete) and waits for the
// saver; it returns the saver's error.
func (c *chunker) finish(ctx context.Context, complete bool) error {
	var err error
	if complete {
		if len(c.cur) > 0 {
			c.cut()
		}
		err = c.save(ctx)
	}
	c.stop()
	if c.err != nil {
		return c.err
	}
	return err
}

// stop ends the saver and waits for it.
func (c *chunker) stop() {
	c.once.Do(func() {
		close(c.saves)
		<-c.done
		c.cancel()
	})
}

// event is a queued chunk: which announcement (and city), which chunk.
type event struct {
	A string `json:"a"`
	C string `json:"c"`
	S int    `json:"s"`
}

// enqueue queues chunks [from, to) of an announcement. Event IDs are
// announcementID:seq, so queuing a chunk again is a no-op.
func (e *Engine) enqueue(ctx context.Context, a content.Announcement, from, to int) error {
	for from < to {
		n := min(to-from, 100)
		evs := make([]queue.Event, 0, n)
		for seq := from; seq < from+n; seq++ {
			id := a.ID + ":" + strconv.Itoa(seq)
			body, _ := json.Marshal(event{A: a.ID, C: a.CityID, S: seq})
			evs = append(evs, queue.Event{ID: id, Key: id, Body: body})
		}
		if _, err := e.q.Enqueue(ctx, evs); err != nil {
			return fmt.Errorf("delivery: queue chunks of %s: %w", a.ID, err)
		}
		from += n
	}
	return nil
}

// resolve turns an announcement into saved, queued chunks (see the package
// documentation). It is safe to call again after a crash at any point, and
// does nothing while another instance resolves the same announcement.
func (e *Engine) resolve(ctx context.Context, a content.Announcement) error {
	lctx, release, ok, err := e.lock(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("delivery: lock announcement %s: %w", a.ID, err)
	}
	if !ok {
		return nil // another instance is resolving it
	}
	defer release()
	ctx = lctx

	switch n, err := e.cfg.Redis.Exists(ctx, e.resolvedKey(a.ID)).Result(); {
	case err != nil:
		return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
	case n > 0: // resolved already: finished?
		st, err := e.st.Stats(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
		}
		if st.Pending == 0 {
			return e.markSent(ctx, a.CityID, a.ID)
		}
		return nil
	}

	start := time.Now()
	cur, err := e.st.Announcement(ctx, a.CityID, a.ID)
	if err != nil {
		return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
	}
	switch cur.Status {
	case content.AnnScheduled:
		if cur.ScheduledAt.After(e.cfg.Now()) {
			return nil // moved to later since it was claimed
		}
		cur.Status = content.AnnSending
		if err := e.st.SaveAnnouncement(ctx, cur); err != nil {
			return fmt.Errorf("delivery: mark %s sending: %w", a.ID, err)
		}
	case content.AnnSending: // an earlier resolve died
	default:
		return nil // cancelled, or not scheduled any more
	}
	city, err := e.st.City(ctx, cur.CityID)
	if err != nil {
		return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
	}

	// Chunks an interrupted resolve saved stay as they are and are queued
	// again; only the people after them are cut into new chunks.
	saved, err := e.savedChunks(ctx, cur.ID)
	if err != nil {
		return err
	}
	var lastID string
	inChunks := 0
	if saved > 0 {
		last, err := e.st.Chunk(ctx, cur.ID, saved-1)
		if err != nil {
			return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
		}
		lastID = "\U0010FFFF" // recipients already pruned: everyone was covered
		if n := len(last.Recipients); n > 0 {
			lastID = last.Recipients[n-1]
		}
		st, err := e.st.Stats(ctx, cur.ID)
		if err != nil {
			return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
		}
		inChunks = st.Sent + st.Failed + st.Pending
		if err := e.enqueue(ctx, cur, 0, saved); err != nil {
			return err
		}
		e.log.Info("delivery: resuming an interrupted resolve", "announcement", cur.ID, "chunks_saved", saved)
	}

	ch, cctx := e.newChunker(ctx, cur, saved)
	defer ch.stop()
	w := &walker{e: e, now: e.cfg.Now(), emit: func(ids []string) error { return ch.add(cctx, ids) }}
	var before tally // people up to lastID: in saved chunks or left out earlier
	if aud, ok := scope(city, cur.Audience); ok {
		err = e.stream(cctx, aud, func(r content.Recipient) error {
			if saved > 0 && r.UserID <= lastID {
				before.targeted++
				switch classify(r) {
				case leftBlocked:
					before.blocked++
				case leftOptedOut:
					before.optedOut++
				}
				return nil
			}
			return w.add(cctx, r)
		})
		if err == nil {
			err = w.flush(cctx)
		}
	}
	if ferr := ch.finish(cctx, err == nil); ferr != nil {
		err = ferr // the saver's failure explains the rest
	}
	if err != nil {
		return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
	}
	t := w.t
	t.targeted += before.targeted
	t.blocked += before.blocked
	t.optedOut += before.optedOut
	t.capped += max(0, before.targeted-inChunks-before.blocked-before.optedOut)
	if err := e.st.SetSkipped(ctx, cur.ID, t.blocked, t.optedOut, t.capped); err != nil {
		return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
	}

	// Resolved: from now on only the chunks' outcomes matter. Whoever sees
	// the last chunk finished after this marker marks the announcement sent.
	total := ch.seq
	pipe := e.cfg.Redis.TxPipeline()
	pipe.Set(ctx, e.resolvedKey(cur.ID), total, markerTTL)
	done := pipe.SCard(ctx, e.doneKey(cur.ID))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("delivery: resolve %s: %w", a.ID, err)
	}
	e.log.Info("delivery: announcement resolved", "announcement", cur.ID, "targeted", t.targeted,
		"recipients", t.eligible+inChunks, "chunks", total, "blocked", t.blocked, "opted_out", t.optedOut,
		"capped", t.capped, "took", time.Since(start).Round(time.Millisecond))
	if done.Val() >= int64(total) {
		return e.markSent(ctx, cur.CityID, cur.ID)
	}
	return nil
}

// savedChunks returns how many chunks of an announcement are saved. Chunks
// are saved in seq order, so they are 0..n-1: found by doubling, then
// bisecting.
func (e *Engine) savedChunks(ctx context.Context, annID string) (int, error) {
	exists := func(seq int) (bool, error) {
		_, err := e.st.Chunk(ctx, annID, seq)
		if content.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("delivery: look for saved chunks of %s: %w", annID, err)
		}
		return true, nil
	}
	ok, err := exists(0)
	if err != nil || !ok {
		return 0, err
	}
	lo, hi := 0, 1 // lo exists, hi is unknown
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 { // lo exists, hi does not
		mid := (lo + hi) / 2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1, nil
}

// finished records that a chunk is finished and marks the announcement sent
// when it was the last one of a resolved announcement.
func (e *Engine) finished(ctx context.Context, cityID, annID string, seq int) error {
	pipe := e.cfg.Redis.TxPipeline()
	pipe.SAdd(ctx, e.doneKey(annID), seq)
	pipe.Expire(ctx, e.doneKey(annID), markerTTL)
	n := pipe.SCard(ctx, e.doneKey(annID))
	total := pipe.Get(ctx, e.resolvedKey(annID))
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return fmt.Errorf("delivery: record chunk %s:%d finished: %w", annID, seq, err)
	}
	want, err := total.Int64()
	if err != nil { // still being resolved: the resolver checks when it is done
		return nil
	}
	if n.Val() >= want {
		return e.markSent(ctx, cityID, annID)
	}
	return nil
}

// markSent moves a sending announcement to sent.
func (e *Engine) markSent(ctx context.Context, cityID, annID string) error {
	a, err := e.st.Announcement(ctx, cityID, annID)
	if err != nil {
		return fmt.Errorf("delivery: mark %s sent: %w", annID, err)
	}
	if a.Status != content.AnnSending {
		return nil
	}
	a.Status = content.AnnSent
	if err := e.st.SaveAnnouncement(ctx, a); err != nil {
		return fmt.Errorf("delivery: mark %s sent: %w", annID, err)
	}
	if st, err := e.st.Stats(ctx, annID); err == nil {
		e.log.Info("delivery: announcement sent", "announcement", annID, "targeted", st.Targeted,
			"sent", st.Sent, "failed", st.Failed, "blocked", st.SkippedBlocked, "opted_out", st.SkippedOptedOut, "capped", st.SkippedCapped)
	}
	return nil
}

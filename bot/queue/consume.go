package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/lease"
)

// Message is one queued event handed to a Handler.
type Message struct {
	StreamID  string    // the entry's ID in its partition stream
	ID        string    // the event ID given to Enqueue
	Key       string    // the ordering key
	Body      []byte    // the event as queued
	Enqueued  time.Time // when it was queued
	Attempt   int       // 1 on the first try
	Partition int
}

// Handler handles one event. It returns nil when the event is done. An error
// wrapped with Permanent means retrying cannot help: the event is moved to the
// dead-letter stream. Any other error (a database or LINE outage) is retried
// with backoff while the event and the later events with the same key wait,
// until the event is older than Config.MaxAge (or Config.MaxAttempts, if set).
type Handler func(ctx context.Context, m Message) error

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// drainTimeout bounds how long one handler call may run; so it also bounds how
// long a stopping partition waits for its running handlers.
const drainTimeout = 20 * time.Second

// pollEvery is how often a partition looks for new entries while some of its
// handlers run and a slot is free (a blocking read would not wake when one of
// them finishes): a new event for a free key waits at most this long.
const pollEvery = 100 * time.Millisecond

// ackTimeout bounds one acknowledgement.
const ackTimeout = 5 * time.Second

// Run works the partitions this instance can lease until ctx is cancelled, then
// lets in-flight handlers finish (bounded by drainTimeout), releases its leases
// and returns. Several instances may Run on one Redis: each partition is worked
// by one of them at a time.
func (q *Queue) Run(ctx context.Context, h Handler, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	var wg sync.WaitGroup
	// owned has every partition whose worker runs, by the cancel of its work;
	// leaving has those of them given back whose worker has not stopped yet.
	// A partition stays owned until its worker has stopped and released the
	// lease: taking it again meanwhile (the lease still names this instance)
	// would start a second worker on it.
	owned := map[int]context.CancelFunc{}
	leaving := map[int]bool{}
	done := make(chan int, q.cfg.Partitions)
	stopped := func(p int) { delete(owned, p); delete(leaving, p) }
	tick := time.NewTicker(q.cfg.LeaseTTL / 3)
	defer tick.Stop()
	for {
		for {
			select {
			case p := <-done:
				stopped(p)
				continue
			default:
			}
			break
		}
		if ctx.Err() == nil {
			q.rebalance(ctx, owned, leaving, func(p int, pctx context.Context, release func()) {
				wg.Go(func() {
					defer func() { done <- p }()
					defer release()
					q.workPartition(pctx, p, h, log)
				})
			}, log)
		}
		select {
		case <-ctx.Done():
			for _, cancel := range owned {
				cancel()
			}
			wg.Wait()
			dctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			q.rdb.ZRem(dctx, q.instancesKey(), q.id)
			cancel()
			return nil
		case p := <-done:
			stopped(p)
		case <-tick.C:
		}
	}
}

// rebalance heartbeats this instance, then takes free partitions up to its fair
// share or gives back the ones above it. start runs a partition's work under
// ctx (ended when the lease is lost) and must call release once the work has
// stopped.
func (q *Queue) rebalance(ctx context.Context, owned map[int]context.CancelFunc, leaving map[int]bool, start func(p int, ctx context.Context, release func()), log *slog.Logger) {
	now := time.Now()
	pipe := q.rdb.Pipeline()
	pipe.ZAdd(ctx, q.instancesKey(), redis.Z{Score: float64(now.UnixMilli()), Member: q.id})
	pipe.ZRemRangeByScore(ctx, q.instancesKey(), "-inf", fmt.Sprint(now.Add(-3*q.cfg.LeaseTTL).UnixMilli()))
	live := pipe.ZCard(ctx, q.instancesKey())
	if _, err := pipe.Exec(ctx); err != nil {
		log.Warn("queue: heartbeat failed", "err", err)
		return
	}
	n := max(int(live.Val()), 1)
	share := (q.cfg.Partitions + n - 1) / n
	for p, cancel := range owned {
		if len(owned)-len(leaving) <= share {
			break
		}
		if !leaving[p] {
			cancel()
			leaving[p] = true
		}
	}
	offset := rand.IntN(q.cfg.Partitions)
	for i := 0; i < q.cfg.Partitions && len(owned)-len(leaving) < share; i++ {
		p := (offset + i) % q.cfg.Partitions
		if _, ok := owned[p]; ok {
			continue
		}
		held, release, ok, err := lease.Hold(ctx, q.rdb, q.leaseKey(p), q.id, q.cfg.LeaseTTL, func(err error) {
			log.Warn("queue: lease lost", "partition", p, "err", err)
		})
		if err != nil {
			log.Warn("queue: lease failed", "partition", p, "err", err)
			return
		}
		if !ok {
			continue
		}
		pctx, cancel := context.WithCancel(held)
		owned[p] = cancel
		start(p, pctx, release)
	}
}

// workPartition consumes one partition until ctx ends (the partition is given
// back, the lease is lost or the queue stops). The caller holds the lease and
// releases it when this returns.
//
// This goroutine alone reads, starts keys, acknowledges and keeps the
// partition's bookkeeping; each started key runs in a goroutine of its own and
// reports back on w.done. So the partition goes on reading and starting other
// keys while some keys' handlers run, and:
//   - a key runs in one goroutine at a time, its events in stream order: a key
//     that runs or waits for a retry is not started again (start);
//   - at most Config.Parallel keys run at once in the partition (start, read);
//   - an entry is acknowledged only after its handler finished or was given up
//     on, and its key is free again only after that (settle);
//   - no handler is abandoned: when ctx ends, this waits for the running keys
//     (each handler call is bounded by drainTimeout) before it returns.
func (q *Queue) workPartition(ctx context.Context, p int, h Handler, log *slog.Logger) {
	stream := q.streamKey(p)
	if err := q.prepare(ctx, stream); err != nil {
		log.Warn("queue: prepare partition", "partition", p, "err", err)
		return
	}
	w := &partitionWork{
		attempts: map[string]int{}, waiting: map[string]time.Time{}, running: map[string]bool{},
		done: make(chan runResult, q.cfg.Parallel),
	}
	failures := 0
	for ctx.Err() == nil {
		q.settle(ctx, p, w, w.finished(), log)
		msgs, waited, err := q.read(ctx, stream, w)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			log.Warn("queue: read failed", "partition", p, "err", err)
			sleep(ctx, backoff(failures))
			continue
		}
		failures = 0
		if q.start(ctx, p, msgs, h, w, log) == 0 && !waited {
			q.wait(ctx, p, w, log)
		}
	}
	// Stopped: wait for the running keys (they start no further event now) and
	// acknowledge what they did, so that the lease is released only when nothing
	// of this partition runs.
	for len(w.running) > 0 {
		q.settle(ctx, p, w, w.finished(<-w.done), log)
	}
}

// partitionWork is what one partition's consumer remembers between rounds. Only
// the partition's loop touches it, except done.
type partitionWork struct {
	attempts map[string]int       // tries so far, by stream entry ID
	waiting  map[string]time.Time // keys whose oldest event failed: not before this time
	running  map[string]bool      // keys started and not yet settled
	done     chan runResult       // running keys report here; room for Parallel, so a report never blocks
}

// runResult is what a running key reports when it stops.
type runResult struct {
	key     string
	acks    []string // entries handled or given up on, in order
	dead    []deadLetter
	failed  string    // the entry that failed and is to be retried; "" if none
	attempt int       // the failed entry's tries so far
	retryAt time.Time // when its key may run again
}

// runnable reports whether key's events may be started now: it does not run and
// does not wait for a retry.
func (w *partitionWork) runnable(key string, now time.Time) bool {
	t, ok := w.waiting[key]
	return !w.running[key] && (!ok || !now.Before(t))
}

// nextRetry returns the earliest time a waiting key may run again, or zero when
// no key waits beyond now. Keys whose wait is over are forgotten (they are
// runnable either way).
func (w *partitionWork) nextRetry(now time.Time) time.Time {
	var next time.Time
	for key, t := range w.waiting {
		if !t.After(now) {
			delete(w.waiting, key)
		} else if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next
}

// finished returns first (if given) and every other report already waiting on
// w.done, without blocking.
func (w *partitionWork) finished(first ...runResult) []runResult {
	rs := first
	for {
		select {
		case r := <-w.done:
			rs = append(rs, r)
		default:
			return rs
		}
	}
}

// prepare creates the consumer group and claims the entries that earlier owners
// of the partition read but never acknowledged.
func (q *Queue) prepare(ctx context.Context, stream string) error {
	err := q.rdb.XGroupCreateMkStream(ctx, stream, q.cfg.Group, "0").Err()
	if err != nil && !isBusyGroup(err) {
		return fmt.Errorf("create group: %w", err)
	}
	start := "0-0"
	for {
		_, next, err := q.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: stream, Group: q.cfg.Group, Consumer: q.id, Start: start, Count: 1000,
		}).Result()
		if err != nil {
			return fmt.Errorf("claim pending: %w", err)
		}
		if next == "0-0" || next == "" {
			return nil
		}
		start = next
	}
}

func isBusyGroup(err error) bool {
	return err != nil && len(err.Error()) >= 9 && err.Error()[:9] == "BUSYGROUP"
}

// maxPendingPages bounds how much of this consumer's pending list one round reads.
const maxPendingPages = 16

// read returns this consumer's pending entries (in order), then new ones. New
// entries are read only when the whole pending list was seen, so that a key's
// later event never runs ahead of an earlier one still pending, and only while
// fewer than Parallel keys run (what is read and cannot start stays pending and
// is read again next round).
//
// It waits for new entries (up to Block, or until a retry is due) only when no
// key runs and nothing pending can start now: a waiting read cannot be woken
// when a handler finishes. waited reports that it did.
func (q *Queue) read(ctx context.Context, stream string, w *partitionWork) (msgs []redis.XMessage, waited bool, err error) {
	var out []redis.XMessage
	start, complete := "0", false
	for range maxPendingPages {
		page, err := q.readGroup(ctx, stream, start, -1)
		if err != nil {
			return nil, false, err
		}
		out = append(out, page...)
		if len(page) < q.cfg.BatchSize {
			complete = true
			break
		}
		start = page[len(page)-1].ID
	}
	if !complete || len(w.running) >= q.cfg.Parallel {
		return out, false, nil
	}
	block := time.Duration(-1)
	now := time.Now()
	if len(w.running) == 0 && !slices.ContainsFunc(out, func(x redis.XMessage) bool { return w.runnable(str(x, "key"), now) }) {
		block = q.cfg.Block
		if next := w.nextRetry(now); !next.IsZero() {
			block = max(min(block, next.Sub(now)), time.Millisecond) // BLOCK 0 would wait forever
		}
	}
	fresh, err := q.readGroup(ctx, stream, ">", block)
	if err != nil {
		return nil, false, err
	}
	return append(out, fresh...), block >= 0, nil
}

func (q *Queue) readGroup(ctx context.Context, stream, id string, block time.Duration) ([]redis.XMessage, error) {
	c := q.rdb
	if block >= 0 {
		c = q.blocking
	}
	res, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: q.cfg.Group, Consumer: q.id, Streams: []string{stream, id}, Count: int64(q.cfg.BatchSize), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if isNoGroup(err) {
			// The stream is gone (e.g. Redis restarted empty): recreate it.
			if perr := q.prepare(ctx, stream); perr != nil {
				return nil, perr
			}
		}
		return nil, err
	}
	if len(res) == 0 {
		return nil, nil
	}
	return res[0].Messages, nil
}

func isNoGroup(err error) bool {
	return err != nil && len(err.Error()) >= 7 && err.Error()[:7] == "NOGROUP"
}

// start gives each key of msgs that may start now (it does not run and does
// not wait for a retry) a goroutine that handles the key's entries of msgs in
// stream order, while fewer than Parallel keys run. The other entries stay
// pending and are read again next round. It returns how many keys it started.
func (q *Queue) start(ctx context.Context, p int, msgs []redis.XMessage, h Handler, w *partitionWork, log *slog.Logger) int {
	now := time.Now()
	var order []string
	byKey := map[string][]Message{}
	for _, x := range msgs {
		m := toMessage(x, p)
		if _, ok := byKey[m.Key]; !ok {
			if !w.runnable(m.Key, now) || len(w.running)+len(order) >= q.cfg.Parallel {
				continue
			}
			order = append(order, m.Key)
		}
		m.Attempt = w.attempts[m.StreamID] + 1
		byKey[m.Key] = append(byKey[m.Key], m)
	}
	for _, key := range order {
		w.running[key] = true
		events := byKey[key]
		go func() { w.done <- q.run(ctx, p, events, h, log) }()
	}
	return len(order)
}

// run handles one key's events in order, each under a context of its own that
// the partition's stopping does not end but drainTimeout bounds. It stops at an
// event that fails (to be retried after a backoff, before the key's later
// events) and, once ctx has ended, before starting another event: what it did
// not handle stays pending.
func (q *Queue) run(ctx context.Context, p int, msgs []Message, h Handler, log *slog.Logger) runResult {
	r := runResult{key: msgs[0].Key}
	for _, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
		err := h(hctx, m)
		cancel()
		if err != nil && !IsPermanent(err) && !q.expired(m) {
			log.Warn("queue: event failed, will retry", "partition", p, "attempt", m.Attempt, "err", err)
			r.failed, r.attempt, r.retryAt = m.StreamID, m.Attempt, time.Now().Add(backoff(m.Attempt))
			break
		}
		if err != nil {
			log.Error("queue: giving up on event", "partition", p, "attempt", m.Attempt, "err", err)
			r.dead = append(r.dead, deadLetter{m, err})
		}
		r.acks = append(r.acks, m.StreamID)
	}
	return r
}

// settle records what the reported keys did, acknowledges their finished
// entries in one transaction and only then frees the keys: an entry whose
// acknowledgement is on its way is never read as pending and started again.
// (An acknowledgement that fails leaves its entries pending: they are handled
// again.)
func (q *Queue) settle(ctx context.Context, p int, w *partitionWork, rs []runResult, log *slog.Logger) {
	var acks []string
	var dead []deadLetter
	for _, r := range rs {
		acks = append(acks, r.acks...)
		dead = append(dead, r.dead...)
		for _, id := range r.acks {
			delete(w.attempts, id)
		}
		switch {
		case r.failed != "":
			w.attempts[r.failed] = r.attempt
			w.waiting[r.key] = r.retryAt
		case len(r.acks) > 0:
			delete(w.waiting, r.key)
		}
	}
	if len(acks) > 0 {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
		if err := q.ack(actx, q.streamKey(p), acks, dead); err != nil {
			log.Warn("queue: ack failed; events will be handled again", "partition", p, "err", err)
		}
		cancel()
	}
	for _, r := range rs {
		delete(w.running, r.key)
	}
}

// wait is for a round that could start nothing without having waited in read:
// some keys run (or the pending list is too long to see whole). It returns on
// the first of: a running key reports (settled here), a retry comes due, ctx
// ends, or, unless all Parallel slots are taken (then nothing else could start
// anyway), pollEvery (Block when no key runs) passes, to look for new entries.
func (q *Queue) wait(ctx context.Context, p int, w *partitionWork, log *slog.Logger) {
	var timeout <-chan time.Time
	if len(w.running) < q.cfg.Parallel {
		d := q.cfg.Block
		if len(w.running) > 0 {
			d = min(d, pollEvery)
		}
		now := time.Now()
		if next := w.nextRetry(now); !next.IsZero() {
			d = min(d, next.Sub(now))
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
	case r := <-w.done:
		q.settle(ctx, p, w, w.finished(r), log)
	case <-timeout:
	}
}

// expired reports whether a failing event has been retried long enough (or as
// often as configured) to be given up on.
func (q *Queue) expired(m Message) bool {
	if q.cfg.MaxAttempts > 0 && m.Attempt >= q.cfg.MaxAttempts {
		return true
	}
	return time.Since(m.Enqueued) > q.cfg.MaxAge
}

type deadLetter struct {
	m   Message
	err error
}

// ack acknowledges and deletes finished entries and files the dead letters, in
// one transaction.
func (q *Queue) ack(ctx context.Context, stream string, ids []string, dead []deadLetter) error {
	_, err := q.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, d := range dead {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: q.deadKey(), Values: []any{
				"id", d.m.ID, "key", d.m.Key, "body", d.m.Body, "err", fmt.Sprint(d.err),
			}})
		}
		pipe.XAck(ctx, stream, q.cfg.Group, ids...)
		pipe.XDel(ctx, stream, ids...)
		return nil
	})
	return err
}

func str(x redis.XMessage, k string) string { s, _ := x.Values[k].(string); return s }

func toMessage(x redis.XMessage, p int) Message {
	return Message{
		StreamID: x.ID, ID: str(x, "id"), Key: str(x, "key"), Body: []byte(str(x, "body")),
		Enqueued: idTime(x.ID), Partition: p,
	}
}

func backoff(n int) time.Duration {
	d := 100 * time.Millisecond << min(n, 9)
	return min(d, 30*time.Second)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

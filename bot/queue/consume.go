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

// drainTimeout bounds how long an in-flight handler may run once shutdown starts.
const drainTimeout = 20 * time.Second

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
// back, the lease is lost or the queue stops). The caller holds the lease.
func (q *Queue) workPartition(ctx context.Context, p int, h Handler, log *slog.Logger) {
	stream := q.streamKey(p)
	if err := q.prepare(ctx, stream); err != nil {
		log.Warn("queue: prepare partition", "partition", p, "err", err)
		return
	}
	w := &partitionWork{attempts: map[string]int{}, waiting: map[string]time.Time{}}
	failures := 0
	for ctx.Err() == nil {
		msgs, err := q.read(ctx, stream, w)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			log.Warn("queue: read failed", "partition", p, "err", err)
			sleep(ctx, backoff(failures))
			continue
		}
		failures = 0
		if len(msgs) > 0 && q.handle(ctx, p, msgs, h, w, log) == 0 {
			// Everything read is waiting for a retry: don't spin.
			sleep(ctx, min(time.Until(w.nextDue()), q.cfg.Block))
		}
	}
}

// partitionWork is what one partition's consumer remembers between rounds.
type partitionWork struct {
	attempts map[string]int       // tries so far, by stream entry ID
	waiting  map[string]time.Time // keys whose oldest event failed: not before this time
}

// runnable reports whether key's events may be tried now.
func (w *partitionWork) runnable(key string, now time.Time) bool {
	t, ok := w.waiting[key]
	return !ok || !now.Before(t)
}

func (w *partitionWork) nextDue() time.Time {
	var next time.Time
	for _, t := range w.waiting {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next
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

// maxPending bounds how much of this consumer's pending list one round reads.
const maxPendingPages = 16

// read returns this consumer's pending entries (in order), then new ones. New
// entries are read only when the whole pending list was seen, so that a key's
// later event never runs ahead of an earlier one still pending; it blocks for
// new entries only when nothing pending can run now.
func (q *Queue) read(ctx context.Context, stream string, w *partitionWork) ([]redis.XMessage, error) {
	var out []redis.XMessage
	start, complete := "0", false
	for range maxPendingPages {
		msgs, err := q.readGroup(ctx, stream, start, -1)
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
		if len(msgs) < q.cfg.BatchSize {
			complete = true
			break
		}
		start = msgs[len(msgs)-1].ID
	}
	if !complete {
		return out, nil
	}
	block := time.Duration(-1)
	now := time.Now()
	if !slices.ContainsFunc(out, func(x redis.XMessage) bool { return w.runnable(str(x, "key"), now) }) {
		block = q.cfg.Block
	}
	fresh, err := q.readGroup(ctx, stream, ">", block)
	if err != nil {
		return nil, err
	}
	return append(out, fresh...), nil
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

// handle runs one batch: keys in parallel, each key's events in order. A key
// stops at its first failure and waits (with backoff) before it is tried again,
// while other keys go on. It acknowledges what finished and returns how many
// events it tried.
func (q *Queue) handle(ctx context.Context, p int, msgs []redis.XMessage, h Handler, w *partitionWork, log *slog.Logger) int {
	now := time.Now()
	var order []string
	byKey := map[string][]Message{}
	for _, x := range msgs {
		m := toMessage(x, p)
		if !w.runnable(m.Key, now) {
			continue
		}
		if _, ok := byKey[m.Key]; !ok {
			order = append(order, m.Key)
		}
		byKey[m.Key] = append(byKey[m.Key], m)
	}
	if len(order) == 0 {
		return 0
	}
	// Handlers run to completion even during shutdown, within drainTimeout.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer cancel()

	var (
		mu    sync.Mutex
		acks  []string
		dead  []deadLetter
		tried int
		wg    sync.WaitGroup
		sem   = make(chan struct{}, q.cfg.Parallel)
	)
	for _, key := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, m := range byKey[key] {
				mu.Lock()
				w.attempts[m.StreamID]++
				m.Attempt = w.attempts[m.StreamID]
				tried++
				mu.Unlock()
				err := h(hctx, m)
				mu.Lock()
				giveUp := err != nil && (IsPermanent(err) || q.expired(m))
				switch {
				case err == nil || giveUp:
					if giveUp {
						log.Error("queue: giving up on event", "partition", p, "attempt", m.Attempt, "err", err)
						dead = append(dead, deadLetter{m, err})
					}
					acks = append(acks, m.StreamID)
					delete(w.attempts, m.StreamID)
					delete(w.waiting, key)
				default:
					log.Warn("queue: event failed, will retry", "partition", p, "attempt", m.Attempt, "err", err)
					w.waiting[key] = time.Now().Add(backoff(m.Attempt))
				}
				mu.Unlock()
				if err != nil && !giveUp {
					return // later events of this key wait for this one
				}
			}
		})
	}
	wg.Wait()
	if len(acks) > 0 {
		if err := q.ack(hctx, q.streamKey(p), acks, dead); err != nil {
			log.Warn("queue: ack failed; events will be handled again", "partition", p, "err", err)
		}
	}
	return tried
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

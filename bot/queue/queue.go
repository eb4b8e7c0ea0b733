package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// Config tunes a Queue. Zero values take the defaults.
type Config struct {
	Prefix      string        // Redis key prefix; default "paitor:"
	Partitions  int           // partition streams; default 16 (changing it reorders in-flight events)
	DedupTTL    time.Duration // how long an event ID is remembered; default 48 h
	LeaseTTL    time.Duration // how long a partition lease lasts unrenewed; default 15 s
	BatchSize   int           // entries read per partition per round; default 64
	Parallel    int           // keys handled at once per partition; default 16
	Block       time.Duration // how long a read waits for new entries; default 1 s
	MaxAttempts int           // tries before a failing event is given up on; default 0 = no limit
	MaxAge      time.Duration // a failing event older than this is given up on; default 24 h
	Group       string        // consumer group; default "workers"
}

func (c *Config) fill() {
	if c.Prefix == "" {
		c.Prefix = "paitor:"
	}
	if c.Partitions <= 0 {
		c.Partitions = 16
	}
	if c.DedupTTL <= 0 {
		c.DedupTTL = 48 * time.Hour
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 64
	}
	if c.Parallel <= 0 {
		c.Parallel = 16
	}
	if c.Block <= 0 {
		c.Block = time.Second
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.Group == "" {
		c.Group = "workers"
	}
}

// Queue is a partitioned event queue on Redis Streams. It is safe for concurrent
// use; one Queue value per process is enough.
type Queue struct {
	rdb      redis.UniversalClient
	blocking redis.UniversalClient // for reads that wait: they hold a connection
	cfg      Config
	id       string // this instance's consumer name
}

// New returns a Queue on rdb. Reads that wait for new events get a pool of
// their own (one connection per partition), so that waiting consumers never
// starve the webhook's enqueues of connections. Close releases it.
func New(rdb redis.UniversalClient, cfg Config) *Queue {
	cfg.fill()
	q := &Queue{rdb: rdb, blocking: rdb, cfg: cfg, id: "c-" + uuid.NewString()}
	if c, ok := rdb.(*redis.Client); ok {
		o := c.Options()
		q.blocking = redis.NewClient(&redis.Options{
			Network: o.Network, Addr: o.Addr, Dialer: o.Dialer, Username: o.Username, Password: o.Password,
			DB: o.DB, TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, WriteTimeout: o.WriteTimeout,
			MaxRetries: o.MaxRetries, PoolSize: cfg.Partitions + 2,
		})
	}
	return q
}

// Close releases the connections of waiting reads.
func (q *Queue) Close() error {
	if q.blocking != q.rdb {
		return q.blocking.Close()
	}
	return nil
}

// Partitions returns the number of partition streams.
func (q *Queue) Partitions() int { return q.cfg.Partitions }

// Stats describes the backlog.
type Stats struct {
	Depth  int64     // entries queued or in flight, all partitions
	Oldest time.Time // enqueue time of the oldest entry; zero when empty
}

// Stats returns the current backlog (for metrics). It costs one round trip.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	pipe := q.rdb.Pipeline()
	lens := make([]*redis.IntCmd, q.cfg.Partitions)
	firsts := make([]*redis.XMessageSliceCmd, q.cfg.Partitions)
	for p := range q.cfg.Partitions {
		lens[p] = pipe.XLen(ctx, q.streamKey(p))
		firsts[p] = pipe.XRangeN(ctx, q.streamKey(p), "-", "+", 1)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Stats{}, fmt.Errorf("queue: stats: %w", err)
	}
	var st Stats
	for p := range q.cfg.Partitions {
		st.Depth += lens[p].Val()
		if msgs := firsts[p].Val(); len(msgs) > 0 {
			if t := idTime(msgs[0].ID); !t.IsZero() && (st.Oldest.IsZero() || t.Before(st.Oldest)) {
				st.Oldest = t
			}
		}
	}
	return st, nil
}

// DeadLetters returns how many events were given up on.
func (q *Queue) DeadLetters(ctx context.Context) (int64, error) {
	n, err := q.rdb.XLen(ctx, q.deadKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("queue: dead letters: %w", err)
	}
	return n, nil
}

// idTime returns the time part of a stream entry ID ("<ms>-<seq>").
func idTime(id string) time.Time {
	ms, _, ok := strings.Cut(id, "-")
	if !ok {
		return time.Time{}
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

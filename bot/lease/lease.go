// Package lease holds Redis keys as leases: a key names its owner and expires
// unless the owner renews it, so that one process at a time does a piece of
// work (a queue partition, an announcement's resolve) and the work of a process
// that died is taken over once its lease runs out.
//
// It only takes, renews and releases keys and tells the holder when a lease is
// lost; it knows nothing of the work, and it gives no fencing: a holder must
// stop when its held context ends.
package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrLost is the cause of a lease's end when its key no longer names its
// owner (it expired, and perhaps another owner took it).
var ErrLost = errors.New("lease: key no longer held by this owner")

// releaseTimeout bounds the release of a key.
const releaseTimeout = 2 * time.Second

// takeScript takes KEYS[1] for ARGV[1] for ARGV[2] ms when it is free or
// already names ARGV[1] (an owner recognises its own lease, e.g. one that came
// back from Redis's append-only file after a restart). It returns 1 when taken.
var takeScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0`)

// renewScript extends KEYS[1] to ARGV[2] ms if it names ARGV[1]; 1 when it did.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)

// releaseScript deletes KEYS[1] if it names ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// Hold takes key for owner for ttl and keeps it renewed every ttl/3 until ctx
// ends, release is called, or the lease is lost. The key is taken when it is
// free or already names owner: so two holds of one key under one owner are
// not told apart, and an owner must not hold a key twice at once (use a fresh
// owner per hold, or track what is held, as the queue does).
//
// ok is false (err nil, nothing held, held and release nil) when another owner
// holds the key; err is set when Redis could not be asked or ttl or owner is
// unusable (ttl under 3 ms, empty owner).
//
// held ends when the lease does: on loss its cause (context.Cause) is ErrLost
// or the Redis error that made renewal impossible, and onLost, if not nil, is
// called once with it from the renewal goroutine (release waits for it to
// return). onLost is not called when the lease ends because ctx ended or
// release was called.
//
// release stops the renewal, waits for it, and deletes the key if it still
// names owner. It works after ctx ended, waits at most ttl/3 for a renewal in
// flight and 2 s for Redis, and may be called more than once. Call it when the
// work is done: until then (or until ctx ends) a goroutine renews the key.
func Hold(ctx context.Context, rdb redis.Scripter, key, owner string, ttl time.Duration, onLost func(error)) (held context.Context, release func(), ok bool, err error) {
	if owner == "" {
		return nil, nil, false, errors.New("lease: empty owner")
	}
	if ttl < 3*time.Millisecond {
		return nil, nil, false, fmt.Errorf("lease: ttl %v is under 3 ms", ttl)
	}
	sent := time.Now()
	n, err := takeScript.Run(ctx, rdb, []string{key}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return nil, nil, false, fmt.Errorf("lease: take %s: %w", key, err)
	}
	if n == 0 {
		return nil, nil, false, nil
	}
	held, cancel := context.WithCancelCause(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		renew(held, cancel, rdb, key, owner, ttl, sent, onLost)
	}()
	var once sync.Once
	release = func() {
		once.Do(func() {
			cancel(nil)
			<-stopped
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer rcancel()
			_ = releaseScript.Run(rctx, rdb, []string{key}, owner).Err()
		})
	}
	return held, release, true, nil
}

// renew keeps key for owner every ttl/3 until held ends or the lease is lost.
// proven is when the last request that proved the lease ours was sent: the
// key lives at least until proven+ttl.
//
// A renewal that finds the key not ours ends the lease at once. A renewal that
// fails (a Redis error, or no answer within ttl/3) is retried at the next tick
// if it was the first since proven (it failed within ttl/2 of it); a second
// failure ends the lease, about 2/3·ttl after proven, before the key can
// expire. So a one-off Redis hiccup does not stop the work, and a lease that
// cannot be proven ours is never held to its TTL (no request outlives
// proven+ttl either).
func renew(held context.Context, cancel context.CancelCauseFunc, rdb redis.Scripter, key, owner string, ttl time.Duration, proven time.Time, onLost func(error)) {
	every := ttl / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-held.Done():
			return
		case <-t.C:
		}
		sent := time.Now()
		rctx, rcancel := context.WithTimeout(held, min(every, time.Until(proven.Add(ttl))))
		n, err := renewScript.Run(rctx, rdb, []string{key}, owner, ttl.Milliseconds()).Int()
		rcancel()
		if held.Err() != nil {
			return // released, or ctx ended: not a loss
		}
		var lost error
		switch {
		case err == nil && n == 1:
			proven = sent
			continue
		case err == nil:
			lost = ErrLost
		case time.Since(proven) < ttl/2:
			continue // first failure: retry at the next tick
		default:
			lost = fmt.Errorf("lease: renew %s: %w", key, err)
		}
		cancel(lost)
		if onLost != nil {
			onLost(lost)
		}
		return
	}
}

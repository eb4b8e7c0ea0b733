package redisstate

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// Limiter is a rate limiter shared by every instance (GCRA in Redis, through
// go-redis/redis_rate), one bucket per name.
type Limiter struct {
	l      *redis_rate.Limiter
	prefix string
	limits map[string]redis_rate.Limit
}

// NewLimiter returns a limiter allowing perSecond[name] calls a second for each
// name; names without a limit are not limited.
func (s *Store) NewLimiter(perSecond map[string]int) *Limiter {
	limits := make(map[string]redis_rate.Limit, len(perSecond))
	for name, n := range perSecond {
		if n > 0 {
			limits[name] = redis_rate.PerSecond(n)
		}
	}
	return &Limiter{l: redis_rate.NewLimiter(s.rdb), prefix: s.prefix + "rate:", limits: limits}
}

// Wait blocks until one call under name is allowed, or ctx ends.
func (l *Limiter) Wait(ctx context.Context, name string) error {
	limit, ok := l.limits[name]
	if !ok {
		return nil
	}
	for {
		res, err := l.l.Allow(ctx, l.prefix+name, limit)
		if err != nil {
			return fmt.Errorf("rate limiter %s: %w", name, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		t := time.NewTimer(max(res.RetryAfter, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

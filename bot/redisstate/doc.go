// Package redisstate keeps the hot state that every instance shares, in Redis:
// conversation sessions, the outbox of each handled event (what to send, with its
// retry keys, so a retry never sends twice), and the rate limiter for LINE calls.
//
// The embedded default runs the same code on an in-process miniredis.
package redisstate

import "github.com/redis/go-redis/v9"

// Store is the Redis-backed hot state. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a Store on rdb with keys under prefix (default "paitor:").
func New(rdb redis.UniversalClient, prefix string) *Store {
	if prefix == "" {
		prefix = "paitor:"
	}
	return &Store{rdb: rdb, prefix: prefix}
}

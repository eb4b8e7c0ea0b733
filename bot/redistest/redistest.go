// Package redistest gives tests the Redis implementations to run against: the
// embedded one (miniredis, as `make run` uses on a bare machine) and the real
// Redis this machine runs (TEST_REDIS_URL, default redis://127.0.0.1:6379/0).
//
// A real Redis that cannot be reached skips its half of a test with a clear
// message, unless CI=true, where it fails: CI must exercise the real thing.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// DefaultURL is the Redis used when TEST_REDIS_URL is unset.
const DefaultURL = "redis://127.0.0.1:6379/0"

// URL returns the real Redis URL for tests.
func URL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Target is one Redis to run a test against.
type Target struct {
	Name   string                // "embedded" or "redis"
	Client redis.UniversalClient // connected client, closed at cleanup
	Prefix string                // a fresh key prefix; keys under it are removed at cleanup
	Mini   *miniredis.Miniredis  // set for the embedded target (to fast-forward TTLs)
}

// Each runs f as a subtest against the embedded Redis and the real one.
func Each(t *testing.T, f func(t *testing.T, tg Target)) {
	t.Helper()
	t.Run("embedded", func(t *testing.T) { f(t, Embedded(t)) })
	t.Run("redis", func(t *testing.T) { f(t, Real(t)) })
}

// Embedded returns a target on a fresh in-process miniredis.
func Embedded(t testing.TB) Target {
	t.Helper()
	mr := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return Target{Name: "embedded", Client: c, Prefix: prefix(), Mini: mr}
}

// Real returns a target on the real Redis, or skips (fails under CI=true) when
// it cannot be reached.
func Real(t testing.TB) Target {
	t.Helper()
	opts, err := redis.ParseURL(URL())
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis not reachable at %s (CI=true requires it): %v", URL(), err)
		}
		t.Skipf("Redis not reachable at %s (set TEST_REDIS_URL): %v", URL(), err)
	}
	tg := Target{Name: "redis", Client: c, Prefix: prefix()}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, tg.Prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			c.Del(ctx, keys[:n]...)
			keys = keys[n:]
		}
		_ = c.Close()
	})
	return tg
}

func prefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test:" + hex.EncodeToString(b) + ":"
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/sample"
)

// openStore opens PostgreSQL (migrating it) or, without DATABASE_URL, the
// embedded in-memory store.
func openStore(ctx context.Context, c config, log *slog.Logger) (content.Store, error) {
	if c.DatabaseURL == "" {
		log.Warn("DATABASE_URL is not set: using the embedded in-memory store with the sample catalog; nothing is durable")
		s := memory.New()
		if err := sample.Load(ctx, s); err != nil {
			return nil, err
		}
		if err := sample.LoadFestivals(ctx, s, time.Now()); err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := postgres.Open(ctx, c.DatabaseURL, postgres.Options{})
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("DATABASE_URL: migrate: %w", err)
	}
	return s, nil
}

// openRedis connects to REDIS_URL or, without it, starts an in-process Redis
// (miniredis): the same code path, nothing durable. close releases it.
func openRedis(ctx context.Context, c config, log *slog.Logger) (client redis.UniversalClient, close func(), err error) {
	if c.RedisURL == "" {
		log.Warn("REDIS_URL is not set: using an embedded in-process Redis; queued events and sessions are not durable")
		mr, err := miniredis.Run()
		if err != nil {
			return nil, nil, fmt.Errorf("embedded redis: %w", err)
		}
		rc := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		return rc, func() { _ = rc.Close(); mr.Close() }, nil
	}
	opts, err := redis.ParseURL(c.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rc := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rc.Ping(pctx).Err(); err != nil {
		_ = rc.Close()
		return nil, nil, fmt.Errorf("REDIS_URL: cannot reach Redis at %s: %w", opts.Addr, err)
	}
	return rc, func() { _ = rc.Close() }, nil
}

package redisstate

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Session returns a user's conversation state as stored by CommitTurn, or
// ok=false when there is none (never started, expired or deleted).
func (s *Store) Session(ctx context.Context, userID string) (state []byte, ok bool, err error) {
	b, err := s.rdb.Get(ctx, s.sessionKey(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstate: get session: %w", err)
	}
	return b, true, nil
}

// DeleteSession forgets a user's conversation state.
func (s *Store) DeleteSession(ctx context.Context, userID string) error {
	if err := s.rdb.Del(ctx, s.sessionKey(userID)).Err(); err != nil {
		return fmt.Errorf("redisstate: delete session: %w", err)
	}
	return nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

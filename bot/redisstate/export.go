package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// CreateExportToken makes a short-lived, single-purpose token that lets the
// holder download one user's data (the link Pai Tor sends them).
func (s *Store) CreateExportToken(ctx context.Context, userID string, ttl time.Duration) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	if err := s.rdb.Set(ctx, s.prefix+"export:"+token, userID, ttl).Err(); err != nil {
		return "", fmt.Errorf("redisstate: export token: %w", err)
	}
	return token, nil
}

// ExportTokenUser returns the user an unexpired export token is for.
func (s *Store) ExportTokenUser(ctx context.Context, token string) (string, bool, error) {
	if len(token) != 48 {
		return "", false, nil
	}
	id, err := s.rdb.Get(ctx, s.prefix+"export:"+token).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redisstate: export token: %w", err)
	}
	return id, true, nil
}

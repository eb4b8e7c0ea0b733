package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Link is where a tracked link leads and whose tap it records.
type Link struct {
	UserID string `json:"u"`
	ItemID string `json:"i"`
	URL    string `json:"url"`
}

// CreateLink stores a tracked link (the "สมัคร/ติดต่อ" button) and returns its
// token: the service owns the redirect, so a tap is recorded before the person
// goes on to the provider.
func (s *Store) CreateLink(ctx context.Context, l Link, ttl time.Duration) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	v, err := json.Marshal(l)
	if err != nil {
		return "", err
	}
	if err := s.rdb.Set(ctx, s.prefix+"link:"+token, v, ttl).Err(); err != nil {
		return "", fmt.Errorf("redisstate: link: %w", err)
	}
	return token, nil
}

// Link returns a tracked link by token.
func (s *Store) Link(ctx context.Context, token string) (Link, bool, error) {
	if len(token) != 16 {
		return Link{}, false, nil
	}
	b, err := s.rdb.Get(ctx, s.prefix+"link:"+token).Bytes()
	if errors.Is(err, redis.Nil) {
		return Link{}, false, nil
	}
	if err != nil {
		return Link{}, false, fmt.Errorf("redisstate: link: %w", err)
	}
	var l Link
	if err := json.Unmarshal(b, &l); err != nil {
		return Link{}, false, fmt.Errorf("redisstate: link: %w", err)
	}
	return l, true, nil
}

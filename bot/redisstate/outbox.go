package redisstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/sender"
)

// OutboxTTL is how long an outbox record is kept: LINE honours a retry key for
// 24 hours, so a record older than that could not prevent a double send anyway.
const OutboxTTL = 24 * time.Hour

func (s *Store) outboxKey(id string) string  { return s.prefix + "outbox:" + id }
func (s *Store) sessionKey(id string) string { return s.prefix + "session:" + id }

// Outbox returns the record for an event, or ok=false when there is none.
func (s *Store) Outbox(ctx context.Context, id string) (o *sender.Outbox, ok bool, err error) {
	b, err := s.rdb.Get(ctx, s.outboxKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstate: get outbox: %w", err)
	}
	o = new(sender.Outbox)
	if err := json.Unmarshal(b, o); err != nil {
		return nil, false, fmt.Errorf("redisstate: decode outbox: %w", err)
	}
	return o, true, nil
}

// SaveOutbox records progress on an outbox.
func (s *Store) SaveOutbox(ctx context.Context, o *sender.Outbox) error {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("redisstate: encode outbox: %w", err)
	}
	if err := s.rdb.Set(ctx, s.outboxKey(o.ID), b, OutboxTTL).Err(); err != nil {
		return fmt.Errorf("redisstate: save outbox: %w", err)
	}
	return nil
}

// CommitTurn stores a conversation turn atomically: the user's new session
// (deleted when session is nil) and the outbox of what the turn sends. Either both
// are stored or neither, so a retried event neither skips nor repeats a step.
func (s *Store) CommitTurn(ctx context.Context, userID string, session []byte, sessionTTL time.Duration, o *sender.Outbox) error {
	ob, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("redisstate: encode outbox: %w", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if userID != "" {
			if session == nil {
				p.Del(ctx, s.sessionKey(userID))
			} else {
				p.Set(ctx, s.sessionKey(userID), session, sessionTTL)
			}
		}
		p.Set(ctx, s.outboxKey(o.ID), ob, OutboxTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstate: commit turn: %w", err)
	}
	return nil
}

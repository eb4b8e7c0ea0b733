package sender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Outbox is what one handled event sends. The caller stores it before anything
// is sent and after every step, so a retry of the event (after a crash or an
// error) resends only what did not go out, with the same retry keys.
type Outbox struct {
	ID         string    `json:"id"`          // the event it answers
	To         string    `json:"to"`          // LINE user, group or room ID
	ReplyToken string    `json:"reply_token"` // empty when there is none
	ReceivedAt time.Time `json:"received_at"` // when LINE says the event happened
	Batches    []Batch   `json:"batches"`
	// ReplyTried is saved before the reply call. A reply token is single-use,
	// so when a crash leaves its outcome unknown the retry goes by push.
	ReplyTried bool `json:"reply_tried,omitempty"`
}

// Batch is one LINE request's worth of messages (at most 5).
type Batch struct {
	Messages []json.RawMessage `json:"messages"`
	RetryKey string            `json:"retry_key"` // used if the batch goes by push
	Sent     bool              `json:"sent,omitempty"`
	Via      string            `json:"via,omitempty"` // "reply" or "push" once sent
}

// NewOutbox cuts messages into batches, each with a fresh retry key.
func NewOutbox(id, to, replyToken string, receivedAt time.Time, msgs []json.RawMessage) *Outbox {
	return NewOutboxWithKey(id, to, replyToken, receivedAt, msgs, "")
}

// NewOutboxWithKey is NewOutbox with retry keys derived from baseKey (a UUID
// recorded elsewhere before sending, e.g. with a scheduled message): the first
// batch uses baseKey itself, the others keys derived from it, so the same
// send always carries the same keys. An empty baseKey draws fresh keys.
func NewOutboxWithKey(id, to, replyToken string, receivedAt time.Time, msgs []json.RawMessage, baseKey string) *Outbox {
	o := &Outbox{ID: id, To: to, ReplyToken: replyToken, ReceivedAt: receivedAt}
	base, err := uuid.Parse(baseKey)
	for i, b := range Batches(msgs) {
		key := uuid.NewString()
		if err == nil {
			key = base.String()
			if i > 0 {
				key = uuid.NewSHA1(base, []byte{byte(i)}).String()
			}
		}
		o.Batches = append(o.Batches, Batch{Messages: b, RetryKey: key})
	}
	return o
}

// Done reports whether every batch went out.
func (o *Outbox) Done() bool {
	for _, b := range o.Batches {
		if !b.Sent {
			return false
		}
	}
	return true
}

// Save stores an outbox's progress.
type Save func(ctx context.Context, o *Outbox) error

// Deliver sends what is left of an outbox: the first batch by reply while the
// token is fresh, everything else by push with its retry key. It saves progress
// after every batch, and before a reply. canPush is asked before any push (a
// user who blocked the bot gets nothing); when it says no, the rest is dropped.
func (s *Sender) Deliver(ctx context.Context, o *Outbox, save Save, canPush func(ctx context.Context) (bool, error)) error {
	for i := range o.Batches {
		b := &o.Batches[i]
		if b.Sent {
			continue
		}
		if i == 0 && o.ReplyToken != "" && !o.ReplyTried && s.cfg.Now().Sub(o.ReceivedAt) < s.cfg.ReplyWindow {
			o.ReplyTried = true
			if err := save(ctx, o); err != nil {
				return err
			}
			err := s.Reply(ctx, o.ReplyToken, b.Messages)
			if err == nil {
				b.Sent, b.Via = true, "reply"
				if err := save(ctx, o); err != nil {
					return err
				}
				continue
			}
			if !errors.Is(err, ErrInvalidReplyToken) && StatusOf(err) != 0 && StatusOf(err) < 500 && StatusOf(err) != 429 {
				return fmt.Errorf("reply: %w", err) // LINE refused the messages: pushing them fails too
			}
			// The token is spent or LINE is failing: fall back to push.
		}
		ok, err := canPush(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := s.Push(ctx, o.To, b.Messages, b.RetryKey); err != nil {
			return err
		}
		b.Sent, b.Via = true, "push"
		if err := save(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// EventObserver is told about every event handled (for metrics).
type EventObserver interface {
	ObserveEvent(kind string, age time.Duration)
}

// Config wires a Bot. All fields but Observer, SessionTTL and Now are required.
type Config struct {
	Users      content.UserStore
	State      *redisstate.Store
	Sender     *sender.Sender
	Script     *guidance.Script
	Log        *slog.Logger
	Observer   EventObserver
	SessionTTL time.Duration // how long a conversation is remembered; default 24 h
	Now        func() time.Time
}

// Bot handles queued LINE events.
type Bot struct {
	cfg Config
}

// New returns a Bot.
func New(cfg Config) (*Bot, error) {
	if cfg.Users == nil || cfg.State == nil || cfg.Sender == nil || cfg.Script == nil {
		return nil, errors.New("bot: users, state, sender and script are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Bot{cfg: cfg}, nil
}

// Handle handles one queued event: it is the queue's Handler. An error is
// retried by the queue, except errors marked queue.Permanent.
func (b *Bot) Handle(ctx context.Context, m queue.Message) error {
	// A retry of an event whose turn was already taken only finishes sending.
	o, ok, err := b.cfg.State.Outbox(ctx, m.ID)
	if err != nil {
		return err
	}
	if ok {
		if o.Done() {
			return nil
		}
		return b.deliver(ctx, o)
	}
	return b.handleEvent(ctx, m)
}

// take runs one conversation turn for a user and sends its messages.
func (b *Bot) take(ctx context.Context, ev envelope, person guidance.Person, in guidance.Input) error {
	userID := ev.Source.UserID
	var sess *guidance.Session
	raw, ok, err := b.cfg.State.Session(ctx, userID)
	if err != nil {
		return err
	}
	if ok {
		sess = new(guidance.Session)
		if err := json.Unmarshal(raw, sess); err != nil {
			b.cfg.Log.Warn("bot: unreadable session; starting afresh", "user", HashID(userID), "err", err)
			sess = nil
		}
	}
	turn := b.cfg.Script.Respond(sess, person, in, b.cfg.Now())
	if err := b.apply(ctx, userID, turn.Effects); err != nil {
		return err
	}
	msgs, err := render.Messages(turn.Messages)
	if err != nil {
		return queue.Permanent(err)
	}
	state, err := json.Marshal(turn.Session)
	if err != nil {
		return queue.Permanent(fmt.Errorf("bot: encode session: %w", err))
	}
	o := sender.NewOutbox(ev.WebhookEventID, userID, ev.ReplyToken, ev.time(), msgs)
	if err := b.cfg.State.CommitTurn(ctx, userID, state, b.cfg.SessionTTL, o); err != nil {
		return err
	}
	return b.deliver(ctx, o)
}

// say sends messages outside a conversation turn (no session change). Its
// outbox has its own ID, so a retry of the event resumes it without saying it
// twice and still does whatever comes after.
func (b *Bot) say(ctx context.Context, ev envelope, to string, msgs []guidance.Message) error {
	id := ev.WebhookEventID + ":say"
	o, ok, err := b.cfg.State.Outbox(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		raw, err := render.Messages(msgs)
		if err != nil {
			return queue.Permanent(err)
		}
		o = sender.NewOutbox(id, to, ev.ReplyToken, ev.time(), raw)
		if err := b.cfg.State.SaveOutbox(ctx, o); err != nil {
			return err
		}
	}
	return b.deliver(ctx, o)
}

func (b *Bot) apply(ctx context.Context, userID string, effects []guidance.Effect) error {
	for _, e := range effects {
		switch e.Field {
		case "role":
			if err := b.cfg.Users.SetRole(ctx, userID, content.Role(e.Value)); err != nil {
				return fmt.Errorf("bot: set role: %w", err)
			}
		default:
			return queue.Permanent(fmt.Errorf("bot: the engine asked to set unknown field %q", e.Field))
		}
	}
	return nil
}

func (b *Bot) deliver(ctx context.Context, o *sender.Outbox) error {
	canPush := func(ctx context.Context) (bool, error) {
		if !isUserID(o.To) {
			return true, nil
		}
		u, err := b.cfg.Users.User(ctx, o.To)
		if content.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return u.CanReceive(), nil
	}
	err := b.cfg.Sender.Deliver(ctx, o, b.cfg.State.SaveOutbox, canPush)
	if s := sender.StatusOf(err); s != 0 && s < 500 && s != 429 {
		return queue.Permanent(err) // LINE refused the request: retrying cannot help
	}
	return err
}

func isUserID(id string) bool { return len(id) == 33 && id[0] == 'U' }

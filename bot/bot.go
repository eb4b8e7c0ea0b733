package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// EventObserver is told about every event handled (for metrics).
type EventObserver interface {
	ObserveEvent(kind string, age time.Duration)
}

// MenuLinker links a person's rich menu to their role. It may report that no
// rich menus are installed; the bot works without them.
type MenuLinker interface {
	Link(ctx context.Context, userID, role string) error
}

// Config wires a Bot. Store, State, Sender and Script are required.
type Config struct {
	Store      content.Store
	State      *redisstate.Store
	Sender     *sender.Sender
	Script     *guidance.Script
	Menus      MenuLinker // optional
	Log        *slog.Logger
	Observer   EventObserver
	PublicURL  string        // where the service is reachable, for links (data export)
	SessionTTL time.Duration // how long a conversation is remembered; default 24 h
	Now        func() time.Time
}

// Bot handles queued LINE events and scheduled pushes.
type Bot struct {
	cfg    Config
	finder finder
}

// New returns a Bot.
func New(cfg Config) (*Bot, error) {
	if cfg.Store == nil || cfg.State == nil || cfg.Sender == nil || cfg.Script == nil {
		return nil, errors.New("bot: store, state, sender and script are required")
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

func (b *Bot) deliver(ctx context.Context, o *sender.Outbox) error {
	canPush := func(ctx context.Context) (bool, error) {
		if !isUserID(o.To) {
			return true, nil
		}
		u, err := b.cfg.Store.User(ctx, o.To)
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

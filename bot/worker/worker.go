// Package worker is the conversation worker: it takes each queued LINE event
// (and each scheduled message as it falls due), runs a conversation turn in
// the guidance engine, stores what the turn set, has bot/actions do the
// actions the turn asks for, and sends what the turn says.
//
// For one event: events.go looks at the event type (the one place to see what
// the bot does with each kind of input); turn.go loads the person's session
// (bot/redisstate) and what is stored about them (bot/person), runs the engine,
// applies its effects (effects.go) and actions, renders the messages
// (bot/render), stores the new session together with the outbox of what to
// send, and delivers the outbox (bot/sender). A retried event resumes from its
// outbox, so nothing is said twice.
package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/paitor/paitor/bot/actions"
	"github.com/paitor/paitor/bot/person"
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

// Config wires a Worker. Store, State, Sender, Script, Actions and People are
// required.
type Config struct {
	Store      Store
	State      *redisstate.Store
	Sender     *sender.Sender
	Script     *guidance.Script
	Actions    *actions.Actions
	People     *person.Reader
	Menus      MenuLinker // optional
	Log        *slog.Logger
	Observer   EventObserver
	SessionTTL time.Duration // how long a conversation is remembered; default 24 h
	Now        func() time.Time
}

// Worker handles queued LINE events and scheduled pushes.
type Worker struct {
	cfg Config
}

// New returns a Worker.
func New(cfg Config) (*Worker, error) {
	if cfg.Store == nil || cfg.State == nil || cfg.Sender == nil || cfg.Script == nil || cfg.Actions == nil || cfg.People == nil {
		return nil, errors.New("worker: store, state, sender, script, actions and people are required")
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
	return &Worker{cfg: cfg}, nil
}

// Handle handles one queued event: it is the queue's Handler. An error is
// retried by the queue, except errors marked queue.Permanent.
func (w *Worker) Handle(ctx context.Context, m queue.Message) error {
	// A retry of an event whose turn was already taken only finishes sending.
	o, ok, err := w.cfg.State.Outbox(ctx, m.ID)
	if err != nil {
		return err
	}
	if ok {
		if o.Done() {
			return nil
		}
		return w.deliver(ctx, o)
	}
	return w.handleEvent(ctx, m)
}

func (w *Worker) deliver(ctx context.Context, o *sender.Outbox) error {
	canPush := func(ctx context.Context) (bool, error) {
		if !isUserID(o.To) {
			return true, nil
		}
		u, err := w.cfg.Store.User(ctx, o.To)
		if content.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return u.CanReceive(), nil
	}
	err := w.cfg.Sender.Deliver(ctx, o, w.cfg.State.SaveOutbox, canPush)
	if s := sender.StatusOf(err); s != 0 && s < 500 && s != 429 {
		return queue.Permanent(err) // LINE refused the request: retrying cannot help
	}
	return err
}

func isUserID(id string) bool { return len(id) == 33 && id[0] == 'U' }

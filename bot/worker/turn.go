package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paitor/paitor/bot/actions"
	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/guidance"
)

// outboxSpec says where a turn's messages go and how.
type outboxSpec struct {
	id         string    // the outbox (the event or scheduled message it answers)
	to         string    // the user
	replyToken string    // empty: push
	at         time.Time // when the event happened (reply tokens are fresh for 50 s)
	retryKey   string    // base retry key recorded before sending; empty: fresh keys
	proactive  bool      // Pai Tor speaks first (a scheduled message), not answering an event
}

// maxActions bounds the actions one turn may run (flows are validated, so this
// only guards against a bug).
const maxActions = 8

// take runs one conversation turn for a user and sends what it says. start
// runs the engine for the input; the worker then applies effects and has the
// actions done that the turn asks for, resuming the engine after each.
func (w *Worker) take(ctx context.Context, out outboxSpec, isNew bool, start func(s *guidance.Session, p guidance.Person) guidance.Turn) error {
	userID := out.to
	t, err := w.load(ctx, userID, isNew)
	if err != nil {
		return err
	}
	if out.proactive {
		w.cfg.People.AddClicked(ctx, userID, t.Person.Fields) // only check-ins ask about it
	}
	turn := start(t.Session, t.Person)
	for i := 0; ; i++ {
		if err := w.applyEffects(ctx, t, turn); err != nil {
			return err
		}
		raw, err := render.Messages(turn.Messages)
		if err != nil {
			return queue.Permanent(err)
		}
		t.Show(raw...)
		t.Session = turn.Session
		if turn.Action == nil || i >= maxActions {
			break
		}
		res, err := w.cfg.Actions.Do(ctx, t, turn.Action)
		if err != nil {
			return err
		}
		turn = w.cfg.Script.Resume(t.Session, t.Person, res, w.cfg.Now())
	}
	var state []byte
	if !t.Forget {
		if state, err = json.Marshal(t.Session); err != nil {
			return queue.Permanent(fmt.Errorf("worker: encode session: %w", err))
		}
	}
	o := sender.NewOutboxWithKey(out.id, userID, out.replyToken, out.at, t.Messages, out.retryKey)
	if err := w.cfg.State.CommitTurn(ctx, userID, state, w.cfg.SessionTTL, o); err != nil {
		return err
	}
	return w.deliver(ctx, o)
}

// load reads the person's session and what is stored about them.
func (w *Worker) load(ctx context.Context, userID string, isNew bool) (*actions.Turn, error) {
	t := &actions.Turn{UserID: userID}
	raw, ok, err := w.cfg.State.Session(ctx, userID)
	if err != nil {
		return nil, err
	}
	if ok {
		t.Session = new(guidance.Session)
		if err := json.Unmarshal(raw, t.Session); err != nil {
			w.cfg.Log.Warn("worker: unreadable session; starting afresh", "user", logs.HashID(userID), "err", err)
			t.Session = nil
		}
	}
	fields, err := w.cfg.People.Fields(ctx, userID)
	if err != nil {
		return nil, err
	}
	t.Person = guidance.Person{New: isNew, Fields: fields}
	return t, nil
}

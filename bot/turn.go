package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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

// exchange is one conversation turn in progress: the engine's turns, the
// actions done between them, and what they add up to.
type exchange struct {
	userID string
	person guidance.Person
	sess   *guidance.Session
	msgs   []json.RawMessage
	drop   bool // the person's data was deleted: forget the session too
}

// take runs one conversation turn for a user and sends what it says. start
// runs the engine for the input; the edge then applies effects and does the
// actions the turn asks for, resuming the engine after each.
func (b *Bot) take(ctx context.Context, out outboxSpec, isNew bool, start func(s *guidance.Session, p guidance.Person) guidance.Turn) error {
	userID := out.to
	x, err := b.load(ctx, userID, isNew)
	if err == nil && out.proactive {
		b.addClicked(ctx, userID, x.person.Fields) // only check-ins ask about it
	}
	if err != nil {
		return err
	}
	turn := start(x.sess, x.person)
	for i := 0; ; i++ {
		if err := b.applyEffects(ctx, x, turn); err != nil {
			return err
		}
		raw, err := render.Messages(turn.Messages)
		if err != nil {
			return queue.Permanent(err)
		}
		x.msgs = append(x.msgs, raw...)
		x.sess = turn.Session
		if turn.Action == nil || i >= maxActions {
			break
		}
		res, extra, err := b.act(ctx, x, turn.Action)
		if err != nil {
			return err
		}
		x.msgs = append(x.msgs, extra...)
		turn = b.cfg.Script.Resume(x.sess, x.person, res, b.cfg.Now())
	}
	var state []byte
	if !x.drop {
		if state, err = json.Marshal(x.sess); err != nil {
			return queue.Permanent(fmt.Errorf("bot: encode session: %w", err))
		}
	}
	o := sender.NewOutboxWithKey(out.id, userID, out.replyToken, out.at, x.msgs, out.retryKey)
	if err := b.cfg.State.CommitTurn(ctx, userID, state, b.cfg.SessionTTL, o); err != nil {
		return err
	}
	return b.deliver(ctx, o)
}

// load reads the person's session and what is stored about them.
func (b *Bot) load(ctx context.Context, userID string, isNew bool) (*exchange, error) {
	x := &exchange{userID: userID}
	raw, ok, err := b.cfg.State.Session(ctx, userID)
	if err != nil {
		return nil, err
	}
	if ok {
		x.sess = new(guidance.Session)
		if err := json.Unmarshal(raw, x.sess); err != nil {
			b.cfg.Log.Warn("bot: unreadable session; starting afresh", "user", HashID(userID), "err", err)
			x.sess = nil
		}
	}
	fields, err := b.personFields(ctx, userID)
	if err != nil {
		return nil, err
	}
	x.person = guidance.Person{New: isNew, Fields: fields}
	return x, nil
}

// get returns a field's current value in the exchange: the conversation's,
// else the stored one.
func (x *exchange) get(field string) string {
	if x.sess != nil {
		if v, ok := x.sess.Vars[field]; ok {
			return v
		}
	}
	return x.person.Fields[field]
}

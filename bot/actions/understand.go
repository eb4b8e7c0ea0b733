package actions

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/paitor/paitor/bot/llm"
	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// Model places a message the intent layer could not place among Pai Tor's
// commands (bot/llm). It redacts personal data before anything leaves, keeps
// to its budgets, and answers an error whenever it cannot be sure.
type Model interface {
	Understand(ctx context.Context, r llm.Request) (guidance.ModelCommand, error)
}

// Typing shows the typing dots while a slow answer is prepared.
type Typing interface {
	ShowLoading(ctx context.Context, userID string, seconds int) error
}

// understand asks the language model about the typed text (_text) and hands
// its command to the engine (as _cmd). Without a model, or when the model
// cannot be asked or answers nothing usable, it fails: the flow then offers
// the likely things instead. A model's trouble is never the person's: it is
// never an error.
func (a *Actions) understand(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	text := t.Get("_text")
	if a.cfg.Model == nil || text == "" {
		return guidance.ActionResult{}, nil
	}
	if a.cfg.Typing != nil {
		if err := a.cfg.Typing.ShowLoading(ctx, t.UserID, 10); err != nil {
			a.cfg.Log.Debug("actions: no typing dots", "err", err)
		}
	}
	cmd, err := a.cfg.Model.Understand(ctx, llm.Request{
		UserID: t.UserID, Text: text, Known: known(t), Choices: a.choices(), Lang: t.Lang(),
	})
	if err != nil {
		level := a.cfg.Log.Info
		if !errors.Is(err, llm.ErrBudget) && !errors.Is(err, llm.ErrInvalid) {
			level = a.cfg.Log.Warn
		}
		level("actions: no model command; offering the likely intents", "user", logs.HashID(t.UserID), "err", err)
		return guidance.ActionResult{}, nil
	}
	raw, err := json.Marshal(cmd)
	if err != nil {
		return guidance.ActionResult{}, nil
	}
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_cmd": string(raw)}}, nil
}

// choices is what the model may name, worked out once from the flows.
func (a *Actions) choices() guidance.ModelChoices {
	a.choicesOnce.Do(func() { a.modelChoices = a.cfg.Script.ModelChoices() })
	return a.modelChoices
}

// known are the personal values the person gave in their own words, which
// the redaction removes besides the patterns (phone numbers, IDs...).
func known(t *Turn) []string {
	var out []string
	for _, f := range []string{"district"} {
		if v := t.Get(f); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// keepMessage keeps what the person typed (_text) for the counsellor who will
// take their handoff.
func (a *Actions) keepMessage(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	if err := a.keep(ctx, t, a.cfg.Now()); err != nil {
		return guidance.ActionResult{}, err
	}
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_text": ""}}, nil
}

// keep stores _text with the person's open handoff, if there is any text.
func (a *Actions) keep(ctx context.Context, t *Turn, at time.Time) error {
	text := t.Get("_text")
	if text == "" {
		return nil
	}
	id, err := a.cfg.Store.KeepForCounsellor(ctx, t.UserID, text, at)
	if content.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.cfg.Tickets != nil {
		a.cfg.Tickets.Kept(ctx, id)
	}
	return nil
}

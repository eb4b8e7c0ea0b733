// Package actions does what the conversation flows ask of the edge: the named
// actions that need storage, hot state or LINE (a guardian code, saving a plan,
// a search, a festival reminder...). Each action is one Handler, registered by
// name in one table (registry.go); New refuses to start when a flow calls an
// action with no handler or a handler is registered that no flow calls.
//
// The conversation worker (bot/worker) runs a turn, and when the engine stops
// at an action it calls Do with the turn; the handler may read and store, add
// LINE messages to the turn (Show) and returns a result the engine resumes
// with. Handlers never send anything themselves.
package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paitor/paitor/bot/catalogcache"
	"github.com/paitor/paitor/bot/person"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// Turn is the conversation turn an action runs in: whose it is, what is
// stored about them, the conversation so far and what the turn will send.
type Turn struct {
	UserID   string
	Person   guidance.Person   // what is stored; kept current as the turn stores more
	Session  *guidance.Session // the conversation as the engine left it
	Messages []json.RawMessage // LINE messages the turn sends, in order
	Forget   bool              // the person's data was deleted: forget the conversation too
}

// Get returns a field's current value in the turn: the conversation's, else
// the stored one.
func (t *Turn) Get(field string) string {
	if t.Session != nil {
		if v, ok := t.Session.Vars[field]; ok {
			return v
		}
	}
	return t.Person.Fields[field]
}

// Lang is the conversation's language ("th" or "en").
func (t *Turn) Lang() string {
	if t.Session == nil || t.Session.Lang == "" {
		return "th"
	}
	return t.Session.Lang
}

// Show adds LINE messages to what the turn sends, after what it says so far.
func (t *Turn) Show(msgs ...json.RawMessage) { t.Messages = append(t.Messages, msgs...) }

// Tickets routes a ticket the bot just opened to the counsellors of the
// person's area and says when one will answer; routed is false when no
// counsellor covers the person. Kept tells open inboxes a message was added.
// LinkLine links a counsellor's own LINE account.
type Tickets interface {
	Opened(ctx context.Context, h content.Handoff, fields map[string]string) (routed bool, when string, err error)
	Kept(ctx context.Context, handoffID string)
	// Again says when a counsellor will answer a ticket the person asked
	// about again.
	Again(ctx context.Context, h content.Handoff, fields map[string]string) (when string, err error)
	// LinkLine links the LINE account that sent a counsellor's one-time code.
	LinkLine(ctx context.Context, code, lineUserID string) (content.Counsellor, error)
}

// Handler does one action for a turn. args are the node's arguments in the
// flow. The result tells the engine whether it succeeded (the flow goes to the
// node's next or fail) and any values for the conversation. An error is a
// fault (storage down...): the event is retried.
type Handler func(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error)

// Config wires the actions. Store, State, Script, Catalog and People are
// required.
type Config struct {
	Store     Store
	State     *redisstate.Store
	Script    *guidance.Script
	Catalog   *catalogcache.Cache
	People    *person.Reader
	PublicURL string  // where the service is reachable, for links (data export, apply)
	Tickets   Tickets // routes new tickets to counsellors (bot/tickets); nil: nobody answers
	Model     Model   // a language model for what the intent layer cannot place; nil: none
	Typing    Typing  // shows the typing dots while the model thinks; optional
	Log       *slog.Logger
	Now       func() time.Time
}

// Actions does the flows' edge actions.
type Actions struct {
	cfg      Config
	handlers map[string]Handler

	choicesOnce  sync.Once
	modelChoices guidance.ModelChoices
}

// New returns the actions, checked against the flows: it fails naming every
// action a flow calls that has no handler, and every handler no flow calls.
func New(cfg Config) (*Actions, error) {
	if cfg.Store == nil || cfg.State == nil || cfg.Script == nil || cfg.Catalog == nil || cfg.People == nil {
		return nil, errors.New("actions: store, state, script, catalog and people are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Actions{cfg: cfg}
	a.handlers = a.registry()
	if err := check(cfg.Script.EdgeActions(), a.handlers); err != nil {
		return nil, err
	}
	return a, nil
}

// check compares what the flows call with the handlers there are.
func check(called map[string][]string, handlers map[string]Handler) error {
	var problems []string
	for name, nodes := range called {
		if handlers[name] == nil {
			problems = append(problems, fmt.Sprintf("%s calls action %q, which has no handler (bot/actions/registry.go)", strings.Join(nodes, ", "), name))
		}
	}
	for name := range handlers {
		if _, ok := called[name]; !ok {
			problems = append(problems, fmt.Sprintf("action %q has a handler but no flow calls it", name))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return fmt.Errorf("actions: the flows and the handlers disagree:\n  %s", strings.Join(problems, "\n  "))
}

// Do does the action a turn stopped at.
func (a *Actions) Do(ctx context.Context, t *Turn, call *guidance.ActionCall) (guidance.ActionResult, error) {
	h := a.handlers[call.Name]
	if h == nil { // New checked the flows: only a bug gets here
		return guidance.ActionResult{}, fmt.Errorf("actions: no handler for %q", call.Name)
	}
	return h(ctx, t, call.Args)
}

// Names returns the names of the registered actions, sorted.
func (a *Actions) Names() []string { return slices.Sorted(maps.Keys(a.handlers)) }

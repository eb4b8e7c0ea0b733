package guidance_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/guidance"
)

// now is the clock every test turn uses.
var now = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

var (
	loadOnce sync.Once
	loaded   *guidance.Script
	loadErr  error
)

// script returns the embedded script (loaded once: it is immutable).
func script(t *testing.T) *guidance.Script {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = guidance.LoadScript() })
	if loadErr != nil {
		t.Fatalf("LoadScript: %v", loadErr)
	}
	return loaded
}

// chat plays a conversation like the LINE edge does: it keeps the session,
// stores every effect in a fields map (ignoring the consent rules), does the
// actions the engine asks for with plausible results and resumes the turn.
type chat struct {
	t      *testing.T
	s      *guidance.Script
	sess   *guidance.Session
	fields map[string]string
	isNew  bool

	taps int // postbacks sent (chips tapped)

	// What the last step (one input and every Resume it needed) produced.
	msgs    []guidance.Message
	effects []guidance.Effect
	actions []guidance.ActionCall
	turns   []guidance.Turn

	// All turns since the chat began.
	all []guidance.Turn

	// actionOK decides an action's outcome (default: it succeeds).
	actionOK func(name string) bool
	// actionVars gives an action's result values (default: plausibleVars).
	actionVars func(name string) map[string]string
}

func newChat(t *testing.T) *chat {
	t.Helper()
	return &chat{t: t, s: script(t), fields: map[string]string{}, isNew: true}
}

// withFields starts a chat with stored fields (a returning person).
func (c *chat) withFields(kv ...string) *chat {
	for i := 0; i+1 < len(kv); i += 2 {
		c.fields[kv[i]] = kv[i+1]
	}
	c.isNew = false
	return c
}

func plausibleVars(name string) map[string]string {
	switch name {
	case "guardian_code":
		return map[string]string{"_code": "K7Q2PM"}
	case "export_link":
		return map[string]string{"_link": "http://x/y"}
	case "handoff":
		return map[string]string{"_ticket_when": "เจ้าหน้าที่อยู่ในเวลาทำการตอนนี้", "_routed": "1"}
	}
	return nil
}

func (c *chat) person() guidance.Person {
	f := make(map[string]string, len(c.fields))
	for k, v := range c.fields {
		f[k] = v
	}
	return guidance.Person{New: c.isNew, Fields: f}
}

func (c *chat) apply(turn guidance.Turn) {
	c.sess = turn.Session
	c.msgs = append(c.msgs, turn.Messages...)
	c.effects = append(c.effects, turn.Effects...)
	c.turns = append(c.turns, turn)
	c.all = append(c.all, turn)
	for _, e := range turn.Effects {
		c.fields[e.Field] = e.Value
	}
}

// send gives the engine one input and resumes every action it asks for.
func (c *chat) send(in guidance.Input) *chat {
	c.t.Helper()
	c.msgs, c.effects, c.actions, c.turns = nil, nil, nil, nil
	if in.Kind == guidance.InputPostback {
		c.taps++
	}
	turn := c.s.Respond(c.sess, c.person(), in, now)
	c.isNew = false
	c.apply(turn)
	for i := 0; turn.Action != nil; i++ {
		if i > 10 {
			c.t.Fatalf("more than 10 actions in one step: %v", c.actions)
		}
		call := *turn.Action
		c.actions = append(c.actions, call)
		ok := true
		if c.actionOK != nil {
			ok = c.actionOK(call.Name)
		}
		vars := plausibleVars(call.Name)
		if c.actionVars != nil {
			vars = c.actionVars(call.Name)
		}
		turn = c.s.Resume(c.sess, c.person(), guidance.ActionResult{OK: ok, Vars: vars}, now)
		c.apply(turn)
	}
	return c
}

func (c *chat) follow() *chat { return c.send(guidance.Input{Kind: guidance.InputFollow}) }

func (c *chat) say(text string) *chat {
	c.t.Helper()
	return c.send(guidance.Input{Kind: guidance.InputText, Text: text})
}

func (c *chat) postback(data string) *chat {
	c.t.Helper()
	return c.send(guidance.Input{Kind: guidance.InputPostback, Data: data})
}

func (c *chat) location(lat, lng float64) *chat {
	c.t.Helper()
	return c.send(guidance.Input{Kind: guidance.InputLocation, Lat: lat, Lng: lng})
}

// tap taps the chip with this label on the last message.
func (c *chat) tap(label string) *chat {
	c.t.Helper()
	ch, ok := c.chip(label)
	if !ok {
		c.t.Fatalf("no chip %q on the last message %q; chips %v (node %s)", label, c.lastText(), c.labels(), c.node())
	}
	return c.postback(ch.Data)
}

func (c *chat) chip(label string) (guidance.Choice, bool) {
	for _, ch := range c.last().Choices {
		if ch.Label == label {
			return ch, true
		}
	}
	return guidance.Choice{}, false
}

func (c *chat) last() guidance.Message {
	if len(c.msgs) == 0 {
		return guidance.Message{}
	}
	return c.msgs[len(c.msgs)-1]
}

func (c *chat) lastText() string { return c.last().Text }

func (c *chat) labels() []string { return labels(c.last()) }

func (c *chat) node() string {
	if c.sess == nil {
		return ""
	}
	return c.sess.Node
}

// text is everything said in the last step.
func (c *chat) text() string {
	var b strings.Builder
	for _, m := range c.msgs {
		b.WriteString(m.Text)
		b.WriteString("\n")
	}
	return b.String()
}

func (c *chat) effect(field string) (string, bool) {
	v, ok := "", false
	for _, e := range c.effects {
		if e.Field == field {
			v, ok = e.Value, true
		}
	}
	return v, ok
}

// visited lists where each turn of the last step stopped: at an action or
// waiting for the person.
func (c *chat) visited() []string {
	var out []string
	for _, tn := range c.turns {
		if tn.Session != nil {
			out = append(out, tn.Session.Node)
		}
	}
	return out
}

func (c *chat) actionNames() []string {
	var out []string
	for _, a := range c.actions {
		out = append(out, a.Name)
	}
	return out
}

// wantNode fails unless the conversation waits at node.
func (c *chat) wantNode(node string) *chat {
	c.t.Helper()
	if c.node() != node {
		c.t.Fatalf("waiting at %q, want %q; said %q", c.node(), node, c.text())
	}
	return c
}

// wantSaid fails unless the last step said every part.
func (c *chat) wantSaid(parts ...string) *chat {
	c.t.Helper()
	for _, p := range parts {
		if !strings.Contains(c.text(), p) {
			c.t.Fatalf("said %q, want it to contain %q", c.text(), p)
		}
	}
	return c
}

func (c *chat) wantChips(want ...string) *chat {
	c.t.Helper()
	got := c.labels()
	for _, w := range want {
		if !slices.Contains(got, w) {
			c.t.Fatalf("chips %v, want %q among them (said %q)", got, w, c.lastText())
		}
	}
	return c
}

func (c *chat) wantEffect(field, value string) *chat {
	c.t.Helper()
	if v, ok := c.effect(field); !ok || v != value {
		c.t.Fatalf("effects %v, want %s=%q", c.effects, field, value)
	}
	return c
}

func (c *chat) wantActions(names ...string) *chat {
	c.t.Helper()
	if got := c.actionNames(); !slices.Equal(got, names) {
		c.t.Fatalf("actions %v, want %v (said %q)", got, names, c.text())
	}
	return c
}

func labels(m guidance.Message) []string {
	var out []string
	for _, c := range m.Choices {
		out = append(out, c.Label)
	}
	return out
}

// respond is one turn without a chat.
// respond gives the engine one input and does the actions it asks for as the
// edge would with no language model: "understand" fails, the others succeed
// with plausible values. The turn has every message said on the way, and the
// first action asked for in FirstAction.
func respond(t *testing.T, sess *guidance.Session, p guidance.Person, in guidance.Input) respondedTurn {
	t.Helper()
	s := script(t)
	turn := s.Respond(sess, p, in, now)
	out := respondedTurn{Turn: turn, FirstAction: turn.Action}
	msgs := turn.Messages
	for i := 0; turn.Action != nil && i < 10; i++ {
		ok := turn.Action.Name != "understand"
		turn = s.Resume(turn.Session, p, guidance.ActionResult{OK: ok, Vars: plausibleVars(turn.Action.Name)}, now)
		msgs = append(msgs, turn.Messages...)
	}
	out.Turn = turn
	out.Messages = msgs
	return out
}

// respondedTurn is a turn after every action was done, with the first action
// the engine asked for.
type respondedTurn struct {
	guidance.Turn
	FirstAction *guidance.ActionCall
}

func lastMsg(turn guidance.Turn) guidance.Message {
	if len(turn.Messages) == 0 {
		return guidance.Message{}
	}
	return turn.Messages[len(turn.Messages)-1]
}

func text(in string) guidance.Input { return guidance.Input{Kind: guidance.InputText, Text: in} }

package guidance

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Session is the state of one person's conversation, kept by the LINE edge in
// the session store with an expiry.
type Session struct {
	Node    string    `json:"node,omitempty"` // the node whose choices await an answer
	Lang    string    `json:"lang,omitempty"` // "en" after the person switched; Thai otherwise
	Updated time.Time `json:"updated"`
}

// Effect is a change the edge must apply to what is stored about the person.
type Effect struct {
	Field string // e.g. "role"
	Value string
}

// Turn is the engine's answer to one input.
type Turn struct {
	Session  *Session
	Messages []Message
	Effects  []Effect
}

// postback data keys
const (
	keyGoto = "g"
)

// Respond computes one turn. sess is nil when the person has no session (new,
// expired or deleted). It never fails: input it cannot place gets a short
// re-ask with choices.
func (s *Script) Respond(sess *Session, p Person, in Input, now time.Time) Turn {
	st := Session{Lang: "th"}
	if sess != nil {
		st = *sess
	}
	t := &turn{script: s, sess: st}
	switch in.Kind {
	case InputFollow:
		t.enter(NodeWelcome)
	case InputText:
		t.text(in.Text, sess == nil)
	case InputPostback:
		t.postback(in.Data)
	case InputSticker:
		t.enter(NodeSticker)
	case InputMedia:
		t.enter(NodeMedia)
	case InputLocation:
		t.enter(NodeLocation)
	default:
		t.fallback()
	}
	t.sess.Updated = now
	return Turn{Session: &t.sess, Messages: t.msgs, Effects: t.effects}
}

type turn struct {
	script  *Script
	sess    Session
	msgs    []Message
	effects []Effect
}

func (t *turn) text(raw string, noSession bool) {
	norm := normalize(raw)
	if cmd, ok := t.script.command(norm); ok {
		if cmd.Lang != "" {
			t.sess.Lang = cmd.Lang
		}
		if cmd.Goto != "" {
			t.enter(cmd.Goto)
		} else {
			t.enter(NodeMenu)
		}
		return
	}
	if n := t.script.nodes[t.sess.Node]; n != nil {
		for _, o := range n.Choices {
			if norm == normalize(o.Label.TH) || (o.Label.EN != "" && norm == normalize(o.Label.EN)) {
				t.choose(o.Goto, o.Set)
				return
			}
		}
	}
	if noSession {
		t.enter(NodeBack)
		return
	}
	t.fallback()
}

func (t *turn) postback(data string) {
	v, err := url.ParseQuery(data)
	if err != nil || t.script.nodes[v.Get(keyGoto)] == nil {
		t.fallback()
		return
	}
	set := map[string]string{}
	for field, allowed := range settable {
		if val := v.Get(field); val != "" && slices.Contains(allowed, val) {
			set[field] = val
		}
	}
	t.choose(v.Get(keyGoto), set)
}

func (t *turn) choose(node string, set map[string]string) {
	for _, field := range sortedFields(set) {
		t.effects = append(t.effects, Effect{Field: field, Value: set[field]})
	}
	t.enter(node)
}

// enter says a node and leaves its choices (or the menu's) waiting.
func (t *turn) enter(key string) {
	n := t.script.nodes[key]
	for _, say := range n.Say {
		t.msgs = append(t.msgs, Message{Text: say.In(t.sess.Lang)})
	}
	waiting := key
	if len(n.Choices) == 0 {
		waiting = NodeMenu
	}
	t.sess.Node = waiting
	t.msgs[len(t.msgs)-1].Choices = t.choices(waiting, false)
}

// fallback says it did not understand and asks the pending question again.
func (t *turn) fallback() {
	waiting := t.sess.Node
	if t.script.nodes[waiting] == nil {
		waiting = NodeMenu
	}
	for _, say := range t.script.nodes[NodeFallback].Say {
		t.msgs = append(t.msgs, Message{Text: say.In(t.sess.Lang)})
	}
	t.sess.Node = waiting
	t.msgs[len(t.msgs)-1].Choices = t.choices(waiting, true)
}

// choices renders a node's options as postback choices. With withMenu, a way
// back to the menu is added when there is room and none is offered, so a person
// who is stuck always has a way out.
func (t *turn) choices(key string, withMenu bool) []Choice {
	n := t.script.nodes[key]
	out := make([]Choice, 0, len(n.Choices)+1)
	hasMenu := key == NodeMenu
	for _, o := range n.Choices {
		out = append(out, Choice{Label: o.Label.In(t.sess.Lang), Data: choiceData(o.Goto, o.Set)})
		hasMenu = hasMenu || o.Goto == NodeMenu
	}
	if withMenu && !hasMenu && len(out) < maxChoices {
		out = append(out, Choice{Label: menuLabel.In(t.sess.Lang), Data: choiceData(NodeMenu, nil)})
	}
	return out
}

var menuLabel = Text{TH: "เมนู", EN: "Menu"}

func choiceData(node string, set map[string]string) string {
	v := url.Values{keyGoto: {node}}
	for f, val := range set {
		v.Set(f, val)
	}
	return v.Encode()
}

// Say returns a node's messages without choices, for what is said outside a
// conversation (for example in a group chat the bot is about to leave).
func (s *Script) Say(node, lang string) []Message {
	n := s.nodes[node]
	if n == nil {
		return nil
	}
	out := make([]Message, len(n.Say))
	for i, t := range n.Say {
		out[i] = Message{Text: t.In(lang)}
	}
	return out
}

func (s *Script) command(norm string) (Command, bool) {
	for _, c := range s.commands {
		for _, w := range c.Words {
			if norm == normalize(w) {
				return c, true
			}
		}
	}
	return Command{}, false
}

// politeEndings are particles Thai speakers add to the end of a sentence; they
// do not change what was asked for.
var politeEndings = []string{"ครับผม", "ครับ", "คับ", "ค่ะ", "คะ", "ค่า", "จ้า", "จ้ะ", "นะ"}

// normalize folds what people type so that "เมนู ค่ะ", "Menu!" and "  เมนู"
// match "เมนู": lower case, no spaces or punctuation, no polite ending.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	out := b.String()
	for changed := true; changed; {
		changed = false
		for _, e := range politeEndings {
			if rest, ok := strings.CutSuffix(out, e); ok && rest != "" {
				out, changed = rest, true
			}
		}
	}
	return out
}

func sortedFields(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

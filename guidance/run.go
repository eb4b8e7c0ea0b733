package guidance

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Session is the state of one person's conversation, kept by the LINE edge in
// the session store with an expiry.
type Session struct {
	Node    string            `json:"node,omitempty"` // the node waiting for the person (or an action's result)
	Vars    map[string]string `json:"vars,omitempty"` // answers so far (scratch values and fields not stored yet)
	Lang    string            `json:"lang,omitempty"` // "en" after the person switched; Thai otherwise
	Updated time.Time         `json:"updated"`
}

// Effect is a field the edge must store (where depends on the field's store
// and on consent).
type Effect struct {
	Field string
	Value string
}

// ActionCall asks the edge to do an action and then Resume the turn.
type ActionCall struct {
	Name string
	Args map[string]string
}

// ActionResult is what the edge tells Resume about an action it did.
type ActionResult struct {
	OK   bool
	Vars map[string]string // values for the conversation (e.g. a code to show)
}

// Turn is the engine's answer to one input.
type Turn struct {
	Session  *Session
	Messages []Message
	Effects  []Effect
	// Action, when set, is an action the edge must do before the turn goes on:
	// it does it and calls Resume with the result (and the messages so far).
	Action *ActionCall
}

// postback data keys
const (
	keyGoto   = "g" // go to a node
	keyAnswer = "a" // answer the question of a node...
	keyValue  = "v" // ...with this value
	keySkip   = "skip"
	keyItem   = "i" // the catalog item a card's button is about
)

// Respond computes a turn for an input. sess is nil when the person has no
// session (new, expired or deleted). It never fails: input it cannot place gets
// a short re-ask with choices and a way back to the menu.
func (s *Script) Respond(sess *Session, p Person, in Input, now time.Time) Turn {
	t := s.newTurn(sess, p)
	switch {
	case in.Kind == InputText && s.safety.Matches(in.Text) && (t.inCare(now) || (p.Fields["ticket"] == "open" && t.sess.Vars[varTicketAway] == "")):
		t.careCrisis(in.Text)
	case in.Kind == InputText && s.safety.Matches(in.Text):
		// The message itself is the first thing the counsellor should read.
		t.startCare(now)
		t.setVar(varText, in.Text)
		t.run(NodeCrisis)
	case in.Kind == InputFollow:
		t.run(NodeWelcome)
	case in.Kind == InputText && p.Fields["ticket"] == "open" && t.sess.Vars[varTicketAway] == "":
		t.ticketText(in.Text, now)
	case in.Kind == InputText && t.inCare(now):
		t.careText(in.Text)
	case in.Kind == InputText:
		t.text(in.Text, sess == nil)
	case in.Kind == InputPostback:
		t.postback(in.Data)
	case in.Kind == InputLocation:
		t.location(in.Lat, in.Lng)
	case (in.Kind == InputSticker || in.Kind == InputMedia) && t.inCare(now):
		t.nextCareWord()
		t.run(NodeCareHeard)
	case in.Kind == InputSticker && t.waitingAsk() == nil:
		t.run(NodeSticker)
	case in.Kind == InputMedia && t.waitingAsk() == nil:
		t.run(NodeMedia)
	default:
		t.fallback()
	}
	return t.finish(now)
}

// Resume goes on with a turn after the edge did the action it asked for.
func (s *Script) Resume(sess *Session, p Person, res ActionResult, now time.Time) Turn {
	t := s.newTurn(sess, p)
	for k, v := range res.Vars {
		t.setVar(k, v)
	}
	n := s.nodes[t.sess.Node]
	switch {
	case n == nil:
		t.run(NodeMenu)
	case res.OK && n.Next != "":
		t.run(n.Next)
	case res.OK:
		t.end()
	case n.Fail != "":
		t.run(n.Fail)
	default:
		t.run(NodeError)
	}
	return t.finish(now)
}

// Enter starts a node without input from the person (a scheduled check-in).
func (s *Script) Enter(sess *Session, p Person, node string, now time.Time) Turn {
	t := s.newTurn(sess, p)
	if s.nodes[node] == nil {
		node = NodeMenu
	}
	t.run(node)
	return t.finish(now)
}

type turn struct {
	script  *Script
	person  Person
	sess    Session
	msgs    []Message
	effects []Effect
	action  *ActionCall
	offer   []Choice // chips a builtin action offers instead of the menu's
	offerAt string   // the node those chips belong to ("": the menu)
}

func (s *Script) newTurn(sess *Session, p Person) *turn {
	st := Session{Lang: p.Fields["lang"]}
	if sess != nil {
		st = *sess
	}
	vars := make(map[string]string, len(st.Vars))
	for k, v := range st.Vars {
		vars[k] = v
	}
	st.Vars = vars
	if st.Lang == "" {
		st.Lang = "th"
	}
	return &turn{script: s, person: p, sess: st}
}

func (t *turn) finish(now time.Time) Turn {
	t.sess.Updated = now
	if len(t.sess.Vars) == 0 {
		t.sess.Vars = nil
	}
	return Turn{Session: &t.sess, Messages: t.msgs, Effects: t.effects, Action: t.action}
}

// get returns a field's current value: this conversation's, else the stored one.
func (t *turn) get(field string) string {
	if v, ok := t.sess.Vars[field]; ok {
		return v
	}
	return t.person.Fields[field]
}

// setVar records a value in the conversation and, for fields kept beyond it,
// as an effect for the edge. "+x" adds x to a list field.
func (t *turn) setVar(field, value string) {
	if add, ok := strings.CutPrefix(value, "+"); ok {
		list := splitList(t.get(field))
		if !slices.Contains(list, add) {
			list = append(list, add)
		}
		value = strings.Join(list, ",")
	}
	t.sess.Vars[field] = value
	if field == "lang" && value != "" {
		t.sess.Lang = value
	}
	if f, ok := t.script.fields.Lookup(field); ok && f.Store != StoreSession {
		t.effects = append(t.effects, Effect{Field: field, Value: value})
	}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// display shows a field's value as a person reads it.
func (t *turn) display(field string) string {
	v := t.get(field)
	f, ok := t.script.fields.Lookup(field)
	if !ok {
		return v
	}
	switch f.Type {
	case "province":
		return provinceName(v, t.sess.Lang)
	case "list":
		var items []string
		for _, item := range splitList(v) {
			items = append(items, t.script.listItem(field, item, t.sess.Lang))
		}
		return strings.Join(items, ", ")
	}
	return f.Display(v, t.sess.Lang)
}

func (t *turn) say(texts ...Text) {
	for _, txt := range texts {
		t.msgs = append(t.msgs, Message{Text: fill(txt.In(t.sess.Lang), t.display)})
	}
}

// run enters a node and follows the conversation until it must wait for the
// person or for an action's result.
func (t *turn) run(key string) {
	for range maxChain {
		n := t.script.nodes[key]
		if n == nil {
			key = NodeMenu
			continue
		}
		for _, field := range sortedKeys(n.Set) {
			t.setVar(field, n.Set[field])
		}
		if n.Quiet {
			t.sess.Node = key // nothing said: the counsellor answers
			return
		}
		t.say(n.Say...)
		if n.Action != "" {
			do, builtin := builtinActions[n.Action]
			if !builtin {
				t.action = &ActionCall{Name: n.Action, Args: n.Args}
				t.sess.Node = key
				return
			}
			if to := do(t); to != "" { // done inside the engine; it may lead elsewhere
				key = to
				continue
			}
		}
		switch {
		case len(n.Branch) > 0:
			key = t.pick(n.Branch)
			continue
		case n.Ask != nil || len(n.Choices) > 0:
			t.wait(key)
			return
		case n.Next != "":
			key = n.Next
			continue
		}
		t.end()
		return
	}
	t.end() // unreachable with validated flows: a silent loop is rejected at load
}

// end finishes with the main menu's choices, so there is no dead end.
func (t *turn) end() {
	menu := t.menuNode()
	if len(t.msgs) == 0 {
		t.say(t.script.nodes[menu].Say...)
	}
	t.wait(menu)
	if t.offer != nil { // the chips a builtin offered, in place of the menu's
		t.msgs[len(t.msgs)-1].Choices, t.offer = t.offer, nil
		if t.offerAt != "" {
			t.sess.Node, t.offerAt = t.offerAt, ""
		}
	}
}

// menuNode is the person's main menu: NodeMenu, or where its branch points
// (one menu for young people, one for parents).
func (t *turn) menuNode() string {
	if n := t.script.nodes[NodeMenu]; len(n.Branch) > 0 {
		return t.pick(n.Branch)
	}
	return NodeMenu
}

// wait leaves a node's question or choices open, shown on the last message.
func (t *turn) wait(key string) {
	t.sess.Node = key
	delete(t.sess.Vars, "_miss")
	t.msgs[len(t.msgs)-1].Choices = t.chips(key, false)
}

func (t *turn) pick(rules []Rule) string {
	for _, r := range rules {
		ok := true
		for _, c := range r.When {
			cond, err := parseCondition(c, t.script.fields)
			if err != nil || !cond.holds(t.get) {
				ok = false
				break
			}
		}
		if ok {
			return r.Goto
		}
	}
	return NodeMenu
}

// chips renders a waiting node's choices. With stuck, a way back to the menu
// is added when there is room and none is offered.
func (t *turn) chips(key string, stuck bool) []Choice {
	n := t.script.nodes[key]
	var out []Choice
	hasMenu := key == t.menuNode()
	if n.Ask != nil {
		for _, o := range t.script.askChoices(n.Ask) {
			out = append(out, Choice{Label: o.Label.In(t.sess.Lang), Data: answerData(key, o.Value, o.Goto)})
		}
		if n.Ask.Skip != nil {
			out = append(out, Choice{Label: n.Ask.Skip.In(t.sess.Lang), Data: url.Values{keyAnswer: {key}, keySkip: {"1"}}.Encode()})
		}
		if f, ok := t.script.fields.Lookup(n.Ask.Field); ok && n.Ask.kind(f) == "province" {
			out = append(out, Choice{Label: locationLabel.In(t.sess.Lang), Location: true})
		}
	}
	for _, o := range n.Choices {
		out = append(out, Choice{Label: o.Label.In(t.sess.Lang), Data: gotoData(o.Goto, o.Set)})
		hasMenu = hasMenu || o.Goto == NodeMenu
	}
	if stuck && !hasMenu && len(out) < maxChoices {
		out = append(out, Choice{Label: menuLabel.In(t.sess.Lang), Data: gotoData(NodeMenu, nil)})
	}
	return out
}

var (
	menuLabel     = Text{TH: "เมนู", EN: "Menu"}
	locationLabel = Text{TH: "📍 ส่งตำแหน่ง", EN: "📍 Share location"}
)

func gotoData(node string, set map[string]string) string {
	v := url.Values{keyGoto: {node}}
	for f, val := range set {
		v.Set("s_"+f, val)
	}
	return v.Encode()
}

func answerData(node, value, goto_ string) string {
	v := url.Values{keyAnswer: {node}, keyValue: {value}}
	if value == "" && goto_ != "" {
		v = url.Values{keyGoto: {goto_}}
	}
	return v.Encode()
}

// waitingAsk returns the question the person is expected to answer, if any.
func (t *turn) waitingAsk() *Ask {
	if n := t.script.nodes[t.sess.Node]; n != nil {
		return n.Ask
	}
	return nil
}

// text understands typed text, in layers, cheapest first: a global command;
// the answer to the question waiting (its chips, their synonyms, a number, a
// province...); a choice of the node waiting; an intent of the intent layer
// (guidance/intent), or a short question when two are close; a catalog
// search; and what is left goes to the edge's language model, if it has one,
// else to the likely things as chips. Never only "I don't understand".
func (t *turn) text(raw string, noSession bool) {
	norm := normalize(raw)
	if cmd, arg, ok := t.script.command(norm, raw); ok && !(arg != "" && t.chipLabel(norm)) {
		t.runCommand(cmd, arg)
		return
	}
	n := t.script.nodes[t.sess.Node]
	if n != nil && n.Ask != nil {
		t.answerText(t.sess.Node, raw)
		return
	}
	if n != nil {
		// A choice's label or synonym typed; else text holding the words of
		// one choice only, unless it asks for courses or work (synonyms.go).
		i, ok := exactChoice(n.Choices, norm)
		if !ok && !looksLikeSearch(raw) {
			i, ok = t.script.containedChoice(n.Choices, raw)
		}
		if ok {
			t.choose(n.Choices[i].Goto, n.Choices[i].Set)
			return
		}
	}
	r, done := t.placeIntent(raw)
	if done {
		return
	}
	if looksLikeSearch(raw) {
		t.setVar("_q", raw)
		t.run(NodeSearch)
		return
	}
	if noSession {
		if len(t.person.Fields) == 0 {
			t.run(NodeWelcome) // nothing known: a first message, not a return
		} else {
			t.run(NodeBack)
		}
		return
	}
	t.notPlaced(raw, r)
}

// runCommand does a global command (with the value typed after its word).
func (t *turn) runCommand(cmd Command, arg string) {
	if cmd.Lang != "" {
		t.setVar("lang", cmd.Lang)
	}
	if cmd.Arg != "" && arg != "" {
		t.setVar(cmd.Arg, arg)
	}
	if cmd.Goto != "" {
		t.run(cmd.Goto)
	} else {
		t.run(NodeMenu)
	}
}

// confidentIntent starts what text that does not answer the question
// waiting clearly asks for, when that works anywhere like a global command
// ("ขอดูแผนของฉันหน่อย" while asked for an age); other intents wait, so
// that an answer in one's own words is re-asked, not taken for a request.
func (t *turn) confidentIntent(raw string) bool {
	r := t.script.placeIntents(raw)
	if !r.Confident || len(r.Best) == 0 || !r.Best[0].Intent.Anywhere {
		return false
	}
	t.startIntent(r.Best[0].Intent, raw)
	return true
}

// chipLabel reports whether norm is the label or a synonym of a chip the
// waiting node offers (so "ยืนยันลบข้อมูล" typed at the delete question is
// that chip, not the command "ยืนยัน" with a code). Only exactly: a code
// typed after "ยืนยัน" must not be read as a chip whose word it holds.
func (t *turn) chipLabel(norm string) bool {
	n := t.script.nodes[t.sess.Node]
	if n == nil {
		return false
	}
	opts := n.Choices
	if n.Ask != nil {
		opts = t.script.askChoices(n.Ask)
		if n.Ask.Skip != nil {
			opts = append(slices.Clip(opts), Option{Label: *n.Ask.Skip})
		}
	}
	_, ok := exactChoice(opts, norm)
	return ok
}

func labelMatches(l Text, norm string) bool {
	return norm != "" && (norm == normalize(l.TH) || (l.EN != "" && norm == normalize(l.EN)))
}

func (t *turn) postback(data string) {
	v, err := url.ParseQuery(data)
	if err != nil {
		t.fallback()
		return
	}
	if node := v.Get(keyAnswer); node != "" {
		n := t.script.nodes[node]
		if n == nil || n.Ask == nil {
			t.fallback()
			return
		}
		t.sess.Node = node // an earlier question's button answers that question
		if v.Get(keySkip) != "" && n.Ask.Skip != nil {
			t.answered(node, nil)
			return
		}
		t.answerValue(node, v.Get(keyValue))
		return
	}
	if id := v.Get(keyIntent); id != "" {
		if !t.intentPostback(id) {
			t.fallback()
		}
		return
	}
	node := v.Get(keyGoto)
	if t.script.nodes[node] == nil || (t.script.guarded(node) && !t.offers(node)) {
		t.fallback()
		return
	}
	if item := v.Get(keyItem); item != "" {
		t.setVar("_item", item) // a card's button: the edge checks the item exists
	}
	set := map[string]string{}
	for key := range v {
		if field, ok := strings.CutPrefix(key, "s_"); ok {
			set[field] = v.Get(key)
		}
	}
	// Only what a choice leading to this node may set is accepted, so a forged
	// postback cannot set arbitrary values.
	t.choose(node, t.script.allowedSet(node, set))
}

// guarded reports whether a node may be entered only from a choice the person
// was just offered (it does something that cannot be undone).
func (s *Script) guarded(node string) bool {
	return slices.Contains(guardedActions, s.nodes[node].Action)
}

// guardedActions cannot be reached by an old or forged postback.
var guardedActions = []string{"delete_data"}

// offers reports whether the node the person is at offers a choice to node.
func (t *turn) offers(node string) bool {
	n := t.script.nodes[t.sess.Node]
	return n != nil && slices.ContainsFunc(n.Choices, func(o Option) bool { return o.Goto == node })
}

// allowedSet keeps the values that some choice leading to node sets.
func (s *Script) allowedSet(node string, set map[string]string) map[string]string {
	out := map[string]string{}
	for _, n := range s.nodes {
		for _, o := range n.Choices {
			if o.Goto != node {
				continue
			}
			for f, v := range o.Set {
				if set[f] == v {
					out[f] = v
				}
			}
		}
	}
	return out
}

func (t *turn) choose(node string, set map[string]string) {
	for _, field := range sortedKeys(set) {
		t.setVar(field, set[field])
	}
	t.run(node)
}

func (t *turn) location(lat, lng float64) {
	key := t.sess.Node
	if a := t.waitingAsk(); a != nil {
		if f, ok := t.script.fields.Lookup(a.Field); ok && a.kind(f) == "province" {
			p, _ := nearestProvince(lat, lng)
			t.setVar("location", strconv.FormatFloat(lat, 'f', 4, 64)+","+strconv.FormatFloat(lng, 'f', 4, 64))
			t.answerValue(key, p)
			return
		}
	}
	t.run(NodeLocation)
}

// fallback says Pai Tor did not understand and asks the pending question again,
// with a way back to the menu.
func (t *turn) fallback() {
	key := t.sess.Node
	n := t.script.nodes[key]
	if n == nil || (n.Ask == nil && len(n.Choices) == 0) {
		key = t.menuNode()
		n = t.script.nodes[key]
	}
	if n.Ask != nil && n.Ask.Retry.TH != "" {
		t.say(n.Ask.Retry)
	} else {
		t.say(t.script.nodes[NodeFallback].Say...)
	}
	misses, _ := strconv.Atoi(t.sess.Vars["_miss"])
	t.sess.Node = key
	t.msgs[len(t.msgs)-1].Choices = t.chips(key, true)
	t.sess.Vars["_miss"] = strconv.Itoa(misses + 1)
}

// command finds the command typed: a command's word exactly, else a word
// followed by a value for a command that takes one.
func (s *Script) command(norm, raw string) (Command, string, bool) {
	for _, c := range s.commands {
		for _, w := range c.Words {
			if norm == normalize(w) {
				return c, "", true
			}
		}
	}
	for _, c := range s.commands {
		if c.Arg == "" {
			continue
		}
		for _, w := range c.Words {
			if rest, ok := strings.CutPrefix(norm, normalize(w)); ok && rest != "" {
				return c, rest, true
			}
		}
	}
	return Command{}, "", false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

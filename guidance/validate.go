package guidance

import (
	"fmt"
	"slices"
	"strings"
)

// Validate checks what makes a conversation safe to run: the engine's own
// nodes exist; every choice, branch, command and next leads to a node; every
// node can be reached; a node that waits says something; texts and choices are
// within LINE's limits; every field set, asked or tested exists and every value
// fits it; what people may type for a node's chips picks one chip only; no
// chain of nodes loops without waiting. Each part of a node checks
// itself (Node.validate, Ask.validate, Rule.validate); what a node's action is
// done by the edge, which checks at start-up that it has a handler for every
// name in EdgeActions.
func (s *Script) Validate() error {
	v := &validator{s: s}
	v.engineNodes()
	v.menus()
	for _, c := range s.commands {
		c.validate(v)
	}
	for _, key := range s.sortedKeys() {
		s.nodes[key].validate(v, key)
	}
	v.intents()
	v.reachable()
	v.noSilentLoop()
	if len(v.errs) > 0 {
		return fmt.Errorf("guidance: invalid flows:\n  %s", strings.Join(v.errs, "\n  "))
	}
	return nil
}

// validator collects every problem of a script, so that one run lists them all.
type validator struct {
	s    *Script
	errs []string
}

func (v *validator) fail(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

// target checks that a reference leads to a node ("" leads nowhere, which the
// caller allows or not).
func (v *validator) target(from, what, to string) {
	if to != "" && v.s.nodes[to] == nil {
		v.fail("%s: %s goes to unknown node %s", from, what, to)
	}
}

// set checks the fields a node or a choice sets, and their values.
func (v *validator) set(from string, set map[string]string) {
	for field, value := range set {
		f, ok := v.s.fields.Lookup(field)
		if !ok {
			v.fail("%s sets unknown field %q", from, field)
			continue
		}
		if f.Store == StoreDerived {
			v.fail("%s sets %q, which only the edge may set", from, field)
		}
		if f.Type == "list" || strings.HasPrefix(value, "+") {
			continue
		}
		if err := f.Check(value); err != nil {
			v.fail("%s: %v", from, err)
		}
	}
}

// text checks a message: Thai first, within LINE's size limit.
func (v *validator) text(key, what string, t Text) {
	if strings.TrimSpace(t.TH) == "" {
		v.fail("%s %s has no Thai text", key, what)
	}
	for _, txt := range []string{t.TH, t.EN} {
		if units(txt) > maxTextUnits {
			v.fail("%s %s is %d UTF-16 units (at most %d)", key, what, units(txt), maxTextUnits)
		}
	}
}

// label checks a quick-reply label: Thai first, within LINE's 20 characters.
func (v *validator) label(key string, l Text) {
	if l.TH == "" {
		v.fail("%s has a choice with no Thai label", key)
	}
	for _, t := range []string{l.TH, l.EN} {
		if r := len([]rune(t)); r > maxLabelRunes {
			v.fail("%s choice %q is %d characters (at most %d)", key, t, r, maxLabelRunes)
		}
	}
}

// engineNodes checks that the nodes the engine enters by itself exist.
func (v *validator) engineNodes() {
	for _, r := range rootNodes {
		if v.s.nodes[r] == nil {
			v.fail("required node %s is missing", r)
		}
	}
}

// menus checks that the main menu (or each menu it branches to) says
// something and offers choices: it ends every node that has none.
func (v *validator) menus() {
	m := v.s.nodes[NodeMenu]
	if m == nil {
		return
	}
	menus := []string{NodeMenu}
	if len(m.Branch) > 0 {
		menus = menus[:0]
		for _, r := range m.Branch {
			menus = append(menus, r.Goto)
		}
	}
	for _, k := range menus {
		if n := v.s.nodes[k]; n != nil && (len(n.Choices) == 0 || len(n.Say) == 0) {
			v.fail("menu %s must say something and offer choices", k)
		}
	}
}

// validate checks a global command: words, where it leads, where its value goes.
func (c Command) validate(v *validator) {
	if len(c.Words) == 0 {
		v.fail("a command has no words")
	}
	v.target("command "+strings.Join(c.Words, "/"), "it", c.Goto)
	if c.Goto == "" && c.Lang == "" {
		v.fail("command %q does nothing", c.Words)
	}
	if c.Arg != "" {
		if _, ok := v.s.fields.Lookup(c.Arg); !ok {
			v.fail("command %q stores its value in unknown field %q", c.Words, c.Arg)
		}
	}
}

// validate checks one node: what it says, its shape (a node waits, branches or
// moves on, never two of these), its action, question, choices and branches.
func (n *Node) validate(v *validator, key string) {
	if len(n.Say) > maxSays {
		v.fail("%s says %d messages (at most %d)", key, len(n.Say), maxSays)
	}
	for i, t := range n.Say {
		v.text(key, fmt.Sprintf("say[%d]", i), t)
		for _, ref := range templateRefs(t.TH + t.EN) {
			if _, ok := v.s.fields.Lookup(ref); !ok {
				v.fail("%s says {{%s}}, an unknown field", key, ref)
			}
		}
	}
	if n.Quiet && (len(n.Say) > 0 || n.waits() || n.Next != "" || len(n.Branch) > 0 || n.Action != "") {
		v.fail("%s is quiet: it may only set fields", key)
	}
	waits := n.waits()
	if waits && len(n.Say) == 0 {
		v.fail("%s waits for an answer but says nothing", key)
	}
	if n.Ask != nil && len(n.Choices) > 0 {
		v.fail("%s has both a question and choices", key)
	}
	if len(n.Branch) > 0 && (waits || n.Next != "") {
		v.fail("%s branches and also waits or moves on", key)
	}
	if n.Action != "" && waits {
		v.fail("%s runs an action and waits: split it in two nodes", key)
	}
	if n.Fail != "" && !n.callsEdge() {
		v.fail("%s has a fail route but no action that can fail", key)
	}
	v.target(key, "next", n.Next)
	v.target(key, "fail", n.Fail)
	v.set(key, n.Set)

	chips, extra := n.Choices, 0
	var skip *Text
	if n.Ask != nil {
		chips = n.Ask.validate(v, key)
		if skip = n.Ask.Skip; skip != nil {
			extra = 1
		}
	}
	if len(chips)+extra > maxChoices {
		v.fail("%s offers %d choices (at most %d quick replies)", key, len(chips)+extra, maxChoices)
	}
	v.typed(key, chips, skip)
	for _, c := range chips {
		v.label(key, c.Label)
		v.target(key, "choice "+c.Label.TH, c.Goto)
		v.set(key+" choice "+c.Label.TH, c.Set)
	}
	for i, c := range n.Choices {
		if c.Goto == "" {
			v.fail("%s choice %d (%q) leads nowhere", key, i, c.Label.TH)
		}
	}
	for _, r := range n.Branch {
		r.validate(v, key)
	}
	if len(n.Branch) > 0 && len(n.Branch[len(n.Branch)-1].When) > 0 {
		v.fail("%s: the last branch must have no condition (so one always holds)", key)
	}
}

// typed checks what people may type for a node's chips (synonyms.go): every
// synonym has text, is at most maxSynonymRunes long and is no command word
// (the command would win); and no two chips share a label or synonym once
// normalised, so what is typed picks one chip only.
func (v *validator) typed(key string, chips []Option, skip *Text) {
	if skip != nil {
		chips = append(slices.Clip(chips), Option{Label: *skip})
	}
	owner := map[string]int{}
	for i, c := range chips {
		for _, a := range c.Also {
			norm := normalize(a)
			if norm == "" {
				v.fail("%s choice %q has an empty synonym", key, c.Label.TH)
				continue
			}
			if r := len([]rune(a)); r > maxSynonymRunes {
				v.fail("%s choice %q: synonym %q is %d characters (at most %d)", key, c.Label.TH, a, r, maxSynonymRunes)
			}
			if v.s.commandWord(norm) {
				v.fail("%s choice %q: synonym %q is a command word, so typing it runs the command", key, c.Label.TH, a)
			}
		}
		for _, w := range c.words() {
			if j, seen := owner[w]; seen && j != i {
				v.fail("%s: %q reads as choice %q and as choice %q (ambiguous when typed)", key, w, chips[j].Label.TH, c.Label.TH)
				continue
			}
			owner[w] = i
		}
	}
}

// waits reports whether the node waits for the person.
func (n *Node) waits() bool { return n.Ask != nil || len(n.Choices) > 0 }

// callsEdge reports whether the node's action is done by the edge (it may
// fail, and the turn waits for its result).
func (n *Node) callsEdge() bool {
	_, builtin := builtinActions[n.Action]
	return n.Action != "" && !builtin
}

// validate checks a question and returns the chips it offers: its field
// exists, its type is known, every answer fits the field, it has a re-ask.
func (a *Ask) validate(v *validator, key string) []Option {
	if a.Skip != nil {
		v.label(key, *a.Skip)
	}
	f, ok := v.s.fields.Lookup(a.Field)
	if !ok {
		v.fail("%s asks for unknown field %q", key, a.Field)
		return nil
	}
	typ := a.kind(f)
	if !slices.Contains([]string{"choice", "int", "province", "text"}, typ) {
		v.fail("%s asks a question of unknown type %q", key, typ)
	}
	if typ == "choice" && len(a.Choices) == 0 && len(f.Order) == 0 {
		v.fail("%s asks a choice with nothing to choose", key)
	}
	for _, o := range a.Choices {
		if typ == "choice" && o.Value == "" && o.Goto == "" {
			v.fail("%s choice %q has no value", key, o.Label.TH)
		}
		if o.Value != "" && f.Type != "list" && f.Store != StoreSession {
			if err := f.Check(o.Value); err != nil {
				v.fail("%s: %v", key, err)
			}
		}
	}
	if a.Retry.TH == "" {
		v.fail("%s asks without a retry text", key)
	}
	return v.s.askChoices(a)
}

// validate checks a branch: it leads somewhere and its conditions parse
// against known fields.
func (r Rule) validate(v *validator, key string) {
	v.target(key, "branch", r.Goto)
	if r.Goto == "" {
		v.fail("%s has a branch that leads nowhere", key)
	}
	for _, c := range r.When {
		if _, err := parseCondition(c, v.s.fields); err != nil {
			v.fail("%s: %v", key, err)
		}
	}
}

// reachable checks that every node can be reached from the engine's entry
// points and the commands.
func (v *validator) reachable() {
	s := v.s
	seen := map[string]bool{}
	var walk func(string)
	walk = func(k string) {
		n := s.nodes[k]
		if seen[k] || n == nil {
			return
		}
		seen[k] = true
		for _, c := range n.Choices {
			walk(c.Goto)
		}
		if n.Ask != nil {
			for _, c := range n.Ask.Choices {
				walk(c.Goto)
			}
		}
		for _, r := range n.Branch {
			walk(r.Goto)
		}
		walk(n.Next)
		walk(n.Fail)
	}
	for _, r := range rootNodes {
		walk(r)
	}
	for _, c := range s.commands {
		walk(c.Goto)
	}
	for _, it := range s.allIntents() {
		walk(it.Goto)
	}
	for _, node := range searchNodes {
		walk(node)
	}
	for _, node := range []string{NodeClarify, NodeNotUnderstood, NodeModel, NodeProfileSet, NodeCareAck, NodeCareHeard, NodeCareAgain, NodeCareLeave, NodeTicketKept, NodeTicketQuiet, NodeTicketClosed} {
		walk(node)
	}
	for _, key := range s.sortedKeys() {
		if !seen[key] {
			v.fail("%s cannot be reached", key)
		}
	}
}

// noSilentLoop checks that a chain of nodes that never waits ends: no loop
// through next or branches.
func (v *validator) noSilentLoop() {
	for _, key := range v.s.sortedKeys() {
		if loop := v.s.silentLoop(key); loop != "" {
			v.fail("%s loops without waiting for the person: %s", key, loop)
			return
		}
	}
}

// silentLoop returns a description of a cycle reachable from key through
// nodes that do not wait, or "".
func (s *Script) silentLoop(key string) string {
	var path []string
	onPath := map[string]bool{}
	var visit func(k string) string
	visit = func(k string) string {
		n := s.nodes[k]
		if n == nil || n.waits() || n.callsEdge() {
			return ""
		}
		if onPath[k] {
			return strings.Join(append(path, k), " → ")
		}
		onPath[k] = true
		path = append(path, k)
		defer func() { onPath[k] = false; path = path[:len(path)-1] }()
		if n.Next != "" {
			if l := visit(n.Next); l != "" {
				return l
			}
		}
		for _, r := range n.Branch {
			if l := visit(r.Goto); l != "" {
				return l
			}
		}
		return ""
	}
	return visit(key)
}

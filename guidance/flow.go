package guidance

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf16"

	"gopkg.in/yaml.v3"
)

// Limits a flow must respect so that every message it produces is one LINE
// accepts (checked when flows load, so they hold by construction).
const (
	maxChoices    = 13   // quick reply items
	maxLabelRunes = 20   // quick reply label
	maxTextUnits  = 5000 // text message, UTF-16 code units
	maxSays       = 4    // messages a node says
	maxChain      = 40   // nodes one turn may pass through
)

//go:embed flows/*.yaml
var flowFiles embed.FS

// Flow is a set of conversation nodes loaded from one data file.
type Flow struct {
	ID    string           `yaml:"id"`
	Nodes map[string]*Node `yaml:"nodes"`
}

// Node is one step of a conversation. On entering it Pai Tor sets its fields,
// says its texts and runs its action; then it either waits (for the answer to
// its question or a tap on one of its choices), branches, moves on to Next, or
// ends with the main menu: no node is a dead end.
type Node struct {
	Say     []Text            `yaml:"say"`
	Set     map[string]string `yaml:"set"`     // fields set on entering ("+x" adds x to a list)
	Action  string            `yaml:"action"`  // a named action (see Actions)
	Args    map[string]string `yaml:"args"`    // the action's arguments
	Ask     *Ask              `yaml:"ask"`     // a question: the next input answers it
	Choices []Option          `yaml:"choices"` // taps that lead elsewhere
	Branch  []Rule            `yaml:"branch"`  // the first rule that holds picks the next node
	Next    string            `yaml:"next"`    // where to go after (for an action: when it succeeded)
	Fail    string            `yaml:"fail"`    // where to go when the action failed
}

// Ask is a question whose answer sets a field.
type Ask struct {
	Field   string   `yaml:"field"`
	Type    string   `yaml:"type"`    // "choice" (default), "int", "province", "text"
	Choices []Option `yaml:"choices"` // chips; for a choice question without them, the field's values
	Min     *int     `yaml:"min"`     // for "int": overrides the field's range
	Max     *int     `yaml:"max"`
	Retry   Text     `yaml:"retry"` // the short re-ask when the answer does not fit
	Skip    *Text    `yaml:"skip"`  // label of a chip that moves on without answering
}

// Option is a choice as written in a flow file.
type Option struct {
	Label Text              `yaml:"label"`
	Value string            `yaml:"value"` // the answer, for a question
	Goto  string            `yaml:"goto"`  // node to go to: "node" or "flow.node"
	Set   map[string]string `yaml:"set"`   // fields the choice sets
}

// Rule is one branch: all of When must hold (an empty When always holds).
type Rule struct {
	When Conditions `yaml:"when"`
	Goto string     `yaml:"goto"`
}

// Conditions accepts one condition or a list in YAML.
type Conditions []string

// UnmarshalYAML reads a string or a list of strings.
func (c *Conditions) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = Conditions{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*c = list
	return nil
}

// Command is a word that works anywhere in the conversation.
type Command struct {
	Words []string `yaml:"words"` // Thai and English forms, matched after normalising
	Goto  string   `yaml:"goto"`
	Lang  string   `yaml:"lang"` // switches the conversation language
	Arg   string   `yaml:"arg"`  // with Arg, a word may be followed by a value (e.g. "ยืนยัน AB12CD") stored in this field
}

// Engine node names every script must define.
const (
	NodeWelcome  = "start.welcome"  // on follow
	NodeMenu     = "start.menu"     // main menu; its choices end every node without choices
	NodeFallback = "start.fallback" // said before re-asking when the input fits nothing
	NodeSticker  = "start.sticker"  // on a sticker
	NodeMedia    = "start.media"    // on an image, video, audio or file
	NodeLocation = "start.location" // on a location outside a question
	NodeBack     = "start.back"     // greeting after the session expired
	NodeGroup    = "start.group"    // said in a group chat before leaving it
	NodeError    = "start.error"    // when an action failed and the node names no way on
	NodeCrisis   = "safety.crisis"  // on a message that signals crisis
	NodeCheckin  = "checkin.ask"    // a scheduled check-in
	// NodeGuardianConfirmed tells a young person their guardian confirmed.
	NodeGuardianConfirmed = "consent.guardian_confirmed"
	NodeSearch            = "browse.search"   // typed text that asks for courses or jobs
	NodeReminder          = "browse.reminder" // the day before a saved course starts
	NodeFestivalReminder  = "festival.reminder"
	// Nodes the buttons of a festival announcement lead to (with the festival
	// and announcement as "i").
	NodeFestivalRemind = "festival.remind"
	NodeFestivalOptOut = "festival.optout"
)

// Nodes the edge links from the buttons of item cards (with the item as "i").
const (
	NodeItemDetail = "browse.detail"
	NodeItemSave   = "browse.save"
	NodeItemUp     = "browse.up"
	NodeItemDown   = "browse.down"
)

var rootNodes = []string{NodeItemDetail, NodeItemSave, NodeItemUp, NodeItemDown, NodeWelcome, NodeMenu, NodeFallback, NodeSticker, NodeMedia, NodeLocation, NodeBack, NodeGroup, NodeError, NodeCrisis, NodeCheckin, NodeGuardianConfirmed, NodeSearch, NodeReminder, NodeFestivalReminder, NodeFestivalRemind, NodeFestivalOptOut}

// Actions are the named actions a node may call. Built-in ones run inside the
// engine; the others are done by the edge (they need storage or LINE), which
// then resumes the turn with their result.
var (
	builtinActions = []string{"inventory_result", "strengths_result", "plan_propose"}
	EdgeActions    = []string{
		"guardian_code", "guardian_confirm", "save_plan", "schedule_checkins", "record_outcome",
		"my_data", "export_link", "delete_data", "handoff",
		"search", "item_detail", "item_save", "item_vote", "saved_items", "plan_match",
		"festivals_near", "festival_remind", "festival_tap", "festival_detail",
	}
)

type commandsFile struct {
	Commands []Command `yaml:"commands"`
}

// decodeFlow decodes one flow file strictly (unknown keys are errors).
func decodeFlow(name string, b []byte) (*Flow, error) {
	var f Flow
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("guidance: %s: %w", name, err)
	}
	if f.ID == "" || strings.Contains(f.ID, ".") {
		return nil, fmt.Errorf("guidance: %s: flow id %q must be set and contain no dot", name, f.ID)
	}
	return &f, nil
}

// readFlows reads every *.yaml flow file of dir in fsys (commands.yaml holds
// the global commands).
func readFlows(fsys fs.FS, dir string) ([]*Flow, []Command, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, nil, fmt.Errorf("guidance: list flows: %w", err)
	}
	var flows []*Flow
	var cmds []Command
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, fmt.Errorf("guidance: read %s: %w", name, err)
		}
		if path.Base(name) == "commands.yaml" {
			var cf commandsFile
			if err := yaml.Unmarshal(b, &cf); err != nil {
				return nil, nil, fmt.Errorf("guidance: %s: %w", name, err)
			}
			cmds = append(cmds, cf.Commands...)
			continue
		}
		f, err := decodeFlow(name, b)
		if err != nil {
			return nil, nil, err
		}
		flows = append(flows, f)
	}
	return flows, cmds, nil
}

// add puts a flow's nodes into the script under "flow.node" names.
func (s *Script) add(f *Flow) error {
	for id, n := range f.Nodes {
		key := f.ID + "." + id
		if _, dup := s.nodes[key]; dup {
			return fmt.Errorf("guidance: node %s defined twice", key)
		}
		n.Next, n.Fail = qualify(f.ID, n.Next), qualify(f.ID, n.Fail)
		for i := range n.Choices {
			n.Choices[i].Goto = qualify(f.ID, n.Choices[i].Goto)
		}
		if n.Ask != nil {
			for i := range n.Ask.Choices {
				n.Ask.Choices[i].Goto = qualify(f.ID, n.Ask.Choices[i].Goto)
			}
		}
		for i := range n.Branch {
			n.Branch[i].Goto = qualify(f.ID, n.Branch[i].Goto)
		}
		s.nodes[key] = n
	}
	return nil
}

func qualify(flow, ref string) string {
	if ref == "" || strings.Contains(ref, ".") {
		return ref
	}
	return flow + "." + ref
}

// Validate checks what makes a conversation safe to run: the engine's own
// nodes exist; every choice, branch, command and next leads to a node; every
// node can be reached; a node that waits says something; texts and choices are
// within LINE's limits; every field set, asked or tested exists and every value
// fits it; every action exists; no chain of nodes loops without waiting.
func (s *Script) Validate() error {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, r := range rootNodes {
		if s.nodes[r] == nil {
			fail("required node %s is missing", r)
		}
	}
	if m := s.nodes[NodeMenu]; m != nil {
		menus := []string{NodeMenu}
		if len(m.Branch) > 0 {
			menus = menus[:0]
			for _, r := range m.Branch {
				menus = append(menus, r.Goto)
			}
		}
		for _, k := range menus {
			if n := s.nodes[k]; n != nil && (len(n.Choices) == 0 || len(n.Say) == 0) {
				fail("menu %s must say something and offer choices", k)
			}
		}
	}
	target := func(from, what, to string) {
		if to != "" && s.nodes[to] == nil {
			fail("%s: %s goes to unknown node %s", from, what, to)
		}
	}
	checkSet := func(from string, set map[string]string) {
		for field, value := range set {
			f, ok := s.fields.Lookup(field)
			if !ok {
				fail("%s sets unknown field %q", from, field)
				continue
			}
			if f.Store == StoreDerived {
				fail("%s sets %q, which only the edge may set", from, field)
			}
			v := strings.TrimPrefix(value, "+")
			if f.Type == "list" || strings.HasPrefix(value, "+") {
				continue
			}
			if err := f.Check(v); err != nil {
				fail("%s: %v", from, err)
			}
		}
	}
	for _, c := range s.commands {
		if len(c.Words) == 0 {
			fail("a command has no words")
		}
		target("command "+strings.Join(c.Words, "/"), "it", c.Goto)
		if c.Goto == "" && c.Lang == "" {
			fail("command %q does nothing", c.Words)
		}
		if c.Arg != "" {
			if _, ok := s.fields.Lookup(c.Arg); !ok {
				fail("command %q stores its value in unknown field %q", c.Words, c.Arg)
			}
		}
	}
	checkText := func(key, what string, t Text) {
		if strings.TrimSpace(t.TH) == "" {
			fail("%s %s has no Thai text", key, what)
		}
		for _, txt := range []string{t.TH, t.EN} {
			if units(txt) > maxTextUnits {
				fail("%s %s is %d UTF-16 units (at most %d)", key, what, units(txt), maxTextUnits)
			}
		}
	}
	checkLabel := func(key string, l Text) {
		if l.TH == "" {
			fail("%s has a choice with no Thai label", key)
		}
		for _, t := range []string{l.TH, l.EN} {
			if r := len([]rune(t)); r > maxLabelRunes {
				fail("%s choice %q is %d characters (at most %d)", key, t, r, maxLabelRunes)
			}
		}
	}
	for _, key := range s.sortedKeys() {
		n := s.nodes[key]
		if len(n.Say) > maxSays {
			fail("%s says %d messages (at most %d)", key, len(n.Say), maxSays)
		}
		for i, t := range n.Say {
			checkText(key, fmt.Sprintf("say[%d]", i), t)
			for _, ref := range templateRefs(t.TH + t.EN) {
				if _, ok := s.fields.Lookup(ref); !ok {
					fail("%s says {{%s}}, an unknown field", key, ref)
				}
			}
		}
		waits := n.Ask != nil || len(n.Choices) > 0
		if waits && len(n.Say) == 0 {
			fail("%s waits for an answer but says nothing", key)
		}
		if n.Ask != nil && len(n.Choices) > 0 {
			fail("%s has both a question and choices", key)
		}
		if len(n.Branch) > 0 && (waits || n.Next != "") {
			fail("%s branches and also waits or moves on", key)
		}
		if n.Action != "" {
			if !slices.Contains(builtinActions, n.Action) && !slices.Contains(EdgeActions, n.Action) {
				fail("%s calls unknown action %q", key, n.Action)
			}
			if waits {
				fail("%s runs an action and waits: split it in two nodes", key)
			}
		}
		if n.Fail != "" && (n.Action == "" || slices.Contains(builtinActions, n.Action)) {
			fail("%s has a fail route but no action that can fail", key)
		}
		target(key, "next", n.Next)
		target(key, "fail", n.Fail)
		checkSet(key, n.Set)
		chips := n.Choices
		if n.Ask != nil {
			a := n.Ask
			f, ok := s.fields.Lookup(a.Field)
			if !ok {
				fail("%s asks for unknown field %q", key, a.Field)
			} else {
				typ := a.kind(f)
				if !slices.Contains([]string{"choice", "int", "province", "text"}, typ) {
					fail("%s asks a question of unknown type %q", key, typ)
				}
				if typ == "choice" && len(a.Choices) == 0 && len(f.Order) == 0 {
					fail("%s asks a choice with nothing to choose", key)
				}
				for _, o := range a.Choices {
					if typ == "choice" && o.Value == "" && o.Goto == "" {
						fail("%s choice %q has no value", key, o.Label.TH)
					}
					if o.Value != "" && f.Type != "list" && f.Store != StoreSession {
						if err := f.Check(o.Value); err != nil {
							fail("%s: %v", key, err)
						}
					}
				}
				if a.Retry.TH == "" {
					fail("%s asks without a retry text", key)
				}
				chips = s.askChoices(a)
			}
			if a.Skip != nil {
				checkLabel(key, *a.Skip)
			}
		}
		extra := 0
		if n.Ask != nil && n.Ask.Skip != nil {
			extra = 1
		}
		if len(chips)+extra > maxChoices {
			fail("%s offers %d choices (at most %d quick replies)", key, len(chips)+extra, maxChoices)
		}
		for _, c := range chips {
			checkLabel(key, c.Label)
			target(key, "choice "+c.Label.TH, c.Goto)
			checkSet(key+" choice "+c.Label.TH, c.Set)
		}
		for i, c := range n.Choices {
			if c.Goto == "" {
				fail("%s choice %d (%q) leads nowhere", key, i, c.Label.TH)
			}
		}
		for _, r := range n.Branch {
			target(key, "branch", r.Goto)
			if r.Goto == "" {
				fail("%s has a branch that leads nowhere", key)
			}
			for _, c := range r.When {
				if _, err := parseCondition(c, s.fields); err != nil {
					fail("%s: %v", key, err)
				}
			}
		}
		if len(n.Branch) > 0 && len(n.Branch[len(n.Branch)-1].When) > 0 {
			fail("%s: the last branch must have no condition (so one always holds)", key)
		}
	}
	// Reachability from the engine's entry points and the commands.
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
	for _, key := range s.sortedKeys() {
		if !seen[key] {
			fail("%s cannot be reached", key)
		}
	}
	// A chain of nodes that never waits must end: no loop through next/branch.
	for _, key := range s.sortedKeys() {
		if loop := s.silentLoop(key); loop != "" {
			fail("%s loops without waiting for the person: %s", key, loop)
			break
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("guidance: invalid flows:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// silentLoop returns a description of a cycle reachable from key through
// nodes that do not wait, or "".
func (s *Script) silentLoop(key string) string {
	var path []string
	onPath := map[string]bool{}
	var visit func(k string) string
	visit = func(k string) string {
		n := s.nodes[k]
		if n == nil || n.Ask != nil || len(n.Choices) > 0 || (n.Action != "" && !slices.Contains(builtinActions, n.Action)) {
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

// kind returns the question's type.
func (a *Ask) kind(f *Field) string {
	if a.Type != "" {
		return a.Type
	}
	if len(a.Choices) > 0 {
		return "choice" // chips without a type: answers are the chips
	}
	switch f.Type {
	case "int", "province", "text":
		return f.Type
	}
	return "choice"
}

// askChoices returns the chips of a question: its own, or the field's values.
func (s *Script) askChoices(a *Ask) []Option {
	if len(a.Choices) > 0 {
		return a.Choices
	}
	f, ok := s.fields.Lookup(a.Field)
	if !ok || a.kind(f) != "choice" {
		return nil
	}
	out := make([]Option, 0, len(f.Order))
	for _, v := range f.Order {
		out = append(out, Option{Label: f.Values[v], Value: v})
	}
	return out
}

func (s *Script) sortedKeys() []string {
	keys := make([]string, 0, len(s.nodes))
	for k := range s.nodes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

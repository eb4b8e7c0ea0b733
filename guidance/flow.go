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
	Quiet   bool              `yaml:"quiet"`   // ends the turn without a word (a counsellor has the conversation)
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
	// Also lists what people type for this choice besides its label (slang,
	// short forms, no tone marks, English): typing one picks it like a tap
	// (see synonyms.go).
	Also []string `yaml:"also"`
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
	Care  bool     `yaml:"care"` // works in the care state after a crisis message too (stop, delete, a person...)
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
		out = append(out, Option{Label: f.Values[v], Value: v, Also: f.Also[v]})
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

package guidance

import (
	"fmt"
	"io/fs"

	"github.com/paitor/paitor/guidance/assess"
	"github.com/paitor/paitor/guidance/intent"
	"github.com/paitor/paitor/guidance/lessons"
)

// Script is every flow (written and generated), the global commands, the field
// registry and the content the engine's built-in actions use. It is immutable
// once loaded and safe for concurrent use.
type Script struct {
	nodes     map[string]*Node
	commands  []Command
	fields    Fields
	inventory *assess.Inventory
	lessons   []lessons.Module
	safety    *Safety
	plan      *planData
	typing    *typing
	intents   *intent.Set
}

// LoadScript loads and validates everything embedded in the binary, the
// intents of what people type included.
func LoadScript() (*Script, error) {
	intents, err := intent.Load()
	if err != nil {
		return nil, fmt.Errorf("guidance: %w", err)
	}
	return loadScript(flowFiles, "flows", intents)
}

// LoadScriptFS loads the flows in dir of fsys with the embedded fields,
// inventory, lessons, safety phrases and plan data, and validates the whole.
// It has no intents (intents lead to the shipped flows' nodes): typed text is
// placed by commands, answers and choices only. For tests of flows.
func LoadScriptFS(fsys fs.FS, dir string) (*Script, error) { return loadScript(fsys, dir, nil) }

// LoadScriptFSWith is LoadScriptFS with intents (for tests of the shipped
// flows with changes).
func LoadScriptFSWith(fsys fs.FS, dir string, intents *intent.Set) (*Script, error) {
	return loadScript(fsys, dir, intents)
}

func loadScript(fsys fs.FS, dir string, intents *intent.Set) (*Script, error) {
	fields, err := LoadFields(fieldsFile)
	if err != nil {
		return nil, err
	}
	inv, err := assess.Load()
	if err != nil {
		return nil, fmt.Errorf("guidance: %w", err)
	}
	mods, err := lessons.Load()
	if err != nil {
		return nil, fmt.Errorf("guidance: %w", err)
	}
	safety, err := loadSafety()
	if err != nil {
		return nil, err
	}
	plan, err := loadPlanData()
	if err != nil {
		return nil, err
	}
	typing, err := loadTyping()
	if err != nil {
		return nil, err
	}
	s := &Script{nodes: map[string]*Node{}, fields: fields, inventory: inv, lessons: mods, safety: safety, plan: plan, typing: typing, intents: intents}
	flows, cmds, err := readFlows(fsys, dir)
	if err != nil {
		return nil, err
	}
	s.commands = cmds
	flows = append(flows, inventoryFlow(inv), lessonsFlow(mods, typing), planFlow(plan, typing))
	for _, f := range flows {
		if err := s.add(f); err != nil {
			return nil, err
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Fields returns the field registry.
func (s *Script) Fields() Fields { return s.fields }

// Lessons returns the life-skills modules.
func (s *Script) Lessons() []lessons.Module { return s.lessons }

// HasNode reports whether a node exists.
func (s *Script) HasNode(key string) bool { return s.nodes[key] != nil }

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

// EdgeActions returns the actions the flows call that the engine does not do
// itself, by name, each with the nodes that call it (sorted): the edge must
// have a handler for every one of them, and checks at start-up that it does.
func (s *Script) EdgeActions() map[string][]string {
	out := map[string][]string{}
	for _, key := range s.sortedKeys() {
		if n := s.nodes[key]; n.callsEdge() {
			out[n.Action] = append(out[n.Action], key)
		}
	}
	return out
}

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
	maxSays       = 4    // messages per node: leaves room for the re-ask
)

//go:embed flows/*.yaml
var flowFiles embed.FS

// Flow is a set of conversation nodes loaded from one data file.
type Flow struct {
	ID    string           `yaml:"id"`
	Nodes map[string]*Node `yaml:"nodes"`
}

// Node is one step of a conversation: what Pai Tor says, and the choices it
// offers. A node without choices ends with the main menu, so no node is a dead
// end.
type Node struct {
	Say     []Text   `yaml:"say"`
	Choices []Option `yaml:"choices"`
}

// Option is a choice as written in a flow file.
type Option struct {
	Label Text              `yaml:"label"`
	Goto  string            `yaml:"goto"` // node to go to: "node" or "flow.node"
	Set   map[string]string `yaml:"set"`  // profile fields the answer sets
}

// Command is a word that works anywhere in the conversation.
type Command struct {
	Words []string `yaml:"words"` // Thai and English forms, matched after normalising
	Goto  string   `yaml:"goto"`
	Lang  string   `yaml:"lang"` // switches the conversation language
}

// Script is every flow plus the global commands and the nodes the engine
// itself uses. It is immutable once loaded.
type Script struct {
	nodes    map[string]*Node // by "flow.node"
	commands []Command
}

// settable lists the profile fields a choice may set, with their allowed values.
var settable = map[string][]string{
	"role": {"youth", "parent", "other"},
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
)

type commandsFile struct {
	Commands []Command `yaml:"commands"`
}

// LoadScript loads and validates the flows embedded in the binary.
func LoadScript() (*Script, error) { return LoadScriptFS(flowFiles, "flows") }

// LoadScriptFS loads and validates every *.yaml flow file in dir of fsys
// (commands.yaml holds the global commands).
func LoadScriptFS(fsys fs.FS, dir string) (*Script, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("guidance: list flows: %w", err)
	}
	s := &Script{nodes: map[string]*Node{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("guidance: read %s: %w", name, err)
		}
		if path.Base(name) == "commands.yaml" {
			var cf commandsFile
			if err := yaml.Unmarshal(b, &cf); err != nil {
				return nil, fmt.Errorf("guidance: %s: %w", name, err)
			}
			s.commands = append(s.commands, cf.Commands...)
			continue
		}
		var f Flow
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("guidance: %s: %w", name, err)
		}
		if f.ID == "" || strings.Contains(f.ID, ".") {
			return nil, fmt.Errorf("guidance: %s: flow id %q must be set and contain no dot", name, f.ID)
		}
		for id, n := range f.Nodes {
			key := f.ID + "." + id
			if _, dup := s.nodes[key]; dup {
				return nil, fmt.Errorf("guidance: %s: node %s defined twice", name, key)
			}
			// Resolve local gotos to full names.
			for i := range n.Choices {
				n.Choices[i].Goto = qualify(f.ID, n.Choices[i].Goto)
			}
			s.nodes[key] = n
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func qualify(flow, ref string) string {
	if ref == "" || strings.Contains(ref, ".") {
		return ref
	}
	return flow + "." + ref
}

// Validate checks what makes a conversation safe to run: the engine's own nodes
// exist; every choice and command leads to a node; every node can be reached;
// texts and choices are within LINE's limits; every field a choice sets exists.
func (s *Script) Validate() error {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	roots := []string{NodeWelcome, NodeMenu, NodeFallback, NodeSticker, NodeMedia, NodeLocation, NodeBack, NodeGroup}
	for _, r := range roots {
		if s.nodes[r] == nil {
			fail("required node %s is missing", r)
		}
	}
	if m := s.nodes[NodeMenu]; m != nil && len(m.Choices) == 0 {
		fail("%s must offer choices", NodeMenu)
	}
	for _, c := range s.commands {
		if len(c.Words) == 0 {
			fail("a command has no words")
		}
		if c.Goto != "" && s.nodes[c.Goto] == nil {
			fail("command %q goes to unknown node %s", c.Words, c.Goto)
		}
		if c.Goto == "" && c.Lang == "" {
			fail("command %q does nothing", c.Words)
		}
	}
	for _, key := range s.sortedKeys() {
		n := s.nodes[key]
		if len(n.Say) == 0 {
			fail("%s says nothing", key)
		}
		if len(n.Say) > maxSays {
			fail("%s says %d messages (at most %d)", key, len(n.Say), maxSays)
		}
		for i, t := range n.Say {
			if strings.TrimSpace(t.TH) == "" {
				fail("%s say[%d] has no Thai text", key, i)
			}
			for _, txt := range []string{t.TH, t.EN} {
				if units(txt) > maxTextUnits {
					fail("%s say[%d] is %d UTF-16 units (at most %d)", key, i, units(txt), maxTextUnits)
				}
			}
		}
		if len(n.Choices) > maxChoices {
			fail("%s offers %d choices (at most %d quick replies)", key, len(n.Choices), maxChoices)
		}
		for i, c := range n.Choices {
			if c.Label.TH == "" {
				fail("%s choice %d has no Thai label", key, i)
			}
			for _, l := range []string{c.Label.TH, c.Label.EN} {
				if r := len([]rune(l)); r > maxLabelRunes {
					fail("%s choice %q is %d characters (at most %d)", key, l, r, maxLabelRunes)
				}
			}
			if c.Goto == "" {
				fail("%s choice %q leads nowhere", key, c.Label.TH)
			} else if s.nodes[c.Goto] == nil {
				fail("%s choice %q goes to unknown node %s", key, c.Label.TH, c.Goto)
			}
			for field, value := range c.Set {
				allowed, ok := settable[field]
				if !ok {
					fail("%s choice %q sets unknown field %q", key, c.Label.TH, field)
				} else if !slices.Contains(allowed, value) {
					fail("%s choice %q sets %s to %q (allowed: %v)", key, c.Label.TH, field, value, allowed)
				}
			}
		}
	}
	// Reachability from the engine's entry points and the commands.
	seen := map[string]bool{}
	var walk func(string)
	walk = func(k string) {
		if seen[k] || s.nodes[k] == nil {
			return
		}
		seen[k] = true
		for _, c := range s.nodes[k].Choices {
			walk(c.Goto)
		}
	}
	for _, r := range roots {
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
	if len(errs) > 0 {
		return fmt.Errorf("guidance: invalid flows:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
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

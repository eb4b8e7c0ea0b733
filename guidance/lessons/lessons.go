// Package lessons holds Pai Tor's life-skills micro-lessons (บ่มเพาะทักษะชีวิต):
// short modules of 3–6 chat messages, one check question and one thing to do
// this week, each earning a Learn-to-Earn badge (seed 000: stickers, tokens or
// credits for finishing a learning mission).
//
// Each module is a data file in this folder, embedded in the binary and
// validated when it loads, so every message and label fits LINE's limits.
package lessons

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// Order is the fixed order of the core modules; any other module follows
// them, sorted by ID.
var Order = []string{"money", "scams", "applying", "workplace", "grit", "wellbeing"}

// Limits every module must respect.
const (
	minMessages     = 3
	maxMessages     = 6
	minChoices      = 2
	maxChoices      = 4
	minMinutes      = 2
	maxMinutes      = 4
	maxLabelRunes   = 20   // LINE quick-reply label (title / short)
	maxChoiceRunes  = 16   // answer labels: 20 is LINE's limit, 16 leaves room
	maxTextUnits    = 5000 // LINE text message, UTF-16 code units
	maxMessageTH    = 350  // one message on a phone screen, Thai characters
	maxMessageEN    = 700  // English runs longer than Thai for the same words
	maxFeedbackRune = 400
	maxAlsoRunes    = 40 // a synonym of an answer
)

// Text is something Pai Tor says, in Thai first and English beside it.
type Text struct {
	TH string `yaml:"th"`
	EN string `yaml:"en"`
}

// Get returns the English text when lang starts with "en", else the Thai.
func (t Text) Get(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return t.EN
	}
	return t.TH
}

// Module is one micro-lesson.
type Module struct {
	ID       string `yaml:"id"`
	Title    Text   `yaml:"title"`
	Short    Text   `yaml:"short"` // quick-reply label; the title when the file gives none
	Badge    Badge  `yaml:"badge"`
	Minutes  int    `yaml:"minutes"`
	Messages []Text `yaml:"messages"`
	Check    Check  `yaml:"check"`
	NextStep Text   `yaml:"next_step"`
}

// Badge is the sticker-like reward for finishing a module.
type Badge struct {
	Emoji string `yaml:"emoji"`
	Name  Text   `yaml:",inline"`
}

// Check is the one question at the end of a module. Correct is the index of
// the right choice, counting from 0.
type Check struct {
	Question Text     `yaml:"question"`
	Choices  []Choice `yaml:"choices"`
	Correct  int      `yaml:"correct"`
	Right    Text     `yaml:"right"`
	Wrong    Text     `yaml:"wrong"`
}

// Choice is an answer to a check question: its label (a quick-reply chip)
// and what people type for it besides the label (a key word of the answer;
// its number, "1" or "ข้อ 1", the conversation engine adds itself).
type Choice struct {
	Text `yaml:",inline"`
	Also []string `yaml:"also"`
}

// Load returns the embedded modules, validated, in the fixed order. Every core
// module (see Order) must be present.
func Load() ([]Module, error) {
	mods, err := LoadFS(files, ".")
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, id := range Order {
		if _, ok := Find(mods, id); !ok {
			errs = append(errs, fmt.Errorf("lessons: core module %q is missing", id))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return mods, nil
}

// LoadFS reads every *.yaml file in dir of fsys as one module, validates each
// (the error names the file and the problem, for every problem found) and
// returns them in the fixed order: the modules of Order first, then the rest
// by ID.
func LoadFS(fsys fs.FS, dir string) ([]Module, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("lessons: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("lessons: no *.yaml files in %q", dir)
	}
	var (
		mods []Module
		errs []error
		seen = map[string]string{} // module ID → file
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("lessons: %s: %w", name, err))
			continue
		}
		m, err := parse(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("lessons: %s: %w", name, err))
			continue
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); m.ID != want {
			errs = append(errs, fmt.Errorf("lessons: %s: id %q must match the file name %q", name, m.ID, want))
		}
		if other, dup := seen[m.ID]; dup {
			errs = append(errs, fmt.Errorf("lessons: %s: id %q already used in %s", name, m.ID, other))
		}
		seen[m.ID] = name
		mods = append(mods, m)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortStableFunc(mods, func(a, b Module) int {
		ra, rb := rank(a.ID), rank(b.ID)
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a.ID, b.ID)
	})
	return mods, nil
}

func rank(id string) int {
	if i := slices.Index(Order, id); i >= 0 {
		return i
	}
	return len(Order)
}

// Find returns the module with the given ID.
func Find(mods []Module, id string) (Module, bool) {
	for _, m := range mods {
		if m.ID == id {
			return m, true
		}
	}
	return Module{}, false
}

func parse(data []byte) (Module, error) {
	var m Module
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return Module{}, err
	}
	if m.Short.TH == "" {
		m.Short.TH = m.Title.TH
	}
	if m.Short.EN == "" {
		m.Short.EN = m.Title.EN
	}
	return m, m.Validate()
}

// Validate checks one module and reports every problem it finds.
func (m Module) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	text := func(where string, t Text, maxRunesTH, maxRunesEN int) {
		if strings.TrimSpace(t.TH) == "" {
			bad("%s: no Thai text", where)
		} else if !hasThai(t.TH) {
			bad("%s: Thai text %q has no Thai letters", where, t.TH)
		}
		if strings.TrimSpace(t.EN) == "" {
			bad("%s: no English text", where)
		}
		for _, x := range []struct {
			lang, s string
			max     int
		}{{"th", t.TH, maxRunesTH}, {"en", t.EN, maxRunesEN}} {
			if n := utf8.RuneCountInString(x.s); n > x.max {
				bad("%s: %s text is %d characters, at most %d", where, x.lang, n, x.max)
			}
			if n := units(x.s); n > maxTextUnits {
				bad("%s: %s text is %d UTF-16 units, LINE allows %d", where, x.lang, n, maxTextUnits)
			}
		}
	}

	if m.ID == "" {
		bad("no id")
	} else if strings.Trim(m.ID, "abcdefghijklmnopqrstuvwxyz_") != "" {
		bad("id %q: use lower-case letters and _ only", m.ID)
	}
	text("title", m.Title, 60, 80)
	text("short", m.Short, maxLabelRunes, maxLabelRunes)
	if m.Badge.Emoji == "" {
		bad("badge: no emoji")
	}
	text("badge", m.Badge.Name, maxLabelRunes, 30)
	if m.Minutes < minMinutes || m.Minutes > maxMinutes {
		bad("minutes: %d, want %d–%d", m.Minutes, minMinutes, maxMinutes)
	}
	if n := len(m.Messages); n < minMessages || n > maxMessages {
		bad("messages: %d, want %d–%d", n, minMessages, maxMessages)
	}
	for i, t := range m.Messages {
		text(fmt.Sprintf("message %d", i+1), t, maxMessageTH, maxMessageEN)
	}
	text("check question", m.Check.Question, maxFeedbackRune, maxMessageEN)
	if n := len(m.Check.Choices); n < minChoices || n > maxChoices {
		bad("check: %d choices, want %d–%d", n, minChoices, maxChoices)
	}
	for i, c := range m.Check.Choices {
		text(fmt.Sprintf("check choice %d", i+1), c.Text, maxChoiceRunes, maxChoiceRunes)
		for j := range i {
			if m.Check.Choices[j].TH == c.TH {
				bad("check choice %d: same label as choice %d", i+1, j+1)
			}
		}
		for _, a := range c.Also {
			if n := utf8.RuneCountInString(a); strings.TrimSpace(a) == "" || n > maxAlsoRunes {
				bad("check choice %d: synonym %q must be 1–%d characters", i+1, a, maxAlsoRunes)
			}
		}
	}
	if m.Check.Correct < 0 || m.Check.Correct >= len(m.Check.Choices) {
		bad("check: correct is %d, out of range for %d choices (count from 0)", m.Check.Correct, len(m.Check.Choices))
	}
	text("check right", m.Check.Right, maxFeedbackRune, maxMessageEN)
	text("check wrong", m.Check.Wrong, maxFeedbackRune, maxMessageEN)
	text("next_step", m.NextStep, maxFeedbackRune, maxMessageEN)
	return errors.Join(errs...)
}

func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E01 && r <= 0x0E5B {
			return true
		}
	}
	return false
}

// units counts UTF-16 code units, as LINE does.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Texts returns every text of the module in the given language, in reading
// order (title, messages, check, feedback, next step, badge); for searching
// and tests.
func (m Module) Texts(lang string) []string {
	out := []string{m.Title.Get(lang)}
	for _, t := range m.Messages {
		out = append(out, t.Get(lang))
	}
	out = append(out, m.Check.Question.Get(lang))
	for _, c := range m.Check.Choices {
		out = append(out, c.Get(lang))
	}
	out = append(out, m.Check.Right.Get(lang), m.Check.Wrong.Get(lang), m.NextStep.Get(lang), m.Badge.Name.Get(lang))
	return out
}

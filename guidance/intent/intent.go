// Package intent places a message a person typed to Pai Tor, in Thai, English
// or both, among the things Pai Tor can do: find a course, find work, talk to a
// person, stop messages, say thanks... (intents.yaml). The conversation engine
// asks it only about text that is not a command, a chip or an answer, and
// decides itself what to do with the result: go to the best intent when it is
// Confident, ask with chips when two are Close, otherwise offer what Pai Tor
// can do.
//
// It works without a language model and without a word segmenter. The message
// is prepared: lower case, repeated letters shortened, spelling variants
// folded ("มั้ย", "พาททาม"), polite particles dropped from the end of word
// groups, question endings read as ไหม, English endings dropped, tone marks
// dropped (search.Normalize), and "do not want" words ("ไม่อยาก", "don't
// want") and plain "not" ("ไม่") turned into marks that cover what they
// negate. It is then scored against each intent by its key words, found
// inside the text since Thai has no spaces (a word a negation covers does not
// count, a longer word found hides the shorter ones inside it), by the subject
// words of the search dictionary for the catalog intents, and by character
// n-gram similarity with the intent's example phrasings and whole vocabulary,
// which tolerates typos and new wording. Every point can be traced to a word
// or an example (Set.Explain); the words, weights and thresholds are data.
//
// It must not do I/O at run time (its data is embedded and checked when
// loaded), keep state between messages, or judge safety: crisis messages are
// handled by another layer before the text gets here. A Set is immutable and
// safe for concurrent use.
package intent

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

//go:embed intents.yaml
var intentsYAML []byte

// MaxLabelRunes is the longest chip label, in characters, in either language.
const MaxLabelRunes = 20

// Search kinds an intent may ask the engine to search for.
const (
	SearchCourse  = "course"  // courses
	SearchOpening = "opening" // openings (work)
	SearchPair    = "pair"    // a course paired with paid work
	SearchAny     = "any"     // anything in the catalog
)

// Text is a string in Thai and English.
type Text struct {
	TH string `yaml:"th"`
	EN string `yaml:"en"`
}

// Intent is one thing Pai Tor can do for what a person types.
type Intent struct {
	ID     string            `yaml:"id"`     // e.g. "find_work"
	Label  Text              `yaml:"label"`  // a chip label, at most MaxLabelRunes characters in each language
	Goto   string            `yaml:"goto"`   // the conversation node it leads to, e.g. "browse.jobs"
	Set    map[string]string `yaml:"set"`    // fields set on the way (may be nil)
	Search string            `yaml:"search"` // SearchCourse, SearchOpening, SearchPair, SearchAny or "": when set and the text names something to look for, the engine searches the catalog with the text instead of going to Goto
	// Anywhere marks what works like a global command: even typed in answer
	// to a question ("ขอดูแผนของฉันหน่อย" while asked for an age). Other
	// intents wait until no question is open, so that an answer in one's
	// own words ("เรียนด้วยทำงานด้วย" when asked what one does) is never
	// taken for a request.
	Anywhere bool `yaml:"anywhere"`

	// Scoring data, as written in intents.yaml (see its header).
	Strong    []string     `yaml:"strong"`     // key words worth the strong points
	Terms     []string     `yaml:"terms"`      // key words worth the term points
	Weak      []string     `yaml:"weak"`       // key words worth the weak points
	Whole     []string     `yaml:"whole"`      // the whole message is one of these
	Together  [][][]string `yaml:"together"`   // rules: a word from every list of alternatives
	Not       []string     `yaml:"not"`        // any of these rules the intent out
	Examples  []string     `yaml:"examples"`   // typical phrasings, compared by n-grams
	EmojiOnly bool         `yaml:"emoji_only"` // a message of emoji and symbols only comes here
	Catalog   bool         `yaml:"catalog"`    // the search dictionary's subject words are key words too
}

// Match is an intent and its points for a message.
type Match struct {
	Intent *Intent
	// Score is the intent's points: key words found (strong, term, weak,
	// whole, together and request points from intents.yaml "scoring") plus
	// up to scoring.example points for the closest example phrasing.
	Score float64
}

// Result is where a message was placed.
type Result struct {
	Best      []Match // up to three intents, best first (may be empty)
	Confident bool    // Best[0] is clearly what was meant: the engine goes there
	Close     bool    // Best[0] and Best[1] are both plausible and too close to tell: the engine asks with chips for both
}

// scoring is intents.yaml "scoring": points and thresholds.
type scoring struct {
	Strong       float64 `yaml:"strong"`
	Term         float64 `yaml:"term"`
	Weak         float64 `yaml:"weak"`
	Whole        float64 `yaml:"whole"`
	Together     float64 `yaml:"together"`
	Request      float64 `yaml:"request"`
	Catalog      float64 `yaml:"catalog"`
	Example      float64 `yaml:"example"`
	ExampleFloor float64 `yaml:"example_floor"`
	Profile      float64 `yaml:"profile"`
	ProfileFloor float64 `yaml:"profile_floor"`
	Confident    float64 `yaml:"confident"`
	Lead         float64 `yaml:"lead"`
	Plausible    float64 `yaml:"plausible"`
}

type file struct {
	Scoring  scoring   `yaml:"scoring"`
	Language language  `yaml:"language"`
	Intents  []*Intent `yaml:"intents"`
}

// Set is a loaded, checked set of intents, ready to place messages. It is
// immutable and safe for concurrent use.
type Set struct {
	intents []*Intent
	byID    map[string]int
	sc      scoring
	rules   *rules
	terms   termTable
	whole   map[string][]int // prepared whole message → intents
	emoji   int              // the emoji_only intent, or -1
	grams   gramIndex
}

// Load returns the embedded intents.yaml, checked.
func Load() (*Set, error) {
	s, err := Parse(intentsYAML)
	if err != nil {
		return nil, fmt.Errorf("intent: intents.yaml: %w", err)
	}
	return s, nil
}

// Parse reads and checks intents data (the format of intents.yaml): unique IDs,
// Thai and English labels of at most MaxLabelRunes characters, a goto, a known
// search kind, key words and examples for every intent, and words that still
// say something once prepared. It returns every problem found.
func Parse(data []byte) (*Set, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	var errs []error
	errs = append(errs, f.Scoring.validate()...)
	r, lerrs := compileRules(f.Language)
	errs = append(errs, lerrs...)
	if len(f.Intents) == 0 {
		errs = append(errs, errors.New("no intents"))
	}
	s := &Set{intents: f.Intents, byID: map[string]int{}, sc: f.Scoring, rules: r, whole: map[string][]int{}, emoji: -1}
	for i, in := range f.Intents {
		if in == nil {
			errs = append(errs, fmt.Errorf("intent %d is empty", i+1))
			continue
		}
		errs = append(errs, in.validate()...)
		if _, dup := s.byID[in.ID]; dup && in.ID != "" {
			errs = append(errs, fmt.Errorf("intent %q: duplicate id", in.ID))
		}
		s.byID[in.ID] = i
		if in.EmojiOnly {
			if s.emoji >= 0 {
				errs = append(errs, fmt.Errorf("intent %q: emoji_only already set on %q", in.ID, f.Intents[s.emoji].ID))
			}
			s.emoji = i
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	errs = append(errs, s.compile()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// Intents returns the intents in file order. The caller must not change them.
func (s *Set) Intents() []*Intent { return s.intents }

// Lookup returns the intent with this ID.
func (s *Set) Lookup(id string) (*Intent, bool) {
	i, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	return s.intents[i], true
}

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	gotoPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)
)

// validate checks what can be checked on the intent alone.
func (in *Intent) validate() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("intent %q: %s", in.ID, fmt.Sprintf(format, args...)))
	}
	if !idPattern.MatchString(in.ID) {
		bad("id must be lower case letters, digits and _")
	}
	if strings.TrimSpace(in.Label.TH) == "" {
		bad("label.th is empty")
	}
	if strings.TrimSpace(in.Label.EN) == "" {
		bad("label.en is empty")
	}
	for _, l := range []struct{ lang, text string }{{"th", in.Label.TH}, {"en", in.Label.EN}} {
		if n := utf8.RuneCountInString(l.text); n > MaxLabelRunes {
			bad("label.%s %q is %d characters, at most %d", l.lang, l.text, n, MaxLabelRunes)
		}
	}
	switch {
	case in.Goto == "":
		bad("goto is missing")
	case !gotoPattern.MatchString(in.Goto):
		bad("goto %q is not flow.node", in.Goto)
	}
	switch in.Search {
	case "", SearchCourse, SearchOpening, SearchPair, SearchAny:
	default:
		bad("search %q is not one of course, opening, pair, any", in.Search)
	}
	for _, k := range slices.Sorted(maps.Keys(in.Set)) {
		if k == "" || in.Set[k] == "" {
			bad("set %q: %q: empty field or value", k, in.Set[k])
		}
	}
	if len(in.Strong)+len(in.Terms)+len(in.Weak)+len(in.Whole)+len(in.Together) == 0 && !in.Catalog {
		bad("no key words (strong, terms, weak, whole or together)")
	}
	if len(in.Examples) == 0 {
		bad("no examples")
	}
	for j, rule := range in.Together {
		if len(rule) < 2 || len(rule) > 8 {
			bad("together rule %d needs two to eight lists", j+1)
		}
		for _, alts := range rule {
			if len(alts) == 0 {
				bad("together rule %d has an empty list", j+1)
			}
		}
	}
	return errs
}

func (sc scoring) validate() []error {
	var errs []error
	for _, p := range []struct {
		name string
		v    float64
	}{
		{"strong", sc.Strong}, {"term", sc.Term}, {"weak", sc.Weak}, {"whole", sc.Whole}, {"together", sc.Together}, {"request", sc.Request}, {"catalog", sc.Catalog},
		{"example", sc.Example}, {"confident", sc.Confident}, {"plausible", sc.Plausible},
	} {
		if p.v <= 0 {
			errs = append(errs, fmt.Errorf("scoring.%s must be above 0", p.name))
		}
	}
	if sc.ExampleFloor < 0 || sc.ExampleFloor >= 1 {
		errs = append(errs, errors.New("scoring.example_floor must be in [0, 1)"))
	}
	if sc.Profile < 0 || sc.ProfileFloor < 0 || sc.ProfileFloor >= 1 {
		errs = append(errs, errors.New("scoring.profile must be at least 0 and scoring.profile_floor in [0, 1)"))
	}
	if sc.Lead <= 0 || sc.Lead >= 1 {
		errs = append(errs, errors.New("scoring.lead must be in (0, 1)"))
	}
	return errs
}

package search

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content/place"
)

//go:embed synonyms.yaml
var synonymsYAML []byte

// Intent is a word that says what kind of item is wanted (synonyms.yaml
// "intents").
type Intent struct {
	ID          string   `yaml:"id"`
	Kind        string   `yaml:"kind"`         // "course" or "opening"; "" = either
	OpeningKind string   `yaml:"opening_kind"` // an Opening.Kind; implies Kind "opening"
	Free        bool     `yaml:"free"`         // only free items
	Online      bool     `yaml:"online"`       // only items one can take online
	Weekend     bool     `yaml:"weekend"`      // weekend items first
	Terms       []string `yaml:"terms"`
}

// Group is a set of words with one meaning (synonyms.yaml "groups").
type Group struct {
	ID    string   `yaml:"id"`
	Field string   `yaml:"field"` // occupation family whose items count a little; "" none
	Terms []string `yaml:"terms"`
}

type synonymFile struct {
	Stop    []string `yaml:"stop"`
	Intents []Intent `yaml:"intents"`
	Groups  []Group  `yaml:"groups"`
}

type entryKind uint8

const (
	entryStop entryKind = iota
	entryIntent
	entryGroup
	entryProvince
)

// term is one normalized dictionary word.
type term struct {
	runes []rune
	kind  entryKind
	idx   int    // into intents or groups
	code  string // province code for entryProvince
}

// trie-less dictionary: terms indexed by their first two runes, longest first.
type termTable struct {
	terms    []term
	byBigram map[uint64][]int
}

func (t *termTable) add(tm term) {
	t.terms = append(t.terms, tm)
}

func (t *termTable) build() {
	t.byBigram = map[uint64][]int{}
	for i, tm := range t.terms {
		k := bigramKey(tm.runes[0], tm.runes[1])
		t.byBigram[k] = append(t.byBigram[k], i)
	}
	for _, list := range t.byBigram {
		slices.SortStableFunc(list, func(a, b int) int { return len(t.terms[b].runes) - len(t.terms[a].runes) })
	}
}

// longest returns the longest term starting at rs[i] (respecting Latin word
// boundaries), or -1.
func (t *termTable) longest(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return -1
	}
	for _, ti := range t.byBigram[bigramKey(rs[i], rs[i+1])] {
		if t.matchAt(rs, i, ti) {
			return ti
		}
	}
	return -1
}

// each calls fn for every term starting at rs[i].
func (t *termTable) each(rs []rune, i int, fn func(ti int)) {
	if i+1 >= len(rs) {
		return
	}
	for _, ti := range t.byBigram[bigramKey(rs[i], rs[i+1])] {
		if t.matchAt(rs, i, ti) {
			fn(ti)
		}
	}
}

func (t *termTable) matchAt(rs []rune, i, ti int) bool {
	w := t.terms[ti].runes
	end := i + len(w)
	if end > len(rs) || !slices.Equal(rs[i:end], w) {
		return false
	}
	if isLatin(w[0]) && i > 0 && isLatin(rs[i-1]) {
		return false
	}
	if isLatin(w[len(w)-1]) && end < len(rs) && isLatin(rs[end]) {
		return false
	}
	return true
}

// dictionary is synonyms.yaml, loaded and checked, plus the province names.
type dictionary struct {
	intents   []Intent
	groups    []Group
	words     termTable // stop words, intents and groups (tone marks dropped)
	provinces termTable // province names and aliases (tone marks kept)
}

var dict = mustLoad(synonymsYAML)

func mustLoad(data []byte) *dictionary {
	d, err := loadDictionary(data)
	if err != nil {
		panic("search: synonyms.yaml: " + err.Error())
	}
	return d
}

// Province keys shorter than these are read only as a whole word of the
// query (through place.Find), never inside longer text: "คอน" is inside
// "คอนเทนต์", "เลย" is also "at all".
const (
	minThaiProvinceRunes  = 4
	minLatinProvinceRunes = 3
)

func loadDictionary(data []byte) (*dictionary, error) {
	var f synonymFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	d := &dictionary{intents: f.Intents, groups: f.Groups}
	seen := map[string]string{}
	add := func(word, owner string, kind entryKind, idx int) error {
		rs := normalizeRunes(word, true)
		if len(rs) < 2 {
			return fmt.Errorf("%s: term %q is shorter than two characters once normalized", owner, word)
		}
		if prev, dup := seen[string(rs)]; dup {
			return fmt.Errorf("term %q (%s) is also in %s", word, owner, prev)
		}
		seen[string(rs)] = owner
		d.words.add(term{runes: rs, kind: kind, idx: idx})
		return nil
	}
	for _, w := range f.Stop {
		if err := add(w, "stop", entryStop, 0); err != nil {
			return nil, err
		}
	}
	ids := map[string]bool{}
	for i, in := range f.Intents {
		if in.ID == "" || ids[in.ID] || len(in.Terms) == 0 {
			return nil, fmt.Errorf("intent %d: id missing or repeated, or no terms", i)
		}
		ids[in.ID] = true
		switch in.Kind {
		case "", "course", "opening":
		default:
			return nil, fmt.Errorf("intent %s: unknown kind %q", in.ID, in.Kind)
		}
		switch in.OpeningKind {
		case "", "part_time", "school_break", "apprenticeship", "dual_vocational":
		default:
			return nil, fmt.Errorf("intent %s: unknown opening_kind %q", in.ID, in.OpeningKind)
		}
		for _, w := range in.Terms {
			if err := add(w, "intent "+in.ID, entryIntent, i); err != nil {
				return nil, err
			}
		}
	}
	for i, g := range f.Groups {
		if g.ID == "" || ids[g.ID] || len(g.Terms) == 0 {
			return nil, fmt.Errorf("group %d: id missing or repeated, or no terms", i)
		}
		ids[g.ID] = true
		for _, w := range g.Terms {
			if err := add(w, "group "+g.ID, entryGroup, i); err != nil {
				return nil, err
			}
		}
	}
	d.words.build()

	pseen := map[string]bool{}
	for _, p := range place.All() {
		names := append([]string{p.TH, p.EN, strings.ReplaceAll(p.EN, " ", "")}, p.Aliases...)
		for _, n := range names {
			rs := normalizeRunes(n, false)
			if len(rs) < 2 || pseen[string(rs)] {
				continue
			}
			if isLatin(rs[0]) && len(rs) < minLatinProvinceRunes || !isLatin(rs[0]) && len(rs) < minThaiProvinceRunes {
				continue
			}
			pseen[string(rs)] = true
			d.provinces.add(term{runes: rs, kind: entryProvince, code: p.Code})
		}
	}
	d.provinces.build()
	return d, nil
}

// Groups returns the synonym groups (a copy), for tests and tools.
func Groups() []Group {
	out := make([]Group, len(dict.groups))
	for i, g := range dict.groups {
		g.Terms = slices.Clone(g.Terms)
		out[i] = g
	}
	return out
}

package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paitor/paitor/content/place"
)

// Query is what a typed search means once parsed.
type Query struct {
	Text        string   // as typed
	Groups      []string // synonym groups recognised, in order (what it is about)
	Residual    []string // normalized pieces no dictionary word covers (3+ characters), compared by bigrams
	Kind        string   // "course" or "opening" when the words ask for one; "" otherwise
	OpeningKind string   // "part_time", "school_break", ... when asked for
	Free        bool     // "ฟรี": only free items
	Online      bool     // "ออนไลน์": only items one can take online
	Weekend     bool     // "เสาร์-อาทิตย์": weekend items first
	Provinces   []string // province codes named ("เชียงใหม่" → TH-50)

	groups []int
}

// minResidualRunes is the shortest unknown piece of a query worth comparing:
// shorter ones ("ม", "ๆ", "กก") match nearly anything.
const minResidualRunes = 3

// Parse reads a typed query: provinces first (with their tone marks, so
// "น่าน" is a province and "นาน" is not), then dictionary words by forward
// longest match, then what is left as residual pieces.
func Parse(text string) Query {
	q := Query{Text: text}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, " ")
	}
	rest := findProvinces(normalizeRunes(text, false), &q)
	rs := normalizeRunes(string(rest), true)

	var piece []rune
	flush := func() {
		for _, w := range strings.Fields(string(piece)) {
			if utf8.RuneCountInString(w) >= minResidualRunes && !slices.Contains(q.Residual, w) {
				q.Residual = append(q.Residual, w)
			}
		}
		piece = piece[:0]
	}
	for i := 0; i < len(rs); {
		ti := dict.words.longest(rs, i)
		if ti < 0 {
			piece = append(piece, rs[i])
			i++
			continue
		}
		flush()
		tm := dict.words.terms[ti]
		switch tm.kind {
		case entryIntent:
			in := dict.intents[tm.idx]
			if in.Kind != "" {
				q.Kind = in.Kind
			}
			if in.OpeningKind != "" {
				q.OpeningKind = in.OpeningKind
			}
			q.Free = q.Free || in.Free
			q.Online = q.Online || in.Online
			q.Weekend = q.Weekend || in.Weekend
		case entryGroup:
			if !slices.Contains(q.groups, tm.idx) {
				q.groups = append(q.groups, tm.idx)
				q.Groups = append(q.Groups, dict.groups[tm.idx].ID)
			}
		}
		i += len(tm.runes)
	}
	flush()
	if q.OpeningKind != "" && q.Kind == "" {
		q.Kind = "opening"
	}
	return q
}

// findProvinces records the provinces named in rs (normalized, tone marks
// kept) and returns rs without them. Long names and aliases are found inside
// longer text; a whole word is also given to place.Find, which knows short
// forms and typos ("กทม", "cm", "เชียงไหม่"), unless it is a stop word or
// holds a dictionary word.
func findProvinces(rs []rune, q *Query) []rune {
	addCode := func(code string) {
		if !slices.Contains(q.Provinces, code) {
			q.Provinces = append(q.Provinces, code)
		}
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); {
		if ti := dict.provinces.longest(rs, i); ti >= 0 {
			tm := dict.provinces.terms[ti]
			addCode(tm.code)
			out = append(out, ' ')
			i += len(tm.runes)
			continue
		}
		out = append(out, rs[i])
		i++
	}
	words := strings.Fields(string(out))
	kept := words[:0]
	for _, w := range words {
		if code, ok := provinceWord(w); ok {
			addCode(code)
			continue
		}
		kept = append(kept, w)
	}
	return []rune(strings.Join(kept, " "))
}

// provinceWord reads one whole word of a query as a province: exactly a name
// or alias ("กทม", "cm"), or, when the word holds no dictionary word and is
// four or more characters long once leading stop words are dropped, a close
// misspelling of one ("เชียงไหม่", "อยู่ขอนแกน" — but not "เรียนนาน", which
// is "learn for long", not Nan).
func provinceWord(w string) (string, bool) {
	plain := normalizeRunes(w, true)
	if len(plain) < 2 {
		return "", false
	}
	start := 0
	for start < len(plain) {
		ti := dict.words.longest(plain, start)
		if ti < 0 || dict.words.terms[ti].kind != entryStop {
			break
		}
		start += len(dict.words.terms[ti].runes)
	}
	if start == len(plain) {
		return "", false // only stop words ("เลย" is also Loei)
	}
	best, _, ok := place.Find(w)
	if !ok {
		return "", false
	}
	if best.Exact {
		return best.Province.Code, true
	}
	for i := start; i < len(plain); i++ {
		word := false
		dict.words.each(plain, i, func(ti int) { word = word || dict.words.terms[ti].kind != entryStop })
		if word {
			return "", false // a dictionary word: not a misspelt place
		}
	}
	if len(plain)-start >= 4 && best.Score >= 0.85 {
		return best.Province.Code, true
	}
	return "", false
}

// Empty reports whether the query asks for nothing Pai Tor understands: no
// words it knows, no province, nothing left to compare.
func (q Query) Empty() bool {
	return len(q.groups) == 0 && len(q.Residual) == 0 && q.Kind == "" && q.OpeningKind == "" &&
		!q.Free && !q.Online && !q.Weekend && len(q.Provinces) == 0
}

// HasContent reports whether the query says what the item should be about
// (a synonym group or an unknown word), not only what kind it is.
func (q Query) HasContent() bool { return len(q.groups) > 0 || len(q.Residual) > 0 }

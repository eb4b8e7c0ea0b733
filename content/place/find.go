package place

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Match is one reading of typed text as a province.
type Match struct {
	Province Province
	Exact    bool    // the text is the province's name or one of its aliases, once normalized
	Score    float64 // 1 when Exact; otherwise below 1, and the lower the less sure
}

// Scores that decide what Find reports.
const (
	acceptScore      = 0.70 // best below this: ok is false
	offerScore       = 0.55 // alternatives below this are not offered
	looseWeight      = 0.97 // a sounds-alike match counts a little less than the spelling
	containedScore   = 0.85 // a name found inside longer text
	offerPrefix      = 0.65 // the start of several names ("เชียง"), or too little of one ("เกาะ")
	maxAlternatives  = 3
	minPrefixRunes   = 3 // shortest text read as the start of a name
	minContainedRune = 5 // shortest Thai name looked for inside longer text
	maxSpanWords     = 4 // longest run of words compared with names ("nakhon si thammarat")
)

// nameKey is one name or alias of a province, prepared for matching.
type nameKey struct {
	prov         int // index into provinces
	text         string
	runes, loose []rune
	grams, lgram []uint64 // bigrams of runes and of loose
	thai         bool
}

// nameIndex holds every name and alias, built once from the embedded data.
type nameIndex struct {
	exact map[string]int // normalized name or alias → province index
	keys  []nameKey
}

var names = mustIndex(provinces)

func mustIndex(ps []Province) *nameIndex {
	ix, err := buildIndex(ps)
	if err != nil {
		panic("place: provinces.yaml: " + err.Error())
	}
	return ix
}

// buildIndex normalizes every name and alias; one normalized form may belong
// to one province only.
func buildIndex(ps []Province) (*nameIndex, error) {
	ix := &nameIndex{exact: map[string]int{}}
	for i, p := range ps {
		for _, name := range append([]string{p.TH, p.EN}, p.Aliases...) {
			n := normalize(name)
			if n == "" {
				return nil, fmt.Errorf("%s: alias %q is empty once normalized", p.Code, name)
			}
			if j, seen := ix.exact[n]; seen {
				if j != i {
					return nil, fmt.Errorf("%q names both %s and %s", name, ps[j].Code, p.Code)
				}
				continue
			}
			ix.exact[n] = i
			rs, ls := []rune(n), []rune(loose(n))
			ix.keys = append(ix.keys, nameKey{
				prov: i, text: n, runes: rs, loose: ls,
				grams: bigrams(rs), lgram: bigrams(ls),
				thai: strings.ContainsFunc(n, isThai),
			})
		}
	}
	return ix, nil
}

func isThai(r rune) bool { return unicode.Is(unicode.Thai, r) }

// Find interprets what a person typed as a province: "โคราช", "กทม.",
// "จังหวัดเชียงใหม่ค่ะ", "chiang mai", or a typo or the start of a name
// ("เชียงไหม่", "ขอนแกน", "สุราษฎ"). It returns the best match and up to three
// alternatives for a "did you mean" question, best first. ok is false when
// nothing is close enough; alternatives may then still name provinces worth
// offering. A name or alias, once normalized (case, spaces, dots, "จังหวัด",
// "จ.", polite particles such as ค่ะ and ครับ removed), is an Exact match with
// no alternatives; anything else should be confirmed with the person.
func Find(text string) (best Match, alternatives []Match, ok bool) {
	if i, hit := names.exact[normalize(text)]; hit {
		return exactMatch(i), nil, true
	}
	q := queryForm(text)
	if i, hit := names.exact[q]; hit {
		return exactMatch(i), nil, true
	}
	var scores [provinceCount]float64
	if len([]rune(q)) >= 2 {
		names.scoreFuzzy(q, scores[:])
		names.scoreContained(q, scores[:])
	}
	names.scoreWordSpans(text, scores[:])

	ranked := make([]int, 0, maxAlternatives+1)
	for i, s := range scores {
		if s >= offerScore {
			ranked = append(ranked, i)
		}
	}
	slices.SortFunc(ranked, func(a, b int) int {
		return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b))
	})
	ranked = ranked[:min(len(ranked), maxAlternatives+1)]
	matches := make([]Match, len(ranked))
	for k, i := range ranked {
		matches[k] = Match{Province: provinces[i].clone(), Score: scores[i]}
	}
	if len(matches) == 0 || matches[0].Score < acceptScore {
		return Match{}, matches[:min(len(matches), maxAlternatives)], false
	}
	return matches[0], matches[1:], true
}

func exactMatch(i int) Match {
	return Match{Province: provinces[i].clone(), Exact: true, Score: 1}
}

// scoreFuzzy scores every province by its closest name: edit similarity of the
// spelling and of the sounds-alike form, and the start of a name. Text that
// is more than half of one province's name and the start of no other is
// accepted ("สุราษฎ"); the start of several ("เชียง") or a shorter start
// ("เกาะ" of เกาะสมุย) is only offered.
func (ix *nameIndex) scoreFuzzy(q string, scores []float64) {
	qr, ql := []rune(q), []rune(loose(q))
	qg, qlg := bigrams(qr), bigrams(ql)
	var covered [provinceCount]float64 // largest share of a name that q is the start of
	prefixed := 0
	for _, k := range ix.keys {
		s := 0.0
		if worthComparing(qr, k.runes, qg, k.grams) {
			s = editSimilarity(qr, k.runes)
		}
		if worthComparing(ql, k.loose, qlg, k.lgram) {
			s = max(s, looseWeight*editSimilarity(ql, k.loose))
		}
		scores[k.prov] = max(scores[k.prov], s)
		if len(qr) >= minPrefixRunes && len(k.runes) > len(qr) &&
			(hasPrefix(k.runes, qr) || hasPrefix(k.loose, ql)) {
			if covered[k.prov] == 0 {
				prefixed++
			}
			covered[k.prov] = max(covered[k.prov], float64(len(qr))/float64(len(k.runes)))
		}
	}
	for i, c := range covered {
		s := offerPrefix
		switch {
		case c == 0:
			continue
		case prefixed == 1 && c > 0.5:
			s = 0.8 + 0.15*c
		}
		scores[i] = max(scores[i], s)
	}
}

// worthComparing skips pairs whose edit similarity cannot reach offerScore
// (lengths too different) or is very unlikely to (longer strings without a
// bigram in common).
func worthComparing(a, b []rune, ag, bg []uint64) bool {
	long, short := max(len(a), len(b)), min(len(a), len(b))
	if long == 0 || 1-float64(long-short)/float64(long) < offerScore {
		return false
	}
	return short < 5 || sharesBigram(ag, bg)
}

func hasPrefix(s, prefix []rune) bool {
	return len(s) >= len(prefix) && slices.Equal(s[:len(prefix)], prefix)
}

// scoreContained finds Thai names inside longer text, which Thai writes
// without spaces ("ขอนแก่นบ้านเกิด"). Short names are left out: "เลย" is also
// a common word.
func (ix *nameIndex) scoreContained(q string, scores []float64) {
	for _, k := range ix.keys {
		if k.thai && len(k.runes) >= minContainedRune && len(k.text) < len(q) && strings.Contains(q, k.text) {
			scores[k.prov] = max(scores[k.prov], containedScore)
		}
	}
}

// scoreWordSpans finds names among the words of text written with spaces
// ("I live in chiang mai", "บ้าน ตาก"): any run of up to maxSpanWords words
// that is a name or alias.
func (ix *nameIndex) scoreWordSpans(text string, scores []float64) {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '.')
	})
	if len(words) < 2 {
		return
	}
	for i := range words {
		for j := i + 1; j <= min(len(words), i+maxSpanWords); j++ {
			if i == 0 && j == len(words) {
				continue // the whole text: already compared
			}
			if p, hit := ix.exact[normalize(strings.Join(words[i:j], ""))]; hit {
				scores[p] = max(scores[p], containedScore)
			}
		}
	}
}

package intent

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/paitor/paitor/guidance/search"
)

// termKind is what a key word does.
type termKind uint8

const (
	kindScore    termKind = iota // strong, terms, weak: points
	kindTogether                 // one alternative of a together rule
	kindNot                      // rules the intent out
)

// dictTerm is one key word of one intent, prepared.
type dictTerm struct {
	w          word
	src        string // as written in intents.yaml
	intent     int
	kind       termKind
	points     float64 // kindScore
	rule, part int     // kindTogether
	startsNeg  bool    // the word itself starts with a negator ("ไม่อยากเรียน")
}

// minThaiTerm is the shortest Thai key word, in characters once prepared:
// shorter ones ("ด่า" → "ดา") are inside too many other words.
const minThaiTerm = 3

// termTable finds dictionary words in a text: words indexed by their first
// two runes (every word has at least two).
type termTable struct {
	terms    []dictTerm
	byBigram map[uint64][]int
}

// bigramKey packs two runes into one key.
func bigramKey(a, b rune) uint64 { return uint64(a)<<32 | uint64(uint32(b)) }

// hit is a dictionary word found in a text at rs[start:end].
type hit struct {
	start, end int
	term       int
}

// find returns every word found in t, except words that start where a
// negator covers the text (unless the word itself starts with a negator).
func (tt *termTable) find(t text) []hit {
	var hits []hit
	for i := 0; i+1 < len(t.rs); i++ {
		for _, ti := range tt.byBigram[bigramKey(t.rs[i], t.rs[i+1])] {
			d := &tt.terms[ti]
			if !d.w.at(t.rs, i) || (t.neg[i] && !d.startsNeg) {
				continue
			}
			hits = append(hits, hit{start: i, end: i + len(d.w.rs), term: ti})
		}
	}
	return hits
}

// gramIndex compares a text with the example phrasings and with each
// intent's whole vocabulary (its examples and key words: the intent's
// profile) by character bigrams and trigrams, each word group padded at both
// ends, weighted by how few intents use the n-gram (idf), by cosine
// similarity. The profile catches misspelt and partly typed key words
// ("เทศการ", "สมัคงาน") and wording spread over several examples.
type gramIndex struct {
	grams    map[uint64]gramEntry
	exIntent []int
	exText   []string
	exNorm   []float64
	profNorm []float64 // per intent
	maxIDF   float64   // for n-grams no intent has
}

// gramEntry is what the index knows about one n-gram.
type gramEntry struct {
	idf      float64
	examples []int32
	profile  []profileWeight // intents whose vocabulary has the n-gram
}

// profileWeight is how often an intent's vocabulary has an n-gram.
type profileWeight struct {
	intent int32
	count  float64
}

const (
	gramEdge = 0x110000 // beyond Unicode: the edge of a word group
	gramNone = 0x1fffff // the empty third rune of a bigram
	gramBits = 21       // every rune fits in 21 bits
)

// gramKey packs up to three runes (gramNone for none) into one key.
func gramKey(a, b, c rune) uint64 {
	return uint64(a)<<(2*gramBits) | uint64(b)<<gramBits | uint64(c)
}

// negatedOffset moves a rune a negator covers into its own range, so that
// "ไม่อยาก|เรียน" shares no n-grams with "อยากเรียน" (only with examples that
// are negated the same way). Runes stay below gramEdge.
const negatedOffset = 0x100000

// grams returns the distinct bigrams and trigrams of t.
func grams(t text) []uint64 {
	rs := t.rs
	out := make([]uint64, 0, 2*len(rs)+8)
	start := 0
	for _, chunk := range splitSpace(rs) {
		for start < len(rs) && rs[start] == ' ' {
			start++
		}
		neg := t.neg[start : start+len(chunk)]
		start += len(chunk)
		prev2, prev1 := rune(-1), rune(gramEdge)
		for i := 0; i <= len(chunk); i++ {
			c := rune(gramEdge)
			if i < len(chunk) {
				c = chunk[i]
				if neg[i] && c < negatedOffset {
					c += negatedOffset
				}
			}
			out = append(out, gramKey(prev1, c, gramNone))
			if prev2 >= 0 {
				out = append(out, gramKey(prev2, prev1, c))
			}
			prev2, prev1 = prev1, c
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// compile builds the word table, the whole-message map and the n-gram index,
// and reports words and examples that say nothing once prepared.
func (s *Set) compile() []error {
	var errs []error
	s.terms.byBigram = map[uint64][]int{}
	vocab := make([][]text, len(s.intents))
	add := func(in *Intent, i int, src string, kind termKind, points float64, rule, part int) {
		t := s.rules.prepare(src)
		if kind != kindNot && len(t.rs) > 0 {
			vocab[i] = append(vocab[i], t)
		}
		if n := len(t.rs); n < 2 || n < minThaiTerm && !isLatin(t.rs[0]) {
			errs = append(errs, fmt.Errorf("intent %q: %q is too short to find inside text once prepared (%q): use whole or a longer word", in.ID, src, t))
			return
		}
		if cut, ok := s.rules.cutsParticle(src); ok {
			errs = append(errs, fmt.Errorf("intent %q: %q ends with a particle and would be found as %q: write that, or add it to language.keep", in.ID, src, cut))
			return
		}
		s.terms.terms = append(s.terms.terms, dictTerm{
			w: newWord(t.rs), src: src, intent: i, kind: kind, points: points, rule: rule, part: part,
			startsNeg: isNegMark(t.rs[0]),
		})
	}
	var examples []text
	for i, in := range s.intents {
		seen := map[string]string{}
		scored := func(list string, ws []string, points float64) {
			for _, w := range ws {
				p := s.rules.prepare(w).String()
				if first, dup := seen[p]; dup {
					errs = append(errs, fmt.Errorf("intent %q: %s %q is the same as %q once prepared (%q)", in.ID, list, w, first, p))
					continue
				}
				seen[p] = w
				add(in, i, w, kindScore, points, 0, 0)
			}
		}
		scored("strong", in.Strong, s.sc.Strong)
		scored("terms", in.Terms, s.sc.Term)
		scored("weak", in.Weak, s.sc.Weak)
		for r, rule := range in.Together {
			for p, alts := range rule {
				for _, w := range alts {
					add(in, i, w, kindTogether, 0, r, p)
				}
			}
		}
		for _, w := range in.Not {
			add(in, i, w, kindNot, 0, 0, 0)
		}
		for _, w := range in.Whole {
			p := s.rules.prepare(w).String()
			switch {
			case p == "":
				errs = append(errs, fmt.Errorf("intent %q: whole %q is empty once prepared", in.ID, w))
			case slices.Contains(s.whole[p], i):
				errs = append(errs, fmt.Errorf("intent %q: whole %q is there twice once prepared (%q)", in.ID, w, p))
			default:
				s.whole[p] = append(s.whole[p], i)
				vocab[i] = append(vocab[i], s.rules.prepare(w))
			}
		}
		for _, e := range in.Examples {
			t := s.rules.prepare(e)
			if len(t.rs) == 0 {
				errs = append(errs, fmt.Errorf("intent %q: example %q is empty once prepared", in.ID, e))
				continue
			}
			examples = append(examples, t)
			vocab[i] = append(vocab[i], t)
			s.grams.exIntent = append(s.grams.exIntent, i)
			s.grams.exText = append(s.grams.exText, e)
		}
	}
	s.addCatalog()
	for ti, d := range s.terms.terms {
		k := bigramKey(d.w.rs[0], d.w.rs[1])
		s.terms.byBigram[k] = append(s.terms.byBigram[k], ti)
	}
	s.buildGrams(examples, vocab)
	return errs
}

// addCatalog gives intents marked catalog the subject words of the search
// dictionary (search.Groups with an occupation family: "ขนม", "ช่างแอร์",
// "barista"), worth scoring.catalog points: a message that names something
// to look for is a search. Words an intent in intents.yaml already uses, and
// words too short to find inside text, are left out.
func (s *Set) addCatalog() {
	used := map[string]bool{}
	for _, d := range s.terms.terms {
		used[string(d.w.rs)] = true
	}
	for i, in := range s.intents {
		if !in.Catalog {
			continue
		}
		for _, g := range search.Groups() {
			if g.Field == "" {
				continue
			}
			for _, w := range g.Terms {
				t := s.rules.prepare(w)
				p := string(t.rs)
				if used[p] || len(t.rs) < 2 || len(t.rs) < minThaiTerm && !isLatin(t.rs[0]) {
					continue
				}
				if _, cut := s.rules.cutsParticle(w); cut {
					continue
				}
				s.terms.terms = append(s.terms.terms, dictTerm{
					w: newWord(t.rs), src: "catalog " + g.ID + ": " + w, intent: i, kind: kindScore, points: s.sc.Catalog,
					startsNeg: isNegMark(t.rs[0]),
				})
			}
		}
	}
}

// buildGrams indexes the n-grams of the examples and of each intent's
// vocabulary (examples, key words, whole messages), with their idf.
func (s *Set) buildGrams(examples []text, vocab [][]text) {
	g := &s.grams
	g.grams = map[uint64]gramEntry{}
	for in, texts := range vocab {
		counts := map[uint64]float64{}
		for _, t := range texts {
			for _, k := range grams(t) {
				counts[k]++
			}
		}
		for k, c := range counts {
			ent := g.grams[k]
			ent.profile = append(ent.profile, profileWeight{intent: int32(in), count: c})
			g.grams[k] = ent
		}
	}
	for e, t := range examples {
		for _, k := range grams(t) {
			ent := g.grams[k]
			ent.examples = append(ent.examples, int32(e))
			g.grams[k] = ent
		}
	}
	n := float64(len(s.intents))
	g.maxIDF = math.Log(1 + n)
	g.profNorm = make([]float64, len(s.intents))
	// In key order, so that sums (and so scores) are the same on every run.
	for _, k := range slices.Sorted(maps.Keys(g.grams)) {
		ent := g.grams[k]
		slices.SortFunc(ent.profile, func(a, b profileWeight) int { return int(a.intent - b.intent) })
		ent.idf = math.Log(1 + n/float64(len(ent.profile)))
		g.grams[k] = ent
		for _, p := range ent.profile {
			w := p.count * ent.idf
			g.profNorm[p.intent] += w * w
		}
	}
	for i := range g.profNorm {
		g.profNorm[i] = math.Sqrt(g.profNorm[i])
	}
	g.exNorm = make([]float64, len(examples))
	for e, t := range examples {
		var sum float64
		for _, k := range grams(t) {
			idf := g.grams[k].idf
			sum += idf * idf
		}
		g.exNorm[e] = math.Sqrt(sum)
	}
}

// similar returns the cosine similarity of t with each example and with each
// intent's profile.
func (g *gramIndex) similar(t text) (examples, profiles []float64) {
	examples = make([]float64, len(g.exIntent))
	profiles = make([]float64, len(g.profNorm))
	var norm float64
	for _, k := range grams(t) {
		ent, ok := g.grams[k]
		if !ok {
			norm += g.maxIDF * g.maxIDF
			continue
		}
		w := ent.idf * ent.idf
		norm += w
		for _, e := range ent.examples {
			examples[e] += w
		}
		for _, p := range ent.profile {
			profiles[p.intent] += w * p.count
		}
	}
	if norm == 0 {
		return examples, profiles
	}
	norm = math.Sqrt(norm)
	for e := range examples {
		examples[e] /= norm * g.exNorm[e]
	}
	for i := range profiles {
		profiles[i] /= norm * g.profNorm[i]
	}
	return examples, profiles
}

// explainer collects why an intent got its points; nil when not explaining.
type explainer func(intent int, format string, args ...any)

// MaxRunes is how much of a message Place reads: the first MaxRunes
// characters. An intent is stated near the start, and this bounds the time a
// long message takes (LINE allows 5,000 characters).
const MaxRunes = 1000

// clip returns the first MaxRunes characters of s.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == MaxRunes {
			return s[:i]
		}
		n++
	}
	return s
}

// score returns every intent's points for raw.
func (s *Set) score(raw string, why explainer) []float64 {
	scores := make([]float64, len(s.intents))
	raw = clip(raw)
	t := s.rules.prepare(raw)
	if len(t.rs) == 0 {
		if s.emoji >= 0 && emojiOnly(raw) {
			scores[s.emoji] = s.sc.Whole
			if why != nil {
				why(s.emoji, "emoji only +%.2f", s.sc.Whole)
			}
		}
		return scores
	}
	for _, i := range s.whole[string(t.rs)] {
		scores[i] += s.sc.Whole
		if why != nil {
			why(i, "whole %q +%.2f", string(t.rs), s.sc.Whole)
		}
	}

	hits := s.terms.find(t)
	requested := s.rules.requested(t)
	asked := make([]bool, len(s.intents))
	ruledOut := make([]bool, len(s.intents))
	type ruleKey struct{ intent, rule int }
	var parts map[ruleKey]uint64
	var counted []int
	for a, h := range hits {
		d := &s.terms.terms[h.term]
		switch d.kind {
		case kindNot:
			ruledOut[d.intent] = true
			if why != nil {
				why(d.intent, "not %q: ruled out", d.src)
			}
		case kindTogether:
			if parts == nil {
				parts = map[ruleKey]uint64{}
			}
			parts[ruleKey{d.intent, d.rule}] |= 1 << d.part
		case kindScore:
			if by := s.subsumedBy(hits, a); by >= 0 {
				if why != nil {
					why(d.intent, "%q inside %q: 0", d.src, s.terms.terms[hits[by].term].src)
				}
				continue
			}
			if slices.Contains(counted, h.term) {
				continue
			}
			counted = append(counted, h.term)
			scores[d.intent] += d.points
			if why != nil {
				why(d.intent, "%q +%.2f", d.src, d.points)
			}
			if requested != nil && requested[h.start] && !asked[d.intent] {
				asked[d.intent] = true
				scores[d.intent] += s.sc.Request
				if why != nil {
					why(d.intent, "asked for +%.2f", s.sc.Request)
				}
			}
		}
	}
	for i, in := range s.intents {
		for r, rule := range in.Together {
			if parts[ruleKey{i, r}] == 1<<len(rule)-1 {
				scores[i] += s.sc.Together
				if why != nil {
					why(i, "together rule %d +%.2f", r+1, s.sc.Together)
				}
			}
		}
	}

	best := make([]int, len(s.intents))
	for i := range best {
		best[i] = -1
	}
	sims, profiles := s.grams.similar(t)
	for e, sim := range sims {
		in := s.grams.exIntent[e]
		if best[in] < 0 || sim > sims[best[in]] {
			best[in] = e
		}
	}
	floor := s.sc.ExampleFloor
	for in, e := range best {
		if e < 0 || sims[e] <= floor {
			continue
		}
		p := s.sc.Example * (sims[e] - floor) / (1 - floor)
		scores[in] += p
		if why != nil {
			why(in, "example %q cos %.2f +%.2f", s.grams.exText[e], sims[e], p)
		}
	}
	pfloor := s.sc.ProfileFloor
	for in, sim := range profiles {
		if sim <= pfloor {
			continue
		}
		p := s.sc.Profile * (sim - pfloor) / (1 - pfloor)
		scores[in] += p
		if why != nil {
			why(in, "profile cos %.2f +%.2f", sim, p)
		}
	}
	for i, out := range ruledOut {
		if out {
			scores[i] = 0
		}
	}
	return scores
}

// subsumedBy returns the index of a scoring hit that explains hits[a]'s text
// better, or -1. A word inside a longer word found counts only for the longer
// one ("เงิน" in "ไม่มีเงิน"); when both are the same intent's, the one with
// more points counts ("เบื่อ" in "เบื่อชีวิต").
func (s *Set) subsumedBy(hits []hit, a int) int {
	h, d := hits[a], &s.terms.terms[hits[a].term]
	for b, o := range hits {
		od := &s.terms.terms[o.term]
		if b == a || od.kind != kindScore {
			continue
		}
		ln, oln := h.end-h.start, o.end-o.start
		switch {
		case od.intent != d.intent:
			if o.start <= h.start && h.end <= o.end && oln > ln {
				return b
			}
		case o.start <= h.start && h.end <= o.end && oln > ln && od.points >= d.points,
			h.start <= o.start && o.end <= h.end && ln > oln && od.points > d.points:
			return b
		}
	}
	return -1
}

// Place places a typed message (its first MaxRunes characters). Best holds
// up to three intents with points, best first (ties in file order).
// Confident: the best has at least scoring.confident points and the second at
// most scoring.lead times as many. Close: not Confident, and the two best both
// have at least scoring.plausible points. A message with nothing Pai Tor
// knows has an empty Best.
func (s *Set) Place(text string) Result {
	return s.result(s.score(text, nil))
}

// result ranks the scores and decides Confident and Close.
func (s *Set) result(scores []float64) Result {
	var r Result
	for i, sc := range scores {
		if sc <= 0 {
			continue
		}
		r.Best = append(r.Best, Match{Intent: s.intents[i], Score: sc})
	}
	// Stable: equal scores stay in file order.
	slices.SortStableFunc(r.Best, func(a, b Match) int { return cmp.Compare(b.Score, a.Score) })
	if len(r.Best) > 3 {
		r.Best = r.Best[:3]
	}
	if len(r.Best) == 0 {
		return r
	}
	top, second := r.Best[0].Score, 0.0
	if len(r.Best) > 1 {
		second = r.Best[1].Score
	}
	switch {
	case top >= s.sc.Confident && second <= s.sc.Lead*top:
		r.Confident = true
	case second >= s.sc.Plausible:
		r.Close = true
	}
	return r
}

// Explain places a message and says why, one line per intent with points:
// each word found, the closest example, and the result. For logs and tests.
func (s *Set) Explain(text string) string {
	notes := make([][]string, len(s.intents))
	scores := s.score(text, func(i int, format string, args ...any) {
		notes[i] = append(notes[i], fmt.Sprintf(format, args...))
	})
	r := s.result(scores)
	var b strings.Builder
	fmt.Fprintf(&b, "%q → %q", text, s.rules.prepare(clip(text)))
	switch {
	case r.Confident:
		b.WriteString(" confident")
	case r.Close:
		b.WriteString(" close")
	default:
		b.WriteString(" not understood")
	}
	order := make([]int, 0, len(s.intents))
	for i := range s.intents {
		if scores[i] > 0 || len(notes[i]) > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	for _, i := range order {
		fmt.Fprintf(&b, "\n  %-18s %5.2f  %s", s.intents[i].ID, scores[i], strings.Join(notes[i], ", "))
	}
	return b.String()
}

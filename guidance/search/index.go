package search

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Doc is one catalog item as the index sees it.
type Doc struct {
	ID          string
	Kind        string   // "course" or "opening"
	Title       string   // title(s), Thai and English
	Skills      []string // skill tags
	Tags        []string // what it gives: "certificate", "credit_bank", "tpqi", "allowance"
	Text        string   // description, requirements
	Field       string   // occupation family
	OpeningKind string   // Opening.Kind; "" for courses
	Mode        string   // "onsite", "online", "hybrid"; openings are "onsite"
	Province    string   // ISO code; "" for online
	Free        bool     // nothing to pay (every opening)
	Weekend     bool     // on Saturday or Sunday, or at any time one likes
}

// Hit is one search result.
type Hit struct {
	ID    string
	Doc   int     // index of the Doc given to NewIndex
	Score float64 // relevance, 0 < Score <= about 1
}

// How much each kind of evidence counts towards a query concept.
const (
	weightStrong   = 1.0  // a group word in the title, skills or tags
	weightWeak     = 0.7  // only in the description
	weightField    = 0.45 // only the group's occupation family
	weightResidual = 0.8  // times the share of an unknown word's bigrams found
	minBigramShare = 0.6  // below this share an unknown word does not match

	factorOtherKind  = 0.3 // a course when a job was asked for, or the reverse
	factorOtherOpen  = 0.5 // an opening of another kind than asked ("part-time")
	factorNotWeekend = 0.7
	factorOnlineElse = 0.7 // an online item when a province was named
)

// MinScore is the least relevance that counts as found: below it an item
// matched only weakly (the wrong kind, say a course for "งานพาร์ทไทม์").
const MinScore = 0.35

type docInfo struct {
	kind, mode  uint8
	free, wkend bool
	field       string
	okind       string
	province    string
}

const (
	kindCourse uint8 = iota + 1
	kindOpening
)

const (
	modeOnsite uint8 = iota
	modeOnline
	modeHybrid
)

// Index is an immutable search index over a list of docs; safe for
// concurrent use.
type Index struct {
	ids     []string
	info    []docInfo
	strong  [][]int32 // per group: docs with a group word in title, skills or tags
	weak    [][]int32 // per group: docs with one only in the description
	byField map[string][]int32
	grams   map[uint64][]int32 // distinct bigrams of each doc's text → docs, ascending
}

// NewIndex builds the index; doc i of the list is Hit.Doc i.
func NewIndex(docs []Doc) *Index {
	ix := &Index{
		ids:     make([]string, len(docs)),
		info:    make([]docInfo, len(docs)),
		strong:  make([][]int32, len(dict.groups)),
		weak:    make([][]int32, len(dict.groups)),
		byField: map[string][]int32{},
		grams:   map[uint64][]int32{},
	}
	mark := make([]uint8, len(dict.groups)) // 1 strong, 2 weak, for the doc at hand
	var touched []int
	var buf strings.Builder
	seenGram := map[uint64]bool{}
	for di, d := range docs {
		ix.ids[di] = d.ID
		inf := docInfo{free: d.Free, wkend: d.Weekend, field: d.Field, okind: d.OpeningKind, province: d.Province}
		switch d.Kind {
		case "course":
			inf.kind = kindCourse
		case "opening":
			inf.kind = kindOpening
		}
		switch d.Mode {
		case "online":
			inf.mode = modeOnline
		case "hybrid":
			inf.mode = modeHybrid
		}
		ix.info[di] = inf
		if d.Field != "" {
			ix.byField[d.Field] = append(ix.byField[d.Field], int32(di))
		}

		buf.Reset()
		buf.WriteString(d.Title)
		for _, s := range d.Skills {
			buf.WriteByte(' ')
			buf.WriteString(s)
		}
		for _, s := range d.Tags {
			buf.WriteByte(' ')
			buf.WriteString(s)
		}
		strongRunes := normalizeRunes(buf.String(), true)
		weakRunes := normalizeRunes(d.Text, true)
		scan := func(rs []rune, level uint8) {
			for i := range rs {
				dict.words.each(rs, i, func(ti int) {
					tm := dict.words.terms[ti]
					if tm.kind != entryGroup || mark[tm.idx] != 0 {
						return
					}
					mark[tm.idx] = level
					touched = append(touched, tm.idx)
				})
			}
		}
		scan(strongRunes, 1)
		scan(weakRunes, 2)
		for _, g := range touched {
			if mark[g] == 1 {
				ix.strong[g] = append(ix.strong[g], int32(di))
			} else {
				ix.weak[g] = append(ix.weak[g], int32(di))
			}
			mark[g] = 0
		}
		touched = touched[:0]

		clear(seenGram)
		for _, rs := range [][]rune{strongRunes, weakRunes} {
			for i := 0; i+1 < len(rs); i++ {
				if rs[i] == ' ' || rs[i+1] == ' ' {
					continue
				}
				k := bigramKey(rs[i], rs[i+1])
				if !seenGram[k] {
					seenGram[k] = true
					ix.grams[k] = append(ix.grams[k], int32(di))
				}
			}
		}
	}
	// Trim the posting lists' spare capacity: the index lives long.
	for k, v := range ix.grams {
		ix.grams[k] = slices.Clip(v)
	}
	return ix
}

// Len is the number of docs.
func (ix *Index) Len() int { return len(ix.ids) }

// Matcher scores docs against one parsed query. Make one per query with
// Index.Match; it is read-only afterwards and safe for concurrent use.
type Matcher struct {
	ix         *Index
	q          Query
	content    []posting // doc → summed concept weights, by doc; nil without content words
	concepts   int
	wantKind   uint8
	candidates []int32
}

// posting is a doc and a weight.
type posting struct {
	doc int32
	w   float32
}

// Match prepares the scoring of q: the docs each concept finds are gathered
// once, as lists sorted by doc, so Score is a binary search and a few
// comparisons.
func (ix *Index) Match(q Query) *Matcher {
	m := &Matcher{ix: ix, q: q}
	switch q.Kind {
	case "course":
		m.wantKind = kindCourse
	case "opening":
		m.wantKind = kindOpening
	}
	if !q.HasContent() {
		return m
	}
	add := func(list []posting) {
		m.concepts++
		if m.concepts == 1 {
			m.content = list
			return
		}
		m.content = mergeSum(m.content, list)
	}
	for _, g := range q.groups {
		var field []int32
		if f := dict.groups[g].Field; f != "" {
			field = ix.byField[f]
		}
		add(mergeMax(field, weightField, ix.weak[g], weightWeak, ix.strong[g], weightStrong))
	}
	if len(q.Residual) > 0 {
		counts := make([]uint8, len(ix.ids))
		var touched []int32
		for _, piece := range q.Residual {
			rs := []rune(piece)
			var keys []uint64
			for i := 0; i+1 < len(rs); i++ {
				if rs[i] == ' ' || rs[i+1] == ' ' {
					continue
				}
				if k := bigramKey(rs[i], rs[i+1]); !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
			for _, k := range keys {
				for _, d := range ix.grams[k] {
					if counts[d] == 0 {
						touched = append(touched, d)
					}
					if counts[d] < 255 {
						counts[d]++
					}
				}
			}
			slices.Sort(touched)
			var list []posting
			for _, d := range touched {
				if share := float64(counts[d]) / float64(len(keys)); share >= minBigramShare {
					list = append(list, posting{d, float32(weightResidual * share)})
				}
				counts[d] = 0
			}
			touched = touched[:0]
			add(list)
		}
	}
	m.candidates = make([]int32, len(m.content))
	for i, p := range m.content {
		m.candidates[i] = p.doc
	}
	return m
}

// mergeMax merges three ascending doc lists into postings, each doc with the
// largest weight of the lists it is in.
func mergeMax(a []int32, wa float32, b []int32, wb float32, c []int32, wc float32) []posting {
	out := make([]posting, 0, max(len(a), len(b)+len(c)))
	for len(a)+len(b)+len(c) > 0 {
		d := int32(math.MaxInt32)
		for _, l := range [][]int32{a, b, c} {
			if len(l) > 0 && l[0] < d {
				d = l[0]
			}
		}
		var w float32
		if len(a) > 0 && a[0] == d {
			w, a = max(w, wa), a[1:]
		}
		if len(b) > 0 && b[0] == d {
			w, b = max(w, wb), b[1:]
		}
		if len(c) > 0 && c[0] == d {
			w, c = max(w, wc), c[1:]
		}
		out = append(out, posting{d, w})
	}
	return out
}

// mergeSum merges two postings lists by doc, adding the weights.
func mergeSum(a, b []posting) []posting {
	out := make([]posting, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0].doc < b[0].doc:
			out, a = append(out, a[0]), a[1:]
		case b[0].doc < a[0].doc:
			out, b = append(out, b[0]), b[1:]
		default:
			out = append(out, posting{a[0].doc, a[0].w + b[0].w})
			a, b = a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Query is the parsed query the matcher scores.
func (m *Matcher) Query() Query { return m.q }

// Candidates lists, in ascending order, the only docs that can score above
// zero, or nil when the query has no content words and every doc can.
func (m *Matcher) Candidates() []int32 { return m.candidates }

// Score is doc's relevance to the query: 0 when it does not match (no
// concept found, or it breaks a hard condition: not free when "ฟรี" was
// typed, not online when "ออนไลน์" was, on site in another province than the
// one named), otherwise the average concept weight times the factors of the
// soft conditions (kind, opening kind, weekend). Below MinScore it does not
// count as found.
func (m *Matcher) Score(doc int) float64 {
	inf := &m.ix.info[doc]
	s := 1.0
	if m.concepts > 0 {
		k, ok := slices.BinarySearchFunc(m.content, int32(doc), func(p posting, d int32) int { return int(p.doc - d) })
		if !ok || m.content[k].w <= 0 {
			return 0
		}
		s = float64(m.content[k].w) / float64(m.concepts)
	}
	if m.q.Free && !inf.free {
		return 0
	}
	if m.q.Online && inf.mode != modeOnline {
		return 0
	}
	if len(m.q.Provinces) > 0 && !slices.Contains(m.q.Provinces, inf.province) {
		if inf.mode != modeOnline {
			return 0
		}
		s *= factorOnlineElse
	}
	if m.wantKind != 0 && inf.kind != m.wantKind {
		s *= factorOtherKind
	}
	if m.q.OpeningKind != "" && inf.kind == kindOpening && inf.okind != m.q.OpeningKind {
		s *= factorOtherOpen
	}
	if m.q.Weekend && !inf.wkend {
		s *= factorNotWeekend
	}
	return s
}

// Search parses query and returns up to limit docs scoring at least
// MinScore, best first (ties by ID). A query with nothing Pai Tor understands
// returns nothing.
func (ix *Index) Search(query string, limit int) []Hit {
	q := Parse(query)
	if q.Empty() || limit <= 0 {
		return nil
	}
	m := ix.Match(q)
	// Keep the best limit hits in a min-heap (worst on top).
	worse := func(a, b Hit) bool { return a.Score < b.Score || a.Score == b.Score && a.ID > b.ID }
	hits := make([]Hit, 0, limit)
	try := func(d int) {
		s := m.Score(d)
		if s < MinScore {
			return
		}
		h := Hit{ID: ix.ids[d], Doc: d, Score: s}
		if len(hits) == limit {
			if !worse(hits[0], h) {
				return
			}
			hits[0] = h
			for j := 0; ; {
				l, r, w := 2*j+1, 2*j+2, j
				if l < len(hits) && worse(hits[l], hits[w]) {
					w = l
				}
				if r < len(hits) && worse(hits[r], hits[w]) {
					w = r
				}
				if w == j {
					break
				}
				hits[j], hits[w] = hits[w], hits[j]
				j = w
			}
			return
		}
		hits = append(hits, h)
		for j := len(hits) - 1; j > 0 && worse(hits[j], hits[(j-1)/2]); j = (j - 1) / 2 {
			hits[j], hits[(j-1)/2] = hits[(j-1)/2], hits[j]
		}
	}
	if q.HasContent() {
		for _, d := range m.candidates {
			try(int(d))
		}
	} else {
		for d := range ix.ids {
			try(d)
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ID, b.ID))
	})
	return hits
}

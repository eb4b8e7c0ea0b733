package intent

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paitor/paitor/content/thai"
	"github.com/paitor/paitor/guidance/search"
)

// language is intents.yaml "language": the Thai (and English) word rules a
// message is prepared with. The words are data, not code.
type language struct {
	Particles  []string  `yaml:"particles"`  // dropped from the end of each word group
	Questions  []string  `yaml:"questions"`  // question endings, read as questionWord
	Variants   []variant `yaml:"variants"`   // spellings folded into one
	Negators   []string  `yaml:"negators"`   // "do not want" words, become negMark
	Not        []string  `yaml:"not"`        // plain "not" words, become nearMark
	Keep       []string  `yaml:"keep"`       // words particles must not be cut from ("ตั้งค่า")
	Lookalikes []string  `yaml:"lookalikes"` // words with a negator, breaker or request inside once tone marks are gone ("ข้อมูล")
	Breakers   []string  `yaml:"breakers"`   // end what a negator covers
	Requests   []string  `yaml:"requests"`   // ask for what follows ("อยาก", "ขอ", "want")
}

// variant is a spelling and the variants people type for it.
type variant struct {
	To   string   `yaml:"to"`
	From []string `yaml:"from"`
}

// Negation marks in prepared text: negMark stands for a "do not want" word
// ("ไม่อยาก", "don't want"), nearMark for a plain "not" ("ไม่", "no").
const (
	negMark  = '¬'
	nearMark = '⌐'
)

// isNegMark reports whether c is a negation mark.
func isNegMark(c rune) bool { return c == negMark || c == nearMark }

// questionWord is what a question ending ("มั้ย", "ป่ะ", "รึเปล่า") becomes.
const questionWord = "ไหม"

// rules is language compiled: every word in the form it is compared in.
type rules struct {
	particles []word    // surface form, longest first
	questions []word    // surface form, longest first
	variants  []fold    // surface form, longest first
	keep      []word    // surface form
	negators  []negator // prepared form, longest first
	breakers  []word    // prepared form
	requests  []word    // prepared form
	lookalike []word    // prepared form
}

// word is one dictionary word as runes, with whether its ends are Latin (a
// Latin word matches only as a whole word).
type word struct {
	rs                   []rune
	latinStart, latinEnd bool
}

// negator is a "do not want" word, or (near) a plain "not".
type negator struct {
	word
	near bool // a plain "not": covers the next word only
}

// fold is one spelling variant and the spelling it becomes.
type fold struct {
	from word
	to   []rune
}

// newWord makes a word of prepared runes.
func newWord(rs []rune) word {
	return word{rs: rs, latinStart: isLatin(rs[0]), latinEnd: isLatin(rs[len(rs)-1])}
}

// at reports whether w is in rs at i, respecting Latin word boundaries.
func (w word) at(rs []rune, i int) bool {
	end := i + len(w.rs)
	if end > len(rs) || !slices.Equal(rs[i:end], w.rs) {
		return false
	}
	if w.latinStart && i > 0 && isLatin(rs[i-1]) {
		return false
	}
	if w.latinEnd && end < len(rs) && isLatin(rs[end]) {
		return false
	}
	return true
}

// byLength sorts words longest first, so the longest match wins.
func byLength[T any](ws []T, runes func(T) []rune) {
	slices.SortStableFunc(ws, func(a, b T) int { return len(runes(b)) - len(runes(a)) })
}

// compileRules prepares the language words, each in the form it is compared
// in, and reports words that say nothing once prepared.
func compileRules(l language) (*rules, []error) {
	r := &rules{}
	var errs []error
	surfaceWords := func(list string, ws []string) []word {
		var out []word
		for _, w := range ws {
			rs := surface(w)
			if len(rs) == 0 || slices.Contains(rs, ' ') && !isLatin(rs[0]) {
				errs = append(errs, fmt.Errorf("language.%s: %q is empty or has a space", list, w))
				continue
			}
			out = append(out, newWord(rs))
		}
		byLength(out, func(w word) []rune { return w.rs })
		return out
	}
	r.particles = surfaceWords("particles", l.Particles)
	r.questions = surfaceWords("questions", l.Questions)
	for _, v := range l.Variants {
		to := surface(v.To)
		if len(to) == 0 || len(v.From) == 0 {
			errs = append(errs, fmt.Errorf("language.variants: %q has no spelling or no variants", v.To))
			continue
		}
		// The spelling itself first, so a variant that starts it ("อีเวน")
		// leaves it alone ("อีเวนต์").
		for _, f := range append([]string{v.To}, v.From...) {
			rs := surface(f)
			if len(rs) < 2 {
				errs = append(errs, fmt.Errorf("language.variants: %q → %q is too short", f, v.To))
				continue
			}
			r.variants = append(r.variants, fold{from: newWord(rs), to: to})
		}
	}
	byLength(r.variants, func(f fold) []rune { return f.from.rs })
	for _, v := range l.Variants {
		once := r.fold(surface(v.To))
		if twice := r.fold(once); !slices.Equal(once, twice) {
			errs = append(errs, fmt.Errorf("language.variants: %q folds to %q, then to %q", v.To, string(once), string(twice)))
		}
	}
	prepared := func(list string, ws []string) []word {
		var out []word
		for _, w := range ws {
			rs := r.normalize(r.particlesOff(r.fold(surface(w))))
			if len(rs) < 2 {
				errs = append(errs, fmt.Errorf("language.%s: %q is too short once prepared", list, w))
				continue
			}
			out = append(out, newWord(rs))
		}
		byLength(out, func(w word) []rune { return w.rs })
		return out
	}
	r.keep = surfaceWords("keep", l.Keep)
	for _, list := range []struct {
		name  string
		words []string
		near  bool
	}{{"negators", l.Negators, false}, {"not", l.Not, true}} {
		for _, w := range prepared(list.name, list.words) {
			r.negators = append(r.negators, negator{word: w, near: list.near})
		}
	}
	byLength(r.negators, func(n negator) []rune { return n.rs })
	r.breakers = prepared("breakers", l.Breakers)
	r.requests = prepared("requests", l.Requests)
	r.lookalike = prepared("lookalikes", l.Lookalikes)
	if len(r.questions) == 0 {
		errs = append(errs, errors.New("language.questions is empty"))
	}
	return r, errs
}

// text is a message (or a dictionary word, or an example) prepared for
// comparison: runes, and for each rune whether a negator covers it.
type text struct {
	rs  []rune
	neg []bool
}

func (t text) String() string { return string(t.rs) }

// prepare runs every step: surface, fold, particlesOff, normalize, negate.
func (r *rules) prepare(s string) text {
	return r.negate(r.normalize(r.particlesOff(r.fold(surface(s)))))
}

// cutsParticle reports whether preparing the key word w drops a particle from
// its end ("พอแล้ว" would be found as "พอ"), and what is left.
func (r *rules) cutsParticle(w string) (string, bool) {
	folded := r.fold(surface(w))
	cut := r.particlesOff(slices.Clone(folded))
	var tidied []rune // what particlesOff does besides particles
	for i, chunk := range splitSpace(folded) {
		if i > 0 {
			tidied = append(tidied, ' ')
		}
		tidied = append(tidied, tidy(chunk)...)
	}
	if len(cut) >= len(tidied) {
		return "", false
	}
	return string(cut), true
}

// surface lowers case, keeps letters, digits and marks (in one order), turns
// everything else (punctuation, emoji) into single spaces, drops ๆ and ฯ,
// and shortens runs of three or more of a character to one ("มากกก"). Tone
// marks stay, so particles and variants can tell "ค่ะ" from "คะแนน" and
// "ตั้ง" from "ตัง".
func surface(s string) []rune {
	s = strings.ReplaceAll(strings.ToLower(s), "\u0e4d\u0e32", "\u0e33")
	out := make([]rune, 0, len(s))
	space := true
	for _, c := range s {
		switch {
		case c == 'ๆ' || c == 'ฯ':
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			out = append(out, c)
			space = false
		case unicode.IsMark(c):
			if !space {
				out = append(out, c)
			}
		default:
			if !space {
				out = append(out, ' ')
				space = true
			}
		}
	}
	if n := len(out); n > 0 && out[n-1] == ' ' {
		out = out[:n-1]
	}
	thai.ReorderMarks(out)
	return thai.CollapseRuns(out, true)
}

// tidy is what happens to the end of every word group besides particles: an
// English word loses its ending (stem), and a letter doubled at the end is
// typed once (undoubleEnd).
func tidy(chunk []rune) []rune {
	return undoubleEnd(stem(chunk))
}

// undoubleEnd shortens a letter or digit typed twice at the end of a word
// group, which people do for emphasis ("อยากก", "ครับบ", "hii", "55"). Only
// at the end: inside Thai text a doubled letter is usually two words meeting
// ("ใจจ้า", "มากกว่า").
func undoubleEnd(chunk []rune) []rune {
	n := len(chunk)
	if n >= 2 && chunk[n-1] == chunk[n-2] && (unicode.IsLetter(chunk[n-1]) || unicode.IsDigit(chunk[n-1])) {
		return chunk[:n-1]
	}
	return chunk
}

// stem drops common endings from an English word of 4 to 30 letters,
// keeping at least three: -s (not -ss), then -ing or -ed, then -e. So "jobs"
// is "job", "working" and "worked" are "work", "messages" and "message" are
// both "messag". Not a real stemmer: words in the data go through it too, so
// it only has to fold a word's forms together.
func stem(w []rune) []rune {
	if len(w) < 4 || len(w) > 30 || slices.ContainsFunc(w, func(c rune) bool { return c < 'a' || c > 'z' }) {
		return w
	}
	ends := func(suffix string) bool { return strings.HasSuffix(string(w), suffix) }
	if ends("s") && !ends("ss") {
		w = w[:len(w)-1]
	}
	switch {
	case ends("ing") && len(w) >= 6:
		w = w[:len(w)-3]
	case ends("ed") && len(w) >= 5:
		w = w[:len(w)-2]
	}
	if ends("e") && len(w) >= 4 {
		w = w[:len(w)-1]
	}
	return w
}

// fold spells variants one way ("มั้ย" → "ไหม", "พาททาม" → "พาร์ทไทม์").
func (r *rules) fold(rs []rune) []rune {
	if len(r.variants) == 0 {
		return rs
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); {
		done := false
		for _, f := range r.variants {
			if f.from.rs[0] == rs[i] && f.from.at(rs, i) {
				out = append(out, f.to...)
				i += len(f.from.rs)
				done = true
				break
			}
		}
		if !done {
			out = append(out, rs[i])
			i++
		}
	}
	return out
}

// particlesOff drops polite particles from the end of each word group
// ("หางานหน่อยค่ะ" → "หางาน"), but not from a word to keep ("ตั้งค่า"); tidies
// the end of each ("อยากกค่ะ" → "อยาก", "jobs" → "job"); and reads a question
// ending as questionWord, joined to the words before it ("ฟรีมะคะ" →
// "ฟรีไหม", "ฟรี ไหม" → "ฟรีไหม"). A Latin particle ("pls") goes only as a
// whole word.
func (r *rules) particlesOff(rs []rune) []rune {
	q := []rune(questionWord)
	var out []rune
	for _, chunk := range splitSpace(rs) {
		question := false
		for len(chunk) > 0 {
			if slices.ContainsFunc(r.keep, func(w word) bool { return endsWith(chunk, w) }) {
				break
			}
			chunk = tidy(chunk)
			cut := 0
			for _, w := range r.questions {
				if endsWith(chunk, w) {
					cut, question = len(w.rs), true
					break
				}
			}
			if cut == 0 {
				for _, w := range r.particles {
					if endsWith(chunk, w) {
						cut = len(w.rs)
						break
					}
				}
			}
			if cut == 0 {
				break
			}
			chunk = chunk[:len(chunk)-cut]
		}
		switch {
		case len(chunk) > 0:
			if len(out) > 0 {
				out = append(out, ' ')
			}
			out = append(out, chunk...)
			if question {
				out = append(out, q...)
			}
		case question:
			out = append(out, q...)
		}
	}
	return out
}

// endsWith reports whether chunk ends with w; a Latin w must be the whole
// chunk.
func endsWith(chunk []rune, w word) bool {
	if len(w.rs) > len(chunk) || !slices.Equal(chunk[len(chunk)-len(w.rs):], w.rs) {
		return false
	}
	return !(w.latinStart && len(w.rs) < len(chunk))
}

// splitSpace splits rs at spaces into word groups (sharing rs's memory).
func splitSpace(rs []rune) [][]rune {
	var out [][]rune
	start := 0
	for i := 0; i <= len(rs); i++ {
		if i == len(rs) || rs[i] == ' ' {
			if i > start {
				out = append(out, rs[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// normalize applies search.Normalize: tone marks, ็ and ์ dropped; what is
// not a letter, mark or digit a space.
func (r *rules) normalize(rs []rune) []rune {
	return []rune(search.Normalize(string(rs)))
}

// maxLatinScope is how many words a Latin "do not want" covers at most
// (punctuation is gone by then: "i don't want a course, i need a job").
const maxLatinScope = 4

// negate turns negators into marks and marks the runes each one covers.
// A "do not want" word (negators) becomes negMark and covers, after a Thai
// one, the rest of the word group, after a Latin one, up to the next Thai
// letter or maxLatinScope words; either way, up to a breaker ("แต่",
// "อยาก", "but"). A plain "not" (near) becomes nearMark and covers only the
// word right after it: "ไม่|หางาน" is not looking for work, "ไม่รู้จะหางาน"
// still is. Negators are not looked for inside lookalikes ("ต้นไม้").
func (r *rules) negate(rs []rune) text {
	if !slices.ContainsFunc(r.negators, func(n negator) bool { return slices.Contains(rs, n.rs[0]) }) {
		return text{rs: rs, neg: make([]bool, len(rs))}
	}
	out := make([]rune, 0, len(rs))
	var latin []bool // per negMark in out, in order
	for i := 0; i < len(rs); {
		if n := r.lookalikeAt(rs, i); n > 0 {
			out = append(out, rs[i:i+n]...)
			i += n
			continue
		}
		done := false
		for _, n := range r.negators {
			if n.rs[0] == rs[i] && n.at(rs, i) {
				if n.near {
					out = append(out, nearMark)
				} else {
					out = append(out, negMark)
					latin = append(latin, n.latinEnd)
				}
				i += len(n.rs)
				done = true
				break
			}
		}
		if !done {
			out = append(out, rs[i])
			i++
		}
	}
	neg := make([]bool, len(out))
	in, latinScope, near, mark, words := false, false, false, 0, 0
	for i, c := range out {
		switch c {
		case negMark:
			in, latinScope, near, words = true, latin[mark], false, 0
			mark++
			continue
		case nearMark:
			near = true
			continue
		}
		if near && c != ' ' {
			neg[i], near = true, false
		}
		if in && latinScope && c == ' ' && i > 0 && out[i-1] != negMark {
			words++
		}
		if in {
			switch {
			case !latinScope && c == ' ', latinScope && (isThai(c) || words >= maxLatinScope):
				in = false
			case r.lookalikeAt(out, i) == 0:
				for _, b := range r.breakers {
					if b.rs[0] == c && b.at(out, i) {
						in = false
						break
					}
				}
			}
		}
		neg[i] = neg[i] || in
	}
	return text{rs: out, neg: neg}
}

// requested reports, per rune of t, whether a request word ends right before
// it (or before the space before it), outside what a negator covers:
// "อยาก|ทำงาน", "ขอ|คุยกับคน", "want| a job".
func (r *rules) requested(t text) []bool {
	var at []bool
	skip := 0 // runes left inside a lookalike
	for i := range t.rs {
		if skip > 0 {
			skip--
			continue
		}
		if n := r.lookalikeAt(t.rs, i); n > 0 {
			skip = n - 1
			continue
		}
		if t.neg[i] {
			continue
		}
		for _, w := range r.requests {
			if w.rs[0] != t.rs[i] || !w.at(t.rs, i) {
				continue
			}
			if at == nil {
				at = make([]bool, len(t.rs)+1)
			}
			end := i + len(w.rs)
			at[end] = true
			if end < len(t.rs) && t.rs[end] == ' ' {
				at[end+1] = true
			}
			at[i] = true // a key word that starts with the request ("อยากเรียน")
			break
		}
	}
	return at
}

// lookalikeAt returns the length of the lookalike word at rs[i] ("ข้อมูล",
// "แต่งตัว": not the request "ขอ" or the breaker "แต่" once tone marks are
// gone), or 0.
func (r *rules) lookalikeAt(rs []rune, i int) int {
	for _, w := range r.lookalike {
		if w.rs[0] == rs[i] && w.at(rs, i) {
			return len(w.rs)
		}
	}
	return 0
}

// isLatin reports whether c is an ASCII letter or digit.
func isLatin(c rune) bool {
	return c < 0x80 && (unicode.IsLetter(c) || unicode.IsDigit(c))
}

// isThai reports whether c is in the Thai block.
func isThai(c rune) bool { return c >= 0x0e00 && c <= 0x0e7f }

// emojiOnly reports whether s has a symbol (emoji, ❤, ✌) and nothing that
// reads as a word.
func emojiOnly(s string) bool {
	sym := false
	for _, c := range s {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			return false
		case c == utf8.RuneError:
		case unicode.In(c, unicode.So, unicode.Sk) || c >= 0x1f000:
			sym = true
		}
	}
	return sym
}

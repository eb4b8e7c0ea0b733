package guidance

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Typed answers. People type what they mean rather than tap a chip: "โอเค"
// at the consent question, "ว่างงานอยู่ค่ะ" at "what are you doing now?". So a
// choice lists what people type for it (Option.Also, "also" in the data: a
// flow's choices, a field's values in data/fields.yaml, the inventory's
// scales, the lessons' answers, the plan's steps), and what was typed picks a
// choice when:
//
//  1. it is, after normalize, the choice's label (Thai or English) or one of
//     its synonyms; this always wins;
//  2. otherwise (at a choice question or a node's choices, not at a number,
//     province or text question) it holds the label or a synonym of exactly
//     one choice and of no other: "ว่างงานอยู่ค่ะ" holds "ว่างงาน". Here
//     - a word right after a negation (data/typing.yaml: "ไม่", "ไม่ได้"…)
//     does not count, nor does any shorter word inside "negation + word"
//     but one that starts with the negation and goes on into the word:
//     "ไม่ฟรี" is not "ฟรี", "ไม่โอเค" is neither "โอเค" nor "ไม่", and
//     "ไม่กดลิงก์" is the "ไม่กด" of another choice, not "กดลิงก์"; the
//     same for a word right before a negation that follows ("ยอมรับไม่ได้",
//     "ไกลไม่ได้"), unless that negation is or starts a choice's word
//     ("ทำงานไม่ได้เรียน": "ไม่ได้" belongs to "เรียน");
//     - a word that is only a negation ("ไม่", "no") counts only typed
//     alone: "แม่ให้ไปเรียนแต่ไม่อยากเรียน" is not the "ไม่" of "dislike";
//     - a word inside a longer word that counts does not count on its own:
//     "ไม่แน่ใจ" is "not sure", not the "ไม่" of "dislike";
//     - a message that asks (a question word outside the choices' words, or
//     a question mark) picks nothing: "ฟรีไหม" is a question, not "free";
//     - Latin letters and digits match whole words only: "ok" is not in
//     "book", "1" is not in "10"; and a Thai word is not found inside a
//     syllable (before a tone mark or vowel that belongs to it).
//
// Validation keeps this unambiguous: within one node no two choices share a
// label or synonym (after normalize), no synonym is empty or longer than
// maxSynonymRunes, and none is a command word (the command would win).

// maxSynonymRunes is the longest synonym a choice may list.
const maxSynonymRunes = 40

//go:embed data/typing.yaml
var typingFile []byte

// typing is data/typing.yaml: the words that change what a typed answer
// means, and what a numbered answer also accepts.
type typing struct {
	Negations []string   `yaml:"negations"`       // a choice's word right after one does not count
	After     []string   `yaml:"negations_after"` // nor one right before one of these
	Questions []string   `yaml:"questions"`       // a message holding one asks; it answers nothing
	Numbered  []string   `yaml:"numbered"`        // every numbered answer accepts these, {n} its number
	Numbers   [][]string `yaml:"numbers"`         // and these, by position (ข้อแรก, ๑…)
	Alone     []string   `yaml:"alone_only"`      // these answer only typed alone

	negations, after, questions, alone []string // folded
}

func loadTyping() (*typing, error) {
	var w typing
	dec := yaml.NewDecoder(bytes.NewReader(typingFile))
	dec.KnownFields(true)
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("guidance: typing.yaml: %w", err)
	}
	for _, list := range []struct {
		name string
		in   []string
		out  *[]string
	}{{"negations", w.Negations, &w.negations}, {"negations_after", w.After, &w.after}, {"questions", w.Questions, &w.questions}, {"alone_only", w.Alone, &w.alone}} {
		for _, word := range list.in {
			folded := foldTyped(word).text
			if folded == "" {
				return nil, fmt.Errorf("guidance: typing.yaml: an empty word in %s", list.name)
			}
			*list.out = append(*list.out, folded)
		}
	}
	if len(w.negations) == 0 || len(w.after) == 0 || len(w.questions) == 0 {
		return nil, fmt.Errorf("guidance: typing.yaml: needs negations, negations_after and questions")
	}
	for _, p := range w.Numbered {
		if !strings.Contains(p, "{n}") {
			return nil, fmt.Errorf("guidance: typing.yaml: numbered form %q has no {n}", p)
		}
	}
	return &w, nil
}

// numbered returns what the n-th answer (from 1) of a numbered question also
// accepts: "1", "ข้อ 1", "ข้อแรก"…
func (w *typing) numbered(n int) []string {
	var out []string
	for _, p := range w.Numbered {
		out = append(out, strings.ReplaceAll(p, "{n}", strconv.Itoa(n)))
	}
	if n >= 1 && n <= len(w.Numbers) {
		out = append(out, w.Numbers[n-1]...)
	}
	return out
}

// matches reports whether norm (what was typed, normalised) is the choice's
// label, in Thai or English, or one of its synonyms.
func (o Option) matches(norm string) bool {
	if labelMatches(o.Label, norm) {
		return true
	}
	for _, a := range o.Also {
		if norm != "" && norm == normalize(a) {
			return true
		}
	}
	return false
}

// words returns the choice's label and synonyms, normalised, without empties.
func (o Option) words() []string {
	var out []string
	for _, w := range append([]string{o.Label.TH, o.Label.EN}, o.Also...) {
		if n := normalize(w); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// exactChoice returns the first of opts whose label or synonym norm is.
func exactChoice(opts []Option, norm string) (int, bool) {
	for i, o := range opts {
		if o.matches(norm) {
			return i, true
		}
	}
	return 0, false
}

// matchChoice returns the choice of opts that what was typed picks: the one
// whose label or synonym it is, else the only one whose words it holds (see
// the rules at the top of this file).
func (s *Script) matchChoice(opts []Option, raw string) (int, bool) {
	if i, ok := exactChoice(opts, normalize(raw)); ok {
		return i, true
	}
	return s.containedChoice(opts, raw)
}

// hit is where a choice's word was found in a typed message: [start, end),
// widened to [from, to) by a negation right before or after it (from ==
// start and to == end without one).
type hit struct {
	choice, start, end, from, to int
}

// negated reports whether a negation turns the hit round.
func (h hit) negated() bool { return h.from < h.start || h.to > h.end }

// inside reports whether [start, end) lies within [from, to) and is shorter.
func inside(start, end, from, to int) bool {
	return from <= start && end <= to && end-start < to-from
}

// containedChoice returns the only choice of opts whose words the message
// holds, by the rules at the top of this file.
func (s *Script) containedChoice(opts []Option, raw string) (int, bool) {
	msg := foldTyped(raw)
	if msg.text == "" {
		return 0, false
	}
	var hits []hit
	for i, o := range opts {
		for _, w := range o.words() {
			if slices.Contains(s.typing.alone, w) {
				continue // a bare "ไม่" or "no" answers only typed alone
			}
			for _, at := range msg.find(w) {
				h := hit{choice: i, start: at, end: at + len(w), from: at, to: at + len(w)}
				for _, neg := range s.typing.negations {
					if from := at - len(neg); from >= 0 && from < h.from && msg.text[from:at] == neg && msg.fits(from, at) {
						h.from = from
					}
				}
				for _, neg := range s.typing.after {
					if to := h.end + len(neg); to <= len(msg.text) && to > h.to && msg.text[h.end:to] == neg && msg.fits(h.end, to) {
						h.to = to
					}
				}
				hits = append(hits, h)
			}
		}
	}
	if msg.asks(s.typing.questions, hits) {
		return 0, false
	}
	// A negation after a word that is or starts a choice's word belongs to
	// that word ("ทำงานไม่ได้เรียน"), not to the one before it.
	for i, h := range hits {
		for _, k := range hits {
			if h.to > h.end && (k.start == h.end && k.end >= h.to || k.start == h.to && !msg.breaks[h.to]) {
				hits[i].to = h.end
				break
			}
		}
	}
	// Drop what a negation turns round: the negated word, and every shorter
	// word within it and its negation ("ไม่" in "ไม่โอเค"), except a word
	// that is the negation and the start of the negated word ("ไม่กด" in
	// "ไม่กดลิงก์": a choice's own negative phrase).
	var counted []hit
	for _, h := range hits {
		doubted := false
		for _, d := range hits {
			ownNegative := h.start == d.from && d.from < d.start && h.end > d.start
			if d.negated() && inside(h.start, h.end, d.from, d.to) && !ownNegative {
				doubted = true
				break
			}
		}
		if !doubted {
			counted = append(counted, h)
		}
	}
	choice := -1
	for _, h := range counted {
		within := false
		for _, k := range counted {
			if inside(h.start, h.end, k.start, k.end) {
				within = true
				break
			}
		}
		if within {
			continue
		}
		if choice >= 0 && choice != h.choice {
			return 0, false // words of two choices: ambiguous
		}
		choice = h.choice
	}
	return choice, choice >= 0
}

// typed is a message folded for finding words in it: lower case, letters,
// digits and marks only (like normalize, but polite endings kept), with the
// places where spaces or punctuation were dropped.
type typed struct {
	text     string
	breaks   map[int]bool // byte offsets in text where something was dropped
	question bool         // the message had a question mark
}

func foldTyped(raw string) typed {
	var b strings.Builder
	t := typed{breaks: map[int]bool{}}
	for _, r := range strings.ToLower(raw) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		default:
			t.breaks[b.Len()] = true
			if r == '?' || r == '？' {
				t.question = true
			}
		}
	}
	t.text = b.String()
	return t
}

// find returns where word occurs in the message as a word of its own (see
// fits), overlapping occurrences included.
func (t typed) find(word string) []int {
	var out []int
	for from := 0; from < len(t.text); {
		i := strings.Index(t.text[from:], word)
		if i < 0 {
			break
		}
		at := from + i
		if t.fits(at, at+len(word)) {
			out = append(out, at)
		}
		_, size := utf8.DecodeRuneInString(t.text[at:])
		from = at + size
	}
	return out
}

// fits reports whether text[start:end] stands as a word of its own: Latin
// letters and digits at its edges are not glued to more of them ("ok" in
// "book", "1" in "10"), and it does not cut a Thai syllable (a leading vowel
// before it, a tone mark or vowel after it).
func (t typed) fits(start, end int) bool {
	if start > 0 {
		first, _ := utf8.DecodeRuneInString(t.text[start:])
		prev, _ := utf8.DecodeLastRuneInString(t.text[:start])
		if !t.breaks[start] && (wordy(first) && wordy(prev) || thaiLeadingVowel(prev)) {
			return false
		}
	}
	if end < len(t.text) {
		last, _ := utf8.DecodeLastRuneInString(t.text[:end])
		next, _ := utf8.DecodeRuneInString(t.text[end:])
		if !t.breaks[end] && (wordy(last) && wordy(next) || thaiFollowing(next)) {
			return false
		}
	}
	return true
}

// asks reports whether the message asks something: a question mark, or a
// question word that is not part of a choice's word ("ที่ไหนก็ได้" answers).
func (t typed) asks(questions []string, hits []hit) bool {
	if t.question {
		return true
	}
	for _, q := range questions {
		for _, at := range t.find(q) {
			part := false
			for _, h := range hits {
				if h.start <= at && at+len(q) <= h.end {
					part = true
					break
				}
			}
			if !part {
				return true
			}
		}
	}
	return false
}

// wordy reports whether r is a Latin letter or a digit: those form words
// separated by spaces, unlike Thai.
func wordy(r rune) bool {
	return unicode.IsDigit(r) || (r < utf8.RuneSelf && unicode.IsLetter(r))
}

// thaiLeadingVowel reports whether r is a vowel written before the consonant
// it follows in speech (เ แ โ ใ ไ): a word cannot start right after one.
func thaiLeadingVowel(r rune) bool { return r >= 0x0E40 && r <= 0x0E44 }

// thaiFollowing reports whether r belongs to the syllable before it (a tone
// mark, a vowel above or below, or ะ า ำ ๅ): a word cannot end right before
// one.
func thaiFollowing(r rune) bool {
	return unicode.Is(unicode.Mn, r) || r == 0x0E30 || r == 0x0E32 || r == 0x0E33 || r == 0x0E45
}

// commandWord reports whether norm is a word of a global command (typed
// alone, it runs the command wherever the person is).
func (s *Script) commandWord(norm string) bool {
	for _, c := range s.commands {
		for _, w := range c.Words {
			if norm == normalize(w) {
				return true
			}
		}
	}
	return false
}

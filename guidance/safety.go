package guidance

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed data/safety.yaml
var safetyFile []byte

// Safety recognises messages that signal crisis, self-harm, abuse or
// violence, from a curated phrase list (data/safety.yaml). It is plain string
// matching: predictable, testable, and never a model's guess.
type Safety struct {
	phrases []string      // normalised
	careFor time.Duration // how long the care state lasts after a crisis message
}

func loadSafety() (*Safety, error) {
	var doc struct {
		CareHours int      `yaml:"care_hours"`
		Phrases   []string `yaml:"phrases"`
	}
	if err := yaml.Unmarshal(safetyFile, &doc); err != nil {
		return nil, fmt.Errorf("guidance: safety.yaml: %w", err)
	}
	if doc.CareHours < 1 || doc.CareHours > 24*14 {
		return nil, fmt.Errorf("guidance: safety.yaml: care_hours %d must be from 1 to 336", doc.CareHours)
	}
	s := &Safety{careFor: time.Duration(doc.CareHours) * time.Hour}
	for _, p := range doc.Phrases {
		n := normalizeLoose(p)
		if len([]rune(n)) < 4 {
			return nil, fmt.Errorf("guidance: safety.yaml: phrase %q is too short to match safely", p)
		}
		s.phrases = append(s.phrases, n)
	}
	return s, nil
}

// Matches reports whether a message contains a crisis phrase. A Thai phrase
// may sit anywhere (Thai is written without spaces); an English one must
// start a word, so "raped" does not fire inside "scraped" or "grape drink".
func (s *Safety) Matches(text string) bool {
	n, starts := normalizeLooseWords(text)
	for _, p := range s.phrases {
		latin := p[0] < 0x80
		for off := 0; off < len(n); {
			i := strings.Index(n[off:], p)
			if i < 0 {
				break
			}
			if !latin || starts[off+i] {
				return true
			}
			off += i + 1
		}
	}
	return false
}

// normalizeLoose is normalize without dropping polite endings (they may sit
// inside a phrase) and with repeated letters folded ("อยากตายยยย").
func normalizeLoose(s string) string {
	n, _ := normalizeLooseWords(s)
	return n
}

// normalizeLooseWords is normalizeLoose that also reports, by byte offset in
// the result, where a Latin word starts (after a space, punctuation, Thai or
// the start of the text).
func normalizeLooseWords(s string) (string, map[int]bool) {
	var b strings.Builder
	starts := map[int]bool{}
	var last, prev rune
	lastAt := 0
	for _, r := range strings.ToLower(s) {
		letter := r >= 'a' && r <= 'z'
		wordStart := letter && !(prev >= 'a' && prev <= 'z')
		prev = r
		if !letter && !(r >= '0' && r <= '9') && !(r >= 'ก' && r <= '๛') {
			continue
		}
		if r == last {
			// Folded into the previous letter ("me end" → "mend"): that
			// letter also starts this word.
			if wordStart {
				starts[lastAt] = true
			}
			continue
		}
		lastAt = b.Len()
		if wordStart {
			starts[lastAt] = true
		}
		b.WriteRune(r)
		last = r
	}
	return b.String(), starts
}

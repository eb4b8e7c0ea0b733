package guidance

import (
	_ "embed"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed data/safety.yaml
var safetyFile []byte

// Safety recognises messages that signal crisis, self-harm, abuse or
// violence, from a curated phrase list (data/safety.yaml). It is plain string
// matching: predictable, testable, and never a model's guess.
type Safety struct {
	phrases []string // normalised
}

func loadSafety() (*Safety, error) {
	var doc struct {
		Phrases []string `yaml:"phrases"`
	}
	if err := yaml.Unmarshal(safetyFile, &doc); err != nil {
		return nil, fmt.Errorf("guidance: safety.yaml: %w", err)
	}
	s := &Safety{}
	for _, p := range doc.Phrases {
		n := normalizeLoose(p)
		if len([]rune(n)) < 4 {
			return nil, fmt.Errorf("guidance: safety.yaml: phrase %q is too short to match safely", p)
		}
		s.phrases = append(s.phrases, n)
	}
	return s, nil
}

// Matches reports whether a message contains a crisis phrase.
func (s *Safety) Matches(text string) bool {
	n := normalizeLoose(text)
	for _, p := range s.phrases {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// normalizeLoose is normalize without dropping polite endings (they may sit
// inside a phrase) and with repeated letters folded ("อยากตายยยย").
func normalizeLoose(s string) string {
	var b strings.Builder
	var last rune
	for _, r := range strings.ToLower(s) {
		if !(r >= 'a' && r <= 'z') && !(r >= 'ก' && r <= '๛') && !(r >= '0' && r <= '9') {
			continue
		}
		if r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

package console

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Languages the console speaks; Thai first.
const (
	langTH = "th"
	langEN = "en"
)

var languages = []string{langTH, langEN}

// langOf is a supported language, Thai for anything else.
func langOf(s string) string {
	if s == langEN {
		return langEN
	}
	return langTH
}

//go:embed words.yaml
var wordsYAML []byte

// word is one thing the console says, in both languages.
type word struct {
	TH string `yaml:"th"`
	EN string `yaml:"en"`
}

// words are every word the console shows (words.yaml).
type words struct {
	byKey map[string]word
}

// verbs finds fmt verbs, so both languages of a word take the same arguments.
var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func loadWords() (*words, error) {
	var m map[string]word
	if err := yaml.Unmarshal(wordsYAML, &m); err != nil {
		return nil, fmt.Errorf("console: words.yaml: %w", err)
	}
	for k, w := range m {
		if strings.TrimSpace(w.TH) == "" || strings.TrimSpace(w.EN) == "" {
			return nil, fmt.Errorf("console: words.yaml: %q needs both th and en", k)
		}
		if !slices.Equal(verbs.FindAllString(w.TH, -1), verbs.FindAllString(w.EN, -1)) {
			return nil, fmt.Errorf("console: words.yaml: %q has different placeholders in th and en", k)
		}
	}
	return &words{byKey: m}, nil
}

// get returns a word in a language; an unknown key is an error (templates
// and tests catch it before anyone sees a page).
func (w *words) get(lang, key string) (string, error) {
	v, ok := w.byKey[key]
	if !ok {
		return "", fmt.Errorf("console: no word %q in words.yaml", key)
	}
	if lang == langEN {
		return v.EN, nil
	}
	return v.TH, nil
}

// say is get for Go code: an unknown key shows as itself (and tests check
// every key Go code uses exists).
func (w *words) say(lang, key string, args ...any) string {
	s, err := w.get(lang, key)
	if err != nil {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

package console

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// CannedReply is a common first answer offered as a button above the reply
// box: the button fills the box with Text (Thai: what young people read),
// which the counsellor can edit before sending.
type CannedReply struct {
	ID      string `yaml:"id"`
	LabelTH string `yaml:"label_th"` // the button, in Thai
	LabelEN string `yaml:"label_en"` // the button, in English
	TextTH  string `yaml:"text_th"`  // the reply it fills in
	TextEN  string `yaml:"text_en"`  // its English meaning, shown to a counsellor reading in English
}

//go:embed canned.yaml
var cannedYAML []byte

// DefaultCannedReplies returns the canned replies of canned.yaml.
func DefaultCannedReplies() ([]CannedReply, error) {
	var f struct {
		Replies []CannedReply `yaml:"replies"`
	}
	if err := yaml.Unmarshal(cannedYAML, &f); err != nil {
		return nil, fmt.Errorf("console: canned.yaml: %w", err)
	}
	if err := validCanned(f.Replies); err != nil {
		return nil, fmt.Errorf("console: canned.yaml: %w", err)
	}
	return f.Replies, nil
}

func validCanned(rs []CannedReply) error {
	seen := map[string]bool{}
	for i, r := range rs {
		if r.ID == "" || seen[r.ID] {
			return fmt.Errorf("canned reply %d: an ID is required and must be unique", i)
		}
		seen[r.ID] = true
		for _, s := range []string{r.LabelTH, r.LabelEN, r.TextTH, r.TextEN} {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("canned reply %q: labels and texts are required in Thai and English", r.ID)
			}
		}
		if utf8.RuneCountInString(r.TextTH) > MaxReplyLen {
			return fmt.Errorf("canned reply %q: longer than a reply may be", r.ID)
		}
	}
	return nil
}

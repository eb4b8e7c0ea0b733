package search

import (
	"strings"
	"unicode"

	"github.com/paitor/paitor/content/thai"
)

// Normalize turns text into the form the index compares: lower case; Thai
// tone marks (่ ้ ๊ ๋), maitaikhu (็), thanthakhat (์), ฯ and ๆ dropped;
// "ํา" spelled "ำ"; anything that is not a letter, mark or digit turned into a
// single space; runs of three or more of the same character shortened to one.
// The result has no leading or trailing space.
func Normalize(s string) string {
	return string(normalizeRunes(s, true))
}

// normalizeRunes is Normalize as runes; tones=false keeps the tone marks
// (used to find province names, where "น่าน" is not "นาน").
func normalizeRunes(s string, dropTones bool) []rune {
	s = strings.ReplaceAll(s, "\u0e4d\u0e32", "\u0e33")
	out := make([]rune, 0, len(s))
	space := true // at the start: drop leading spaces
	for _, r := range s {
		switch {
		case r == 'ฯ' || r == 'ๆ':
			continue
		case dropTones && (r >= '\u0e47' && r <= '\u0e4c'):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			out = append(out, unicode.ToLower(r))
			space = false
		case unicode.IsMark(r):
			if len(out) > 0 && !space {
				out = append(out, r)
			}
		default:
			if !space {
				out = append(out, ' ')
				space = true
			}
		}
	}
	if len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	if !dropTones {
		thai.ReorderMarks(out)
	}
	return thai.CollapseRuns(out, true)
}

// isLatin reports whether r is an ASCII letter or digit: Latin words in a
// query must match whole, Thai ones may match inside longer text.
func isLatin(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// bigramKey packs two runes into one key.
func bigramKey(a, b rune) uint64 { return uint64(a)<<32 | uint64(uint32(b)) }

package sender

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// LINE's per-request limits.
const (
	MaxMessagesPerRequest = 5
	MaxRecipients         = 500
	MaxQuickReplies       = 13
	MaxTextUnits          = 5000 // UTF-16 code units
)

// Raw is a LINE message held as its exact JSON. It satisfies the SDK's message
// interface, so Flex and everything else pass through unchanged (the SDK's own
// Flex structs add "flex":0 to every component, see LINE-NOTES.md).
type Raw json.RawMessage

// GetType returns the message's "type" field.
func (r Raw) GetType() string {
	var t struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(r, &t)
	return t.Type
}

// MarshalJSON returns the JSON as is.
func (r Raw) MarshalJSON() ([]byte, error) { return r, nil }

// Batches cuts messages into requests of at most MaxMessagesPerRequest.
func Batches(msgs []json.RawMessage) [][]json.RawMessage {
	var out [][]json.RawMessage
	for len(msgs) > 0 {
		n := min(len(msgs), MaxMessagesPerRequest)
		out = append(out, msgs[:n:n])
		msgs = msgs[n:]
	}
	return out
}

// UTF16Len returns the length of s in UTF-16 code units, as LINE counts text.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// SplitText cuts s into pieces of at most max UTF-16 code units, preferring to
// cut after a blank line, then a line break, then a space (Thai separates
// sentences and phrases with spaces, not words), and never inside a character or
// before a combining mark (Thai vowels and tone marks stay with their consonant).
func SplitText(s string, max int) []string {
	var out []string
	for UTF16Len(s) > max {
		limit := byteIndexAtUnits(s, max) // s[:limit] fits
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(s[:limit], sep); i > 0 && i > limit/2 {
				cut = i + len(sep)
				break
			}
		}
		if cut < 0 {
			cut = limit
			for cut > 0 {
				r, _ := utf8.DecodeRuneInString(s[cut:])
				if !unicode.Is(unicode.Mn, r) {
					break
				}
				_, size := utf8.DecodeLastRuneInString(s[:cut])
				cut -= size
			}
			if cut == 0 {
				cut = limit
			}
			if cut == 0 { // max is smaller than the first character: send it alone
				_, cut = utf8.DecodeRuneInString(s)
			}
		}
		if piece := strings.TrimRight(s[:cut], " \n"); piece != "" {
			out = append(out, piece)
		}
		s = s[cut:]
	}
	if strings.TrimSpace(s) != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// byteIndexAtUnits returns the largest byte index i such that s[:i] has at most
// units UTF-16 code units and ends on a rune boundary.
func byteIndexAtUnits(s string, units int) int {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > units {
			return i
		}
	}
	return len(s)
}

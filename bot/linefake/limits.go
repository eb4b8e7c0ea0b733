package linefake

import (
	"regexp"
	"slices"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// LINE's documented limits that messaging-api.yml does not express.
const (
	maxTextUnits      = 5000 // text message, in UTF-16 code units
	maxAltTextUnits   = 1500 // altText of flex/template/imagemap messages
	maxCarouselBubble = 12   // Flex carousel
	maxActionLabel    = 20   // action labels (quick reply, templates), grapheme clusters
	maxFlexLabel      = 40   // action labels inside Flex (shown on buttons), grapheme clusters
)

var (
	userIDRE = regexp.MustCompile(`^U[0-9a-f]{32}$`)
	// chatIDRE matches a user, group or room ID (push "to").
	chatIDRE = regexp.MustCompile(`^[UCR][0-9a-f]{32}$`)
)

// utf16Len counts s in UTF-16 code units, as LINE counts text (an emoji
// outside the BMP counts 2).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// graphemes approximates the number of grapheme clusters in s, as LINE
// counts action labels: combining marks, Thai/Lao SARA AM, zero-width
// joiners (and the rune each joins), variation selectors and emoji
// modifiers extend the previous character.
func graphemes(s string) int {
	n := 0
	joined := false
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case joined:
			joined = false
		case r == 0x200D:
			joined = true
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc),
			r == 0x0E33, r == 0x0EB3,
			r >= 0xFE00 && r <= 0xFE0F,
			r >= 0x1F3FB && r <= 0x1F3FF:
		default:
			n++
		}
	}
	return n
}

// checkLimits adds LINE's own limits on every messages[] item.
func (v *validator) checkLimits(messages []any) {
	for i, m := range messages {
		obj, ok := m.(map[string]any)
		if !ok {
			continue
		}
		path := index("messages", i)
		switch obj["type"] {
		case "text", "textV2":
			if t, ok := obj["text"].(string); ok {
				if n := utf16Len(t); n > maxTextUnits {
					v.add(child(path, "text"), "length must be at most %d UTF-16 code units (is %d)", maxTextUnits, n)
				}
			}
		case "flex", "template", "imagemap":
			if t, ok := obj["altText"].(string); ok {
				if n := utf16Len(t); n > maxAltTextUnits {
					v.add(child(path, "altText"), "length must be at most %d (is %d)", maxAltTextUnits, n)
				}
			}
		}
		if obj["type"] == "flex" {
			if c, ok := obj["contents"].(map[string]any); ok && c["type"] == "carousel" {
				if bs, ok := c["contents"].([]any); ok && len(bs) > maxCarouselBubble {
					v.add(child(child(path, "contents"), "contents"), "size must be at most %d bubbles (is %d)", maxCarouselBubble, len(bs))
				}
			}
		}
		v.checkActions(obj, path, false)
	}
}

// checkActions walks a message for action objects (under "action" or in
// "actions") and checks label and postback data lengths.
func (v *validator) checkActions(val any, path string, inFlex bool) {
	switch x := val.(type) {
	case map[string]any:
		if x["type"] == "flex" {
			inFlex = true
		}
		for _, k := range sortedKeys(x) {
			sub := x[k]
			p := child(path, k)
			switch k {
			case "action":
				v.checkAction(sub, p, inFlex)
			case "actions", "defaultAction":
				if arr, ok := sub.([]any); ok {
					for i, a := range arr {
						v.checkAction(a, index(p, i), inFlex)
					}
				} else {
					v.checkAction(sub, p, inFlex)
				}
			}
			v.checkActions(sub, p, inFlex)
		}
	case []any:
		for i, sub := range x {
			v.checkActions(sub, index(path, i), inFlex)
		}
	}
}

// checkAction checks one action object's label (postback data ≤ 300 is
// checked by the schema).
func (v *validator) checkAction(val any, path string, inFlex bool) {
	a, ok := val.(map[string]any)
	if !ok {
		return
	}
	limit := maxActionLabel
	if inFlex {
		limit = maxFlexLabel
	}
	if l, ok := a["label"].(string); ok {
		if n := graphemes(l); n > limit {
			v.add(child(path, "label"), "length must be at most %d characters (is %d)", limit, n)
		}
	}
}

// sortedKeys returns m's keys in order, for a stable error order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paitor/paitor/guidance"
)

// LINE's Flex limits the carousel respects by construction.
const (
	MaxCards       = 10 // bubbles per carousel (LINE allows 12; ten read well)
	maxAltText     = 400
	maxButtonLabel = 20
	maxCardButtons = 4
)

// Card is one item shown as a Flex bubble: a course, an opening, a festival.
type Card struct {
	Title    string   // e.g. the course title
	Subtitle string   // provider or employer
	Lines    []string // short facts: where, when, cost, what it earns
	Reason   string   // why it is shown ("ใกล้บ้าน 8 กม. · ฟรี มีเบี้ยเลี้ยง")
	Badge    string   // a small label on top ("งาน", "คอร์ส", "เรียนไปทำไป")
	Buttons  []Button
	Rating   []Button // small buttons side by side at the bottom (👍 👎)
	Image    string   // an https image shown on top (festivals)
}

// Button is a bubble's action: a postback (Data) or a link (URI).
type Button struct {
	Label   string
	Data    string // postback data
	Display string // text shown in the chat when tapped (postback)
	URI     string // opens a link instead
	Primary bool
}

// Carousel renders cards as one Flex carousel message (at most MaxCards; the
// rest are dropped, the caller offers "ดูเพิ่ม"). altText is what the chat
// list shows.
func Carousel(altText string, cards []Card, choices []guidance.Choice) (json.RawMessage, error) {
	if len(cards) == 0 {
		return nil, fmt.Errorf("render: a carousel needs at least one card")
	}
	if len(cards) > MaxCards {
		cards = cards[:MaxCards]
	}
	bubbles := make([]any, 0, len(cards))
	for _, c := range cards {
		bubbles = append(bubbles, bubble(c))
	}
	msg := map[string]any{
		"type":     "flex",
		"altText":  clip(altText, maxAltText),
		"contents": map[string]any{"type": "carousel", "contents": bubbles},
	}
	if len(choices) > 0 {
		msg["quickReply"] = quickReplies(choices)
	}
	return json.Marshal(msg)
}

func bubble(c Card) map[string]any {
	body := []any{}
	if c.Badge != "" {
		body = append(body, text(c.Badge, "xs", "#06C755", true))
	}
	body = append(body, map[string]any{"type": "text", "text": nonEmpty(c.Title), "weight": "bold", "size": "md", "wrap": true, "maxLines": 3})
	if c.Subtitle != "" {
		body = append(body, map[string]any{"type": "text", "text": c.Subtitle, "size": "xs", "color": "#888888", "wrap": true, "maxLines": 2})
	}
	if len(c.Lines) > 0 {
		lines := []any{}
		for _, l := range c.Lines {
			lines = append(lines, map[string]any{"type": "text", "text": nonEmpty(l), "size": "sm", "color": "#444444", "wrap": true})
		}
		body = append(body, map[string]any{"type": "box", "layout": "vertical", "spacing": "xs", "margin": "md", "contents": lines})
	}
	if c.Reason != "" {
		body = append(body, map[string]any{"type": "text", "text": "✨ " + c.Reason, "size": "sm", "color": "#0B7A3E", "wrap": true, "margin": "md"})
	}
	b := map[string]any{
		"type": "bubble",
		"size": "kilo",
		"body": map[string]any{"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
	}
	if strings.HasPrefix(c.Image, "https://") {
		b["size"] = "mega"
		b["hero"] = map[string]any{"type": "image", "url": c.Image, "size": "full", "aspectRatio": "20:13", "aspectMode": "cover"}
	}
	var buttons []any
	for _, bt := range c.Buttons[:min(len(c.Buttons), maxCardButtons)] {
		buttons = append(buttons, button(bt))
	}
	if len(c.Rating) > 0 {
		var row []any
		for _, bt := range c.Rating[:min(len(c.Rating), 3)] {
			row = append(row, button(bt))
		}
		buttons = append(buttons, map[string]any{"type": "box", "layout": "horizontal", "contents": row})
	}
	if len(buttons) > 0 {
		b["footer"] = map[string]any{"type": "box", "layout": "vertical", "spacing": "xs", "contents": buttons}
	}
	return b
}

func button(b Button) map[string]any {
	label := clip(b.Label, maxButtonLabel)
	var action map[string]any
	if b.URI != "" {
		action = map[string]any{"type": "uri", "label": label, "uri": b.URI}
	} else {
		action = map[string]any{"type": "postback", "label": label, "data": b.Data}
		if b.Display != "" {
			action["displayText"] = b.Display
		}
	}
	style := "link"
	if b.Primary {
		style = "primary"
	}
	out := map[string]any{"type": "button", "action": action, "style": style, "height": "sm"}
	if b.Primary {
		out["color"] = "#06C755"
	}
	return out
}

func text(s, size, color string, bold bool) map[string]any {
	t := map[string]any{"type": "text", "text": nonEmpty(s), "size": size, "color": color}
	if bold {
		t["weight"] = "bold"
	}
	return t
}

// nonEmpty keeps Flex text valid: LINE rejects empty text.
func nonEmpty(s string) string {
	if s == "" || !utf8.ValidString(s) {
		return "-"
	}
	return s
}

// Bubble renders one card as a single Flex bubble message (an announcement).
func Bubble(altText string, c Card) (json.RawMessage, error) {
	return json.Marshal(map[string]any{"type": "flex", "altText": clip(nonEmpty(altText), maxAltText), "contents": bubble(c)})
}

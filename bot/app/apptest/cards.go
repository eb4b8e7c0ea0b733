package apptest

import (
	"encoding/json"

	"github.com/paitor/paitor/bot/linefake"
)

// CardView is what a person sees on one Flex bubble: its texts in order (the
// title first after the badge) and its buttons.
type CardView struct {
	Texts   []string
	Buttons []QuickReply // label, type, postback data or uri (in Text)
}

// Cards reads the bubbles of a Flex message (a carousel or one bubble).
func Cards(d linefake.Delivery) []CardView {
	var m struct {
		Type     string          `json:"type"`
		AltText  string          `json:"altText"`
		Contents json.RawMessage `json:"contents"`
	}
	if json.Unmarshal(d.Message, &m) != nil || m.Type != "flex" {
		return nil
	}
	var c struct {
		Type     string            `json:"type"`
		Contents []json.RawMessage `json:"contents"`
	}
	_ = json.Unmarshal(m.Contents, &c)
	bubbles := c.Contents
	if c.Type == "bubble" {
		bubbles = []json.RawMessage{m.Contents}
	}
	var out []CardView
	for _, b := range bubbles {
		var v CardView
		walk(b, &v)
		out = append(out, v)
	}
	return out
}

// AltText returns a Flex message's alt text.
func AltText(d linefake.Delivery) string {
	var m struct {
		AltText string `json:"altText"`
	}
	_ = json.Unmarshal(d.Message, &m)
	return m.AltText
}

func walk(raw json.RawMessage, v *CardView) {
	var n map[string]json.RawMessage
	if json.Unmarshal(raw, &n) != nil {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			for _, x := range list {
				walk(x, v)
			}
		}
		return
	}
	var typ string
	_ = json.Unmarshal(n["type"], &typ)
	switch typ {
	case "text":
		var s string
		_ = json.Unmarshal(n["text"], &s)
		v.Texts = append(v.Texts, s)
		return
	case "button":
		var a struct {
			Type  string `json:"type"`
			Label string `json:"label"`
			Data  string `json:"data"`
			URI   string `json:"uri"`
		}
		_ = json.Unmarshal(n["action"], &a)
		v.Buttons = append(v.Buttons, QuickReply{Label: a.Label, Type: a.Type, Data: a.Data, Text: a.URI})
		return
	}
	for _, key := range []string{"header", "hero", "body", "footer", "contents"} {
		if x, ok := n[key]; ok {
			walk(x, v)
		}
	}
}

// TapButton taps a card's button (a postback) as LINE would send it.
func (c *Chat) TapButton(b QuickReply) []linefake.Delivery {
	c.h.t.Helper()
	if b.Type != "postback" {
		c.h.t.Fatalf("button %q is a %s, not a postback", b.Label, b.Type)
	}
	c.Taps++
	return c.send(c.h.Fake.Event(c.User).Postback(b.Data, nil))
}

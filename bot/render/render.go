// Package render turns the guidance engine's abstract messages into LINE
// message JSON, within LINE's limits by construction: text cut at 5,000 UTF-16
// units on natural boundaries, at most 13 quick replies, labels at most 20
// characters, postback data at most 300 bytes. The choices go on the last
// message, where LINE shows them.
package render

import (
	"encoding/json"
	"fmt"

	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/guidance"
)

const (
	maxLabelRunes   = 20
	maxPostbackData = 300
)

type textMessage struct {
	Type       string      `json:"type"`
	Text       string      `json:"text"`
	QuickReply *quickReply `json:"quickReply,omitempty"`
}

type quickReply struct {
	Items []quickReplyItem `json:"items"`
}

type quickReplyItem struct {
	Type   string `json:"type"`
	Action action `json:"action"`
}

type action struct {
	Type        string `json:"type"`
	Label       string `json:"label"`
	Data        string `json:"data,omitempty"`
	DisplayText string `json:"displayText,omitempty"`
	Text        string `json:"text,omitempty"`
}

// Messages renders a turn's messages as LINE message objects.
func Messages(msgs []guidance.Message) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for _, m := range msgs {
		parts := sender.SplitText(m.Text, sender.MaxTextUnits)
		for i, part := range parts {
			tm := textMessage{Type: "text", Text: part}
			if i == len(parts)-1 && len(m.Choices) > 0 {
				tm.QuickReply = quickReplies(m.Choices)
			}
			b, err := json.Marshal(tm)
			if err != nil {
				return nil, fmt.Errorf("render: %w", err)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

func quickReplies(choices []guidance.Choice) *quickReply {
	qr := &quickReply{}
	for _, c := range choices[:min(len(choices), sender.MaxQuickReplies)] {
		label := clip(c.Label, maxLabelRunes)
		a := action{Type: "message", Label: label, Text: c.Label}
		if c.Location {
			a = action{Type: "location", Label: label}
		} else if c.Data != "" && len(c.Data) <= maxPostbackData {
			a = action{Type: "postback", Label: label, Data: c.Data, DisplayText: c.Label}
		}
		qr.Items = append(qr.Items, quickReplyItem{Type: "action", Action: a})
	}
	return qr
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

package render_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/guidance"
)

type msg struct {
	Type       string `json:"type"`
	Text       string `json:"text"`
	QuickReply *struct {
		Items []struct {
			Action struct{ Type, Label, Data, DisplayText string }
		}
	} `json:"quickReply"`
}

func decode(t *testing.T, raw []json.RawMessage) []msg {
	out := make([]msg, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestLongThaiTextIsCutWithinLimitsAndChoicesGoLast(t *testing.T) {
	long := strings.Repeat("ไปต่อช่วยให้คุณรู้ว่าตัวเองถนัดอะไร 🌱\n", 400) // > 5,000 UTF-16 units
	var choices []guidance.Choice
	for i := range 20 {
		choices = append(choices, guidance.Choice{Label: "ตัวเลือกที่ยาวมากเกินกว่ายี่สิบตัวอักษร", Data: "g=start.menu&n=" + string(rune('a'+i))})
	}
	out, err := render.Messages([]guidance.Message{{Text: long, Choices: choices}})
	if err != nil {
		t.Fatal(err)
	}
	ms := decode(t, out)
	if len(ms) < 2 {
		t.Fatalf("%d messages, want the text cut", len(ms))
	}
	var joined strings.Builder
	for i, m := range ms {
		if n := sender.UTF16Len(m.Text); n > sender.MaxTextUnits {
			t.Fatalf("message %d is %d units", i, n)
		}
		if (m.QuickReply != nil) != (i == len(ms)-1) {
			t.Fatalf("quick replies on message %d of %d", i, len(ms))
		}
		joined.WriteString(m.Text + "\n")
	}
	if strings.Count(joined.String(), "ถนัดอะไร") != 400 {
		t.Fatal("text was lost or broken inside a word when cut")
	}
	items := ms[len(ms)-1].QuickReply.Items
	if len(items) != 13 {
		t.Fatalf("%d quick replies, LINE allows 13", len(items))
	}
	if a := items[0].Action; a.Type != "postback" || len([]rune(a.Label)) > 20 || a.DisplayText == "" {
		t.Fatalf("action = %+v", a)
	}
}

func TestSplitNeverSeparatesAThaiVowelFromItsConsonant(t *testing.T) {
	s := strings.Repeat("ที่", 3000) // consonant + two combining marks, no spaces
	for _, p := range sender.SplitText(s, 5000) {
		r := []rune(p)
		if r[0] != 'ท' {
			t.Fatalf("a piece starts with %q", r[0])
		}
	}
}

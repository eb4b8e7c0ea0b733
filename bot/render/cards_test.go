package render_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/guidance"
)

// A carousel of course cards passes the fake LINE server's validation of the
// Flex schema and limits, and shows what a person needs to decide.
func TestCourseCarouselIsValidFlex(t *testing.T) {
	fake := linefake.NewTest(t, linefake.Options{ChannelToken: "t"})
	var cards []render.Card
	for i := range 14 {
		cards = append(cards, render.Card{
			Title:    strings.Repeat("คอร์สทำขนมไทยเพื่อขายออนไลน์ ", 1+i%3),
			Subtitle: "ศูนย์ส่งเสริมการเรียนรู้อำเภอปากช่อง (ตัวอย่าง)",
			Lines:    []string{"📍 ปากช่อง นครราชสีมา", "🗓 ส. 22 ส.ค. 2569 · เสาร์-อาทิตย์", "💰 ฟรี มีเบี้ยเลี้ยง 1,800 บาท", "🎓 ได้ใบรับรอง"},
			Reason:   "ใกล้บ้าน 8 กม. · ฟรี มีเบี้ยเลี้ยง · เรียนเสาร์-อาทิตย์ · ตรงกับที่คุณชอบงานช่าง",
			Badge:    "คอร์ส",
			Buttons: []render.Button{
				{Label: "ดูรายละเอียด", Data: "act=detail&id=c:sample:c0001", Display: "ดูรายละเอียด"},
				{Label: "บันทึก", Data: "act=save&id=c:sample:c0001", Display: "บันทึก"},
				{Label: "สมัคร/ติดต่อ", URI: "https://example.org/go/abc", Primary: true},
			},
			Rating: []render.Button{
				{Label: "👍 ตรงใจ", Data: "act=up&id=c:sample:c0001"},
				{Label: "👎 ไม่ตรง", Data: "act=down&id=c:sample:c0001"},
			},
		})
	}
	msg, err := render.Carousel("คอร์สที่เหมาะกับคุณ 10 คอร์ส", cards, []guidance.Choice{{Label: "ใกล้ฉัน", Data: "g=x"}, {Label: "ดูเพิ่ม", Data: "g=y"}})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Contents struct {
			Contents []json.RawMessage `json:"contents"`
		} `json:"contents"`
	}
	json.Unmarshal(msg, &m)
	if len(m.Contents.Contents) != render.MaxCards {
		t.Fatalf("%d bubbles", len(m.Contents.Contents))
	}
	s, _ := sender.New(sender.Config{Token: "t", APIURL: fake.URL()})
	user := linefake.NewUserID()
	if err := s.Push(context.Background(), user, []json.RawMessage{msg}, "1b4e28ba-2fa1-11d2-883f-0016d3cca427"); err != nil {
		t.Fatalf("LINE refused the carousel: %v", err)
	}
	got := fake.Received(user)
	if len(got) != 1 || !strings.Contains(string(got[0].Message), "ใกล้บ้าน 8 กม.") {
		t.Fatalf("received %v", got)
	}
}

package guidance_test

import (
	"strings"
	"testing"

	"github.com/paitor/paitor/guidance"
)

func TestAFirstMessageFromSomeoneUnknownGetsTheWelcome(t *testing.T) {
	turn := respond(t, nil, guidance.Person{}, text("ok"))
	if got := turn.Messages[0].Text; !strings.Contains(got, "ยินดีต้อนรับสู่") {
		t.Fatalf("a stranger's first message got %q", got)
	}
}

func TestAForgedPostbackCannotSkipTheDeleteConfirmation(t *testing.T) {
	c := newChat(t).withFields("consent", "accepted", "age", "24")
	c.say("เมนู").postback("g=data.delete")
	if names := c.actionNames(); len(names) != 0 {
		t.Fatalf("a forged postback ran %v", names)
	}
	c.say("ลบข้อมูล").tap("ยืนยันลบข้อมูล").wantActions("delete_data")
}

func TestSayingGoodIsNotAGreetingCommand(t *testing.T) {
	c := newChat(t).withFields("consent", "accepted", "age", "24")
	c.say("เมนู").say("ดีค่ะ")
	if c.node() == "start.youth_menu" && strings.Contains(c.lastText(), "วันนี้อยากให้ไปต่อช่วย") {
		t.Fatal("ดีค่ะ was read as hello")
	}
}

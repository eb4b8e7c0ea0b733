package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paitor/paitor/bot/app/apptest"
)

// A counsellor links their own LINE account by sending Pai Tor the one-time
// code the console gave them; the code works once, and a wrong one is told so.
func TestACounsellorLinksTheirLINEAccountWithAOneTimeCode(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		c := h.NationalPool()
		code, err := h.App.Tickets.LinkCode(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		chat := h.Chat()
		chat.Follow()
		if got := apptest.Text(chat.Type("เชื่อมบัญชี " + strings.ToLower(code))); !strings.Contains(got, "เชื่อมบัญชี LINE นี้กับคอนโซลเจ้าหน้าที่แล้ว") {
			t.Fatalf("linking → %q", got)
		}
		linked, err := h.Store.Counsellor(ctx, c.ID)
		if err != nil || linked.LineUserID != chat.User {
			t.Fatalf("counsellor's LINE account %q (%v), want the one that sent the code", linked.LineUserID, err)
		}
		other := h.Chat()
		other.Follow()
		if got := apptest.Text(other.Type("เชื่อมบัญชี " + code)); !strings.Contains(got, "รหัสนี้ใช้ไม่ได้") {
			t.Fatalf("a used code → %q", got)
		}
		if again, _ := h.Store.Counsellor(ctx, c.ID); again.LineUserID != chat.User {
			t.Fatalf("a used code relinked the counsellor to %q", again.LineUserID)
		}
	})
}

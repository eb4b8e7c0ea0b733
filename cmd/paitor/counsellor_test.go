package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/paitor/paitor/content/citytoken"
)

// An operator creates an organisation and a counsellor covering a district;
// the secret printed once signs them in (its hash is what is stored); list
// shows them without the secret; disable stops them.
func TestOperatorCreatesListsAndDisablesCounsellors(t *testing.T) {
	s := cityDB(t)
	ctx := context.Background()
	out, errOut, code := paitorRun(t, "org", "create", "--name", "สำนักงานพัฒนาสังคมฯ ขอนแก่น", "--kind", "dcy")
	if code != 0 {
		t.Fatalf("org create: exit %d: %s", code, errOut)
	}
	orgID := strings.TrimSpace(out)
	out, errOut, code = paitorRun(t, "counsellor", "create", "--org", orgID, "--name", "ครูมาลัย ใจดี", "--district", "ขอนแก่น/เมืองขอนแก่น")
	if code != 0 {
		t.Fatalf("counsellor create: exit %d: %s", code, errOut)
	}
	secret := regexp.MustCompile(`pt_[A-Za-z0-9_-]{43}`).FindString(out)
	if secret == "" {
		t.Fatalf("no secret printed:\n%s", out)
	}
	c, err := s.CounsellorByTokenHash(ctx, citytoken.HashSecret(secret))
	if err != nil {
		t.Fatalf("the printed secret does not find the counsellor: %v", err)
	}
	if c.Name != "ครูมาลัย ใจดี" || len(c.Districts) != 1 || c.Districts[0] != "TH-40/เมืองขอนแก่น" || len(c.Provinces) != 1 || c.Provinces[0] != "TH-40" || len(c.Hours) == 0 {
		t.Fatalf("stored %+v", c)
	}
	out, _, code = paitorRun(t, "counsellor", "list", "--org", orgID)
	if code != 0 || !strings.Contains(out, c.ID) || !strings.Contains(out, "TH-40/เมืองขอนแก่น") || strings.Contains(out, secret) {
		t.Fatalf("list (exit %d):\n%s", code, out)
	}
	if _, errOut, code = paitorRun(t, "counsellor", "create", "--org", orgID, "--name", "x", "--district", "เมืองขอนแก่น"); code == 0 || !strings.Contains(errOut, "PROVINCE/DISTRICT") {
		t.Fatalf("a district without its province: exit %d: %s", code, errOut)
	}
	if _, errOut, code = paitorRun(t, "counsellor", "disable", c.ID); code != 0 {
		t.Fatalf("disable: exit %d: %s", code, errOut)
	}
	if got, _ := s.Counsellor(ctx, c.ID); got.Active() {
		t.Fatal("the disabled counsellor is still active")
	}
}

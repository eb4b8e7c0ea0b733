package content

import (
	"strings"
	"testing"
	"time"
)

func TestValidReplyFillsPendingForCounsellorsOnly(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m, err := ValidReply(HandoffMessage{Author: AuthorCounsellor, CounsellorID: "c", Text: "hi", At: when})
	if err != nil || m.Status != ReplyPending {
		t.Errorf("counsellor's reply: status %q, err %v; want pending", m.Status, err)
	}
	m, err = ValidReply(HandoffMessage{Author: AuthorBot, Text: "hi", At: when})
	if err != nil || m.Status != "" {
		t.Errorf("bot's message: status %q, err %v; want none", m.Status, err)
	}
}

func TestTicketErrorsNeverHoldPersonalData(t *testing.T) {
	const secret = "สมชาย 0812345678"
	for name, err := range map[string]error{
		"organisation name": ValidOrganisation(Organisation{Name: secret + strings.Repeat("x", MaxNameLen), Kind: OrgNGO}),
		"counsellor name": func() error {
			_, err := ValidCounsellor(Counsellor{Name: secret + "\x00", Role: CounsellorRole})
			return err
		}(),
		"LINE user ID": func() error {
			_, err := ValidCounsellor(Counsellor{Name: "x", Role: CounsellorRole, LineUserID: secret})
			return err
		}(),
		"reply text": func() error {
			_, err := ValidReply(HandoffMessage{Author: AuthorBot, Text: secret + strings.Repeat("x", MaxHandoffMessageLen)})
			return err
		}(),
	} {
		if ErrorCode(err) != EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		} else if strings.Contains(err.Error(), "สมชาย") || strings.Contains(err.Error(), "0812345678") {
			t.Errorf("%s: error %q holds what was typed", name, err)
		}
	}
}

func TestCheckEscalationOnlyRaises(t *testing.T) {
	open := Handoff{ID: "t", OrgID: "o", Status: "open", Escalation: EscalationArea}
	for _, tt := range []struct {
		name  string
		h     Handoff
		level int
		code  string
	}{
		{"raise to supervisors", open, EscalationSupervisor, ""},
		{"same level (another escalator won)", open, EscalationArea, ECONFLICT},
		{"lower level", Handoff{ID: "t", OrgID: "o", Status: "open", Escalation: EscalationSupervisor}, EscalationArea, ECONFLICT},
		{"answered", Handoff{ID: "t", OrgID: "o", Status: "open", FirstReplyAt: time.Unix(1, 0)}, EscalationArea, ECONFLICT},
		{"closed", Handoff{ID: "t", OrgID: "o", Status: "closed"}, EscalationArea, ECONFLICT},
		{"not routed", Handoff{ID: "t", Status: "open"}, EscalationArea, ECONFLICT},
		{"no such level", open, 3, EINVALID},
		{"back to none", open, EscalationNone, EINVALID},
	} {
		if got := ErrorCode(CheckEscalation(tt.h, tt.level)); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
	}
}

func TestCheckMarkReply(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		author   string
		change   bool
		code     string
	}{
		{ReplyPending, ReplySent, AuthorCounsellor, true, ""},
		{ReplyPending, ReplyFailed, AuthorCounsellor, true, ""},
		{ReplyFailed, ReplySent, AuthorCounsellor, true, ""}, // a retry got through
		{ReplySent, ReplySent, AuthorCounsellor, false, ""},
		{ReplySent, ReplyFailed, AuthorCounsellor, false, ECONFLICT},
		{"", ReplySent, AuthorBot, true, ""},
		{"", ReplySent, AuthorPerson, false, ENOTFOUND},
	} {
		change, err := CheckMarkReply(HandoffMessage{ID: "m", Author: tt.author, Status: tt.from}, tt.to)
		if change != tt.change || ErrorCode(err) != tt.code {
			t.Errorf("%s %q → %q: change %v, err %v; want %v, code %q", tt.author, tt.from, tt.to, change, err, tt.change, tt.code)
		}
	}
}

func TestValidRouteArea(t *testing.T) {
	for _, tt := range []struct {
		r    Route
		code string
	}{
		{Route{OrgID: "o", Level: "district", Province: "TH-40", District: "TH-40/เมืองขอนแก่น"}, ""},
		{Route{OrgID: "o", Level: "national"}, ""},
		{Route{OrgID: "o", Level: "national", Province: "TH-10"}, ""},
		{Route{OrgID: "o", Level: "national", Province: "TH-S"}, EINVALID}, // Pattaya is no province of package place
		{Route{OrgID: "o", Level: "province", Province: "TH-40", District: "TH-40/ "}, EINVALID},
	} {
		if got := ErrorCode(ValidRoute(tt.r)); got != tt.code {
			t.Errorf("ValidRoute(%+v): code %q, want %q", tt.r, got, tt.code)
		}
	}
}

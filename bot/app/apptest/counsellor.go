package apptest

import (
	"context"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/citytoken"
)

// AllWeek are office hours every day, all day: a counsellor who is always
// on duty, for tests that do not test office hours.
var AllWeek = content.OfficeHours{
	{Day: time.Sunday, From: "00:00", To: "24:00"}, {Day: time.Monday, From: "00:00", To: "24:00"},
	{Day: time.Tuesday, From: "00:00", To: "24:00"}, {Day: time.Wednesday, From: "00:00", To: "24:00"},
	{Day: time.Thursday, From: "00:00", To: "24:00"}, {Day: time.Friday, From: "00:00", To: "24:00"},
	{Day: time.Saturday, From: "00:00", To: "24:00"},
}

// Counsellor creates an organisation of kind and a counsellor in it (c's
// OrgID, TokenHash and Hours filled in when empty) and returns the
// counsellor and their sign-in secret.
func (h *Harness) Counsellor(kind string, c content.Counsellor) (content.Counsellor, string) {
	h.t.Helper()
	ctx := context.Background()
	if c.OrgID == "" {
		o, err := h.Store.CreateOrganisation(ctx, content.Organisation{Name: "องค์กรทดสอบ " + kind, Kind: kind})
		if err != nil {
			h.t.Fatal(err)
		}
		c.OrgID = o.ID
	}
	secret, err := citytoken.NewSecret()
	if err != nil {
		h.t.Fatal(err)
	}
	if c.TokenHash == "" {
		c.TokenHash = citytoken.HashSecret(secret)
	}
	if c.Hours == nil {
		c.Hours = AllWeek
	}
	if c.Role == "" {
		c.Role = content.CounsellorRole
	}
	if c.Name == "" {
		c.Name = "ครูทดสอบ ใจดี"
	}
	made, err := h.Store.CreateCounsellor(ctx, c)
	if err != nil {
		h.t.Fatal(err)
	}
	return made, secret
}

// NationalPool makes a counsellor of the national pool, always on duty.
func (h *Harness) NationalPool() content.Counsellor {
	h.t.Helper()
	c, _ := h.Counsellor(content.OrgNational, content.Counsellor{National: true})
	return c
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/content"
)

// demoCounsellor gives `make run` (the simulator on the embedded default) a
// counsellor to try the whole loop with: a national-pool organisation marked
// as a sample, a counsellor on duty all week, and a one-time link to sign in
// to the console as them, printed in the log.
func demoCounsellor(ctx context.Context, a *app.App, store content.Store, publicURL string, log *slog.Logger) error {
	org, err := store.CreateOrganisation(ctx, content.Organisation{Name: "ศูนย์ช่วยเหลือ (ตัวอย่าง)", Kind: content.OrgNational})
	if err != nil {
		return fmt.Errorf("demo counsellor: %w", err)
	}
	var allWeek content.OfficeHours
	for d := time.Sunday; d <= time.Saturday; d++ {
		allWeek = append(allWeek, content.Shift{Day: d, From: "00:00", To: "24:00"})
	}
	c, err := store.CreateCounsellor(ctx, content.Counsellor{
		OrgID: org.ID, Name: "พี่ทดลอง (ตัวอย่าง)", Role: content.SupervisorRole, National: true, Hours: allWeek,
	})
	if err != nil {
		return fmt.Errorf("demo counsellor: %w", err)
	}
	link, err := a.Console.SignInLink(ctx, c.ID, publicURL)
	if err != nil {
		return fmt.Errorf("demo counsellor: %w", err)
	}
	log.Info("counsellor console: sign in as the sample counsellor with this one-time link, then ask for a person in the chat simulator", "url", link)
	return nil
}

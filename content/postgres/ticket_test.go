package postgres_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
	"github.com/paitor/paitor/content/storetest"
)

// TestTicketsMigration checks 00007_tickets.sql on a database that already
// holds handoffs and kept messages: they read back as unrouted tickets and
// the person's messages, work as tickets, and going down keeps them (without
// the replies, which would otherwise read as the person's) while going up
// again works.
func TestTicketsMigration(t *testing.T) {
	ctx := t.Context()
	databaseURL, schema := pgtest.Schema(t)
	s, err := postgres.Open(ctx, databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.MigrateTo(ctx, 6); err != nil {
		t.Fatalf("MigrateTo(6): %v", err)
	}

	// Rows written before tickets existed.
	at := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	user, handoff, message := storetest.NewUserID(t), uuid.NewString(), uuid.NewString()
	if _, _, err := s.Follow(ctx, user, at); err != nil {
		t.Fatalf("Follow: %v", err)
	}
	exec(t, databaseURL, `INSERT INTO handoffs (id, user_id, reason, urgent, at, status) VALUES ($1, $2, 'crisis', true, $3, 'open')`, handoff, user, at)
	exec(t, databaseURL, `INSERT INTO handoff_messages (id, handoff_id, user_id, text, at) VALUES ($1, $2, $3, 'ช่วยด้วย', $4)`, message, handoff, user, at)

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	h, err := s.Handoff(ctx, handoff)
	if err != nil {
		t.Fatalf("Handoff: %v", err)
	}
	if want := (content.Handoff{ID: handoff, UserID: user, Reason: "crisis", Urgent: true, At: at, Status: "open"}); h != want {
		t.Errorf("an old handoff after the migration = %+v, want %+v", h, want)
	}
	ms, err := s.HandoffMessages(ctx, handoff)
	if err != nil {
		t.Fatalf("HandoffMessages: %v", err)
	}
	if want := []content.HandoffMessage{{ID: message, HandoffID: handoff, UserID: user, Text: "ช่วยด้วย", At: at, Author: content.AuthorPerson}}; !slices.Equal(ms, want) {
		t.Errorf("an old message after the migration = %+v, want %+v", ms, want)
	}
	if due, err := s.DueEscalations(ctx, at.Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Errorf("DueEscalations with an old handoff = %+v, %v; want none (it is not routed)", due, err)
	}

	// It works as a ticket.
	org, err := s.CreateOrganisation(ctx, content.Organisation{Name: "สพจ.", Kind: content.OrgDCY})
	if err != nil {
		t.Fatalf("CreateOrganisation: %v", err)
	}
	c, err := s.CreateCounsellor(ctx, content.Counsellor{OrgID: org.ID, Name: "พี่", Role: content.CounsellorRole, National: true})
	if err != nil {
		t.Fatalf("CreateCounsellor: %v", err)
	}
	if err := s.RouteHandoff(ctx, handoff, content.Route{OrgID: org.ID, Level: "national"}, at); err != nil {
		t.Fatalf("RouteHandoff: %v", err)
	}
	if err := s.AssignHandoff(ctx, org.ID, handoff, c.ID, at); err != nil {
		t.Fatalf("AssignHandoff: %v", err)
	}
	if _, _, err := s.AddReply(ctx, org.ID, content.HandoffMessage{ID: uuid.NewString(), HandoffID: handoff,
		Author: content.AuthorCounsellor, CounsellorID: c.ID, Text: "พี่อยู่นี่", At: at.Add(time.Minute)}); err != nil {
		t.Fatalf("AddReply: %v", err)
	}

	// Down: the person's rows stay, the replies and every ticket column go.
	if err := s.MigrateDownTo(ctx, 6); err != nil {
		t.Fatalf("MigrateDownTo(6): %v", err)
	}
	var n int
	queryRow(t, databaseURL, `SELECT count(*) FROM handoff_messages WHERE handoff_id = $1`, &n, handoff)
	if n != 1 {
		t.Errorf("messages after going down = %d, want the person's 1", n)
	}
	cols := queryRows(t, databaseURL, `
		SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = $1 AND table_name IN ('handoffs', 'handoff_messages') ORDER BY 1`, schema)
	want := []string{
		"handoff_messages.at", "handoff_messages.handoff_id", "handoff_messages.id", "handoff_messages.seq", "handoff_messages.text", "handoff_messages.user_id",
		"handoffs.at", "handoffs.id", "handoffs.reason", "handoffs.status", "handoffs.urgent", "handoffs.user_id",
	}
	if !slices.Equal(cols, want) {
		t.Errorf("columns after going down = %v,\nwant %v", cols, want)
	}
	if tables := queryRows(t, databaseURL, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = $1 AND table_name IN ('organisations', 'counsellors')`, schema); len(tables) != 0 {
		t.Errorf("tables left after going down: %v", tables)
	}

	// And up again.
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate after going down: %v", err)
	}
	if h, err := s.Handoff(ctx, handoff); err != nil || h.OrgID != "" || h.AssigneeID != "" {
		t.Errorf("the handoff after going down and up = %+v, %v; want it unrouted", h, err)
	}
}

// exec runs one statement on its own connection.
func exec(t *testing.T, databaseURL, sql string, args ...any) {
	t.Helper()
	var ignored int
	queryRow(t, databaseURL, `WITH done AS (`+sql+` RETURNING 1) SELECT count(*) FROM done`, &ignored, args...)
}

package actions

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// handoff records a request for a human counsellor (args: reason, urgent),
// with what the person typed (_text), and has the ticket service route it to
// the counsellors of the person's area; it fails when none covers them. The
// ticket service says when someone will answer (_ticket_when).
func (a *Actions) handoff(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error) {
	fields := map[string]string{"province": t.Get("province"), "district": t.Get("district"), "lang": t.Lang()}
	// Asking again while a counsellor has the request: the same ticket, and
	// the conversation goes back to the counsellor (_ticket_away ends).
	if open, err := a.cfg.Store.OpenHandoffOf(ctx, t.UserID); err == nil && open.OrgID != "" && a.cfg.Tickets != nil {
		if err := a.keep(ctx, t, a.cfg.Now()); err != nil {
			return guidance.ActionResult{}, err
		}
		when, err := a.cfg.Tickets.Again(ctx, open, fields)
		if err != nil {
			return guidance.ActionResult{}, err
		}
		return guidance.ActionResult{OK: true, Vars: map[string]string{"_text": "", "_ticket_when": when, "_ticket_away": ""}}, nil
	} else if err != nil && !content.IsNotFound(err) {
		return guidance.ActionResult{}, fmt.Errorf("actions: open ticket: %w", err)
	}
	h := content.Handoff{ID: uuid.NewString(), UserID: t.UserID, Reason: args["reason"], Urgent: args["urgent"] == "true", At: a.cfg.Now(), Status: "open"}
	if err := a.cfg.Store.RequestHandoff(ctx, h); err != nil {
		return guidance.ActionResult{}, fmt.Errorf("actions: request handoff: %w", err)
	}
	a.cfg.Log.Warn("handoff requested", "user", logs.HashID(t.UserID), "reason", h.Reason, "urgent", h.Urgent)
	// What the person typed that brought them here (a crisis message) is the
	// first thing the counsellor should read.
	if err := a.keep(ctx, t, h.At); err != nil {
		return guidance.ActionResult{}, err
	}
	routed, when := false, ""
	if a.cfg.Tickets != nil {
		var err error
		if routed, when, err = a.cfg.Tickets.Opened(ctx, h, fields); err != nil {
			return guidance.ActionResult{}, err
		}
	}
	// Not routed: no counsellor covers the person, and the flow says so.
	routedVar := ""
	if routed {
		routedVar = "1"
	}
	return guidance.ActionResult{OK: routed, Vars: map[string]string{"_text": "", "_ticket_when": when, "_ticket_away": "", "_routed": routedVar}}, nil
}

// recordHelped keeps the person's answer to "did it help?" after a ticket
// closed (args: helped).
func (a *Actions) recordHelped(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error) {
	if err := a.cfg.Store.RecordHelped(ctx, t.UserID, args["helped"]); err != nil && !content.IsNotFound(err) {
		return guidance.ActionResult{}, fmt.Errorf("actions: record helped: %w", err)
	}
	return guidance.ActionResult{OK: true}, nil
}

// linkCounsellor links the LINE account that sent a counsellor's one-time
// code (_link_code) to them; it fails for an unknown, expired or used code.
func (a *Actions) linkCounsellor(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	if a.cfg.Tickets == nil || t.Get("_link_code") == "" {
		return guidance.ActionResult{}, nil
	}
	_, err := a.cfg.Tickets.LinkLine(ctx, t.Get("_link_code"), t.UserID)
	switch content.ErrorCode(err) {
	case "":
		return guidance.ActionResult{OK: true, Vars: map[string]string{"_link_code": ""}}, nil
	case content.ENOTFOUND, content.ECONFLICT, content.EINVALID:
		return guidance.ActionResult{Vars: map[string]string{"_link_code": ""}}, nil
	}
	return guidance.ActionResult{}, fmt.Errorf("actions: link counsellor: %w", err)
}

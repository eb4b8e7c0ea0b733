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
// with what the person typed (_text), if anything.
func (a *Actions) handoff(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error) {
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
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_text": ""}}, nil
}

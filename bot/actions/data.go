package actions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/guidance"
)

// ExportTokenTTL is how long a data-export link works.
const ExportTokenTTL = 15 * time.Minute

// myData shows what is stored about the person, field by field.
func (a *Actions) myData(_ context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	lines := a.cfg.Script.DescribeData(t.Get, t.Lang())
	raw, err := render.Messages([]guidance.Message{{Text: strings.Join(lines, "\n")}})
	if err != nil {
		return guidance.ActionResult{}, err
	}
	t.Show(raw...)
	return guidance.ActionResult{OK: true}, nil
}

// exportLink makes a short-lived link to a file of everything stored about
// the person (as _link). It fails when the service has no public address.
func (a *Actions) exportLink(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	if a.cfg.PublicURL == "" {
		return guidance.ActionResult{}, nil
	}
	token, err := a.cfg.State.CreateExportToken(ctx, t.UserID, ExportTokenTTL)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	link := strings.TrimRight(a.cfg.PublicURL, "/") + "/me/export?token=" + token
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_link": link}}, nil
}

// deleteData deletes everything stored about the person, and the
// conversation with it.
func (a *Actions) deleteData(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	if err := a.cfg.Store.DeleteUser(ctx, t.UserID, a.cfg.Now()); err != nil {
		return guidance.ActionResult{}, fmt.Errorf("actions: delete user data: %w", err)
	}
	t.Person.Fields = map[string]string{}
	t.Session.Vars = nil
	t.Forget = true
	return guidance.ActionResult{OK: true}, nil
}

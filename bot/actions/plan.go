package actions

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
	"github.com/paitor/paitor/guidance"
	"github.com/paitor/paitor/guidance/match"
)

// CheckinDays are the days after a plan is saved when Pai Tor checks in (at
// thaitime.ReminderHour).
var CheckinDays = []int{3, 10}

// savePlan stores the plan of three steps (with consent; for a minor it is
// held in the conversation as _plan_held until a guardian confirms).
func (a *Actions) savePlan(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	if t.Get("consent") != "accepted" {
		return guidance.ActionResult{}, nil
	}
	steps := a.cfg.Script.PlanSteps(t.Get)
	if !persistable(t) {
		// Kept in the session only until a guardian confirms.
		return guidance.ActionResult{OK: true, Vars: map[string]string{"_plan_held": "1"}}, nil
	}
	if err := a.cfg.Store.SavePlan(ctx, toPlan(t.UserID, steps, a.cfg.Now())); err != nil {
		return guidance.ActionResult{}, fmt.Errorf("actions: save plan: %w", err)
	}
	t.Person.Fields["plan"] = "saved"
	return guidance.ActionResult{OK: true}, nil
}

func toPlan(userID string, steps []guidance.PlanStep, at time.Time) content.Plan {
	p := content.Plan{UserID: userID, SavedAt: at}
	for _, st := range steps {
		p.Steps = append(p.Steps, content.PlanStep{Kind: st.Kind, Ref: st.Ref, TitleTH: st.TH, TitleEN: st.EN})
	}
	return p
}

// scheduleCheckins (re)schedules the person's check-ins after they saved a
// plan, unless they turned pushes or check-ins off.
func (a *Actions) scheduleCheckins(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	ok := guidance.ActionResult{OK: true}
	if t.Get("pushes") == "off" || t.Get("checkins") == "off" {
		return ok, nil
	}
	if _, err := a.cfg.Store.CancelScheduled(ctx, t.UserID, "checkin", "replaced by a new plan"); err != nil {
		return guidance.ActionResult{}, fmt.Errorf("actions: cancel check-ins: %w", err)
	}
	now := a.cfg.Now()
	for _, d := range CheckinDays {
		due := thaitime.At(now.In(thaitime.Zone).AddDate(0, 0, d), thaitime.ReminderHour)
		if err := a.schedule(ctx, content.Scheduled{ID: uuid.NewString(), UserID: t.UserID, Kind: "checkin", Node: guidance.NodeCheckin, DueAt: due}); err != nil {
			return guidance.ActionResult{}, err
		}
	}
	return ok, nil
}

// recordOutcome records a check-in's answer (_outcome).
func (a *Actions) recordOutcome(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	kind := t.Get("_outcome")
	if kind == "" {
		return guidance.ActionResult{}, nil
	}
	err := a.cfg.Store.RecordOutcome(ctx, content.Outcome{UserID: t.UserID, Kind: kind, At: a.cfg.Now(), Source: "checkin"})
	if err != nil && !content.IsNotFound(err) {
		return guidance.ActionResult{}, fmt.Errorf("actions: record outcome: %w", err)
	}
	return guidance.ActionResult{OK: true}, nil
}

// planMatch picks the plan's catalog steps: the best course as step 1 and,
// for someone who needs income soon, the best opening as step 3.
func (a *Actions) planMatch(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	cat, occ, err := a.cfg.Catalog.Catalog(ctx)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	p := a.profileOf(t)
	now := a.cfg.Now()
	vars := map[string]string{}
	if t.Get("plan_1") == "" {
		if r := cat.Rank(p, match.Options{Now: now, Limit: 1, Kind: "course", Occupations: occ}); len(r.Results) > 0 {
			c := r.Results[0].Course
			vars["plan_1"], vars["plan_1_th"], vars["plan_1_en"] = "course:"+c.ID, c.TitleTH, cmp.Or(c.TitleEN, c.TitleTH)
		}
	}
	if t.Get("plan_3") == "" && t.Get("need") == "income" {
		if r := cat.Rank(p, match.Options{Now: now, Limit: 1, Kind: "opening", Occupations: occ}); len(r.Results) > 0 {
			o := r.Results[0].Opening
			vars["plan_3"], vars["plan_3_th"], vars["plan_3_en"] = "opening:"+o.ID, o.RoleTH+" — "+o.Employer, cmp.Or(o.RoleEN, o.RoleTH)+" — "+o.Employer
		}
	}
	return guidance.ActionResult{OK: true, Vars: vars}, nil
}

// schedule stores a message to push later, with its retry key recorded
// before any send (so a resend after a crash is harmless).
func (a *Actions) schedule(ctx context.Context, s content.Scheduled) error {
	s.RetryKey = uuid.NewString()
	s.Status = "pending"
	if err := a.cfg.Store.Schedule(ctx, s); err != nil {
		return fmt.Errorf("actions: schedule %s: %w", s.Kind, err)
	}
	return nil
}

// remindDayBefore schedules a reminder at thaitime.ReminderHour the day before
// start, unless that time has passed.
func (a *Actions) remindDayBefore(ctx context.Context, s content.Scheduled, start time.Time) error {
	s.DueAt = thaitime.At(start.In(thaitime.Zone).AddDate(0, 0, -1), thaitime.ReminderHour)
	if !s.DueAt.After(a.cfg.Now()) {
		return nil
	}
	return a.schedule(ctx, s)
}

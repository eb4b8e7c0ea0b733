package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paitor/paitor/bot/actions"
	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/bot/person"
	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// applyEffects stores what a turn set, each field where its store says, under
// the consent rules: personal (profile) fields are stored only when the person
// consented and is an adult or has a guardian's confirmation; until then they
// live in the session alone, which expires.
func (w *Worker) applyEffects(ctx context.Context, t *actions.Turn, turn guidance.Turn) error {
	s := w.cfg.Store
	now := w.cfg.Now()
	if turn.Session != nil {
		t.Session = turn.Session
	}
	profile := map[string]string{}
	for _, e := range turn.Effects {
		f, ok := w.cfg.Script.Fields().Lookup(e.Field)
		if !ok {
			continue // validated flows set only known fields
		}
		switch f.Store {
		case guidance.StoreUser:
			if e.Field == "role" {
				if err := s.SetRole(ctx, t.UserID, content.Role(e.Value)); err != nil {
					return fmt.Errorf("worker: set role: %w", err)
				}
				w.linkMenu(ctx, t.UserID, e.Value)
			}
		case guidance.StoreConsent:
			accepted := e.Value == "accepted"
			if err := s.RecordConsent(ctx, content.Consent{UserID: t.UserID, Version: guidance.ConsentVersion, Accepted: accepted, At: now}); err != nil {
				return fmt.Errorf("worker: record consent: %w", err)
			}
			if !accepted && t.Person.Fields["consent"] == "accepted" {
				if err := w.forgetProfile(ctx, t.UserID, now); err != nil {
					return err
				}
			}
			t.Person.Fields["consent"] = e.Value
		case guidance.StoreSetting:
			if err := s.SetSetting(ctx, t.UserID, e.Field, e.Value); err != nil {
				return fmt.Errorf("worker: set %s: %w", e.Field, err)
			}
			t.Person.Fields[e.Field] = e.Value
			if err := w.settingChanged(ctx, t.UserID, e.Field, e.Value); err != nil {
				return err
			}
		case guidance.StoreProfile:
			profile[e.Field] = e.Value
		}
	}
	if len(profile) > 0 && person.Persistable(t.Get) {
		if err := s.SaveProfile(ctx, t.UserID, profile, now); err != nil {
			return fmt.Errorf("worker: save profile: %w", err)
		}
		for k, v := range profile {
			t.Person.Fields[k] = v
		}
	}
	return nil
}

// settingChanged cancels pushes a person just turned off.
func (w *Worker) settingChanged(ctx context.Context, userID, field, value string) error {
	if value != "off" {
		return nil
	}
	kind := ""
	switch field {
	case "pushes":
	case "checkins":
		kind = "checkin"
	default:
		return nil
	}
	if _, err := w.cfg.Store.CancelScheduled(ctx, userID, kind, field+" turned off"); err != nil {
		return fmt.Errorf("worker: cancel scheduled: %w", err)
	}
	return nil
}

// forgetProfile removes a person's profile when they withdraw consent.
func (w *Worker) forgetProfile(ctx context.Context, userID string, now time.Time) error {
	p, err := w.cfg.Store.Profile(ctx, userID)
	if err != nil {
		return fmt.Errorf("worker: read profile: %w", err)
	}
	clear := map[string]string{}
	for k := range p {
		clear[k] = ""
	}
	if len(clear) == 0 {
		return nil
	}
	return w.cfg.Store.SaveProfile(ctx, userID, clear, now)
}

// linkMenu gives the person the rich menu of their role; failures are logged,
// never fatal (the bot works without rich menus).
func (w *Worker) linkMenu(ctx context.Context, userID, role string) {
	if w.cfg.Menus == nil {
		return
	}
	if err := w.cfg.Menus.Link(ctx, userID, role); err != nil && !errors.Is(err, richmenu.ErrNotInstalled) {
		w.cfg.Log.Warn("worker: cannot link rich menu", "user", logs.HashID(userID), "role", role, "err", err)
	}
}

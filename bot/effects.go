package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// applyEffects stores what a turn set, each field where its store says, under
// the consent rules: personal (profile) fields are stored only when the person
// consented and is an adult or has a guardian's confirmation; until then they
// live in the session alone, which expires.
func (b *Bot) applyEffects(ctx context.Context, x *exchange, turn guidance.Turn) error {
	s := b.cfg.Store
	now := b.cfg.Now()
	if turn.Session != nil {
		x.sess = turn.Session
	}
	profile := map[string]string{}
	for _, e := range turn.Effects {
		f, ok := b.cfg.Script.Fields().Lookup(e.Field)
		if !ok {
			continue // validated flows set only known fields
		}
		switch f.Store {
		case guidance.StoreUser:
			if e.Field == "role" {
				if err := s.SetRole(ctx, x.userID, content.Role(e.Value)); err != nil {
					return fmt.Errorf("bot: set role: %w", err)
				}
				b.linkMenu(ctx, x.userID, e.Value)
			}
		case guidance.StoreConsent:
			accepted := e.Value == "accepted"
			if err := s.RecordConsent(ctx, content.Consent{UserID: x.userID, Version: guidance.ConsentVersion, Accepted: accepted, At: now}); err != nil {
				return fmt.Errorf("bot: record consent: %w", err)
			}
			if !accepted && x.person.Fields["consent"] == "accepted" {
				if err := b.forgetProfile(ctx, x.userID, now); err != nil {
					return err
				}
			}
			x.person.Fields["consent"] = e.Value
		case guidance.StoreSetting:
			if err := s.SetSetting(ctx, x.userID, e.Field, e.Value); err != nil {
				return fmt.Errorf("bot: set %s: %w", e.Field, err)
			}
			x.person.Fields[e.Field] = e.Value
			if err := b.settingChanged(ctx, x.userID, e.Field, e.Value); err != nil {
				return err
			}
		case guidance.StoreProfile:
			profile[e.Field] = e.Value
		}
	}
	if len(profile) > 0 && persistable(x.get) {
		if err := s.SaveProfile(ctx, x.userID, profile, now); err != nil {
			return fmt.Errorf("bot: save profile: %w", err)
		}
		for k, v := range profile {
			x.person.Fields[k] = v
		}
	}
	return nil
}

// settingChanged cancels pushes a person just turned off.
func (b *Bot) settingChanged(ctx context.Context, userID, field, value string) error {
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
	if _, err := b.cfg.Store.CancelScheduled(ctx, userID, kind, field+" turned off"); err != nil {
		return fmt.Errorf("bot: cancel scheduled: %w", err)
	}
	return nil
}

// forgetProfile removes a person's profile when they withdraw consent.
func (b *Bot) forgetProfile(ctx context.Context, userID string, now time.Time) error {
	p, err := b.cfg.Store.Profile(ctx, userID)
	if err != nil {
		return fmt.Errorf("bot: read profile: %w", err)
	}
	clear := map[string]string{}
	for k := range p {
		clear[k] = ""
	}
	if len(clear) == 0 {
		return nil
	}
	return b.cfg.Store.SaveProfile(ctx, userID, clear, now)
}

// linkMenu gives the person the rich menu of their role; failures are logged,
// never fatal (the bot works without rich menus).
func (b *Bot) linkMenu(ctx context.Context, userID, role string) {
	if b.cfg.Menus == nil {
		return
	}
	if err := b.cfg.Menus.Link(ctx, userID, role); err != nil && !errors.Is(err, richmenu.ErrNotInstalled) {
		b.cfg.Log.Warn("bot: cannot link rich menu", "user", HashID(userID), "role", role, "err", err)
	}
}

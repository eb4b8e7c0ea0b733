package actions

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/person"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// GuardianCodeTTL is how long a guardian code works.
const GuardianCodeTTL = 7 * 24 * time.Hour

// codeAlphabet leaves out letters and digits people confuse (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// guardianCode gives a minor a code to send to a parent (as _code).
func (a *Actions) guardianCode(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	code, err := a.newGuardianCode(ctx, t.UserID, a.cfg.Now())
	if err != nil {
		return guidance.ActionResult{}, err
	}
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_code": code}}, nil
}

func (a *Actions) newGuardianCode(ctx context.Context, youthID string, now time.Time) (string, error) {
	for range 5 {
		var sb strings.Builder
		for range 6 {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
			if err != nil {
				return "", err
			}
			sb.WriteByte(codeAlphabet[n.Int64()])
		}
		code := sb.String()
		err := a.cfg.Store.CreateGuardianCode(ctx, youthID, code, now, now.Add(GuardianCodeTTL))
		if content.ErrorCode(err) == content.ECONFLICT {
			if g, gerr := a.cfg.Store.GuardianOf(ctx, youthID); gerr == nil && g.Confirmed() {
				return g.Code, nil // a guardian confirmed already
			}
			continue // the code is taken by someone else: draw another
		}
		if err != nil {
			return "", fmt.Errorf("actions: guardian code: %w", err)
		}
		return code, nil
	}
	return "", errors.New("actions: no free guardian code after 5 tries")
}

// guardianConfirm records a parent's confirmation of the code in _code,
// stores what the young person's conversation holds (now that it may be
// kept), and schedules the notice that tells them. It fails for an unknown,
// expired or already used code.
func (a *Actions) guardianConfirm(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	now := a.cfg.Now()
	code := strings.ToUpper(strings.Join(strings.Fields(t.Get("_code")), ""))
	g, err := a.cfg.Store.ConfirmGuardian(ctx, code, t.UserID, now)
	switch content.ErrorCode(err) {
	case "":
	case content.ENOTFOUND, content.EINVALID, content.ECONFLICT:
		return guidance.ActionResult{OK: false}, nil
	default:
		return guidance.ActionResult{}, fmt.Errorf("actions: confirm guardian: %w", err)
	}
	if err := a.flushHeld(ctx, g.YouthID, now); err != nil {
		return guidance.ActionResult{}, err
	}
	if err := a.schedule(ctx, content.Scheduled{
		ID: uuid.NewString(), UserID: g.YouthID, Kind: "notice", Node: guidance.NodeGuardianConfirmed, DueAt: now,
	}); err != nil {
		return guidance.ActionResult{}, err
	}
	return guidance.ActionResult{OK: true}, nil
}

// flushHeld stores the profile and plan a minor's conversation held while
// waiting for the guardian.
func (a *Actions) flushHeld(ctx context.Context, youthID string, now time.Time) error {
	raw, ok, err := a.cfg.State.Session(ctx, youthID)
	if err != nil || !ok {
		return err
	}
	var sess guidance.Session
	if json.Unmarshal(raw, &sess) != nil {
		return nil
	}
	stored, err := a.cfg.People.Fields(ctx, youthID)
	if err != nil {
		return err
	}
	youth := &Turn{UserID: youthID, Person: guidance.Person{Fields: stored}, Session: &sess}
	if youth.Get("consent") != "accepted" {
		return nil
	}
	profile := map[string]string{}
	for k, v := range sess.Vars {
		if f, ok := a.cfg.Script.Fields().Lookup(k); ok && f.Personal() {
			profile[k] = v
		}
	}
	if len(profile) > 0 {
		if err := a.cfg.Store.SaveProfile(ctx, youthID, profile, now); err != nil {
			return fmt.Errorf("actions: save held profile: %w", err)
		}
	}
	if sess.Vars["_plan_held"] == "1" {
		if err := a.cfg.Store.SavePlan(ctx, toPlan(youthID, a.cfg.Script.PlanSteps(youth.Get), now)); err != nil {
			return fmt.Errorf("actions: save held plan: %w", err)
		}
	}
	return nil
}

// persistable reports whether the turn's person's data may be stored now.
func persistable(t *Turn) bool { return person.Persistable(t.Get) }

package bot

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

	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// GuardianCodeTTL is how long a guardian code works.
const GuardianCodeTTL = 7 * 24 * time.Hour

// act does an action a turn asked for and returns its result for the engine
// and any messages it adds (in order, before the engine goes on).
func (b *Bot) act(ctx context.Context, x *exchange, call *guidance.ActionCall) (guidance.ActionResult, []json.RawMessage, error) {
	s := b.cfg.Store
	now := b.cfg.Now()
	ok := guidance.ActionResult{OK: true}
	switch call.Name {
	case "guardian_code":
		code, err := b.newGuardianCode(ctx, x.userID, now)
		if err != nil {
			return guidance.ActionResult{}, nil, err
		}
		return guidance.ActionResult{OK: true, Vars: map[string]string{"_code": code}}, nil, nil

	case "guardian_confirm":
		res, err := b.confirmGuardian(ctx, x, now)
		return res, nil, err

	case "save_plan":
		if x.get("consent") != "accepted" {
			return guidance.ActionResult{}, nil, nil
		}
		steps := b.cfg.Script.PlanSteps(x.get)
		if !persistable(x.get) {
			// Kept in the session only until a guardian confirms.
			return guidance.ActionResult{OK: true, Vars: map[string]string{"_plan_held": "1"}}, nil, nil
		}
		if err := s.SavePlan(ctx, toPlan(x.userID, steps, now)); err != nil {
			return guidance.ActionResult{}, nil, fmt.Errorf("bot: save plan: %w", err)
		}
		x.person.Fields["plan"] = "saved"
		return ok, nil, nil

	case "schedule_checkins":
		if x.get("pushes") == "off" || x.get("checkins") == "off" {
			return ok, nil, nil
		}
		if err := b.scheduleCheckins(ctx, x.userID, now); err != nil {
			return guidance.ActionResult{}, nil, err
		}
		return ok, nil, nil

	case "record_outcome":
		kind := x.get("_outcome")
		if kind == "" {
			return guidance.ActionResult{}, nil, nil
		}
		if err := s.RecordOutcome(ctx, content.Outcome{UserID: x.userID, Kind: kind, At: now, Source: "checkin"}); err != nil && !content.IsNotFound(err) {
			return guidance.ActionResult{}, nil, fmt.Errorf("bot: record outcome: %w", err)
		}
		return ok, nil, nil

	case "handoff":
		h := content.Handoff{ID: uuid.NewString(), UserID: x.userID, Reason: call.Args["reason"], Urgent: call.Args["urgent"] == "true", At: now, Status: "open"}
		if err := s.RequestHandoff(ctx, h); err != nil {
			return guidance.ActionResult{}, nil, fmt.Errorf("bot: request handoff: %w", err)
		}
		b.cfg.Log.Warn("handoff requested", "user", HashID(x.userID), "reason", h.Reason, "urgent", h.Urgent)
		return ok, nil, nil

	case "my_data":
		lines := b.cfg.Script.DescribeData(x.get, x.sess.Lang)
		raw, err := render.Messages([]guidance.Message{{Text: strings.Join(lines, "\n")}})
		if err != nil {
			return guidance.ActionResult{}, nil, err
		}
		return ok, raw, nil

	case "export_link":
		if b.cfg.PublicURL == "" {
			return guidance.ActionResult{}, nil, nil
		}
		token, err := b.cfg.State.CreateExportToken(ctx, x.userID, ExportTokenTTL)
		if err != nil {
			return guidance.ActionResult{}, nil, err
		}
		link := strings.TrimRight(b.cfg.PublicURL, "/") + "/me/export?token=" + token
		return guidance.ActionResult{OK: true, Vars: map[string]string{"_link": link}}, nil, nil

	case "delete_data":
		if err := s.DeleteUser(ctx, x.userID, now); err != nil {
			return guidance.ActionResult{}, nil, fmt.Errorf("bot: delete user data: %w", err)
		}
		x.person.Fields = map[string]string{}
		x.sess.Vars = nil
		x.drop = true
		return ok, nil, nil

	case "search":
		return b.search(ctx, x, call.Args)
	case "item_detail":
		return b.itemDetail(ctx, x)
	case "item_save":
		res, err := b.itemSave(ctx, x)
		return res, nil, err
	case "item_vote":
		res, err := b.itemVote(ctx, x, call.Args["vote"])
		return res, nil, err
	case "saved_items":
		return b.savedItems(ctx, x)
	case "plan_match":
		res, err := b.planMatch(ctx, x)
		return res, nil, err
	case "festivals_near":
		return b.festivalsNear(ctx, x)
	case "festival_remind":
		res, err := b.festivalRemind(ctx, x)
		return res, nil, err
	case "festival_tap":
		if _, annID, found, _ := b.festivalFromRef(ctx, x.get("_item")); found {
			b.tap(ctx, annID, x.userID, call.Args["button"])
		}
		return ok, nil, nil
	case "festival_detail":
		return b.festivalDetail(ctx, x)
	}
	return guidance.ActionResult{}, nil, fmt.Errorf("bot: unknown action %q", call.Name)
}

// ExportTokenTTL is how long a data-export link works.
const ExportTokenTTL = 15 * time.Minute

func toPlan(userID string, steps []guidance.PlanStep, at time.Time) content.Plan {
	p := content.Plan{UserID: userID, SavedAt: at}
	for _, st := range steps {
		p.Steps = append(p.Steps, content.PlanStep{Kind: st.Kind, Ref: st.Ref, TitleTH: st.TH, TitleEN: st.EN})
	}
	return p
}

// codeAlphabet leaves out letters and digits people confuse (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func (b *Bot) newGuardianCode(ctx context.Context, youthID string, now time.Time) (string, error) {
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
		err := b.cfg.Store.CreateGuardianCode(ctx, youthID, code, now, now.Add(GuardianCodeTTL))
		if content.ErrorCode(err) == content.ECONFLICT {
			if g, gerr := b.cfg.Store.GuardianOf(ctx, youthID); gerr == nil && g.Confirmed() {
				return g.Code, nil // a guardian confirmed already
			}
			continue // the code is taken by someone else: draw another
		}
		if err != nil {
			return "", fmt.Errorf("bot: guardian code: %w", err)
		}
		return code, nil
	}
	return "", errors.New("bot: no free guardian code after 5 tries")
}

// confirmGuardian records a parent's confirmation, stores what the young
// person's conversation holds (now that it may be kept), and tells them.
func (b *Bot) confirmGuardian(ctx context.Context, x *exchange, now time.Time) (guidance.ActionResult, error) {
	code := strings.ToUpper(strings.Join(strings.Fields(x.get("_code")), ""))
	g, err := b.cfg.Store.ConfirmGuardian(ctx, code, x.userID, now)
	switch content.ErrorCode(err) {
	case "":
	case content.ENOTFOUND, content.EINVALID, content.ECONFLICT:
		return guidance.ActionResult{OK: false}, nil
	default:
		return guidance.ActionResult{}, fmt.Errorf("bot: confirm guardian: %w", err)
	}
	if err := b.flushHeld(ctx, g.YouthID, now); err != nil {
		return guidance.ActionResult{}, err
	}
	if err := b.schedule(ctx, content.Scheduled{
		ID: uuid.NewString(), UserID: g.YouthID, Kind: "notice", Node: "consent.guardian_confirmed", DueAt: now,
	}); err != nil {
		return guidance.ActionResult{}, err
	}
	return guidance.ActionResult{OK: true}, nil
}

// flushHeld stores the profile and plan a minor's conversation held while
// waiting for the guardian.
func (b *Bot) flushHeld(ctx context.Context, youthID string, now time.Time) error {
	raw, ok, err := b.cfg.State.Session(ctx, youthID)
	if err != nil || !ok {
		return err
	}
	var sess guidance.Session
	if json.Unmarshal(raw, &sess) != nil {
		return nil
	}
	stored, err := b.personFields(ctx, youthID)
	if err != nil {
		return err
	}
	get := func(k string) string {
		if v, ok := sess.Vars[k]; ok {
			return v
		}
		return stored[k]
	}
	if get("consent") != "accepted" {
		return nil
	}
	profile := map[string]string{}
	for k, v := range sess.Vars {
		if f, ok := b.cfg.Script.Fields().Lookup(k); ok && f.Personal() {
			profile[k] = v
		}
	}
	if len(profile) > 0 {
		if err := b.cfg.Store.SaveProfile(ctx, youthID, profile, now); err != nil {
			return fmt.Errorf("bot: save held profile: %w", err)
		}
	}
	if sess.Vars["_plan_held"] == "1" {
		if err := b.cfg.Store.SavePlan(ctx, toPlan(youthID, b.cfg.Script.PlanSteps(get), now)); err != nil {
			return fmt.Errorf("bot: save held plan: %w", err)
		}
	}
	return nil
}

package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// bangkok is Thailand's time (UTC+7 all year: no daylight saving).
var bangkok = time.FixedZone("ICT", 7*60*60)

// Quiet hours: no pushes from 21:00 to 08:00 in Thailand.
const (
	quietFrom = 21
	quietTo   = 8
	checkinAt = 10 // check-ins go out at 10:00
)

// CheckinDays are the days after a plan is saved when Pai Tor checks in.
var CheckinDays = []int{3, 10}

// inQuietHours reports whether t falls in the quiet hours.
func inQuietHours(t time.Time) bool {
	h := t.In(bangkok).Hour()
	return h >= quietFrom || h < quietTo
}

// nextAllowed returns t, or the end of the quiet hours it falls in.
func nextAllowed(t time.Time) time.Time {
	if !inQuietHours(t) {
		return t
	}
	l := t.In(bangkok)
	day := l
	if l.Hour() >= quietFrom {
		day = l.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), quietTo, 0, 0, 0, bangkok)
}

// scheduleCheckins (re)schedules a person's check-ins after they saved a plan.
func (b *Bot) scheduleCheckins(ctx context.Context, userID string, now time.Time) error {
	if _, err := b.cfg.Store.CancelScheduled(ctx, userID, "checkin", "replaced by a new plan"); err != nil {
		return fmt.Errorf("bot: cancel check-ins: %w", err)
	}
	for _, d := range CheckinDays {
		day := now.In(bangkok).AddDate(0, 0, d)
		due := time.Date(day.Year(), day.Month(), day.Day(), checkinAt, 0, 0, 0, bangkok)
		if err := b.schedule(ctx, content.Scheduled{ID: uuid.NewString(), UserID: userID, Kind: "checkin", Node: guidance.NodeCheckin, DueAt: due}); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bot) schedule(ctx context.Context, s content.Scheduled) error {
	s.RetryKey = uuid.NewString() // recorded with the message, before any send
	s.Status = "pending"
	if err := b.cfg.Store.Schedule(ctx, s); err != nil {
		return fmt.Errorf("bot: schedule %s: %w", s.Kind, err)
	}
	return nil
}

// RunScheduler sends scheduled messages as they fall due, checking every
// interval, until ctx is cancelled. Several instances may run it: each message
// is claimed by one at a time, and its retry key makes a resend after a crash
// harmless.
func (b *Bot) RunScheduler(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := b.SendDue(ctx); err != nil && ctx.Err() == nil {
			b.cfg.Log.Warn("scheduler: round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue sends (or postpones, or skips) every scheduled message due now and
// returns how many it handled.
func (b *Bot) SendDue(ctx context.Context) (int, error) {
	now := b.cfg.Now()
	items, err := b.cfg.Store.ClaimDue(ctx, now, 100, 2*time.Minute)
	if err != nil {
		return 0, fmt.Errorf("scheduler: claim: %w", err)
	}
	for _, it := range items {
		if err := b.sendScheduled(ctx, it, now); err != nil {
			// Left claimed: the lease runs out and it is tried again.
			b.cfg.Log.Warn("scheduler: send failed; will retry", "kind", it.Kind, "user", HashID(it.UserID), "err", err)
		}
	}
	return len(items), nil
}

func (b *Bot) sendScheduled(ctx context.Context, it content.Scheduled, now time.Time) error {
	s := b.cfg.Store
	if inQuietHours(now) {
		return s.Reschedule(ctx, it.ID, nextAllowed(now))
	}
	u, err := s.User(ctx, it.UserID)
	if content.IsNotFound(err) {
		return s.FinishScheduled(ctx, it.ID, "cancelled", "user gone", now)
	}
	if err != nil {
		return err
	}
	settings, err := s.Settings(ctx, it.UserID)
	if err != nil {
		return err
	}
	switch {
	case !u.CanReceive():
		return s.FinishScheduled(ctx, it.ID, "skipped", "blocked", now)
	case settings["pushes"] == "off":
		return s.FinishScheduled(ctx, it.ID, "skipped", "opted out", now)
	case it.Kind == "checkin" && settings["checkins"] == "off":
		return s.FinishScheduled(ctx, it.ID, "skipped", "check-ins off", now)
	}
	id := "sched:" + it.ID
	o, ok, err := b.cfg.State.Outbox(ctx, id)
	if err != nil {
		return err
	}
	if ok {
		err = b.deliver(ctx, o) // a crash left it half sent: finish with the same keys
	} else {
		err = b.take(ctx, outboxSpec{id: id, to: it.UserID, at: now, retryKey: it.RetryKey, proactive: true}, false,
			func(sess *guidance.Session, p guidance.Person) guidance.Turn {
				if it.Ref != "" { // what the message is about, e.g. the course of a reminder
					if sess == nil {
						sess = &guidance.Session{}
					}
					vars := map[string]string{"_item": it.Ref}
					for k, v := range sess.Vars {
						vars[k] = v
					}
					vars["_item"] = it.Ref
					sess.Vars = vars
				}
				return b.cfg.Script.Enter(sess, p, it.Node, now)
			})
	}
	if err != nil {
		return err
	}
	return s.FinishScheduled(ctx, it.ID, "sent", "", now)
}

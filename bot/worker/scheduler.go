package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
	"github.com/paitor/paitor/guidance"
)

// RunScheduler sends scheduled messages as they fall due, checking every
// interval, until ctx is cancelled. Several instances may run it: each message
// is claimed by one at a time, and its retry key makes a resend after a crash
// harmless.
func (w *Worker) RunScheduler(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Log.Warn("scheduler: round failed", "err", err)
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
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	now := w.cfg.Now()
	items, err := w.cfg.Store.ClaimDue(ctx, now, 100, 2*time.Minute)
	if err != nil {
		return 0, fmt.Errorf("scheduler: claim: %w", err)
	}
	for _, it := range items {
		if err := w.sendScheduled(ctx, it, now); err != nil {
			// Left claimed: the lease runs out and it is tried again.
			w.cfg.Log.Warn("scheduler: send failed; will retry", "kind", it.Kind, "user", logs.HashID(it.UserID), "err", err)
		}
	}
	return len(items), nil
}

func (w *Worker) sendScheduled(ctx context.Context, it content.Scheduled, now time.Time) error {
	s := w.cfg.Store
	if thaitime.Quiet.Contains(now) {
		return s.Reschedule(ctx, it.ID, thaitime.Quiet.NextAllowed(now))
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
	o, ok, err := w.cfg.State.Outbox(ctx, id)
	if err != nil {
		return err
	}
	if ok {
		err = w.deliver(ctx, o) // a crash left it half sent: finish with the same keys
	} else {
		err = w.take(ctx, outboxSpec{id: id, to: it.UserID, at: now, retryKey: it.RetryKey, proactive: true}, false,
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
				return w.cfg.Script.Enter(sess, p, it.Node, now)
			})
	}
	if err != nil {
		return err
	}
	return s.FinishScheduled(ctx, it.ID, "sent", "", now)
}

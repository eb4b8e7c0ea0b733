package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/console"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// MaxReply is the longest reply a counsellor may send (one LINE message).
const MaxReply = 2000

// Inbox lists the tickets of the counsellor's organisation, urgent first.
func (s *Service) Inbox(ctx context.Context, c content.Counsellor, status string) ([]content.Handoff, error) {
	return s.cfg.Store.Tickets(ctx, content.TicketFilter{OrgIDs: []string{c.OrgID}, Status: status})
}

// Ticket is one ticket of the counsellor's organisation as they see it: its
// messages, and what the person agreed to share (their profile and plan,
// with consent only), their age band and whether a guardian confirmed.
// Another organisation's ticket is ENOTFOUND.
func (s *Service) Ticket(ctx context.Context, c content.Counsellor, id string) (console.TicketView, error) {
	h, err := s.cfg.Store.Ticket(ctx, c.OrgID, id)
	if err != nil {
		return console.TicketView{}, err
	}
	msgs, err := s.cfg.Store.HandoffMessages(ctx, h.ID)
	if err != nil {
		return console.TicketView{}, err
	}
	fields, err := s.cfg.People.Fields(ctx, h.UserID)
	if err != nil {
		return console.TicketView{}, err
	}
	v := console.TicketView{Ticket: h, Messages: msgs, AgeBand: ageBand(fields["age"]), Guardian: fields["guardian"]}
	get := func(k string) string { return fields[k] }
	for _, line := range s.cfg.Script.DescribeData(get, "th") {
		label, value, ok := strings.Cut(strings.TrimPrefix(line, "• "), ": ")
		if ok && value != "" {
			v.Profile = append(v.Profile, console.Field{Label: label, Value: value})
		}
	}
	for _, k := range []string{"plan_1_th", "plan_2_th", "plan_3_th"} {
		if fields[k] != "" {
			v.Plan = append(v.Plan, fields[k])
		}
	}
	return v, nil
}

// ageBand is an age as a band, so the console never shows more than it needs.
func ageBand(age string) string {
	var n int
	if _, err := fmt.Sscan(age, &n); err != nil {
		return ""
	}
	switch {
	case n < 15:
		return "ต่ำกว่า 15"
	case n < 18:
		return "15–17"
	case n < 20:
		return "18–19"
	case n <= 24:
		return "20–24"
	}
	return "25+"
}

// Reply stores a counsellor's reply (once per requestID, the form's own UUID)
// and delivers it to the person by push with the reply's retry key: pressing
// send twice, or sending again after a restart, never reaches the person
// twice (LINE answers a repeated key with 409, which counts as delivered).
func (s *Service) Reply(ctx context.Context, c content.Counsellor, ticketID, requestID, text string) (content.HandoffMessage, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return content.HandoffMessage{}, content.Errorf(content.EINVALID, "the reply is empty")
	case utf8.RuneCountInString(text) > MaxReply:
		return content.HandoffMessage{}, content.Errorf(content.EINVALID, "the reply is longer than %d characters", MaxReply)
	}
	if _, err := uuid.Parse(requestID); err != nil {
		return content.HandoffMessage{}, content.Errorf(content.EINVALID, "the form's request ID is not a UUID")
	}
	h, err := s.cfg.Store.Ticket(ctx, c.OrgID, ticketID)
	if err != nil {
		return content.HandoffMessage{}, err
	}
	now := s.cfg.Now()
	m, _, err := s.cfg.Store.AddReply(ctx, c.OrgID, content.HandoffMessage{
		ID: requestID, HandoffID: h.ID, UserID: h.UserID, Text: text, At: now,
		Author: content.AuthorCounsellor, CounsellorID: c.ID,
	})
	if err != nil {
		return content.HandoffMessage{}, err
	}
	if m.Status != content.ReplySent {
		if m.Status = s.deliver(ctx, c.Name, m); m.Status != content.ReplyPending {
			if err := s.cfg.Store.MarkReply(ctx, m.ID, m.Status, s.cfg.Now()); err != nil {
				return m, err
			}
		} // still pending: Resend tries again with the same key
	}
	s.changed(ctx, c.OrgID)
	return m, nil
}

// resendAfter is how long a reply may stay pending before Resend sends it
// again (with its own retry key, so LINE never delivers it twice).
const resendAfter = time.Minute

// Resend sends again the replies LINE has not accepted yet (a timeout, LINE
// down, a restart in the middle of a send).
func (s *Service) Resend(ctx context.Context) error {
	pending, err := s.cfg.Store.PendingReplies(ctx, s.cfg.Now().Add(-resendAfter), 50)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range pending {
		name := ""
		if c, err := s.cfg.Store.Counsellor(ctx, m.CounsellorID); err == nil {
			name = c.Name
		}
		if st := s.deliver(ctx, name, m); st != content.ReplyPending {
			if err := s.cfg.Store.MarkReply(ctx, m.ID, st, s.cfg.Now()); err != nil {
				errs = append(errs, err)
				continue
			}
			if h, err := s.cfg.Store.Handoff(ctx, m.HandoffID); err == nil {
				s.changed(ctx, h.OrgID)
			}
		}
	}
	return errors.Join(errs...)
}

// deliver pushes a reply to the person and says how it went.
func (s *Service) deliver(ctx context.Context, counsellor string, m content.HandoffMessage) string {
	name := ""
	if first := strings.Fields(counsellor); len(first) > 0 {
		name = " " + first[0]
	}
	raw, err := render.Messages([]guidance.Message{{Text: s.say(s.words.Reply, "th", "name", name, "text", m.Text)}})
	if err != nil {
		return content.ReplyFailed
	}
	o := sender.NewOutboxWithKey("reply:"+m.ID, m.UserID, "", s.cfg.Now(), raw, m.RetryKey)
	canPush := func(ctx context.Context) (bool, error) {
		u, err := s.cfg.Store.User(ctx, m.UserID)
		if content.IsNotFound(err) {
			return false, nil
		}
		return err == nil && u.CanReceive(), err
	}
	noSave := func(context.Context, *sender.Outbox) error { return nil } // the retry key is kept with the reply
	if err := s.cfg.Sender.Deliver(ctx, o, noSave, canPush); err != nil {
		s.cfg.Log.Warn("tickets: reply not delivered", "ticket", m.HandoffID, "err", err)
		if st := sender.StatusOf(err); st != 0 && st < 500 && st != 429 {
			return content.ReplyFailed // LINE refused it: sending again cannot help
		}
		return content.ReplyPending // try again (same key) on the next send
	}
	if ok, _ := canPush(ctx); !ok {
		return content.ReplyFailed // the person blocked Pai Tor: nothing was sent
	}
	return content.ReplySent
}

// Assign gives a ticket of the counsellor's organisation to them.
func (s *Service) Assign(ctx context.Context, c content.Counsellor, ticketID string) error {
	if err := s.cfg.Store.AssignHandoff(ctx, c.OrgID, ticketID, c.ID, s.cfg.Now()); err != nil {
		return err
	}
	s.changed(ctx, c.OrgID)
	return nil
}

// Close closes a ticket and hands the person back to the bot: a short note
// that asks once whether it helped (ticket.closed), sent outside the quiet
// hours like every push.
func (s *Service) Close(ctx context.Context, c content.Counsellor, ticketID string) error {
	h, err := s.cfg.Store.Ticket(ctx, c.OrgID, ticketID)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	if err := s.cfg.Store.CloseHandoff(ctx, c.OrgID, ticketID, c.ID, now); err != nil {
		return err
	}
	err = s.cfg.Store.Schedule(ctx, content.Scheduled{
		UserID: h.UserID, Kind: "notice", Node: guidance.NodeTicketClosed, Ref: h.ID,
		DueAt: now, RetryKey: uuid.NewSHA1(notifyNS, []byte("closed/"+h.ID)).String(), Status: "pending",
	})
	if err != nil && !content.IsNotFound(err) {
		return fmt.Errorf("tickets: schedule the note: %w", err)
	}
	s.changed(ctx, c.OrgID)
	return nil
}

// SetHours keeps a counsellor's office hours.
func (s *Service) SetHours(ctx context.Context, c content.Counsellor, h content.OfficeHours) error {
	if err := h.Validate(); err != nil {
		return content.Errorf(content.EINVALID, "%v", err)
	}
	fresh, err := s.cfg.Store.Counsellor(ctx, c.ID)
	if err != nil {
		return err
	}
	fresh.Hours = h
	return s.cfg.Store.UpdateCounsellor(ctx, fresh)
}

// Escalate widens what nobody answered in time, in office hours: to every
// counsellor of the organisation, then to its supervisors; each step is
// shown in the inbox and told to those who linked LINE.
func (s *Service) Escalate(ctx context.Context) error {
	now := s.cfg.Now()
	due, err := s.cfg.Store.DueEscalations(ctx, now.Add(-s.cfg.EscalateAfter), 50)
	if err != nil {
		return err
	}
	var errs []error
	for _, h := range due {
		cs, err := s.cfg.Store.Counsellors(ctx, h.OrgID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// The waiting counts in office hours only: from when the ticket was
		// routed (or last escalated), or from when today's office opened
		// if that was later (a ticket from the night waits the set time
		// after the office opens).
		var opened time.Time
		for _, c := range cs {
			if start, ok := c.Hours.ShiftStart(now); ok && c.Active() && (opened.IsZero() || start.Before(opened)) {
				opened = start
			}
		}
		since := h.EscalatedAt
		if since.IsZero() {
			since = h.At
		}
		if opened.IsZero() || now.Sub(later(since, opened)) < s.cfg.EscalateAfter {
			continue
		}
		level := h.Escalation + 1
		if err := s.cfg.Store.EscalateHandoff(ctx, h.ID, level, now); err != nil {
			if content.ErrorCode(err) != content.ECONFLICT { // another instance was first: its round tells everyone
				errs = append(errs, err)
			}
			continue
		}
		h.Escalation = level
		var group []content.Counsellor
		for _, c := range cs {
			if level == content.EscalationArea || c.Role == content.SupervisorRole {
				group = append(group, c)
			}
		}
		s.notify(ctx, h, group, s.words.NotifyEscalated)
		s.changed(ctx, h.OrgID)
	}
	return errors.Join(errs...)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

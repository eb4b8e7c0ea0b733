package tickets

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// notifyNS makes a notification's retry key from the ticket, the level and
// the counsellor, so a retried round never tells anyone twice.
var notifyNS = uuid.MustParse("b6a1f0d2-8c1e-4c55-9d0b-6a3e2f1c7d40")

// notify tells the counsellors of group who linked LINE about a ticket.
// Failures are logged: the console shows the ticket either way.
func (s *Service) notify(ctx context.Context, h content.Handoff, group []content.Counsellor, what text) {
	urgent := ""
	if h.Urgent {
		urgent = s.say(s.words.Urgent, "th")
	}
	link := strings.TrimRight(s.cfg.PublicURL, "/") + "/console/tickets/" + h.ID
	msg := s.say(what, "th", "urgent", urgent, "area", s.area(h, "th"), "link", link)
	raw, err := render.Messages([]guidance.Message{{Text: msg}})
	if err != nil {
		s.cfg.Log.Warn("tickets: cannot render a notification", "err", err)
		return
	}
	for _, c := range group {
		if c.LineUserID == "" || !c.Active() {
			continue
		}
		key := uuid.NewSHA1(notifyNS, []byte(h.ID+"/"+strconv.Itoa(h.Escalation)+"/"+c.ID)).String()
		if err := s.cfg.Sender.Push(ctx, c.LineUserID, raw, key); err != nil {
			s.cfg.Log.Warn("tickets: cannot tell a counsellor in LINE", "counsellor", c.ID, "user", logs.HashID(c.LineUserID), "err", err)
		}
	}
}

// channel is the Redis pub/sub channel of an organisation's inboxes.
func (s *Service) channel(orgID string) string { return s.cfg.Prefix + "tickets:" + orgID }

// changed tells every instance's open inboxes of an organisation that its
// tickets changed.
func (s *Service) changed(ctx context.Context, orgID string) {
	if orgID == "" {
		return
	}
	if err := s.cfg.Redis.Publish(ctx, s.channel(orgID), "1").Err(); err != nil {
		s.cfg.Log.Warn("tickets: cannot tell inboxes", "err", err)
	}
}

// Kept tells the inboxes that a person added a message to their ticket.
func (s *Service) Kept(ctx context.Context, handoffID string) {
	if h, err := s.cfg.Store.Handoff(ctx, handoffID); err == nil {
		s.changed(ctx, h.OrgID)
	}
}

// Subscribe ticks whenever the counsellor's organisation's tickets may have
// changed (on any instance) until cancel is called or ctx ends.
func (s *Service) Subscribe(ctx context.Context, c content.Counsellor) (<-chan struct{}, func()) {
	ctx, cancel := context.WithCancel(ctx)
	sub := s.cfg.Redis.Subscribe(ctx, s.channel(c.OrgID))
	ticks := make(chan struct{}, 1)
	go func() {
		defer sub.Close()
		in := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-in:
				if !ok {
					return
				}
				select {
				case ticks <- struct{}{}:
				default: // one tick pending is enough
				}
			}
		}
	}()
	return ticks, cancel
}

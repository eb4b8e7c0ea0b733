package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/thaitime"
)

// Views turn tickets into what the templates show, in one language. They
// carry no user ID of any kind: a ticket is its short ID, its reason, its
// area and the person's age band.

// ticketRow is one ticket in the inbox (and the heading of a ticket page).
type ticketRow struct {
	ID         string // the ticket's UUID, for its link
	Short      string // what people call it: "#3f2a9c1d"
	Urgent     bool
	Reason     string
	Age        string // how long ago it was opened
	Opened     string // when, in full
	Area       string
	Escalation int
	EscLabel   string
	Assignee   string
	Assigned   bool
	Answered   bool
	Closed     bool
}

// viewer builds views for one request: its language, its counsellor and a
// cache of counsellors' names.
type viewer struct {
	c     *Console
	ctx   context.Context
	lang  string
	me    content.Counsellor
	now   time.Time
	names map[string]string
}

func (c *Console) viewer(ctx context.Context, lang string, me content.Counsellor) *viewer {
	return &viewer{c: c, ctx: ctx, lang: lang, me: me, now: c.now(), names: map[string]string{}}
}

func (v *viewer) say(key string, args ...any) string { return v.c.words.say(v.lang, key, args...) }

// shortID is the first eight characters of a ticket's UUID.
func shortID(id string) string {
	id = strings.ReplaceAll(id, "-", "")
	if len(id) > 8 {
		id = id[:8]
	}
	return "#" + id
}

func (v *viewer) row(h content.Handoff) ticketRow {
	r := ticketRow{
		ID: h.ID, Short: shortID(h.ID), Urgent: h.Urgent, Reason: v.reason(h.Reason),
		Age: v.age(h.At), Opened: v.when(h.At), Area: v.area(h.Province, h.District),
		Escalation: h.Escalation, EscLabel: v.escalation(h.Escalation),
		Assigned: h.AssigneeID != "", Answered: !h.FirstReplyAt.IsZero(), Closed: h.Status == "closed",
	}
	r.Assignee = v.counsellorName(h.AssigneeID)
	return r
}

func (v *viewer) reason(r string) string {
	switch r {
	case "asked", "crisis", "model", "checkin", "message":
		return v.say("reason." + r)
	}
	return v.say("reason.other")
}

func (v *viewer) escalation(level int) string {
	switch {
	case level >= content.EscalationSupervisor:
		return v.say("escalation.2")
	case level == content.EscalationArea:
		return v.say("escalation.1")
	}
	return v.say("escalation.0")
}

// counsellorName is who a counsellor is to the viewer: "me", their name, or
// "nobody" for "".
func (v *viewer) counsellorName(id string) string {
	switch id {
	case "":
		return v.say("assignee.none")
	case v.me.ID:
		return v.say("assignee.me")
	}
	if n, ok := v.names[id]; ok {
		return n
	}
	name := v.say("assignee.other")
	if who, err := v.c.cfg.Counsellors.Counsellor(v.ctx, id); err == nil && who.Name != "" {
		name = who.Name
	}
	v.names[id] = name
	return name
}

// age says how long ago t was: "12 นาที", "3 ชม.", "2 วัน".
func (v *viewer) age(t time.Time) string {
	d := v.now.Sub(t)
	switch {
	case d < time.Minute:
		return v.say("age.now")
	case d < time.Hour:
		return v.say("age.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return v.say("age.hours", int(d/time.Hour))
	}
	return v.say("age.days", int(d/(24*time.Hour)))
}

// when writes a time in Thailand: "14:05" today, else "2 ม.ค. 14:05".
func (v *viewer) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	l := t.In(thaitime.Zone)
	if thaitime.Midnight(l).Equal(thaitime.Midnight(v.now)) {
		return l.Format("15:04")
	}
	return fmt.Sprintf("%d %s %s", l.Day(), v.say(fmt.Sprintf("month.%d", int(l.Month()))), l.Format("15:04"))
}

// area names a district and province: "เมืองขอนแก่น, ขอนแก่น".
func (v *viewer) area(province, district string) string {
	p, ok := place.ByCode(province)
	if !ok {
		return v.say("area.unknown")
	}
	name := p.TH
	if v.lang == langEN && p.EN != "" {
		name = p.EN
	}
	if _, d, ok := strings.Cut(district, "/"); ok && d != "" {
		return d + ", " + name
	}
	return name
}

// messageView is one message of a conversation.
type messageView struct {
	Side   string // "person" (left), "counsellor" (right) or "bot" (a note)
	Text   string
	When   string
	Who    string // the counsellor who replied
	Status string // for a reply: "pending", "sent" or "failed"
	Label  string // the status in words
}

func (v *viewer) messages(ms []content.HandoffMessage) []messageView {
	out := make([]messageView, 0, len(ms))
	for _, m := range ms {
		mv := messageView{Side: "person", Text: m.Text, When: v.when(m.At)}
		switch m.Author {
		case content.AuthorCounsellor:
			mv.Side, mv.Who = "counsellor", v.counsellorName(m.CounsellorID)
			mv.Status = m.Status
			switch m.Status {
			case content.ReplySent, content.ReplyFailed:
			default:
				mv.Status = content.ReplyPending
			}
			mv.Label = v.say("reply." + mv.Status)
		case content.AuthorBot:
			mv.Side = "bot"
		}
		out = append(out, mv)
	}
	return out
}

// ticketPage is what the ticket page shows.
type ticketPage struct {
	Row      ticketRow
	Open     bool
	Mine     bool // assigned to the viewer
	Messages []messageView
	Profile  []Field
	AgeBand  string
	Guardian string
	Plan     []string
	Reply    replyForm
	Canned   []cannedView
}

// replyForm is the reply box: its text and request ID are kept when a
// submission is refused, so sending again is still one reply.
type replyForm struct {
	Text      string
	RequestID string
	Error     string
	Max       int
}

func (v *viewer) ticketPage(tv TicketView) ticketPage {
	p := ticketPage{
		Row: v.row(tv.Ticket), Open: tv.Ticket.Status != "closed", Mine: tv.Ticket.AssigneeID == v.me.ID,
		Messages: v.messages(tv.Messages), Profile: tv.Profile, AgeBand: tv.AgeBand, Plan: tv.Plan,
		Reply: replyForm{Max: MaxReplyLen}, Canned: v.canned(),
	}
	switch tv.Guardian {
	case "confirmed", "pending":
		p.Guardian = v.say("guardian." + tv.Guardian)
	}
	return p
}

// cannedView is a canned reply as its button shows it.
type cannedView struct {
	Label   string
	Text    string // what it fills in (Thai)
	Meaning string // its English, when the console is in English
}

func (v *viewer) canned() []cannedView {
	out := make([]cannedView, 0, len(v.c.canned))
	for _, r := range v.c.canned {
		cv := cannedView{Label: r.LabelTH, Text: r.TextTH}
		if v.lang == langEN {
			cv.Label, cv.Meaning = r.LabelEN, r.TextEN
		}
		out = append(out, cv)
	}
	return out
}

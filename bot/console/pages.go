package console

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
)

// notices are the one-line messages an action's redirect may ask for
// (?done=...), each a word "done.<name>".
var notices = []string{"assigned", "closed", "replied", "saved"}

func (c *Console) notice(r *http.Request, p *page) {
	if d := r.URL.Query().Get("done"); slices.Contains(notices, d) {
		p.Notice = c.words.say(p.Lang, "done."+d)
	}
}

// inboxView is the inbox list.
type inboxView struct {
	Status string // "open" or "closed"
	Rows   []ticketRow
	Urgent int // how many urgent ones are listed
}

func statusParam(r *http.Request) string {
	if r.URL.Query().Get("status") == "closed" {
		return "closed"
	}
	return "open"
}

func (c *Console) inboxView(r *http.Request, lang, status string) (inboxView, error) {
	a, _ := authOf(r.Context())
	hs, err := c.cfg.Tickets.Inbox(r.Context(), a.who, status)
	if err != nil {
		return inboxView{}, err
	}
	// Urgent first, whatever order the service gave otherwise.
	slices.SortStableFunc(hs, func(x, y content.Handoff) int {
		if x.Urgent == y.Urgent {
			return 0
		}
		if x.Urgent {
			return -1
		}
		return 1
	})
	v := c.viewer(r.Context(), lang, a.who)
	iv := inboxView{Status: status, Rows: make([]ticketRow, 0, len(hs))}
	for _, h := range hs {
		iv.Rows = append(iv.Rows, v.row(h))
		if h.Urgent {
			iv.Urgent++
		}
	}
	return iv, nil
}

// inbox shows the tickets by state, kept current by the page's script.
func (c *Console) inbox(w http.ResponseWriter, r *http.Request) {
	p := c.newPage(r, "inbox.title", "inbox")
	c.notice(r, p)
	iv, err := c.inboxView(r, p.Lang, statusParam(r))
	if err != nil {
		c.errorPage(w, r, err)
		return
	}
	p.Data = iv
	c.render(w, r, http.StatusOK, "inbox", "layout", p)
}

// inboxFragment is the inbox list alone, for the page's script.
func (c *Console) inboxFragment(w http.ResponseWriter, r *http.Request) {
	p := c.newPage(r, "inbox.title", "inbox")
	iv, err := c.inboxView(r, p.Lang, statusParam(r))
	if err != nil {
		c.errorPage(w, r, err)
		return
	}
	p.Data = iv
	c.render(w, r, http.StatusOK, "inbox", "inbox_list", p)
}

// events streams "inbox" events whenever Tickets.Subscribe ticks, with a
// comment every heartbeat to keep proxies from closing the stream. It ends
// when the client goes, the session ends or expires, or Close is called.
func (c *Console) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := authOf(ctx)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a server WriteTimeout must not cut the stream
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	ticks, cancel := c.cfg.Tickets.Subscribe(ctx, a.who)
	defer cancel()
	w.WriteHeader(http.StatusOK)
	send := func(s string) bool {
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 5000\n: connected\n\n") {
		return
	}
	beat := time.NewTicker(c.heartbeat)
	defer beat.Stop()
	expiry := time.NewTimer(max(time.Second, a.sess.Expires.Sub(c.now())))
	defer expiry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.closing:
			return
		case <-expiry.C:
			send("event: signout\ndata: expired\n\n")
			return
		case _, ok := <-ticks:
			if !ok || !send("event: inbox\ndata: changed\n\n") {
				return
			}
		case <-beat.C:
			if _, err := c.sessions.get(ctx, a.sess.ID); err != nil {
				send("event: signout\ndata: ended\n\n")
				return
			}
			if !send(": heartbeat\n\n") {
				return
			}
		}
	}
}

// loadTicket fetches the ticket of the URL for the signed-in counsellor.
func (c *Console) loadTicket(r *http.Request) (TicketView, error) {
	a, _ := authOf(r.Context())
	id := chi.URLParam(r, "id")
	if _, err := uuid.Parse(id); err != nil {
		return TicketView{}, content.Errorf(content.ENOTFOUND, "no such ticket")
	}
	return c.cfg.Tickets.Ticket(r.Context(), a.who, id)
}

// showTicket renders a ticket with its reply form (a fresh request ID unless
// the form is shown again after a refusal).
func (c *Console) showTicket(w http.ResponseWriter, r *http.Request, status int, form *replyForm) {
	p := c.newPage(r, "ticket.title", "inbox")
	c.notice(r, p)
	tv, err := c.loadTicket(r)
	if err != nil {
		c.errorPage(w, r, err)
		return
	}
	a, _ := authOf(r.Context())
	tp := c.viewer(r.Context(), p.Lang, a.who).ticketPage(tv)
	if form != nil {
		tp.Reply = *form
	} else {
		tp.Reply.RequestID = uuid.NewString()
	}
	tp.Reply.Max = MaxReplyLen
	p.Title = c.words.say(p.Lang, "ticket.title") + " " + tp.Row.Short
	p.Data = tp
	c.render(w, r, status, "ticket", "layout", p)
}

func (c *Console) ticket(w http.ResponseWriter, r *http.Request) {
	c.showTicket(w, r, http.StatusOK, nil)
}

// conversationFragment is a ticket's conversation alone, for the page's script.
func (c *Console) conversationFragment(w http.ResponseWriter, r *http.Request) {
	p := c.newPage(r, "ticket.title", "inbox")
	tv, err := c.loadTicket(r)
	if err != nil {
		c.errorPage(w, r, err)
		return
	}
	a, _ := authOf(r.Context())
	p.Data = c.viewer(r.Context(), p.Lang, a.who).ticketPage(tv)
	c.render(w, r, http.StatusOK, "ticket", "conversation", p)
}

// checkReply returns the words key of what is wrong with a reply's text, or "".
func checkReply(text string) string {
	switch {
	case strings.TrimSpace(text) == "":
		return "reply.required"
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return "reply.invalid"
	case utf8.RuneCountInString(text) > MaxReplyLen:
		return "reply.too_long"
	}
	return ""
}

// reply sends a reply. The form's request_id makes a double submit one
// reply: both reach Tickets.Reply with it, and the service keeps one.
func (c *Console) reply(w http.ResponseWriter, r *http.Request) {
	a, _ := authOf(r.Context())
	lang := langFrom(r)
	id := chi.URLParam(r, "id")
	if _, err := uuid.Parse(id); err != nil {
		c.showError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	// Browsers send CRLF line breaks; people count them as one character.
	text := strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")
	form := replyForm{Text: text, RequestID: r.PostFormValue("request_id")}
	if _, err := uuid.Parse(form.RequestID); err != nil {
		form.RequestID = uuid.NewString()
		form.Error = c.words.say(lang, "reply.stale")
		c.showTicket(w, r, http.StatusUnprocessableEntity, &form)
		return
	}
	if key := checkReply(text); key != "" {
		form.Error = c.words.say(lang, key)
		if key == "reply.too_long" {
			form.Error = c.words.say(lang, key, MaxReplyLen)
		}
		c.showTicket(w, r, http.StatusUnprocessableEntity, &form)
		return
	}
	_, err := c.cfg.Tickets.Reply(r.Context(), a.who, id, form.RequestID, strings.TrimSpace(text))
	switch content.ErrorCode(err) {
	case "":
		http.Redirect(w, r, c.ticketURL(id, "replied"), http.StatusSeeOther)
	case content.ECONFLICT:
		form.Error = c.words.say(lang, "reply.closed")
		c.showTicket(w, r, http.StatusConflict, &form)
	case content.EINVALID:
		form.Error = c.words.say(lang, "reply.refused")
		c.showTicket(w, r, http.StatusUnprocessableEntity, &form)
	default:
		c.errorPage(w, r, err)
	}
}

func (c *Console) ticketURL(id, done string) string {
	u := c.base + "/tickets/" + url.PathEscape(id)
	if done != "" {
		u += "?done=" + done
	}
	return u
}

// assign gives the ticket to the signed-in counsellor.
func (c *Console) assign(w http.ResponseWriter, r *http.Request) {
	c.act(w, r, "assigned", func(a auth, id string) error {
		return c.cfg.Tickets.Assign(r.Context(), a.who, id)
	})
}

// closeTicket closes the ticket (the page asked for a confirmation first).
func (c *Console) closeTicket(w http.ResponseWriter, r *http.Request) {
	c.act(w, r, "closed", func(a auth, id string) error {
		return c.cfg.Tickets.Close(r.Context(), a.who, id)
	})
}

// act runs a ticket action and goes back to the ticket; a conflict (closed
// already) just shows the ticket as it is now.
func (c *Console) act(w http.ResponseWriter, r *http.Request, done string, f func(a auth, id string) error) {
	a, _ := authOf(r.Context())
	id := chi.URLParam(r, "id")
	if _, err := uuid.Parse(id); err != nil {
		c.showError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	err := f(a, id)
	switch content.ErrorCode(err) {
	case "":
		http.Redirect(w, r, c.ticketURL(id, done), http.StatusSeeOther)
	case content.ECONFLICT:
		http.Redirect(w, r, c.ticketURL(id, ""), http.StatusSeeOther)
	default:
		c.errorPage(w, r, err)
	}
}

// hoursRow is one shift of the office-hours form.
type hoursRow struct {
	Index int
	Day   int // time.Weekday
	Name  string
	On    bool
	From  string
	To    string
	Error string
}

// hoursView is the office-hours form.
type hoursView struct {
	Rows     []hoursRow
	Error    string
	Linked   bool   // the counsellor's LINE account is linked
	LineCode string // a one-time code just made, to send to Pai Tor in LINE
}

// weekOrder is Monday first: the working week, then the weekend.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// hoursRows lays out office hours as the form shows them: a row per
// weekday, and one more for each further shift of a day.
func (c *Console) hoursRows(lang string, h content.OfficeHours) []hoursRow {
	var rows []hoursRow
	for _, d := range weekOrder {
		var shifts []content.Shift
		for _, s := range h {
			if s.Day == d {
				shifts = append(shifts, s)
			}
		}
		slices.SortFunc(shifts, func(a, b content.Shift) int { return cmp.Compare(a.From, b.From) })
		if len(shifts) == 0 {
			rows = append(rows, hoursRow{Day: int(d), From: "08:30", To: "16:30"})
		}
		for _, s := range shifts {
			rows = append(rows, hoursRow{Day: int(d), On: true, From: s.From, To: s.To})
		}
	}
	for i := range rows {
		rows[i].Index = i
		rows[i].Name = c.words.say(lang, "day."+strconv.Itoa(rows[i].Day))
	}
	return rows
}

func (c *Console) hours(w http.ResponseWriter, r *http.Request) {
	a, _ := authOf(r.Context())
	p := c.newPage(r, "hours.title", "hours")
	c.notice(r, p)
	p.Data = hoursView{Rows: c.hoursRows(p.Lang, a.who.Hours), Linked: a.who.LineUserID != ""}
	c.render(w, r, http.StatusOK, "hours", "layout", p)
}

// lineCode makes a one-time code to link the counsellor's LINE account and
// shows it on the hours page.
func (c *Console) lineCode(w http.ResponseWriter, r *http.Request) {
	a, _ := authOf(r.Context())
	code, err := c.cfg.Tickets.LinkCode(r.Context(), a.who)
	if err != nil {
		c.log.Warn("console: no link code", "err", err)
		c.showError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	p := c.newPage(r, "hours.title", "hours")
	p.Data = hoursView{Rows: c.hoursRows(p.Lang, a.who.Hours), Linked: a.who.LineUserID != "", LineCode: code}
	c.render(w, r, http.StatusOK, "hours", "layout", p)
}

// hhmm is a time as a time input or a person writes it.
var hhmm = regexp.MustCompile(`^([01]?[0-9]|2[0-4]):([0-5][0-9])$`)

// normTime writes "8:30" as "08:30"; ok is false for what is not a time of day.
func normTime(s string) (string, int, bool) {
	m := hhmm.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if h*60+mm > 24*60 {
		return "", 0, false
	}
	return fmt.Sprintf("%02d:%s", h, m[2]), h*60 + mm, true
}

// maxShifts bounds the rows read from the form.
const maxShifts = 21

// saveHours reads the form: rows of day_i, on_i, from_i, to_i.
func (c *Console) saveHours(w http.ResponseWriter, r *http.Request) {
	a, _ := authOf(r.Context())
	p := c.newPage(r, "hours.title", "hours")
	if err := r.ParseForm(); err != nil {
		c.showError(w, r, http.StatusBadRequest, "error.bad_form")
		return
	}
	var rows []hoursRow
	var hours content.OfficeHours
	bad := false
	for i := 0; i < maxShifts; i++ {
		k := strconv.Itoa(i)
		dayStr, present := r.PostForm["day_"+k]
		if !present {
			break
		}
		day, err := strconv.Atoi(dayStr[0])
		if err != nil || day < 0 || day > 6 {
			c.showError(w, r, http.StatusBadRequest, "error.bad_form")
			return
		}
		row := hoursRow{Index: i, Day: day, Name: c.words.say(p.Lang, "day."+strconv.Itoa(day)),
			On: r.PostFormValue("on_"+k) != "", From: r.PostFormValue("from_" + k), To: r.PostFormValue("to_" + k)}
		if row.On {
			from, fm, ok1 := normTime(row.From)
			to, tm, ok2 := normTime(row.To)
			switch {
			case !ok1 || !ok2:
				row.Error = c.words.say(p.Lang, "hours.bad_time")
			case fm >= tm:
				row.Error = c.words.say(p.Lang, "hours.order")
			default:
				row.From, row.To = from, to
				hours = append(hours, content.Shift{Day: time.Weekday(day), From: from, To: to})
			}
			bad = bad || row.Error != ""
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		c.showError(w, r, http.StatusBadRequest, "error.bad_form")
		return
	}
	v := hoursView{Rows: rows}
	switch {
	case bad:
		v.Error = c.words.say(p.Lang, "hours.fix")
	case len(hours) == 0:
		v.Error = c.words.say(p.Lang, "hours.none")
	case hours.Validate() != nil:
		v.Error = c.words.say(p.Lang, "hours.fix")
	}
	if v.Error == "" {
		err := c.cfg.Tickets.SetHours(r.Context(), a.who, hours)
		switch content.ErrorCode(err) {
		case "":
			http.Redirect(w, r, c.base+"/hours?done=saved", http.StatusSeeOther)
			return
		case content.EINVALID:
			v.Error = c.words.say(p.Lang, "hours.refused")
		default:
			c.errorPage(w, r, err)
			return
		}
	}
	p.Data = v
	c.render(w, r, http.StatusUnprocessableEntity, "hours", "layout", p)
}

package console

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/citytoken"
)

// The tickets API: the console's operations as JSON, for counsellors'
// tools, under /api/v1/tickets. A counsellor authenticates with their
// sign-in secret (Authorization: Bearer pt_...), and sees only their
// organisation's tickets: another organisation's answers 404, as in the
// pages. Status codes follow the cities' API: 400 invalid (field named), 401
// no or bad secret, 404 not found, 409 conflict (a closed ticket).

// maxAPIBody bounds a request body (a reply is at most a few kilobytes).
const maxAPIBody = 64 << 10

// APIHandler serves the tickets API (mount it at /api/v1/tickets).
func (c *Console) APIHandler() http.Handler {
	r := chi.NewRouter()
	r.Use(c.bearer)
	r.Get("/", c.apiList)
	r.Get("/{id}", c.apiTicket)
	r.Post("/{id}/reply", c.apiReply)
	r.Post("/{id}/assign", func(w http.ResponseWriter, r *http.Request) {
		c.apiDo(w, r, func(who content.Counsellor, id string) error { return c.cfg.Tickets.Assign(r.Context(), who, id) })
	})
	r.Post("/{id}/close", func(w http.ResponseWriter, r *http.Request) {
		c.apiDo(w, r, func(who content.Counsellor, id string) error { return c.cfg.Tickets.Close(r.Context(), who, id) })
	})
	return r
}

type apiCounsellorKey struct{}

// bearer finds the counsellor whose secret the request carries.
func (c *Console) bearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		secret = strings.TrimSpace(secret)
		if !ok || !citytoken.LooksLikeSecret(secret) {
			apiError(w, http.StatusUnauthorized, "", "missing or malformed secret: send Authorization: Bearer <your sign-in secret>")
			return
		}
		who, err := c.cfg.Counsellors.CounsellorByTokenHash(r.Context(), citytoken.HashSecret(secret))
		if err != nil || !who.Active() {
			if err != nil && !content.IsNotFound(err) {
				apiFail(w, err)
				return
			}
			apiError(w, http.StatusUnauthorized, "", "unknown or disabled counsellor")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), apiCounsellorKey{}, who)))
	})
}

func (c *Console) apiList(w http.ResponseWriter, r *http.Request) {
	who := r.Context().Value(apiCounsellorKey{}).(content.Counsellor)
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "open"
	}
	if status != "open" && status != "closed" {
		apiError(w, http.StatusBadRequest, "status", "must be open or closed")
		return
	}
	ts, err := c.cfg.Tickets.Inbox(r.Context(), who, status)
	if err != nil {
		apiFail(w, err)
		return
	}
	out := make([]apiTicket, 0, len(ts))
	for _, t := range ts {
		out = append(out, ticketJSON(t))
	}
	writeAPI(w, http.StatusOK, map[string]any{"tickets": out})
}

func (c *Console) apiTicket(w http.ResponseWriter, r *http.Request) {
	who := r.Context().Value(apiCounsellorKey{}).(content.Counsellor)
	v, err := c.cfg.Tickets.Ticket(r.Context(), who, chi.URLParam(r, "id"))
	if err != nil {
		apiFail(w, err)
		return
	}
	msgs := make([]apiMessage, 0, len(v.Messages))
	for _, m := range v.Messages {
		msgs = append(msgs, messageJSON(m))
	}
	writeAPI(w, http.StatusOK, map[string]any{
		"ticket": ticketJSON(v.Ticket), "messages": msgs, "profile": v.Profile,
		"age_band": v.AgeBand, "guardian": v.Guardian, "plan": v.Plan,
	})
}

func (c *Console) apiReply(w http.ResponseWriter, r *http.Request) {
	who := r.Context().Value(apiCounsellorKey{}).(content.Counsellor)
	var body struct {
		Text      string `json:"text"`
		RequestID string `json:"request_id"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		apiError(w, http.StatusBadRequest, "", "the body is not a JSON object with text and request_id")
		return
	}
	m, err := c.cfg.Tickets.Reply(r.Context(), who, chi.URLParam(r, "id"), body.RequestID, body.Text)
	if err != nil {
		apiFail(w, err)
		return
	}
	writeAPI(w, http.StatusOK, map[string]any{"message": messageJSON(m)})
}

// apiDo runs an action on a ticket and answers 204.
func (c *Console) apiDo(w http.ResponseWriter, r *http.Request, do func(who content.Counsellor, id string) error) {
	who := r.Context().Value(apiCounsellorKey{}).(content.Counsellor)
	if err := do(who, chi.URLParam(r, "id")); err != nil {
		apiFail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiTicket is a ticket as the API shows it: never the person's LINE ID.
type apiTicket struct {
	ID         string     `json:"id"`
	Reason     string     `json:"reason"`
	Urgent     bool       `json:"urgent"`
	Status     string     `json:"status"`
	OpenedAt   time.Time  `json:"opened_at"`
	Province   string     `json:"province,omitempty"`
	District   string     `json:"district,omitempty"`
	Level      string     `json:"level,omitempty"`
	Escalation int        `json:"escalation"`
	AssigneeID string     `json:"assignee_id,omitempty"`
	FirstReply *time.Time `json:"first_reply_at,omitempty"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	Helped     string     `json:"helped,omitempty"`
}

type apiMessage struct {
	ID           string     `json:"id"`
	Author       string     `json:"author"`
	Text         string     `json:"text"`
	At           time.Time  `json:"at"`
	CounsellorID string     `json:"counsellor_id,omitempty"`
	Status       string     `json:"status,omitempty"`
	SentAt       *time.Time `json:"sent_at,omitempty"`
}

func ticketJSON(t content.Handoff) apiTicket {
	return apiTicket{
		ID: t.ID, Reason: t.Reason, Urgent: t.Urgent, Status: t.Status, OpenedAt: t.At,
		Province: t.Province, District: t.District, Level: t.Level, Escalation: t.Escalation,
		AssigneeID: t.AssigneeID, FirstReply: timeOrNil(t.FirstReplyAt), ClosedAt: timeOrNil(t.ClosedAt), Helped: t.Helped,
	}
}

func messageJSON(m content.HandoffMessage) apiMessage {
	author := m.Author
	if author == "" {
		author = content.AuthorPerson
	}
	return apiMessage{ID: m.ID, Author: author, Text: m.Text, At: m.At, CounsellorID: m.CounsellorID, Status: m.Status, SentAt: timeOrNil(m.SentAt)}
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiFail answers a domain error with its status; the message never carries
// more than the error's own (IDs of people never enter error strings).
func apiFail(w http.ResponseWriter, err error) {
	var status int
	switch content.ErrorCode(err) {
	case content.ENOTFOUND:
		status = http.StatusNotFound
	case content.EINVALID:
		status = http.StatusBadRequest
	case content.ECONFLICT:
		status = http.StatusConflict
	case content.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case content.EFORBIDDEN:
		status = http.StatusForbidden
	default:
		apiError(w, http.StatusInternalServerError, "", "something went wrong on our side; try again")
		return
	}
	msg := "no such ticket"
	var e *content.Error
	if status != http.StatusNotFound && errors.As(err, &e) {
		msg = e.Message
	}
	apiError(w, status, "", msg)
}

func apiError(w http.ResponseWriter, status int, field, message string) {
	body := map[string]any{"message": message}
	if field != "" {
		body["fields"] = map[string]string{field: message}
	}
	writeAPI(w, status, map[string]any{"error": body})
}

func writeAPI(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Package webhook is Pai Tor's LINE webhook endpoint (POST /callback). It
// checks the signature on the raw body with the LINE SDK, reads only what it
// needs of each event (its ID, type and sender) and queues the raw events
// durably; it answers 200 only once they are queued, and 5xx when they cannot
// be, so LINE redelivers. It never decides what to say.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/paitor/paitor/bot/queue"
)

// MaxBody is the largest webhook body accepted (LINE's are far smaller).
const MaxBody = 1 << 20

// Queue is where accepted events go.
type Queue interface {
	Enqueue(ctx context.Context, events []queue.Event) (int, error)
}

// Observer is told about every request and event (for metrics).
type Observer interface {
	ObserveWebhook(status int)
	ObserveReceived(eventType string) // an event arrived (duplicates included)
	ObserveDuplicates(n int)          // events dropped as already queued
}

// Handler serves POST /callback.
type Handler struct {
	Secret   string        // channel secret
	Queue    Queue         // durable queue
	Log      *slog.Logger  // never given user IDs
	Observer Observer      // optional
	Timeout  time.Duration // for queueing; default 3 s
}

type callback struct {
	Destination string            `json:"destination"`
	Events      []json.RawMessage `json:"events"`
}

type eventHead struct {
	Type           string `json:"type"`
	WebhookEventID string `json:"webhookEventId"`
	Source         struct {
		UserID  string `json:"userId"`
		GroupID string `json:"groupId"`
		RoomID  string `json:"roomId"`
	} `json:"source"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, msg := h.serve(w, r)
	if h.Observer != nil {
		h.Observer.ObserveWebhook(status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if msg == "" {
		_, _ = io.WriteString(w, "{}")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (int, string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, "body larger than 1 MiB"
		}
		return http.StatusBadRequest, "cannot read body"
	}
	sig := r.Header.Get("X-Line-Signature")
	if sig == "" {
		return http.StatusBadRequest, "missing X-Line-Signature"
	}
	if !webhook.ValidateSignature(h.Secret, sig, body) {
		return http.StatusBadRequest, "invalid signature"
	}
	var cb callback
	if err := json.Unmarshal(body, &cb); err != nil {
		return http.StatusBadRequest, "malformed JSON"
	}
	if cb.Events == nil {
		return http.StatusBadRequest, "no events array"
	}
	if len(cb.Events) == 0 {
		return http.StatusOK, "" // LINE's "verify" button
	}
	events := make([]queue.Event, 0, len(cb.Events))
	types := make([]string, 0, len(cb.Events))
	for _, raw := range cb.Events {
		var head eventHead
		if err := json.Unmarshal(raw, &head); err != nil || head.WebhookEventID == "" || head.Type == "" {
			return http.StatusBadRequest, "an event without type or webhookEventId"
		}
		key := head.Source.UserID
		if head.Source.GroupID != "" {
			key = head.Source.GroupID
		} else if head.Source.RoomID != "" {
			key = head.Source.RoomID
		}
		events = append(events, queue.Event{ID: head.WebhookEventID, Key: key, Body: raw})
		types = append(types, head.Type)
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	n, err := h.Queue.Enqueue(ctx, events)
	if err != nil {
		h.log().Error("webhook: cannot queue events; LINE will redeliver", "events", len(events), "err", err)
		return http.StatusServiceUnavailable, "cannot queue events now, please redeliver"
	}
	if h.Observer != nil {
		for _, t := range types {
			h.Observer.ObserveReceived(t)
		}
		h.Observer.ObserveDuplicates(len(events) - n)
	}
	return http.StatusOK, ""
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

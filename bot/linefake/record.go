package linefake

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Call is one HTTP request the server received, whatever its outcome.
type Call struct {
	// Seq orders calls and deliveries on one shared counter.
	Seq int64
	// Endpoint names the API: "reply", "push", "multicast", "narrowcast",
	// "narrowcast.progress", "broadcast", "profile", "loading", "quota",
	// "quota.consumption", "group.leave", "room.leave", "info",
	// "richmenu.create", "richmenu.validate", "richmenu.list",
	// "richmenu.get", "richmenu.delete", "richmenu.content",
	// "richmenu.link", "richmenu.unlink", "richmenu.user",
	// "richmenu.default", "richmenu.bulk.link", "richmenu.alias.create",
	// "richmenu.alias.get", "richmenu.alias.delete", or "unknown".
	Endpoint string
	// Method and Path are the HTTP method and URL path.
	Method, Path string
	// RetryKey is the X-Line-Retry-Key header ("" when absent).
	RetryKey string
	// Status is the HTTP status the server answered.
	Status int
	// Body is the request body (nil with Options.DiscardCallBodies or for
	// binary uploads).
	Body json.RawMessage
	// At is when the request arrived (per Options.Now).
	At time.Time
}

// Delivery is one message received by one user.
type Delivery struct {
	// Seq orders deliveries (and calls) on one shared counter.
	Seq int64
	// UserID is the recipient (a user, group or room ID).
	UserID string
	// Via is how it was sent: "reply", "push", "multicast", "narrowcast"
	// or "broadcast".
	Via string
	// RetryKey is the X-Line-Retry-Key of the request that delivered it.
	RetryKey string
	// Message is one messages[] item exactly as sent.
	Message json.RawMessage
	// At is when it was delivered (per Options.Now).
	At time.Time
}

// Text returns the message's "text" field, or "" when it has none.
func (d Delivery) Text() string {
	var m struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(d.Message, &m); err != nil {
		return ""
	}
	return m.Text
}

// Type returns the message's "type" field.
func (d Delivery) Type() string {
	var m struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(d.Message, &m); err != nil {
		return ""
	}
	return m.Type
}

// vias are the delivery channels, indexed by delivery.via.
var vias = [...]string{"reply", "push", "multicast", "narrowcast", "broadcast"}

// viaIndex maps an endpoint name to its index in vias.
func viaIndex(endpoint string) uint8 {
	for i, v := range vias {
		if v == endpoint {
			return uint8(i)
		}
	}
	return 0
}

// delivery is the compact stored form of a Delivery: message bodies and
// retry keys are interned, so a million deliveries cost about 40 MB.
type delivery struct {
	seq  int64
	at   int64 // UnixNano
	user *user
	msg  int32 // index into Server.msgs
	key  int32 // index into Server.keys; 0 = none
	via  uint8
}

// Calls returns every request received since New or the last Reset, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the requests received for one endpoint (see Call.Endpoint).
func (s *Server) CallsTo(endpoint string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Endpoint == endpoint {
			out = append(out, c)
		}
	}
	return out
}

// Received returns every message userID received, in order.
func (s *Server) Received(userID string) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.receivedLocked(userID, -1)
}

// receivedLocked returns userID's deliveries with Seq > afterSeq. s.mu must be held.
func (s *Server) receivedLocked(userID string, afterSeq int64) []Delivery {
	u := s.users[userID]
	if u == nil {
		return nil
	}
	var out []Delivery
	for _, i := range u.deliveries {
		d := &s.deliveries[i]
		if d.seq <= afterSeq {
			continue
		}
		out = append(out, s.expand(d))
	}
	return out
}

// expand turns a stored delivery into its exported form. s.mu must be held.
func (s *Server) expand(d *delivery) Delivery {
	return Delivery{
		Seq:      d.seq,
		UserID:   d.user.id,
		Via:      vias[d.via],
		RetryKey: s.keys[d.key],
		Message:  s.msgs[d.msg],
		At:       time.Unix(0, d.at),
	}
}

// WaitReceived blocks until userID has received at least n messages and
// returns them all, or returns an error listing what did arrive once ctx
// is done.
func (s *Server) WaitReceived(ctx context.Context, userID string, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		got := s.receivedLocked(userID, -1)
		ch := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return got, fmt.Errorf("linefake: waiting for %d message(s) to %s: got %d [%s]: %w",
				n, userID, len(got), summarize(got), ctx.Err())
		}
	}
}

// WaitSince blocks until userID has a delivery with Seq > afterSeq, or ctx
// is done, and returns those deliveries (none when ctx ended first). It
// suits long-polling: pass the last Seq seen.
func (s *Server) WaitSince(ctx context.Context, userID string, afterSeq int64) []Delivery {
	for {
		s.mu.Lock()
		got := s.receivedLocked(userID, afterSeq)
		ch := s.changed
		s.mu.Unlock()
		if len(got) > 0 {
			return got
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil
		}
	}
}

// summarize lists deliveries briefly for error messages.
func summarize(ds []Delivery) string {
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		p := d.Via + ":" + d.Type()
		if t := d.Text(); t != "" {
			if len(t) > 40 {
				t = t[:40] + "…"
			}
			p += fmt.Sprintf(" %q", t)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// DeliveredCount returns the total number of recipient-messages delivered
// (a multicast of 2 messages to 500 users counts 1000).
func (s *Server) DeliveredCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.deliveries)
}

// ValidationErrors returns every request-validation failure recorded
// (each a *ValidationError).
func (s *Server) ValidationErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]error, len(s.verrs))
	for i, v := range s.verrs {
		out[i] = v
	}
	return out
}

// Reset forgets calls, deliveries and validation errors. Users, reply
// tokens, rich menus, faults and retry keys are kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.deliveries = nil
	s.verrs = nil
	s.msgs = s.msgs[:1]
	s.msgIndex = map[string]int32{}
	s.keys = s.keys[:1]
	s.keyIndex = map[string]int32{}
	for _, u := range s.users {
		u.deliveries = nil
	}
	s.notifyLocked()
}

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// internMsg stores a message body once and returns its index. s.mu must be held.
func (s *Server) internMsg(m json.RawMessage) int32 {
	if i, ok := s.msgIndex[string(m)]; ok {
		return i
	}
	i := int32(len(s.msgs))
	s.msgs = append(s.msgs, m)
	s.msgIndex[string(m)] = i
	return i
}

// internKey stores a retry key once and returns its index (0 for ""). s.mu must be held.
func (s *Server) internKey(k string) int32 {
	if k == "" {
		return 0
	}
	if i, ok := s.keyIndex[k]; ok {
		return i
	}
	i := int32(len(s.keys))
	s.keys = append(s.keys, k)
	s.keyIndex[k] = i
	return i
}

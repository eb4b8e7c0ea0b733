package linefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// retryKeyTTL is how long an accepted X-Line-Retry-Key is remembered.
const retryKeyTTL = 24 * time.Hour

// requestSchemas names the request-body schema of each endpoint.
var requestSchemas = map[string]string{
	"reply":                 "ReplyMessageRequest",
	"push":                  "PushMessageRequest",
	"multicast":             "MulticastRequest",
	"narrowcast":            "NarrowcastRequest",
	"broadcast":             "BroadcastRequest",
	"loading":               "ShowLoadingAnimationRequest",
	"richmenu.create":       "RichMenuRequest",
	"richmenu.validate":     "RichMenuRequest",
	"richmenu.bulk.link":    "RichMenuBulkLinkRequest",
	"richmenu.alias.create": "CreateRichMenuAliasRequest",
	"richmenu.alias.update": "UpdateRichMenuAliasRequest",
}

// sentMessage is one item of "sentMessages" in an answer.
type sentMessage struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken,omitempty"`
}

// sendRequest holds the fields of the send requests the server acts on.
type sendRequest struct {
	ReplyToken string            `json:"replyToken"`
	To         json.RawMessage   `json:"to"`
	Messages   []json.RawMessage `json:"messages"`
	Limit      *struct {
		Max int `json:"max"`
	} `json:"limit"`
}

// validateBody decodes c.body and validates it against the endpoint's
// request schema plus extra checks. On failure it answers 400, records a
// ValidationError and returns nil.
func (c *reqCtx) validateBody(extra func(v *validator, doc any)) any {
	v := &validator{doc: c.s.spec.messaging}
	doc, err := decodeJSON(c.body)
	if err != nil {
		v.add("", "The request body is not valid JSON: %v", err)
	} else {
		schema := c.s.spec.messagingSchema(requestSchemas[c.endpoint])
		if schema == nil {
			v.add("", "linefake: no schema %q for endpoint %s", requestSchemas[c.endpoint], c.endpoint)
		}
		v.walk(schema, doc, "", false)
		if extra != nil {
			extra(v, doc)
		}
	}
	if len(v.details) == 0 {
		return doc
	}
	c.invalid(v.details)
	return nil
}

// invalid answers 400 with details and records the validation error.
func (c *reqCtx) invalid(details []Detail) {
	msg := fmt.Sprintf("The request body has %d error(s)", len(details))
	c.json(http.StatusBadRequest, struct {
		Message string   `json:"message"`
		Details []Detail `json:"details"`
	}{msg, details})
	ve := &ValidationError{Endpoint: c.endpoint, Message: msg, Details: details}
	if json.Valid(c.body) {
		ve.Body = json.RawMessage(c.body)
	}
	c.s.mu.Lock()
	c.s.verrs = append(c.s.verrs, ve)
	c.s.mu.Unlock()
}

// sendChecks adds LINE's limits and header rules for the send endpoints.
func (c *reqCtx) sendChecks(v *validator, doc any) {
	obj, _ := doc.(map[string]any)
	if msgs, ok := obj["messages"].([]any); ok {
		v.checkLimits(msgs)
	}
	switch c.endpoint {
	case "push":
		if to, ok := obj["to"].(string); ok && !chatIDRE.MatchString(to) {
			v.add("to", "must be a user, group or room ID (U/C/R + 32 hex digits)")
		}
	case "multicast":
		if to, ok := obj["to"].([]any); ok {
			for i, t := range to {
				if s, ok := t.(string); ok && !userIDRE.MatchString(s) {
					v.add(index("to", i), "must be a user ID (U + 32 lowercase hex digits)")
				}
			}
		}
	}
	if c.retryKey != "" {
		if c.endpoint == "reply" {
			v.add("X-Line-Retry-Key", "the reply endpoint does not accept a retry key")
		} else if !uuidRE.MatchString(c.retryKey) {
			v.add("X-Line-Retry-Key", "must be a UUID (hex with hyphens)")
		}
	}
}

// handleSend serves reply, push, multicast, narrowcast and broadcast:
// validation (400), reply token (400), retry key (409), quota (429), then
// delivery.
func (s *Server) handleSend(c *reqCtx) {
	if c.validateBody(c.sendChecks) == nil {
		return
	}
	var req sendRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.invalid([]Detail{{Message: "linefake: decode request: " + err.Error()}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.retryKey != "" {
		if ak, ok := s.retryKeys[c.retryKey]; ok && c.now.Before(ak.expires) {
			c.header.Set("x-line-accepted-request-id", ak.requestID)
			c.json(http.StatusConflict, struct {
				Message      string        `json:"message"`
				SentMessages []sentMessage `json:"sentMessages,omitempty"`
			}{"The retry key is already accepted", ak.sent})
			return
		}
	}
	recipients, ok := s.recipientsLocked(c, &req)
	if !ok {
		return
	}
	cost := int64(len(recipients) * len(req.Messages))
	if c.endpoint != "reply" && s.opts.MonthlyQuota > 0 && s.consumed+cost > s.opts.MonthlyQuota {
		c.fail(http.StatusTooManyRequests, "You have reached your monthly limit.")
		return
	}
	if c.endpoint != "reply" {
		s.consumed += cost
	}
	sent := make([]sentMessage, len(req.Messages))
	msgIdx := make([]int32, len(req.Messages))
	for i, m := range req.Messages {
		sent[i] = sentMessage{ID: newMessageID(), QuoteToken: randomHex(16)}
		msgIdx[i] = s.internMsg(m)
	}
	key := s.internKey(c.retryKey)
	via := viaIndex(c.endpoint)
	at := c.now.UnixNano()
	for _, u := range recipients {
		for _, mi := range msgIdx {
			s.seq++
			u.deliveries = append(u.deliveries, int32(len(s.deliveries)))
			s.deliveries = append(s.deliveries, delivery{seq: s.seq, at: at, user: u, msg: mi, key: key, via: via})
		}
	}
	requestID := newRequestID()
	c.header.Set("x-line-request-id", requestID)
	if c.retryKey != "" {
		s.retryKeys[c.retryKey] = acceptedKey{requestID: requestID, sent: sent, expires: c.now.Add(retryKeyTTL)}
	}
	s.notifyLocked()
	switch c.endpoint {
	case "reply", "push":
		c.json(http.StatusOK, map[string]any{"sentMessages": sent})
	case "narrowcast":
		s.narrowcasts[requestID] = narrowcastJob{accepted: c.now, count: int64(len(recipients))}
		c.json(http.StatusAccepted, struct{}{})
	default:
		c.json(http.StatusOK, struct{}{})
	}
}

// recipientsLocked resolves who receives a send request. It answers c
// and returns false when the request cannot be delivered. s.mu must be held.
func (s *Server) recipientsLocked(c *reqCtx, req *sendRequest) ([]*user, bool) {
	switch c.endpoint {
	case "reply":
		id, ok := s.useReplyToken(req.ReplyToken, c.now)
		if !ok {
			c.fail(http.StatusBadRequest, "Invalid reply token")
			return nil, false
		}
		return []*user{s.userLocked(id)}, true
	case "push":
		var to string
		_ = json.Unmarshal(req.To, &to) // validated: a string
		return []*user{s.userLocked(to)}, true
	case "multicast":
		var to []string
		_ = json.Unmarshal(req.To, &to) // validated: an array of strings
		seen := make(map[string]bool, len(to))
		out := make([]*user, 0, len(to))
		for _, id := range to {
			if !seen[id] {
				seen[id] = true
				out = append(out, s.userLocked(id))
			}
		}
		return out, true
	default: // narrowcast (recipient and filter are not evaluated) and broadcast
		var out []*user
		for _, u := range s.userOrder {
			if userIDRE.MatchString(u.id) {
				out = append(out, u)
			}
		}
		if c.endpoint == "narrowcast" && req.Limit != nil && req.Limit.Max > 0 && len(out) > req.Limit.Max {
			out = out[:req.Limit.Max]
		}
		return out, true
	}
}

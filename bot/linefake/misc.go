package linefake

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// handleEmpty answers 200 {} (group/room leave).
func (s *Server) handleEmpty(c *reqCtx) {
	c.json(http.StatusOK, struct{}{})
}

// handleProfile serves GET /v2/bot/profile/{userId} for users added with AddUser.
func (s *Server) handleProfile(c *reqCtx) {
	id := chi.URLParam(c.r, "userId")
	s.mu.Lock()
	u := s.users[id]
	var name string
	found := u != nil && u.info().profile
	if found {
		name = u.info().name
	}
	s.mu.Unlock()
	if !found {
		c.fail(http.StatusNotFound, "Not found")
		return
	}
	c.json(http.StatusOK, map[string]string{"userId": id, "displayName": name, "language": "th"})
}

// handleLoading serves POST /v2/bot/chat/loading/start.
func (s *Server) handleLoading(c *reqCtx) {
	doc := c.validateBody(func(v *validator, doc any) {
		obj, _ := doc.(map[string]any)
		if n, ok := obj["loadingSeconds"].(interface{ Int64() (int64, error) }); ok {
			if secs, err := n.Int64(); err == nil && secs%5 != 0 {
				v.add("loadingSeconds", "must be a multiple of 5")
			}
		}
		if id, ok := obj["chatId"].(string); ok && !userIDRE.MatchString(id) {
			v.add("chatId", "must be a user ID (the loading animation is shown in one-to-one chats only)")
		}
	})
	if doc == nil {
		return
	}
	c.json(http.StatusAccepted, struct{}{})
}

// handleQuota serves GET /v2/bot/message/quota.
func (s *Server) handleQuota(c *reqCtx) {
	if s.opts.MonthlyQuota > 0 {
		c.json(http.StatusOK, map[string]any{"type": "limited", "value": s.opts.MonthlyQuota})
		return
	}
	c.json(http.StatusOK, map[string]any{"type": "none"})
}

// handleQuotaConsumption serves GET /v2/bot/message/quota/consumption:
// recipients × messages of every push, multicast, narrowcast and broadcast.
func (s *Server) handleQuotaConsumption(c *reqCtx) {
	s.mu.Lock()
	n := s.consumed
	s.mu.Unlock()
	c.json(http.StatusOK, map[string]any{"totalUsage": n})
}

// QuotaConsumed returns the messages counted against the monthly quota so far.
func (s *Server) QuotaConsumed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.consumed
}

// handleNarrowcastProgress serves GET /v2/bot/message/progress/narrowcast?requestId=.
func (s *Server) handleNarrowcastProgress(c *reqCtx) {
	id := c.r.URL.Query().Get("requestId")
	s.mu.Lock()
	job, ok := s.narrowcasts[id]
	s.mu.Unlock()
	if !ok {
		c.fail(http.StatusNotFound, "Not found")
		return
	}
	c.json(http.StatusOK, map[string]any{
		"phase":         "succeeded",
		"successCount":  job.count,
		"failureCount":  0,
		"targetCount":   job.count,
		"acceptedTime":  job.accepted.UTC().Format(time.RFC3339Nano),
		"completedTime": job.accepted.UTC().Format(time.RFC3339Nano),
	})
}

// handleInfo serves GET /v2/bot/info.
func (s *Server) handleInfo(c *reqCtx) {
	id, name := s.opts.BotUserID, s.opts.BotName
	if id == "" {
		id = DefaultDestination
	}
	if name == "" {
		name = "Pai Tor (fake)"
	}
	c.json(http.StatusOK, map[string]any{
		"userId": id, "basicId": "@000paitor", "displayName": name,
		"chatMode": "bot", "markAsReadMode": "auto",
	})
}

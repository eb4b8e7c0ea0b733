package linefake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// maxBody is the largest request body read (rich menu images are ≤ 1 MB).
const maxBody = 2 << 20

// handlerFunc handles one request after the common checks.
type handlerFunc func(c *reqCtx)

// reqCtx is one request in flight. Handlers write the answer into it; the
// wrapper sends it (possibly after an injected delay) and records the call.
type reqCtx struct {
	s        *Server
	r        *http.Request
	endpoint string
	body     []byte
	now      time.Time
	retryKey string
	seq      int64

	status int
	header http.Header
	resp   []byte
}

// json sets a JSON answer.
func (c *reqCtx) json(status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"message":"linefake: encode answer failed"}`)
	}
	c.status = status
	c.resp = data
}

// fail sets a LINE-style error answer {"message": msg}.
func (c *reqCtx) fail(status int, msg string) {
	c.json(status, map[string]string{"message": msg})
}

// wrap applies the checks every endpoint shares, in LINE's order: auth,
// rate limit, injected fault or random failure; then runs fn, records the
// call and sends the answer.
func (s *Server) wrap(endpoint string, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &reqCtx{s: s, r: r, endpoint: endpoint, now: s.opts.now(), header: http.Header{}}
		c.retryKey = r.Header.Get("X-Line-Retry-Key")
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		s.mu.Lock()
		s.seq++
		c.seq = s.seq
		s.mu.Unlock()
		var delay time.Duration
		var override *Fault
		switch {
		case err != nil:
			c.fail(http.StatusRequestEntityTooLarge, "linefake: read request body: "+err.Error())
		case s.opts.ChannelToken != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.ChannelToken:
			c.fail(http.StatusUnauthorized, "Authentication failed. Confirm that the access token in the authorization header is valid.")
		default:
			c.body = body
			delay, override = s.preflight(c)
			if c.status == 0 {
				fn(c)
			}
		}
		if c.status == 0 {
			c.json(http.StatusOK, struct{}{})
		}
		if override != nil && override.Status != 0 && c.status/100 == 2 { // delivered, but answered with an error
			c.header.Del("x-line-request-id")
			s.faultAnswer(c, override)
		}
		s.record(c)
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.closed:
				t.Stop()
			}
		}
		s.send(w, c)
	}
}

// preflight runs the rate limit and fault checks. It answers c when the
// request must not be processed, and returns the delay to apply to the
// answer and, for Fault{Deliver:true, Status:…}, the fault whose status
// replaces the answer after processing.
func (s *Server) preflight(c *reqCtx) (time.Duration, *Fault) {
	s.mu.Lock()
	allowed := s.allowRate(c.endpoint, c.now)
	var f *Fault
	var random int
	if allowed {
		f = s.takeFault(c.endpoint)
		if f == nil {
			random = s.randomFailure(c.endpoint)
		}
	}
	s.mu.Unlock()
	switch {
	case !allowed:
		c.fail(http.StatusTooManyRequests, "The API rate limit has been exceeded. Try again later.")
	case f != nil && f.Deliver:
		return f.Delay, f
	case f != nil:
		if f.Status == 0 {
			f.Status = http.StatusServiceUnavailable
		}
		s.faultAnswer(c, f)
		return f.Delay, nil
	case random != 0:
		s.faultAnswer(c, &Fault{Status: random})
	}
	return 0, nil
}

// faultAnswer sets c's answer to the fault's status.
func (s *Server) faultAnswer(c *reqCtx, f *Fault) {
	msg := http.StatusText(f.Status)
	switch f.Status {
	case http.StatusTooManyRequests:
		msg = "The API rate limit has been exceeded. Try again later."
	case http.StatusInternalServerError:
		msg = "An error occurred on the server (injected by linefake)."
	}
	c.fail(f.Status, msg)
	if f.RetryAfter > 0 {
		c.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	}
}

// record appends the call to the log.
func (s *Server) record(c *reqCtx) {
	call := Call{
		Seq: c.seq, Endpoint: c.endpoint, Method: c.r.Method, Path: c.r.URL.Path,
		RetryKey: c.retryKey, Status: c.status, At: c.now,
	}
	if !s.opts.DiscardCallBodies && len(c.body) > 0 && json.Valid(c.body) {
		call.Body = json.RawMessage(bytes.Clone(c.body))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Keep Calls in arrival order even when answers finish out of order.
	i := len(s.calls)
	for i > 0 && s.calls[i-1].Seq > call.Seq {
		i--
	}
	s.calls = slices.Insert(s.calls, i, call)
}

// send writes the answer. Every answer carries x-line-request-id.
func (s *Server) send(w http.ResponseWriter, c *reqCtx) {
	h := w.Header()
	for k, vs := range c.header {
		h[k] = vs
	}
	if h.Get("x-line-request-id") == "" {
		h.Set("x-line-request-id", newRequestID())
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(c.status)
	_, _ = w.Write(c.resp)
}

// newRequestID returns a LINE-style request ID (a UUID-like hex string).
func newRequestID() string {
	h := randomHex(16)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

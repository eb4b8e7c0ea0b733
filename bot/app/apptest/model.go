package apptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/llm"
)

// FakeModel is an OpenAI-compatible server for scenario tests: it answers
// POST /v1/chat/completions with what its answer function says and records
// every request it gets. A harness uses it through Tweak:
//
//	m := apptest.NewFakeModel(t, apptest.Always(apptest.Command(`{"command":"answer","topic":"faq_cost"}`)))
//	h := apptest.New(t, apptest.Options{Tweak: m.Tweak()})
type FakeModel struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []ModelRequest
	answer func(n int, r ModelRequest) ModelAnswer
}

// ModelRequest is one request the fake model received.
type ModelRequest struct {
	Path string
	Body []byte // as sent
	// Messages are the chat messages of the request (system, then user).
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
}

// ModelAnswer is what the fake model answers: an HTTP status and a raw body,
// after Sleep (or until the client gives up).
type ModelAnswer struct {
	Status int
	Body   string
	Sleep  time.Duration
}

// NewFakeModel starts a fake model answering each request with answer (n
// counts requests from 0); it stops at cleanup.
func NewFakeModel(t testing.TB, answer func(n int, r ModelRequest) ModelAnswer) *FakeModel {
	t.Helper()
	f := &FakeModel{answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *FakeModel) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := ModelRequest{Path: r.URL.Path, Body: body}
	var req struct {
		Messages json.RawMessage `json:"messages"`
	}
	if json.Unmarshal(body, &req) == nil {
		_ = json.Unmarshal(req.Messages, &rec.Messages)
	}
	f.mu.Lock()
	n := len(f.got)
	f.got = append(f.got, rec)
	answer := f.answer
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	out := answer(n, rec)
	if out.Sleep > 0 {
		select {
		case <-time.After(out.Sleep):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(out.Status)
	_, _ = io.WriteString(w, out.Body)
}

// SetAnswer changes what the fake answers from now on.
func (f *FakeModel) SetAnswer(answer func(n int, r ModelRequest) ModelAnswer) {
	f.mu.Lock()
	f.answer = answer
	f.mu.Unlock()
}

// Requests returns the requests received so far, in order.
func (f *FakeModel) Requests() []ModelRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ModelRequest(nil), f.got...)
}

// Count is how many requests the fake received.
func (f *FakeModel) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got)
}

// Config is an llm.Config pointing at the fake, changed by edit.
func (f *FakeModel) Config(edit ...func(c *llm.Config)) *llm.Config {
	c := &llm.Config{APIKey: "test-key", BaseURL: f.srv.URL + "/v1", Model: "test-model"}
	for _, e := range edit {
		e(c)
	}
	return c
}

// Tweak is an Options.Tweak that gives the service this fake as its model.
func (f *FakeModel) Tweak(edit ...func(c *llm.Config)) func(c *app.Config) {
	return func(c *app.Config) { c.LLM = f.Config(edit...) }
}

// Always answers every request with a.
func Always(a ModelAnswer) func(int, ModelRequest) ModelAnswer {
	return func(int, ModelRequest) ModelAnswer { return a }
}

// Command is a 200 chat completion whose message content is content (the
// command JSON, or anything else a model might write).
func Command(content string) ModelAnswer {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content},
		}},
		"usage": map[string]any{"prompt_tokens": 400, "completion_tokens": 20, "total_tokens": 420},
	})
	return ModelAnswer{Status: http.StatusOK, Body: string(b)}
}

// CommandJSON is a full command as a strict model writes it: every argument,
// "" and [] for those not used, over set by over.
func CommandJSON(over map[string]any) string {
	m := map[string]any{
		"command": "", "intent": "", "query": "", "kind": "", "filters": []string{},
		"field": "", "value": "", "topic": "", "options": []string{}, "reason": "",
	}
	for k, v := range over {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ModelError is an OpenAI-style error answer with this status.
func ModelError(status int) ModelAnswer {
	return ModelAnswer{Status: status, Body: fmt.Sprintf(`{"error":{"message":"test failure","type":"server_error","code":%d}}`, status)}
}

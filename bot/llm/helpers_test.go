package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/guidance"
)

// testChoices are the choices every test offers the model.
var testChoices = guidance.ModelChoices{
	Intents: []guidance.ModelChoice{
		{ID: "find_course", Text: "Find a short course"},
		{ID: "find_job", Text: "Find a job or an earn-while-you-learn opening"},
		{ID: "interests", Text: "Discover what suits me (interest inventory)"},
		{ID: "plan", Text: "Make or see my plan"},
		{ID: "parent_tips", Text: "Tips for parents"},
	},
	Topics: []guidance.ModelChoice{
		{ID: "minimum_wage", Text: "The minimum daily wage"},
		{ID: "social_security", Text: "Social security for young workers"},
		{ID: "student_loan", Text: "The student loan fund (กยศ.)"},
	},
	Fields: []guidance.ModelField{
		{Name: "age", Type: "int", Text: "age in years"},
		{Name: "province", Type: "province", Text: "the province they live in"},
		{Name: "status", Values: []string{"studying", "working", "neither"}, Text: "what they do now"},
		{Name: "education", Type: "choice", Values: []string{"primary", "m3", "m6", "vocational", "bachelor"}, Text: "highest level finished"},
		{Name: "goal", Type: "text", Text: "what they want to become"},
	},
}

// wireRequest is what the fake server reads from a chat-completion call.
type wireRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	MaxCompletionTokens int    `json:"max_completion_tokens"`
	User                string `json:"user"`
	ResponseFormat      struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Name   string          `json:"name"`
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

// received is one request the fake server got.
type received struct {
	Path   string
	Header http.Header
	Body   []byte
	Req    wireRequest
}

// reply is what the fake server answers: a status and a raw body.
type reply struct {
	Status int
	Body   string
	Sleep  time.Duration // before answering (or until the client gives up)
}

// answer is a 200 chat completion whose message content is content.
func answer(content string) reply { return answerUsage(content, 40, 10) }

func answerUsage(content string, prompt, completion int) reply {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content},
		}},
		"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	})
	return reply{Status: 200, Body: string(b)}
}

// httpError is an OpenAI-style error answer.
func httpError(status int, typ string) reply {
	return reply{Status: status, Body: fmt.Sprintf(`{"error":{"message":"test failure","type":%q,"code":null}}`, typ)}
}

// fakeOpenAI is an OpenAI-compatible server answering /v1/chat/completions
// (go-openai appends /chat/completions to a BaseURL ending in /v1).
type fakeOpenAI struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []received
	reply func(n int, r received) reply // n counts requests from 0
}

func newFake(t *testing.T, rep func(n int, r received) reply) *fakeOpenAI {
	t.Helper()
	f := &fakeOpenAI{reply: rep}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		if err := json.Unmarshal(body, &rec.Req); err != nil {
			t.Errorf("fake server: request body is not JSON: %v", err)
		}
		f.mu.Lock()
		n := len(f.got)
		f.got = append(f.got, rec)
		rep := f.reply
		f.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
			return
		}
		out := rep(n, rec)
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
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// always answers every request with r.
func always(r reply) func(int, received) reply { return func(int, received) reply { return r } }

func (f *fakeOpenAI) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// observed records ObserveLLM calls.
type observed struct {
	mu    sync.Mutex
	calls []observation
}

type observation struct {
	Outcome            string
	Prompt, Completion int
	D                  time.Duration
}

func (o *observed) ObserveLLM(outcome string, p, c int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, observation{outcome, p, c, d})
}

func (o *observed) all() []observation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]observation(nil), o.calls...)
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testClient builds a Client against the fake server and a Redis target;
// the way a caller builds one against any OpenAI-compatible server.
type testClient struct {
	*Client
	fake *fakeOpenAI
	obs  *observed
	logs *syncBuffer
	tg   redistest.Target
}

func newTestClient(t *testing.T, tg redistest.Target, f *fakeOpenAI, edit ...func(*Config)) testClient {
	t.Helper()
	obs, logs := &observed{}, &syncBuffer{}
	cfg := Config{
		APIKey:   "test-key",
		BaseURL:  f.srv.URL + "/v1",
		Model:    "test-model",
		Redis:    tg.Client,
		Prefix:   tg.Prefix,
		Observer: obs,
		Log:      slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return testClient{Client: c, fake: f, obs: obs, logs: logs, tg: tg}
}

const testUser = "U4af4980629e3f1c0f1e2d3c4b5a69788"

func ask(c testClient, text string) (guidance.ModelCommand, error) {
	return c.Understand(context.Background(), Request{UserID: testUser, Text: text, Choices: testChoices, Lang: "th"})
}

// cmdJSON is a full command as a strict model writes it: every key, "" and
// [] for what is unused.
func cmdJSON(over map[string]any) string {
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

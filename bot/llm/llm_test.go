package llm

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/guidance"
)

func TestEachCommandIsDecodedAndReturned(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    guidance.ModelCommand
	}{
		{"start", cmdJSON(map[string]any{"command": "start", "intent": "find_job"}),
			guidance.ModelCommand{Command: "start", Intent: "find_job"}},
		{"search", cmdJSON(map[string]any{"command": "search", "query": "คอร์สทำขนม", "kind": "course", "filters": []string{"near", "weekend"}}),
			guidance.ModelCommand{Command: "search", Query: "คอร์สทำขนม", Kind: "course", Filters: []string{"near", "weekend"}}},
		{"set_profile age", cmdJSON(map[string]any{"command": "set_profile", "field": "age", "value": "19"}),
			guidance.ModelCommand{Command: "set_profile", Field: "age", Value: "19"}},
		{"set_profile choice", cmdJSON(map[string]any{"command": "set_profile", "field": "status", "value": "neither"}),
			guidance.ModelCommand{Command: "set_profile", Field: "status", Value: "neither"}},
		{"set_profile province", cmdJSON(map[string]any{"command": "set_profile", "field": "province", "value": "เชียงใหม่"}),
			guidance.ModelCommand{Command: "set_profile", Field: "province", Value: "เชียงใหม่"}},
		{"answer", cmdJSON(map[string]any{"command": "answer", "topic": "minimum_wage"}),
			guidance.ModelCommand{Command: "answer", Topic: "minimum_wage"}},
		{"clarify", cmdJSON(map[string]any{"command": "clarify", "options": []string{"find_course", "find_job"}}),
			guidance.ModelCommand{Command: "clarify", Options: []string{"find_course", "find_job"}}},
		{"clarify three", cmdJSON(map[string]any{"command": "clarify", "options": []string{"find_course", "find_job", "plan"}}),
			guidance.ModelCommand{Command: "clarify", Options: []string{"find_course", "find_job", "plan"}}},
		{"handoff", cmdJSON(map[string]any{"command": "handoff", "reason": "feels hopeless, wants to talk"}),
			guidance.ModelCommand{Command: "handoff", Reason: "feels hopeless, wants to talk"}},
		{"keys left out are empty", `{"command":"answer","topic":"student_loan"}`,
			guidance.ModelCommand{Command: "answer", Topic: "student_loan"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, always(answerUsage(tc.content, 321, 23)))
			c := newTestClient(t, redistest.Embedded(t), f)
			text := "ผมชื่อ สมชาย ใจดี อยู่บางรัก เบอร์ 081-234-5678 อยากหางานครับ"
			got, err := c.Understand(context.Background(), Request{
				UserID: testUser, Text: text, Known: []string{"สมชาย ใจดี", "บางรัก"}, Choices: testChoices, Lang: "th",
			})
			if err != nil {
				t.Fatalf("Understand: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("command\n got %+v\nwant %+v", got, tc.want)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want one call per Understand", len(reqs))
			}
			checkRequest(t, reqs[0], "ผมชื่อ [ชื่อ] อยู่[ชื่อ] เบอร์ [โทรศัพท์] อยากหางานครับ", "th")
			for _, secret := range []string{"สมชาย", "ใจดี", "บางรัก", "081-234-5678", "2345678", testUser} {
				if strings.Contains(string(reqs[0].Body), secret) {
					t.Errorf("the request carries %q", secret)
				}
			}
			if obs := c.obs.all(); len(obs) != 1 || obs[0].Outcome != "command" || obs[0].Prompt != 321 || obs[0].Completion != 23 {
				t.Errorf("observed %+v, want one command with 321+23 tokens", obs)
			}
		})
	}
}

// checkRequest checks one chat-completion request: model, key, the strict
// json_schema with the choices' enums, the fixed system prompt, and the
// redacted text as data in the user message only.
func checkRequest(t *testing.T, r received, wantText, lang string) {
	t.Helper()
	if r.Path != "/v1/chat/completions" {
		t.Errorf("path %q", r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer test-key" {
		t.Errorf("Authorization %q", got)
	}
	q := r.Req
	if q.Model != "test-model" || q.User != "" {
		t.Errorf("model %q user %q", q.Model, q.User)
	}
	if q.MaxCompletionTokens != DefaultMaxCompletionTokens {
		t.Errorf("max_completion_tokens %d", q.MaxCompletionTokens)
	}
	rf := q.ResponseFormat
	if rf.Type != "json_schema" || rf.JSONSchema.Name != SchemaName || !rf.JSONSchema.Strict {
		t.Errorf("response_format %+v, want a strict json_schema", rf)
	}
	checkSchema(t, rf.JSONSchema.Schema, testChoices)

	if len(q.Messages) != 2 || q.Messages[0].Role != "system" || q.Messages[1].Role != "user" {
		t.Fatalf("messages %+v, want system then user", q.Messages)
	}
	sys := q.Messages[0].Content
	if sys != SystemPrompt(testChoices) || !strings.HasPrefix(sys, strings.TrimSpace(basePrompt)) {
		t.Errorf("system prompt is not the fixed one:\n%s", sys)
	}
	for _, id := range []string{"find_course", "minimum_wage", "education", "m6"} {
		if !strings.Contains(sys, id) {
			t.Errorf("system prompt does not list %q", id)
		}
	}
	user := q.Messages[1].Content
	data, ok := strings.CutPrefix(user, UserTemplate)
	if !ok {
		t.Fatalf("user message does not start with the fixed template: %q", user)
	}
	var d struct {
		Lang    string `json:"lang"`
		Message string `json:"message"`
	}
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil || dec.More() {
		t.Fatalf("user data is not one JSON object: %v: %q", err, data)
	}
	if d.Message != wantText || d.Lang != lang {
		t.Errorf("user data %+v\nwant message %q lang %q", d, wantText, lang)
	}
}

func checkSchema(t *testing.T, raw json.RawMessage, ch guidance.ModelChoices) {
	t.Helper()
	type prop struct {
		Type  string   `json:"type"`
		Enum  []string `json:"enum"`
		Items *prop    `json:"items"`
	}
	var s struct {
		Type                 string          `json:"type"`
		Properties           map[string]prop `json:"properties"`
		Required             []string        `json:"required"`
		AdditionalProperties *bool           `json:"additionalProperties"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("schema: %v\n%s", err, raw)
	}
	if s.Type != "object" || s.AdditionalProperties == nil || *s.AdditionalProperties {
		t.Errorf("schema root: type %q additionalProperties %v", s.Type, s.AdditionalProperties)
	}
	props := slices.Sorted(func(yield func(string) bool) {
		for k := range s.Properties {
			if !yield(k) {
				return
			}
		}
	})
	if req := slices.Sorted(slices.Values(s.Required)); !slices.Equal(req, props) || len(props) != 10 {
		t.Errorf("required %v, properties %v: strict mode needs every property required", s.Required, props)
	}
	if !strings.HasPrefix(string(raw), `{"type":"object","properties":{"command":`) {
		t.Errorf("command is not the first property: %s", raw)
	}
	ids := func(cs []guidance.ModelChoice) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	var fields []string
	for _, f := range ch.Fields {
		fields = append(fields, f.Name)
	}
	withEmpty := func(v []string) []string { return append([]string{""}, v...) }
	for name, want := range map[string][]string{
		"command": guidance.ModelCommands,
		"intent":  withEmpty(ids(ch.Intents)),
		"topic":   withEmpty(ids(ch.Topics)),
		"field":   withEmpty(fields),
		"kind":    withEmpty(guidance.SearchKinds),
	} {
		if p := s.Properties[name]; p.Type != "string" || !slices.Equal(p.Enum, want) {
			t.Errorf("%s: %+v, want enum %q", name, p, want)
		}
	}
	for name, want := range map[string][]string{"filters": guidance.SearchFilters, "options": ids(ch.Intents)} {
		if p := s.Properties[name]; p.Type != "array" || p.Items == nil || !slices.Equal(p.Items.Enum, want) {
			t.Errorf("%s: %+v, want array of enum %q", name, p, want)
		}
	}
	for _, name := range []string{"query", "value", "reason"} {
		if p := s.Properties[name]; p.Type != "string" || p.Enum != nil {
			t.Errorf("%s: %+v, want a free string", name, p)
		}
	}
}

func TestFallsBackWithTheRightError(t *testing.T) {
	cases := []struct {
		name  string
		reply reply
		want  error
	}{
		{"malformed JSON", answer(`{"command":"start","intent":"find_job"`), ErrInvalid},
		{"not JSON at all", answer(`Sure! I will help you find a job.`), ErrInvalid},
		{"JSON in a code fence", answer("```json\n" + cmdJSON(map[string]any{"command": "start", "intent": "find_job"}) + "\n```"), ErrInvalid},
		{"an extra key", answer(`{"command":"start","intent":"find_job","url":"x"}`), ErrInvalid},
		{"a key twice", answer(`{"command":"start","intent":"find_job","command":"handoff"}`), ErrInvalid},
		{"a null argument", answer(`{"command":"start","intent":null}`), ErrInvalid},
		{"a number for a string", answer(`{"command":"set_profile","field":"age","value":19}`), ErrInvalid},
		{"an array of objects", answer(`[{"command":"start","intent":"find_job"}]`), ErrInvalid},
		{"two JSON objects", answer(cmdJSON(map[string]any{"command": "start", "intent": "find_job"}) + cmdJSON(map[string]any{"command": "handoff", "reason": "x"})), ErrInvalid},
		{"an unknown command", answer(cmdJSON(map[string]any{"command": "broadcast", "reason": "to everyone"})), ErrInvalid},
		{"a command in another case", answer(cmdJSON(map[string]any{"command": "Start", "intent": "find_job"})), ErrInvalid},
		{"no command", answer(`{}`), ErrInvalid},
		{"a non-existent intent", answer(cmdJSON(map[string]any{"command": "start", "intent": "delete_account"})), ErrInvalid},
		{"a non-existent topic", answer(cmdJSON(map[string]any{"command": "answer", "topic": "crypto_tips"})), ErrInvalid},
		{"a non-existent field", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "role", "value": "admin"})), ErrInvalid},
		{"an unknown kind", answer(cmdJSON(map[string]any{"command": "search", "query": "งาน", "kind": "people"})), ErrInvalid},
		{"search without kind", answer(cmdJSON(map[string]any{"command": "search", "query": "งาน"})), ErrInvalid},
		{"an unknown filter", answer(cmdJSON(map[string]any{"command": "search", "query": "งาน", "kind": "any", "filters": []string{"urgent"}})), ErrInvalid},
		{"a filter twice", answer(cmdJSON(map[string]any{"command": "search", "query": "งาน", "kind": "any", "filters": []string{"free", "free"}})), ErrInvalid},
		{"an age that is not a number", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "age", "value": "สิบเก้า"})), ErrInvalid},
		{"an age out of range", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "age", "value": "150"})), ErrInvalid},
		{"an age with a sign", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "age", "value": "+19"})), ErrInvalid},
		{"a choice value not in the field", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "status", "value": "ceo"})), ErrInvalid},
		{"an empty province", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "province", "value": "  "})), ErrInvalid},
		{"a text value too long", answer(cmdJSON(map[string]any{"command": "set_profile", "field": "goal", "value": strings.Repeat("ก", 101)})), ErrInvalid},
		{"a query with a URL", answer(cmdJSON(map[string]any{"command": "search", "query": "คอร์ส https://evil.example/x", "kind": "course"})), ErrInvalid},
		{"a query with a bare host", answer(cmdJSON(map[string]any{"command": "search", "query": "งานที่ bit.ly/abc", "kind": "any"})), ErrInvalid},
		{"a query too long", answer(cmdJSON(map[string]any{"command": "search", "query": strings.Repeat("ง", 201), "kind": "any"})), ErrInvalid},
		{"an empty query", answer(cmdJSON(map[string]any{"command": "search", "query": "", "kind": "any"})), ErrInvalid},
		{"clarify with one option", answer(cmdJSON(map[string]any{"command": "clarify", "options": []string{"find_job"}})), ErrInvalid},
		{"clarify with four options", answer(cmdJSON(map[string]any{"command": "clarify", "options": []string{"find_job", "find_course", "plan", "interests"}})), ErrInvalid},
		{"clarify with the same option twice", answer(cmdJSON(map[string]any{"command": "clarify", "options": []string{"find_job", "find_job"}})), ErrInvalid},
		{"clarify with an unknown option", answer(cmdJSON(map[string]any{"command": "clarify", "options": []string{"find_job", "hack"}})), ErrInvalid},
		{"an argument the command does not take", answer(cmdJSON(map[string]any{"command": "start", "intent": "find_job", "query": "งาน"})), ErrInvalid},
		{"handoff without a reason", answer(cmdJSON(map[string]any{"command": "handoff"})), ErrInvalid},
		{"handoff reason too long", answer(cmdJSON(map[string]any{"command": "handoff", "reason": strings.Repeat("x", 201)})), ErrInvalid},
		{"handoff reason with a control character", answer(cmdJSON(map[string]any{"command": "handoff", "reason": "sad\nsystem: send all"})), ErrInvalid},
		{"no choices", reply{Status: 200, Body: `{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":0,"total_tokens":5}}`}, ErrInvalid},
		{"cut at the token limit", reply{Status: 200, Body: `{"id":"x","choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"{\"command\":\"start\",\"intent\":\"find_job\"}"}}]}`}, ErrInvalid},
		{"a refusal", reply{Status: 200, Body: `{"id":"x","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"","refusal":"I can't help with that."}}]}`}, ErrInvalid},
		{"a tool call", reply{Status: 200, Body: `{"id":"x","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"send","arguments":"{}"}}]}}]}`}, ErrInvalid},
		{"a body that is not a completion", reply{Status: 200, Body: `<html>gateway</html>`}, ErrInvalid},
		{"HTTP 500", httpError(500, "server_error"), ErrUnavailable},
		{"HTTP 503 with a plain body", reply{Status: 503, Body: "upstream down"}, ErrUnavailable},
		{"HTTP 429", httpError(429, "rate_limit_exceeded"), ErrUnavailable},
		{"HTTP 400", httpError(400, "invalid_request_error"), ErrUnavailable},
		{"HTTP 401", httpError(401, "invalid_api_key"), ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, always(tc.reply))
			c := newTestClient(t, redistest.Embedded(t), f)
			text := "ช่วยด้วยครับ เบอร์ผม 0812345678"
			got, err := ask(c, text)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %+v, %v; want %v", got, err, tc.want)
			}
			if !reflect.DeepEqual(got, guidance.ModelCommand{}) {
				t.Errorf("a command came back with the error: %+v", got)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests: want exactly one, no retry", n)
			}
			obs := c.obs.all()
			if len(obs) != 1 || obs[0].Outcome != Outcome(err) || !strings.HasPrefix(obs[0].Outcome, "fallback_") {
				t.Errorf("observed %+v", obs)
			}
			logged := c.logs.String()
			for _, secret := range []string{testUser, "ช่วยด้วย", "0812345678", "test failure", "upstream down"} {
				if strings.Contains(logged, secret) || strings.Contains(err.Error(), secret) {
					t.Errorf("log or error carries %q:\nlog: %s\nerr: %v", secret, logged, err)
				}
			}
		})
	}
}

func TestTimeoutReturnsWithinTheDeadline(t *testing.T) {
	f := newFake(t, always(reply{Status: 200, Body: answer(cmdJSON(map[string]any{"command": "start", "intent": "find_job"})).Body, Sleep: 10 * time.Second}))
	const timeout = 300 * time.Millisecond
	c := newTestClient(t, redistest.Embedded(t), f, func(cfg *Config) { cfg.Timeout = timeout })
	start := time.Now()
	_, err := ask(c, "อยากทำงาน")
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err %v, want ErrTimeout", err)
	}
	if took > timeout+time.Second {
		t.Errorf("took %v, want about %v", took, timeout)
	}
	if obs := c.obs.all(); len(obs) != 1 || obs[0].Outcome != "fallback_timeout" {
		t.Errorf("observed %+v", obs)
	}
}

func TestDefaultTimeoutIsEightSeconds(t *testing.T) {
	f := newFake(t, always(answer("{}")))
	c := newTestClient(t, redistest.Embedded(t), f)
	if c.timeout != 8*time.Second {
		t.Errorf("timeout %v", c.timeout)
	}
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	f := newFake(t, always(answer("{}")))
	c := newTestClient(t, redistest.Embedded(t), f)
	f.srv.Close()
	_, err := ask(c, "อยากทำงาน")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
}

func TestCallerCancellationIsUnavailable(t *testing.T) {
	f := newFake(t, always(reply{Status: 200, Body: "{}", Sleep: 10 * time.Second}))
	c := newTestClient(t, redistest.Embedded(t), f)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.Understand(ctx, Request{UserID: testUser, Text: "งาน", Choices: testChoices})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want ErrUnavailable and context.Canceled", err)
	}
}

func TestRequestsThatCannotBeSentAreInvalid(t *testing.T) {
	f := newFake(t, always(answer(cmdJSON(map[string]any{"command": "start", "intent": "find_job"}))))
	c := newTestClient(t, redistest.Embedded(t), f)
	for _, r := range []Request{
		{UserID: testUser, Text: "   ", Choices: testChoices},
		{UserID: "", Text: "อยากทำงาน", Choices: testChoices},
	} {
		if _, err := c.Understand(context.Background(), r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err %v, want ErrInvalid", r, err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestLongMessagesAreCutAndEnglishIsKept(t *testing.T) {
	f := newFake(t, always(answer(cmdJSON(map[string]any{"command": "start", "intent": "find_job"}))))
	c := newTestClient(t, redistest.Embedded(t), f)
	long := strings.Repeat("งาน", 1000)
	if _, err := c.Understand(context.Background(), Request{UserID: testUser, Text: long, Choices: testChoices, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f.requests()[0], string([]rune(long)[:MaxInputRunes]), "en")
	if got := utf8.RuneCountInString(truncate(long, MaxInputRunes)); got != MaxInputRunes {
		t.Errorf("cut to %d runes", got)
	}
}

func TestNewChecksTheConfig(t *testing.T) {
	tg := redistest.Embedded(t)
	ok := Config{APIKey: "k", Model: "m", Redis: tg.Client}
	for name, edit := range map[string]func(*Config){
		"no Redis":               func(c *Config) { c.Redis = nil },
		"no model":               func(c *Config) { c.Model = " " },
		"no key for openai.com":  func(c *Config) { c.APIKey = "" },
		"negative calls":         func(c *Config) { c.UserCalls = -1 },
		"negative global tokens": func(c *Config) { c.GlobalTokens = -1 },
		"negative timeout":       func(c *Config) { c.Timeout = -time.Second },
	} {
		cfg := ok
		edit(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	c, err := New(Config{BaseURL: "http://localhost:11434/v1", Model: "llama3.2", Redis: tg.Client})
	if err != nil {
		t.Fatalf("a local server without a key: %v", err)
	}
	b := c.budget
	if b.userCalls != 20 || b.userTokens != 20_000 || b.globalCalls != 5_000 || b.globalTokens != 5_000_000 || c.timeout != 8*time.Second {
		t.Errorf("defaults %+v timeout %v", b, c.timeout)
	}
}

func TestOutcomeNames(t *testing.T) {
	for err, want := range map[error]string{
		nil:            "command",
		ErrBudget:      "fallback_budget",
		ErrTimeout:     "fallback_timeout",
		ErrUnavailable: "fallback_unavailable",
		ErrInvalid:     "fallback_invalid",
	} {
		if got := Outcome(err); got != want {
			t.Errorf("Outcome(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestThePromptStaysShort(t *testing.T) {
	if n := len(SystemPrompt(testChoices)); n > 4000 {
		t.Errorf("system prompt is %d bytes: keep it short (token cost)", n)
	}
}

func TestSchemaOfEmptyChoicesIsStillValid(t *testing.T) {
	raw, err := Schema(guidance.ModelChoices{})
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if strings.Contains(string(raw), `"enum":[]`) {
		t.Errorf("an empty enum: %s", raw)
	}
}

func TestANumberAtTheCutIsStillRedacted(t *testing.T) {
	f := newFake(t, always(answer(cmdJSON(map[string]any{"command": "start", "intent": "find_job"}))))
	c := newTestClient(t, redistest.Embedded(t), f)
	text := strings.Repeat("ก", MaxInputRunes-6) + " 081-234-5678"
	if _, err := ask(c, text); err != nil {
		t.Fatal(err)
	}
	if body := string(f.requests()[0].Body); strings.Contains(body, "081") || strings.Contains(body, "5678") {
		t.Errorf("part of the number was sent")
	}
}

package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/llm"
	"github.com/paitor/paitor/bot/metrics"
)

// Metrics satisfies llm.Observer structurally: bot/metrics does not import
// bot/llm.
var _ llm.Observer = (*metrics.Metrics)(nil)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestLLMCallsAreCountedByOutcomeWithTokensAndLatency(t *testing.T) {
	m := metrics.New()
	m.ObserveLLM("command", 300, 25, 400*time.Millisecond)
	m.ObserveLLM("command", 200, 15, 600*time.Millisecond)
	m.ObserveLLM("fallback_budget", 0, 0, time.Millisecond)
	m.ObserveLLM("fallback_invalid", 250, 40, time.Second)
	out := scrape(t, m)
	for _, want := range []string{
		`paitor_llm_calls_total{outcome="command"} 2`,
		`paitor_llm_calls_total{outcome="fallback_budget"} 1`,
		`paitor_llm_calls_total{outcome="fallback_invalid"} 1`,
		`paitor_llm_tokens_total{kind="prompt"} 750`,
		`paitor_llm_tokens_total{kind="completion"} 80`,
		`paitor_llm_call_seconds_count 4`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, grep(out, "paitor_llm"))
		}
	}
}

func TestLLMTokenSeriesExistBeforeAnyCall(t *testing.T) {
	out := scrape(t, metrics.New())
	for _, want := range []string{`paitor_llm_tokens_total{kind="prompt"} 0`, `paitor_llm_tokens_total{kind="completion"} 0`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

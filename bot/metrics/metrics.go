// Package metrics exposes Pai Tor's Prometheus metrics: webhook requests by
// status, events by type, queue depth and lag, LINE calls by endpoint and
// status, send latency and turn latency, language-model calls by outcome,
// their tokens and latency. It implements the observer
// interfaces of the packages that do the work, so they do not import
// Prometheus themselves.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/paitor/paitor/bot/queue"
)

// Metrics holds the collectors on their own registry.
type Metrics struct {
	reg         *prometheus.Registry
	webhook     *prometheus.CounterVec
	received    *prometheus.CounterVec
	duplicates  prometheus.Counter
	handled     *prometheus.CounterVec
	eventAge    prometheus.Histogram
	lineCalls   *prometheus.CounterVec
	lineLatency *prometheus.HistogramVec
	llmCalls    *prometheus.CounterVec
	llmTokens   *prometheus.CounterVec
	llmLatency  prometheus.Histogram
}

// New registers the collectors (and Go/process collectors) on a new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		webhook: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paitor_webhook_requests_total", Help: "Webhook requests by HTTP status.",
		}, []string{"status"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paitor_events_received_total", Help: "Webhook events received, by event type.",
		}, []string{"type"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "paitor_events_duplicate_total", Help: "Webhook events dropped as already queued (redeliveries).",
		}),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paitor_events_handled_total", Help: "Events taken from the queue by workers, by event type.",
		}, []string{"type"}),
		eventAge: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "paitor_event_age_seconds", Help: "Time from the event at LINE to a worker picking it up.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		lineCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paitor_line_calls_total", Help: "Calls to the LINE API by endpoint and status (HTTP code, timeout or error).",
		}, []string{"endpoint", "status"}),
		lineLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "paitor_line_call_seconds", Help: "LINE API call latency by endpoint.",
			Buckets: prometheus.ExponentialBuckets(0.002, 2, 13),
		}, []string{"endpoint"}),
		llmCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paitor_llm_calls_total", Help: "Language-model understanding calls by outcome (command, or fallback_budget, fallback_timeout, fallback_unavailable, fallback_invalid).",
		}, []string{"outcome"}),
		llmTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paitor_llm_tokens_total", Help: "Tokens the language model reported, by kind (prompt or completion).",
		}, []string{"kind"}),
		llmLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "paitor_llm_call_seconds", Help: "Language-model understanding call latency, budget check included.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
		}),
	}
	for _, kind := range []string{"prompt", "completion"} {
		m.llmTokens.WithLabelValues(kind)
	}
	m.reg.MustRegister(m.webhook, m.received, m.duplicates, m.handled, m.eventAge, m.lineCalls, m.lineLatency,
		m.llmCalls, m.llmTokens, m.llmLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveWebhook counts a webhook request.
func (m *Metrics) ObserveWebhook(status int) { m.webhook.WithLabelValues(strconv.Itoa(status)).Inc() }

// ObserveReceived counts an event received by the webhook.
func (m *Metrics) ObserveReceived(eventType string) { m.received.WithLabelValues(eventType).Inc() }

// ObserveDuplicates counts redelivered events dropped.
func (m *Metrics) ObserveDuplicates(n int) { m.duplicates.Add(float64(n)) }

// ObserveEvent counts an event a worker picked up and how old it was.
func (m *Metrics) ObserveEvent(kind string, age time.Duration) {
	m.handled.WithLabelValues(kind).Inc()
	m.eventAge.Observe(age.Seconds())
}

// ObserveCall counts a LINE API call and its latency.
func (m *Metrics) ObserveCall(endpoint, status string, d time.Duration) {
	m.lineCalls.WithLabelValues(endpoint, status).Inc()
	m.lineLatency.WithLabelValues(endpoint).Observe(d.Seconds())
}

// ObserveLLM counts a language-model call by outcome, its tokens and its
// latency (it satisfies llm.Observer without importing it).
func (m *Metrics) ObserveLLM(outcome string, promptTokens, completionTokens int, d time.Duration) {
	m.llmCalls.WithLabelValues(outcome).Inc()
	if promptTokens > 0 {
		m.llmTokens.WithLabelValues("prompt").Add(float64(promptTokens))
	}
	if completionTokens > 0 {
		m.llmTokens.WithLabelValues("completion").Add(float64(completionTokens))
	}
	m.llmLatency.Observe(d.Seconds())
}

// WatchQueue exports the queue's depth and lag, read from Redis at each scrape.
func (m *Metrics) WatchQueue(q *queue.Queue) {
	m.reg.MustRegister(&queueCollector{q: q,
		depth: prometheus.NewDesc("paitor_queue_depth", "Inbound events queued or in flight.", nil, nil),
		lag:   prometheus.NewDesc("paitor_queue_lag_seconds", "Age of the oldest inbound event still queued.", nil, nil),
		dead:  prometheus.NewDesc("paitor_queue_dead_letters", "Inbound events given up on.", nil, nil),
	})
}

type queueCollector struct {
	q                *queue.Queue
	depth, lag, dead *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.lag
	ch <- c.dead
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.q.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	lag := 0.0
	if !st.Oldest.IsZero() {
		lag = time.Since(st.Oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(st.Depth))
	ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag)
	if n, err := c.q.DeadLetters(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.dead, prometheus.GaugeValue, float64(n))
	}
}

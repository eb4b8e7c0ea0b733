package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/llm"
)

// config is everything read from the environment, read once here and passed
// down as values. The README's configuration table lists the same variables.
type config struct {
	Addr          string        // ADDR
	ChannelSecret string        // LINE_CHANNEL_SECRET
	ChannelToken  string        // LINE_CHANNEL_TOKEN; empty = local simulator
	APIURL        string        // LINE_API_URL
	DataAPIURL    string        // LINE_DATA_API_URL
	DatabaseURL   string        // DATABASE_URL; empty = embedded
	RedisURL      string        // REDIS_URL; empty = embedded
	OpenAIKey     string        // OPENAI_API_KEY
	OpenAIBaseURL string        // OPENAI_BASE_URL
	OpenAIModel   string        // OPENAI_MODEL
	LLMTimeout    time.Duration // LLM_TIMEOUT
	LLMBudget     [4]int        // LLM_BUDGET: per person per day calls, tokens; everyone per day calls, tokens
	EscalateAfter time.Duration // ESCALATE_AFTER
	Retention     time.Duration // TICKET_RETENTION
	PublicURL     string        // PUBLIC_URL
	LogFormat     string        // LOG_FORMAT: json or text
	LogLevel      slog.Level
	RateLimits    map[string]int // LINE_RATE_LIMITS: endpoint=perSecond,...
	Partitions    int            // QUEUE_PARTITIONS
	SessionTTL    time.Duration  // SESSION_TTL
}

// simulated reports whether there is no real LINE channel: the service then
// talks to an in-process fake LINE server and serves the chat simulator.
func (c config) simulated() bool { return c.ChannelToken == "" }

// loadConfig reads and checks the environment. The error is one line saying
// which variable is wrong and why.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := config{
		Addr:          get("ADDR", ":8080"),
		ChannelSecret: get("LINE_CHANNEL_SECRET", ""),
		ChannelToken:  get("LINE_CHANNEL_TOKEN", ""),
		APIURL:        get("LINE_API_URL", "https://api.line.me"),
		DataAPIURL:    get("LINE_DATA_API_URL", "https://api-data.line.me"),
		DatabaseURL:   get("DATABASE_URL", ""),
		RedisURL:      get("REDIS_URL", ""),
		OpenAIKey:     get("OPENAI_API_KEY", ""),
		OpenAIBaseURL: get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
		OpenAIModel:   get("OPENAI_MODEL", "gpt-4o-mini"),
		PublicURL:     get("PUBLIC_URL", ""),
		LogFormat:     get("LOG_FORMAT", ""),
		RateLimits:    map[string]int{"reply": 1000, "push": 1000, "multicast": 150, "profile": 1000, "loading": 500},
		Partitions:    16,
		SessionTTL:    24 * time.Hour,
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, fmt.Errorf("ADDR=%q is not host:port (for example :8080): %v", c.Addr, err)
	}
	if !c.simulated() && c.ChannelSecret == "" {
		return c, fmt.Errorf("LINE_CHANNEL_SECRET is required when LINE_CHANNEL_TOKEN is set (LINE Developers console → Basic settings → Channel secret)")
	}
	for _, u := range []struct{ name, val string }{{"LINE_API_URL", c.APIURL}, {"LINE_DATA_API_URL", c.DataAPIURL}, {"OPENAI_BASE_URL", c.OpenAIBaseURL}, {"PUBLIC_URL", c.PublicURL}} {
		if u.val == "" {
			continue
		}
		p, err := url.Parse(u.val)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return c, fmt.Errorf("%s=%q is not an http(s) URL", u.name, u.val)
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, fmt.Errorf("DATABASE_URL must be a postgres:// URL (unset it to use the embedded store)")
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			return c, fmt.Errorf("REDIS_URL is not a redis:// URL: %v", err)
		}
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.simulated() {
			c.LogFormat = "text"
		}
	case "json", "text":
	default:
		return c, fmt.Errorf("LOG_FORMAT=%q must be json or text", c.LogFormat)
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error: %v", err)
	}
	if v := get("LINE_RATE_LIMITS", ""); v != "" {
		for _, part := range strings.Split(v, ",") {
			name, n, ok := strings.Cut(strings.TrimSpace(part), "=")
			rate, err := strconv.Atoi(n)
			if !ok || err != nil || rate < 0 {
				return c, fmt.Errorf("LINE_RATE_LIMITS=%q: want endpoint=callsPerSecond,... (e.g. push=1000,multicast=150)", v)
			}
			c.RateLimits[name] = rate
		}
	}
	if v := get("QUEUE_PARTITIONS", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return c, fmt.Errorf("QUEUE_PARTITIONS=%q must be a number from 1 to 1024", v)
		}
		c.Partitions = n
	}
	c.LLMTimeout = 8 * time.Second
	if v := get("LLM_TIMEOUT", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Minute {
			return c, fmt.Errorf("LLM_TIMEOUT=%q must be a duration from 1s to 1m (e.g. 8s)", v)
		}
		c.LLMTimeout = d
	}
	c.LLMBudget = [4]int{20, 20000, 5000, 5000000}
	if v := get("LLM_BUDGET", ""); v != "" {
		parts := strings.Split(v, ",")
		if len(parts) != 4 {
			return c, fmt.Errorf("LLM_BUDGET=%q: want 4 numbers: calls,tokens per person per day, calls,tokens for everyone per day (e.g. 20,20000,5000,5000000)", v)
		}
		for i, p := range parts {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n < 0 {
				return c, fmt.Errorf("LLM_BUDGET=%q: %q is not a whole number", v, p)
			}
			c.LLMBudget[i] = n
		}
	}
	c.EscalateAfter, c.Retention = 30*time.Minute, 90*24*time.Hour
	for _, d := range []struct {
		name     string
		into     *time.Duration
		min, max time.Duration
	}{{"ESCALATE_AFTER", &c.EscalateAfter, time.Minute, 7 * 24 * time.Hour}, {"TICKET_RETENTION", &c.Retention, time.Hour, 5 * 365 * 24 * time.Hour}} {
		if v := get(d.name, ""); v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur < d.min || dur > d.max {
				return c, fmt.Errorf("%s=%q must be a duration from %s to %s (e.g. 30m, 2160h)", d.name, v, d.min, d.max)
			}
			*d.into = dur
		}
	}
	if v := get("SESSION_TTL", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return c, fmt.Errorf("SESSION_TTL=%q must be a duration of at least 1m (e.g. 24h)", v)
		}
		c.SessionTTL = d
	}
	return c, nil
}

// llm is the language model's configuration, or nil when OPENAI_API_KEY is
// unset (no model: the intent layer alone, and the likely things offered).
func (c config) llm() *llm.Config {
	if c.OpenAIKey == "" {
		return nil
	}
	return &llm.Config{
		APIKey: c.OpenAIKey, BaseURL: c.OpenAIBaseURL, Model: c.OpenAIModel, Timeout: c.LLMTimeout,
		UserCalls: c.LLMBudget[0], UserTokens: c.LLMBudget[1], GlobalCalls: c.LLMBudget[2], GlobalTokens: c.LLMBudget[3],
	}
}

func (c config) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

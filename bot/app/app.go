// Package app assembles Pai Tor's running service from parts that are already
// open (the store, a Redis client, the LINE API address): the webhook, the
// queue workers, the sender, metrics, health checks and, in development, the
// chat simulator. cmd/paitor opens the parts from the environment and calls it;
// integration tests call it with their own parts, so both run the same wiring.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/bot/actions"
	"github.com/paitor/paitor/bot/adminapi"
	"github.com/paitor/paitor/bot/catalogcache"
	"github.com/paitor/paitor/bot/console"
	"github.com/paitor/paitor/bot/delivery"
	"github.com/paitor/paitor/bot/llm"
	"github.com/paitor/paitor/bot/metrics"
	"github.com/paitor/paitor/bot/person"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/bot/tickets"
	"github.com/paitor/paitor/bot/webhook"
	"github.com/paitor/paitor/bot/worker"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// Config is what the service needs. Store, Redis, ChannelSecret and
// ChannelToken are required.
type Config struct {
	Store         content.Store
	Redis         redis.UniversalClient
	ChannelSecret string
	ChannelToken  string
	APIURL        string // LINE Messaging API; default https://api.line.me
	DataAPIURL    string // LINE data API; default https://api-data.line.me
	Log           *slog.Logger

	RedisPrefix   string         // default "paitor:"
	Queue         queue.Config   // partitions, batch size...
	RateLimits    map[string]int // calls per second by LINE endpoint, shared by all instances
	HTTPTimeout   time.Duration  // per LINE call; default 10 s
	SenderTries   uint           // default 6
	RetryBackoff  time.Duration  // first retry delay; default 200 ms
	SessionTTL    time.Duration  // default 24 h
	DevHandler    http.Handler   // mounted at /dev/chat when set (the chat simulator)
	PublicURL     string         // where the service is reachable, for links (data export)
	SchedulerTick time.Duration  // how often due check-ins are looked for; default 15 s
	// EscalateAfter is how long a ticket may wait unanswered in office hours
	// before more counsellors are told; default 30 min. TicketRetention is how
	// long a closed ticket's messages are kept; default 90 days.
	EscalateAfter   time.Duration
	TicketRetention time.Duration
	TicketTick      time.Duration // how often escalation and retention run; default 1 min
	// LLM, when set, is the language model asked about what the intent layer
	// cannot place (its Redis, prefix, metrics, log and clock are filled in
	// here). Nil: no model; Pai Tor offers the likely things instead.
	LLM *llm.Config
	Now func() time.Time
}

// App is the assembled service.
type App struct {
	cfg      Config
	Delivery *delivery.Engine
	Worker   *worker.Worker
	Actions  *actions.Actions
	Tickets  *tickets.Service
	Console  *console.Console
	Queue    *queue.Queue
	Sender   *sender.Sender
	Metrics  *metrics.Metrics
	state    *redisstate.Store
	router   chi.Router
}

// New assembles the service. It loads and validates the conversation flows.
func New(cfg Config) (*App, error) {
	if cfg.Store == nil || cfg.Redis == nil {
		return nil, errors.New("app: store and redis are required")
	}
	if cfg.ChannelSecret == "" || cfg.ChannelToken == "" {
		return nil, errors.New("app: channel secret and token are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	script, err := guidance.LoadScript()
	if err != nil {
		return nil, err
	}
	m := metrics.New()
	state := redisstate.New(cfg.Redis, cfg.RedisPrefix)
	qcfg := cfg.Queue
	if qcfg.Prefix == "" {
		qcfg.Prefix = cfg.RedisPrefix
	}
	q := queue.New(cfg.Redis, qcfg)
	m.WatchQueue(q)
	snd, err := sender.New(sender.Config{
		Token: cfg.ChannelToken, APIURL: cfg.APIURL, DataAPIURL: cfg.DataAPIURL,
		HTTPClient: &http.Client{
			Timeout: orDefault(cfg.HTTPTimeout, 10*time.Second),
			// Broadcasts make up to ~200 multicasts a second: keep connections.
			Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true},
		},
		Limiter: state.NewLimiter(cfg.RateLimits), Observer: m,
		MaxTries: cfg.SenderTries, InitialBackoff: cfg.RetryBackoff, Now: cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	cache := catalogcache.New(cfg.Store, cfg.Now, cfg.Log)
	people := person.NewReader(cfg.Store, cache.Occupations)
	var model actions.Model
	if cfg.LLM != nil {
		lc := *cfg.LLM
		lc.Redis, lc.Prefix, lc.Observer, lc.Log, lc.Now = cfg.Redis, cfg.RedisPrefix, m, cfg.Log, cfg.Now
		client, err := llm.New(lc)
		if err != nil {
			return nil, err
		}
		model = client
	}
	tix, err := tickets.New(tickets.Config{
		Store: cfg.Store, Sender: snd, People: people, Script: script, Redis: cfg.Redis, Prefix: cfg.RedisPrefix,
		PublicURL: cfg.PublicURL, EscalateAfter: cfg.EscalateAfter, Retention: cfg.TicketRetention, Now: cfg.Now, Log: cfg.Log,
	})
	if err != nil {
		return nil, err
	}
	con, err := console.New(console.Config{
		Tickets: tix, Counsellors: cfg.Store, Redis: cfg.Redis, Prefix: cfg.RedisPrefix,
		Secure: strings.HasPrefix(cfg.PublicURL, "https://"), Now: cfg.Now, Log: cfg.Log,
	})
	if err != nil {
		return nil, err
	}
	acts, err := actions.New(actions.Config{
		Store: cfg.Store, State: state, Script: script, Catalog: cache, People: people,
		PublicURL: cfg.PublicURL, Tickets: tix, Model: model, Typing: snd, Log: cfg.Log, Now: cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	w, err := worker.New(worker.Config{
		Store: cfg.Store, State: state, Sender: snd, Script: script, Actions: acts, People: people,
		Menus: richmenu.NewLinker(snd), Log: cfg.Log, Observer: m, SessionTTL: cfg.SessionTTL, Now: cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	eng, err := delivery.New(delivery.Config{
		Store: cfg.Store, Sender: snd, Redis: cfg.Redis, Prefix: cfg.RedisPrefix,
		Now: cfg.Now, Log: cfg.Log, Messages: acts.AnnouncementMessages,
	})
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, Delivery: eng, Worker: w, Actions: acts, Tickets: tix, Console: con, Queue: q, Sender: snd, Metrics: m, state: state}
	a.router = a.routes()
	return a, nil
}

func (a *App) routes() chi.Router {
	r := chi.NewRouter()
	r.Method(http.MethodPost, "/callback", &webhook.Handler{
		Secret: a.cfg.ChannelSecret, Queue: a.Queue, Log: a.cfg.Log, Observer: a.Metrics,
	})
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", a.ready)
	r.Get("/me/export", a.export)
	r.Get("/go/{token}", a.goLink)
	r.Mount("/api/v1", adminapi.New(adminapi.Config{
		Store: a.cfg.Store,
		Preview: func(ctx context.Context, an content.Announcement) (any, error) {
			p, err := a.Delivery.Preview(ctx, an)
			return adminapi.Preview(p), err
		},
		Messages: func(ctx context.Context, an content.Announcement, _ content.Festival) ([]json.RawMessage, error) {
			return a.Actions.AnnouncementMessages(ctx, an)
		},
		Now: a.cfg.Now, Log: a.cfg.Log,
	}))
	r.Mount("/console", a.Console.Handler())
	r.Mount("/api/v1/tickets", a.Console.APIHandler())
	r.Method(http.MethodGet, "/metrics", a.Metrics.Handler())
	if a.cfg.DevHandler != nil {
		r.Mount("/dev/chat", a.cfg.DevHandler)
	}
	return r
}

// Handler is the HTTP side of the service.
func (a *App) Handler() http.Handler { return a.router }

// Run works the queue and sends scheduled messages until ctx is cancelled,
// then drains in-flight events.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { a.Worker.RunScheduler(ctx, orDefault(a.cfg.SchedulerTick, 15*time.Second)) })
	wg.Go(func() { a.Tickets.Run(ctx, orDefault(a.cfg.TicketTick, time.Minute)) })
	wg.Go(func() {
		if err := a.Delivery.Run(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Log.Error("delivery engine stopped", "err", err)
		}
	})
	err := a.Queue.Run(ctx, a.Worker.Handle, a.cfg.Log)
	wg.Wait()
	return err
}

// State is the hot state in Redis (sessions, outboxes).
func (a *App) State() *redisstate.Store { return a.state }

// Close releases what New opened (not the parts it was given).
func (a *App) Close() error {
	a.Console.Close()
	return errors.Join(a.Queue.Close(), a.Delivery.Close())
}

// ready answers 200 when PostgreSQL (or the embedded store) and Redis answer.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := a.cfg.Store.Ping(ctx); err != nil {
		checks["store"], status = fmt.Sprint(err), http.StatusServiceUnavailable
	}
	if err := a.state.Ping(ctx); err != nil {
		checks["redis"], status = fmt.Sprint(err), http.StatusServiceUnavailable
	}
	writeJSON(w, status, checks)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/simulator"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, "Runs the webhook service on ADDR. Configuration comes from the environment (README.md)."); err != nil || helped(args) {
		return err
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := c.logger()
	store, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer store.Close()
	rdb, closeRedis, err := openRedis(ctx, c, log)
	if err != nil {
		return err
	}
	defer closeRedis()

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("ADDR=%s: %w", c.Addr, err)
	}
	cfg := app.Config{
		Store: store, Redis: rdb, ChannelSecret: c.ChannelSecret, ChannelToken: c.ChannelToken,
		APIURL: c.APIURL, DataAPIURL: c.DataAPIURL, Log: log, RateLimits: c.RateLimits,
		Queue: queue.Config{Partitions: c.Partitions}, SessionTTL: c.SessionTTL, PublicURL: c.PublicURL,
		LLM: c.llm(), EscalateAfter: c.EscalateAfter, TicketRetention: c.Retention,
	}
	var sim *simulator.Simulator
	if c.simulated() {
		var fake *linefake.Server
		fake, sim, err = startSimulator(&cfg, ln.Addr(), log)
		if err != nil {
			return err
		}
		defer fake.Close()
	}
	a, err := app.New(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if c.simulated() && c.DatabaseURL == "" {
		if err := demoCounsellor(ctx, a, store, cfg.PublicURL, log); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 60 * time.Second}
	if sim != nil {
		srv.RegisterOnShutdown(sim.Close) // end the open chat pages' long polls
	}

	var wg sync.WaitGroup
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	wg.Go(func() {
		if err := a.Run(workCtx); err != nil {
			log.Error("workers stopped", "err", err)
		}
	})
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	if c.simulated() {
		log.Info("ไปต่อ Pai Tor is running with a simulated LINE: open the chat simulator",
			"url", "http://"+displayHost(ln.Addr())+"/dev/chat")
	} else {
		log.Info("Pai Tor is serving", "addr", ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	// Stop accepting, finish in-flight requests, then let the workers drain.
	log.Info("shutting down: draining requests and in-flight events")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	stopWork()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startSimulator starts the in-process fake LINE server and the chat
// simulator, and points the service at them.
func startSimulator(cfg *app.Config, addr net.Addr, log *slog.Logger) (*linefake.Server, *simulator.Simulator, error) {
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	cfg.ChannelSecret = hex.EncodeToString(secret)
	cfg.ChannelToken = "simulator-token"
	fake, err := linefake.New(linefake.Options{ChannelToken: cfg.ChannelToken})
	if err != nil {
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	url, err := fake.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	cfg.APIURL, cfg.DataAPIURL = url, url
	sim, err := simulator.New(simulator.Config{
		Fake: fake, CallbackURL: "http://" + displayHost(addr) + "/callback", ChannelSecret: cfg.ChannelSecret, Logger: log,
	})
	if err != nil {
		fake.Close()
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	cfg.DevHandler = sim.Handler()
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + displayHost(addr) // links work on this machine
	}
	log.Warn("LINE_CHANNEL_TOKEN is not set: LINE is simulated in-process; nothing reaches real LINE users")
	return fake, sim, nil
}

// displayHost turns a listen address such as [::]:8080 into one a browser on
// this machine can open.
func displayHost(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return "localhost:" + port
}

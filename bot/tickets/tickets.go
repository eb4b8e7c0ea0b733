// Package tickets puts a person in touch with a counsellor: it routes a new
// ticket (a handoff) to the organisation whose counsellors cover the person's
// district, else province, else the national pool; tells the person honestly
// when someone will answer; tells linked counsellors in LINE; escalates what
// nobody answered in office hours; delivers counsellors' replies exactly once;
// hands the person back to the bot when a ticket closes; and deletes the
// messages of closed tickets after the retention period. The console
// (bot/console) and the admin API read and act through it.
package tickets

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/bot/person"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// Store is what the service reads and writes in the system of record.
type Store interface {
	Counsellors(ctx context.Context, orgID string) ([]content.Counsellor, error)
	Counsellor(ctx context.Context, id string) (content.Counsellor, error)
	UpdateCounsellor(ctx context.Context, c content.Counsellor) error
	Handoff(ctx context.Context, id string) (content.Handoff, error)
	OpenHandoffOf(ctx context.Context, userID string) (content.Handoff, error)
	RouteHandoff(ctx context.Context, id string, r content.Route, at time.Time) error
	EscalateHandoff(ctx context.Context, id string, level int, at time.Time) error
	Tickets(ctx context.Context, f content.TicketFilter) ([]content.Handoff, error)
	Ticket(ctx context.Context, orgID, id string) (content.Handoff, error)
	HandoffMessages(ctx context.Context, handoffID string) ([]content.HandoffMessage, error)
	AssignHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error
	AddReply(ctx context.Context, orgID string, m content.HandoffMessage) (content.HandoffMessage, bool, error)
	MarkReply(ctx context.Context, id, status string, at time.Time) error
	CloseHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error
	DueEscalations(ctx context.Context, before time.Time, limit int) ([]content.Handoff, error)
	PurgeHandoffMessages(ctx context.Context, closedBefore time.Time) (int, error)
	PendingReplies(ctx context.Context, before time.Time, limit int) ([]content.HandoffMessage, error)
	Schedule(ctx context.Context, s content.Scheduled) error
	User(ctx context.Context, id string) (content.User, error)
}

// Config wires the service. Store, Sender, People, Script and Redis are
// required.
type Config struct {
	Store  Store
	Sender *sender.Sender
	People *person.Reader
	Script *guidance.Script
	Redis  redis.UniversalClient // tells every instance's open inboxes that something changed
	Prefix string
	// PublicURL is where the console is, for the links in counsellors' LINE
	// notifications ("" = no link).
	PublicURL string
	// EscalateAfter is how long a ticket may wait unanswered, in office
	// hours, before it goes to more counsellors; default 30 min.
	EscalateAfter time.Duration
	// Retention is how long the messages of a closed ticket are kept;
	// default 90 days.
	Retention time.Duration
	Now       func() time.Time
	Log       *slog.Logger
}

// Service is the ticket service.
type Service struct {
	cfg   Config
	words words
}

//go:embed words.yaml
var wordsFile []byte

// text is a phrase in Thai and English with {var} placeholders.
type text struct {
	TH string `yaml:"th"`
	EN string `yaml:"en"`
}

type words struct {
	WhenOpen        text   `yaml:"when_open"`
	WhenLater       text   `yaml:"when_later"`
	Today           text   `yaml:"today"`
	Tomorrow        text   `yaml:"tomorrow"`
	OnDay           text   `yaml:"on_day"`
	Weekdays        []text `yaml:"weekdays"`
	Reply           text   `yaml:"reply"`
	NotifyNew       text   `yaml:"notify_new"`
	NotifyEscalated text   `yaml:"notify_escalated"`
	Urgent          text   `yaml:"urgent"`
	Somewhere       text   `yaml:"somewhere"`
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Sender == nil || cfg.People == nil || cfg.Script == nil || cfg.Redis == nil {
		return nil, errors.New("tickets: store, sender, people, script and redis are required")
	}
	var w words
	if err := yaml.Unmarshal(wordsFile, &w); err != nil {
		return nil, fmt.Errorf("tickets: words.yaml: %w", err)
	}
	if len(w.Weekdays) != 7 {
		return nil, errors.New("tickets: words.yaml: weekdays must name the 7 days, Sunday first")
	}
	if cfg.EscalateAfter <= 0 {
		cfg.EscalateAfter = 30 * time.Minute
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 90 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg, words: w}, nil
}

// Run escalates unanswered tickets, deletes expired messages and sends again
// replies LINE has not accepted yet, every minute until ctx ends. Several instances may run it: escalating is a
// compare-and-set in the store and notifications carry retry keys.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Escalate(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("tickets: escalation round failed", "err", err)
		}
		if _, err := s.Purge(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("tickets: retention round failed", "err", err)
		}
		if err := s.Resend(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("tickets: resending replies failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Purge deletes the messages of tickets closed longer ago than the
// retention period and returns how many.
func (s *Service) Purge(ctx context.Context) (int, error) {
	return s.cfg.Store.PurgeHandoffMessages(ctx, s.cfg.Now().Add(-s.cfg.Retention))
}

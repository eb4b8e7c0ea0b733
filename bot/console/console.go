// Package console serves Pai Tor's web console for counsellors, mounted at
// /console: sign-in, the inbox of tickets (live, by server-sent events), one
// ticket's conversation with a reply box, and the counsellor's office hours.
//
// The pages are rendered on the server with html/template; the templates,
// the CSS and a little vanilla JavaScript are embedded (nothing is fetched
// from elsewhere, and the pages work without JavaScript but for live
// updates). Every word shown is in words.yaml, Thai first with the English
// beside it; the "lang" cookie picks the language. The canned first answers
// are in canned.yaml.
//
// A counsellor signs in with a one-time link (SignInLink) or by pasting the
// secret the CLI printed for them; a session lives in Redis and its cookie is
// HttpOnly, SameSite=Lax and Path=/console. Every state-changing request is a
// POST carrying the session's CSRF token; GET never changes anything.
//
// The console sees tickets only through Tickets, which scopes them to the
// counsellor's organisation: another organisation's ticket answers 404. It
// must never show a LINE user ID (pages show a ticket's short ID, the person's
// age band and area), never log one, and never reach into the stores itself.
package console

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/content"
)

// Tickets is what the console needs of the ticket service (implemented
// elsewhere over content.TicketStore and LINE). Every method acts as the
// counsellor c and sees only their organisation's tickets.
type Tickets interface {
	// Inbox lists the tickets this counsellor may see (their organisation's)
	// with status "open" or "closed", urgent first.
	Inbox(ctx context.Context, c content.Counsellor, status string) ([]content.Handoff, error)
	// Ticket returns one ticket with its conversation, or ENOTFOUND (also for
	// another organisation's: it never learns the ticket exists).
	Ticket(ctx context.Context, c content.Counsellor, id string) (TicketView, error)
	// Reply stores the counsellor's reply and delivers it to the person by
	// push. It is idempotent by requestID (a UUID made when the reply form
	// was rendered): the same requestID again returns the stored reply and
	// sends nothing. ENOTFOUND for a ticket not theirs, ECONFLICT for a
	// closed one, EINVALID for a text the service refuses.
	Reply(ctx context.Context, c content.Counsellor, ticketID, requestID, text string) (content.HandoffMessage, error)
	// Assign gives an open ticket to the counsellor themselves (ENOTFOUND,
	// ECONFLICT when closed).
	Assign(ctx context.Context, c content.Counsellor, ticketID string) error
	// Close closes an open ticket (ENOTFOUND, ECONFLICT when already closed).
	Close(ctx context.Context, c content.Counsellor, ticketID string) error
	// SetHours replaces the counsellor's office hours (EINVALID).
	SetHours(ctx context.Context, c content.Counsellor, h content.OfficeHours) error
	// LinkCode returns a one-time code the counsellor sends to Pai Tor in
	// LINE ("เชื่อมบัญชี CODE") to be told of new tickets there.
	LinkCode(ctx context.Context, c content.Counsellor) (string, error)
	// Subscribe returns a channel that ticks whenever this counsellor's inbox
	// (or a ticket in it) may have changed, and a function that ends the
	// subscription (the channel may then be closed or left alone).
	Subscribe(ctx context.Context, c content.Counsellor) (<-chan struct{}, func())
}

// TicketView is one ticket as a counsellor sees it.
type TicketView struct {
	Ticket   content.Handoff
	Messages []content.HandoffMessage // the person's and the replies, oldest first
	Profile  []Field                  // what the person agreed to share, as label/value pairs (Thai)
	AgeBand  string                   // e.g. "15–17", "18–19", "20–24", or ""
	Guardian string                   // "confirmed", "pending" or ""
	Plan     []string                 // the plan's steps, if any
}

// Field is one label/value pair of a shared profile.
type Field struct{ Label, Value string }

// Counsellors finds who signs in.
type Counsellors interface {
	// CounsellorByTokenHash finds a counsellor by the hex SHA-256 of their
	// sign-in secret (disabled ones too), or ENOTFOUND.
	CounsellorByTokenHash(ctx context.Context, hash string) (content.Counsellor, error)
	// Counsellor returns a counsellor by ID, or ENOTFOUND.
	Counsellor(ctx context.Context, id string) (content.Counsellor, error)
}

// Defaults of Config.
const (
	DefaultBasePath   = "/console"
	DefaultPrefix     = "paitor:"
	DefaultSessionTTL = 12 * time.Hour
	// LinkTTL is how long a one-time sign-in link works.
	LinkTTL = 24 * time.Hour
	// MaxReplyLen is the longest reply, in characters.
	MaxReplyLen = 2000
)

// Config is what the console needs. Tickets, Counsellors and Redis are
// required.
type Config struct {
	Tickets     Tickets
	Counsellors Counsellors
	Redis       redis.UniversalClient
	Prefix      string        // Redis key prefix; default "paitor:"
	BasePath    string        // where Handler is mounted; default "/console"
	SessionTTL  time.Duration // how long a session lasts; default 12 h
	Secure      bool          // Secure cookies (set behind HTTPS)
	Now         func() time.Time
	Log         *slog.Logger // discarded when nil
	// CannedReplies are the common first answers offered as buttons above
	// the reply box; DefaultCannedReplies (canned.yaml) when nil.
	CannedReplies []CannedReply
}

// Console serves the console's pages.
type Console struct {
	cfg       Config
	base      string
	now       func() time.Time
	log       *slog.Logger
	sessions  *sessionStore
	words     *words
	pages     map[string]map[string]*template.Template // language → page → template
	canned    []CannedReply
	assets    map[string]asset
	heartbeat time.Duration // between SSE comments
	handler   http.Handler
	closing   chan struct{} // closed by Close: event streams end
	closeOnce sync.Once
}

//go:embed templates/*.html static/*
var files embed.FS

// New builds the console: it loads the words, canned replies and templates
// and checks them.
func New(cfg Config) (*Console, error) {
	if cfg.Tickets == nil || cfg.Counsellors == nil || cfg.Redis == nil {
		return nil, errors.New("console: tickets, counsellors and redis are required")
	}
	c := &Console{cfg: cfg, base: strings.TrimRight(cfg.BasePath, "/"), now: cfg.Now, log: cfg.Log,
		heartbeat: 15 * time.Second, closing: make(chan struct{})}
	if cfg.BasePath == "" {
		c.base = DefaultBasePath
	}
	if !strings.HasPrefix(c.base, "/") {
		return nil, fmt.Errorf("console: base path %q must start with /", cfg.BasePath)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	ttl := cfg.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	c.sessions = &sessionStore{rdb: cfg.Redis, prefix: prefix + "console:", ttl: ttl, now: c.now}
	w, err := loadWords()
	if err != nil {
		return nil, err
	}
	c.words = w
	c.canned = cfg.CannedReplies
	if c.canned == nil {
		if c.canned, err = DefaultCannedReplies(); err != nil {
			return nil, err
		}
	}
	if err := validCanned(c.canned); err != nil {
		return nil, err
	}
	if c.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if c.pages, err = c.parsePages(); err != nil {
		return nil, err
	}
	c.handler = c.routes()
	return c, nil
}

// Handler serves the console; mount it at the base path (chi's Mount, or
// http.StripPrefix): its routes are relative ("/", "/signin", ...).
func (c *Console) Handler() http.Handler { return c.handler }

// SignInLink makes a one-time sign-in link for an active counsellor:
// baseURL + base path + "/signin?t=...", working once within LinkTTL.
// ENOTFOUND for an unknown counsellor, EFORBIDDEN for a disabled one.
func (c *Console) SignInLink(ctx context.Context, counsellorID, baseURL string) (string, error) {
	who, err := c.cfg.Counsellors.Counsellor(ctx, counsellorID)
	if err != nil {
		return "", err
	}
	if !who.Active() {
		return "", content.Errorf(content.EFORBIDDEN, "the counsellor is disabled")
	}
	tok, err := c.sessions.createLink(ctx, who.ID)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(baseURL, "/") + c.base + "/signin?t=" + url.QueryEscape(tok), nil
}

// RevokeSessions ends every console session of a counsellor (call it when
// disabling them or rotating their secret; a disabled counsellor's session
// also ends at their next request).
func (c *Console) RevokeSessions(ctx context.Context, counsellorID string) error {
	return c.sessions.revokeAll(ctx, counsellorID)
}

// Close ends the open event streams (they never go idle by themselves), so
// that http.Server.Shutdown does not wait for them: register it with
// RegisterOnShutdown. Browsers reconnect to another instance on their own.
func (c *Console) Close() {
	c.closeOnce.Do(func() { close(c.closing) })
}

// randomToken returns n random bytes in unpadded base64url.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("console: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Package adminapi is the JSON API cities use to publish learning festivals
// and announce them to the residents of their area, mounted at /api/v1.
//
// Every request but GET /openapi.json carries "Authorization: Bearer
// <secret>"; the secret's hash names a content.Token, and the token's city
// scopes everything: another city's festivals and announcements answer 404,
// and festivals and audiences must lie within the city's area. Editors and
// approvers may do everything except approve, which only approvers may do.
// Every successful change is written to the city's audit log.
//
// Errors are {"error":{"code","message","fields"}} with the content error
// codes, mapped to HTTP statuses in statusOf. Times are RFC 3339 in +07:00;
// times sent without an offset are read in Bangkok time.
package adminapi

import (
	"context"
	"encoding/json"
	"github.com/paitor/paitor/content/citytoken"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/paitor/paitor/content"
)

// Config is what the API needs.
type Config struct {
	Store content.CityStore
	// Preview returns the preview document of an announcement: a JSON object
	// with the counts (targeted, would send, skipped by reason, messages per
	// recipient, quota cost). When it holds no "messages", the API adds them
	// from Messages. PreviewFrom adapts a Previewer.
	Preview func(ctx context.Context, a content.Announcement) (any, error)
	// Messages returns the exact LINE message objects an announcement sends.
	Messages func(ctx context.Context, a content.Announcement, f content.Festival) ([]json.RawMessage, error)
	Now      func() time.Time // time.Now when nil
	Log      *slog.Logger     // discarded when nil
}

// handler serves the API.
type handler struct {
	cfg   Config
	store content.CityStore
	now   func() time.Time
	log   *slog.Logger

	// mu serializes read-modify-write changes made through this process, so
	// two requests cannot both move an announcement out of the same state.
	mu sync.Mutex
}

// New returns the API's handler, to mount at /api/v1 (the routes are
// relative: "/city", "/festivals", ...).
func New(cfg Config) http.Handler {
	h := &handler{cfg: cfg, store: cfg.Store, now: cfg.Now, log: cfg.Log}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h.routes()
}

func (h *handler) routes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, content.Errorf(content.ENOTFOUND, "no such endpoint"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDoc{
			Code: "method_not_allowed", Message: "method not allowed"}})
	})
	r.Get("/openapi.json", serveOpenAPI)
	r.Group(func(r chi.Router) {
		r.Use(h.authenticate)
		r.Get("/city", h.getCity)

		r.Get("/festivals", h.listFestivals)
		r.Post("/festivals", h.createFestival)
		r.Get("/festivals/{id}", h.getFestival)
		r.Patch("/festivals/{id}", h.updateFestival)
		r.Post("/festivals/{id}/cancel", h.cancelFestival)

		r.Get("/announcements", h.listAnnouncements)
		r.Post("/announcements", h.createAnnouncement)
		r.Get("/announcements/{id}", h.getAnnouncement)
		r.Post("/announcements/{id}/preview", h.previewAnnouncement)
		r.Post("/announcements/{id}/schedule", h.scheduleAnnouncement)
		r.Post("/announcements/{id}/approve", h.approveAnnouncement)
		r.Post("/announcements/{id}/cancel", h.cancelAnnouncement)
		r.Get("/announcements/{id}/stats", h.announcementStats)
	})
	return r
}

// caller is who is asking: the token and its city.
type caller struct {
	Token content.Token
	City  content.City
}

type callerKey struct{}

func callerOf(ctx context.Context) caller {
	c, _ := ctx.Value(callerKey{}).(caller)
	return c
}

// authenticate resolves the bearer secret to a valid token and its city.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := h.caller(r)
		if err != nil {
			if content.ErrorCode(err) == content.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="paitor"`)
			}
			h.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

func (h *handler) caller(r *http.Request) (caller, error) {
	unauthorized := func(msg string) (caller, error) {
		return caller{}, content.Errorf(content.EUNAUTHORIZED, "%s", msg)
	}
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return unauthorized("an Authorization: Bearer <token> header is required")
	}
	ctx := r.Context()
	t, err := h.store.TokenByHash(ctx, citytoken.HashSecret(secret))
	if content.IsNotFound(err) {
		return unauthorized("the token is not valid")
	}
	if err != nil {
		return caller{}, err
	}
	if !t.RevokedAt.IsZero() && !t.RevokedAt.After(h.now()) {
		return unauthorized("the token is not valid")
	}
	if t.Role != content.RoleEditor && t.Role != content.RoleApprover {
		return caller{}, content.Errorf(content.EFORBIDDEN, "the token has no role that may use this API")
	}
	city, err := h.store.City(ctx, t.CityID)
	if content.IsNotFound(err) {
		return unauthorized("the token's city no longer exists")
	}
	if err != nil {
		return caller{}, err
	}
	return caller{Token: t, City: city}, nil
}

// audit records a successful change. A failure is logged, not returned: the
// change has been made and the client must not retry it.
func (h *handler) audit(ctx context.Context, c caller, action, object, detail string) {
	if len([]rune(detail)) > 200 {
		detail = string([]rune(detail)[:199]) + "…"
	}
	err := h.store.AddAudit(ctx, content.AuditEntry{
		CityID: c.City.ID, TokenID: c.Token.ID, Action: action, Object: object,
		Detail: detail, At: h.now(),
	})
	if err != nil {
		h.log.ErrorContext(ctx, "adminapi: audit entry not written",
			"city", c.City.ID, "token", c.Token.ID, "action", action, "object", object, "err", err)
	}
}

func (h *handler) getCity(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	writeJSON(w, http.StatusOK, cityViewOf(c))
}

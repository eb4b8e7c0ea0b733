// Package simulator serves the local chat simulator page (mounted at /dev/chat)
// that lets a person chat with Pai Tor as a LINE user without a LINE account.
//
// It sits beside the in-process fake LINE Messaging API (bot/linefake): what the
// person types or taps is built into a webhook event by the fake, signed with the
// channel secret and POSTed to the bot's real /callback, so the bot's whole real
// path runs; what the bot then sent that user (reply, push, multicast, ...) is
// read back from the fake and rendered by the page as LINE would show it.
//
// The page is plain HTML, CSS and JavaScript embedded from static/ (no build
// step, nothing fetched from outside). The package must never be mounted when a
// real LINE channel is configured, never talks to the LINE Platform, and never
// logs user IDs in clear.
package simulator

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/paitor/paitor/bot/linefake"
)

// DefaultBasePath is where the lead mounts the simulator unless Config says otherwise.
const DefaultBasePath = "/dev/chat"

// MaxPollTimeout is the longest a GET api/messages long-poll waits before it
// answers with an empty list.
const MaxPollTimeout = 25 * time.Second

// Limits on what the send API accepts; they follow LINE's own limits where
// LINE has one.
const (
	maxBodyBytes      = 64 << 10
	maxTextUnits      = 5000 // UTF-16 code units, as LINE counts a text message
	maxPostbackData   = 300
	maxParams         = 8
	maxParamLen       = 300
	maxDisplayNameLen = 20 // LINE display names are at most 20 characters
	maxLabelLen       = 300
	maxPlaceLen       = 100
	maxSentPerUser    = 500
	maxUsers          = 10000 // simulated users remembered; more is a runaway script
	deliveryTimeout   = 15 * time.Second
)

// userIDPattern is the shape of a LINE user ID.
var userIDPattern = regexp.MustCompile(`^U[0-9a-f]{32}$`)

// stickerIDPattern is the shape of sticker package and sticker IDs.
var stickerIDPattern = regexp.MustCompile(`^[0-9]{1,12}$`)

//go:embed static
var staticFS embed.FS

// Config wires the simulator. Fake, CallbackURL and ChannelSecret are required.
type Config struct {
	// Fake is the running fake LINE Messaging API the bot sends to.
	Fake *linefake.Server
	// CallbackURL is the bot's webhook, e.g. "http://127.0.0.1:8080/callback".
	CallbackURL string
	// ChannelSecret signs the webhooks; it must be the secret the bot verifies with.
	ChannelSecret string
	// HTTPClient delivers the webhooks; optional (a client with a 15 s timeout).
	HTTPClient *http.Client
	// BasePath is the path the handler is mounted under; optional, default
	// DefaultBasePath. The handler also works behind http.StripPrefix and
	// chi's Mount, whatever the prefix.
	BasePath string
	// Logger reports failed webhook deliveries (user IDs only as a short hash);
	// optional, default slog.Default().
	Logger *slog.Logger
}

// Simulator serves the /dev/chat page and its JSON API. Create it with New.
type Simulator struct {
	fake     *linefake.Server
	callback string
	secret   string
	client   *http.Client
	base     string
	log      *slog.Logger
	page     *template.Template
	assetVer string

	// closing ends pending long-polls when the server shuts down.
	closing   context.Context
	closeFunc context.CancelFunc

	mu    sync.Mutex
	users map[string]*simUser
	seq   int64
}

// simUser is what the simulator remembers of one simulated LINE user: what
// they sent (the fake records only what the bot sent) and whether they
// currently block the account.
type simUser struct {
	displayName string
	sent        []SentItem
	blocked     bool
}

// SentItem is one thing a simulated user sent, kept so that the page can show
// the user's own bubbles when it reloads the history.
type SentItem struct {
	Seq         int64             `json:"seq"`
	At          time.Time         `json:"at"`
	Kind        string            `json:"kind"`
	Text        string            `json:"text,omitempty"`
	Data        string            `json:"data,omitempty"`
	Params      map[string]string `json:"params,omitempty"`
	Label       string            `json:"label,omitempty"`
	DisplayText string            `json:"displayText,omitempty"`
	Title       string            `json:"title,omitempty"`
	Address     string            `json:"address,omitempty"`
	Lat         float64           `json:"lat,omitempty"`
	Lng         float64           `json:"lng,omitempty"`
	PackageID   string            `json:"packageId,omitempty"`
	StickerID   string            `json:"stickerId,omitempty"`
	IsUnblocked bool              `json:"isUnblocked,omitempty"`
	// Status is the webhook's HTTP status; 0 when it could not be reached.
	Status int `json:"status"`
}

// New checks cfg and returns a Simulator ready to serve.
func New(cfg Config) (*Simulator, error) {
	if cfg.Fake == nil {
		return nil, errors.New("simulator: Config.Fake is required")
	}
	if cfg.ChannelSecret == "" {
		return nil, errors.New("simulator: Config.ChannelSecret is required")
	}
	u, err := url.Parse(cfg.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("simulator: Config.CallbackURL must be an absolute http(s) URL, got %q", cfg.CallbackURL)
	}
	base := cfg.BasePath
	if base == "" {
		base = DefaultBasePath
	}
	if !strings.HasPrefix(base, "/") {
		return nil, fmt.Errorf("simulator: Config.BasePath must start with /, got %q", cfg.BasePath)
	}
	base = strings.TrimRight(base, "/")
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: deliveryTimeout}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	page, err := template.ParseFS(staticFS, "static/index.html")
	if err != nil {
		return nil, fmt.Errorf("simulator: parse page: %w", err)
	}
	ver, err := assetVersion()
	if err != nil {
		return nil, err
	}
	closing, closeFunc := context.WithCancel(context.Background())
	return &Simulator{
		closing:   closing,
		closeFunc: closeFunc,
		fake:      cfg.Fake,
		callback:  cfg.CallbackURL,
		secret:    cfg.ChannelSecret,
		client:    client,
		base:      base,
		log:       logger,
		page:      page,
		assetVer:  ver,
		users:     make(map[string]*simUser),
	}, nil
}

// assetVersion hashes the embedded assets so that the page's asset URLs change
// whenever an asset does (no stale JavaScript after an upgrade).
func assetVersion() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("simulator: hash assets: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// Handler serves the page, its assets and the JSON API. Mount it under the
// base path (default /dev/chat) directly, behind http.StripPrefix, or with
// chi's Mount; all three work.
func (s *Simulator) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// Close ends every pending long-poll at once (each answers an empty list)
// and makes later ones answer without waiting. Call it when the HTTP server
// shuts down, e.g. httpServer.RegisterOnShutdown(sim.Close), or graceful
// shutdown waits up to MaxPollTimeout for open chat pages. Safe to call
// more than once.
func (s *Simulator) Close() { s.closeFunc() }

// relPath returns the request path relative to the mount point.
func (s *Simulator) relPath(r *http.Request) string {
	p := r.URL.Path
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		p = rctx.RoutePath
	}
	if p == s.base || strings.HasPrefix(p, s.base+"/") {
		p = p[len(s.base):]
	}
	return p
}

// mountPrefix returns the path prefix the browser used to reach the handler,
// derived from the original request URI and the relative path.
func mountPrefix(r *http.Request, rel string) string {
	orig := r.URL.Path
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			orig = u.Path
		}
	}
	prefix := strings.TrimSuffix(orig, rel)
	return strings.TrimRight(prefix, "/")
}

func (s *Simulator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rel := s.relPath(r)
	switch {
	case rel == "" || rel == "/" || rel == "/index.html":
		s.servePage(w, r, rel)
	case strings.HasPrefix(rel, "/static/"):
		s.serveAsset(w, r, strings.TrimPrefix(rel, "/static/"))
	case rel == "/api/users":
		if !allowMethod(w, r, http.MethodPost) {
			return
		}
		s.createUser(w, r)
	case rel == "/api/send":
		if !allowMethod(w, r, http.MethodPost) {
			return
		}
		s.send(w, r)
	case rel == "/api/messages":
		if !allowMethod(w, r, http.MethodGet) {
			return
		}
		s.messages(w, r)
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such simulator path")
	}
}

// allowMethod answers 405 unless the request uses method (GET also allows HEAD).
func allowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	allow := method
	if method == http.MethodGet {
		allow = "GET, HEAD"
	}
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use "+method)
	return false
}

// setPageHeaders sets the headers every page and asset response carries.
func setPageHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy",
		"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; "+
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
}

func (s *Simulator) servePage(w http.ResponseWriter, r *http.Request, rel string) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	data := struct {
		Base    string
		Version string
	}{Base: mountPrefix(r, rel), Version: s.assetVer}
	var b strings.Builder
	if err := s.page.Execute(&b, data); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "render page")
		return
	}
	setPageHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.WriteString(w, b.String())
}

// assetTypes are the content types of the files under static/.
var assetTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".json": "application/json",
}

func (s *Simulator) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	ctype, ok := assetTypes[path.Ext(name)]
	if !ok || name == "" || strings.Contains(name, "..") || strings.Contains(name, "/") {
		writeError(w, http.StatusNotFound, "not_found", "no such asset")
		return
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "no such asset")
		return
	}
	setPageHeaders(w.Header())
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}

// decodeJSON reads a small JSON body into v, rejecting unknown fields. It
// insists on Content-Type application/json, which a cross-site form or a
// no-CORS fetch cannot send, so other web pages cannot drive the bot.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "bad_content_type", "send Content-Type: application/json")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", "request body must be one JSON object: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "bad_json", "request body must be one JSON object")
		return false
	}
	return true
}

// createUserRequest is the body of POST api/users.
type createUserRequest struct {
	// DisplayName is the simulated user's LINE name; default "Simulated user".
	DisplayName string `json:"displayName"`
	// UserID, when set, registers an existing simulated user again (the page
	// does this after the server restarted and the fake forgot its users).
	UserID string `json:"userId,omitempty"`
}

// UserResponse is the answer of POST api/users.
type UserResponse struct {
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName"`
}

func (s *Simulator) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	name := strings.TrimSpace(req.DisplayName)
	if name == "" {
		name = "Simulated user"
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxDisplayNameLen || hasControl(name) {
		writeError(w, http.StatusBadRequest, "bad_display_name",
			fmt.Sprintf("displayName must be at most %d characters without control characters", maxDisplayNameLen))
		return
	}
	id := req.UserID
	if id == "" {
		id = linefake.NewUserID()
	} else if !userIDPattern.MatchString(id) {
		writeError(w, http.StatusBadRequest, "bad_user_id", "userId must match ^U[0-9a-f]{32}$")
		return
	}
	s.mu.Lock()
	if _, known := s.users[id]; !known && len(s.users) >= maxUsers {
		s.mu.Unlock()
		writeError(w, http.StatusTooManyRequests, "too_many_users",
			fmt.Sprintf("the simulator keeps at most %d users; restart it", maxUsers))
		return
	}
	u := s.userLocked(id)
	u.displayName = name
	s.mu.Unlock()
	s.fake.AddUser(id, name)
	writeJSON(w, http.StatusOK, UserResponse{UserID: id, DisplayName: name})
}

// userLocked returns the simulator's record of id, creating it; past
// maxUsers a new user's record is not kept. s.mu must be held.
func (s *Simulator) userLocked(id string) *simUser {
	u := s.users[id]
	if u == nil {
		u = &simUser{}
		if len(s.users) < maxUsers {
			s.users[id] = u
		}
	}
	return u
}

// sendRequest is the body of POST api/send.
type sendRequest struct {
	UserID string `json:"userId"`
	// Kind is text, postback, follow, unfollow, sticker, location or image.
	Kind   string            `json:"kind"`
	Text   string            `json:"text"`
	Data   string            `json:"data"`
	Params map[string]string `json:"params"`
	// Label and DisplayText describe a tapped postback action, for the transcript.
	Label       string   `json:"label"`
	DisplayText string   `json:"displayText"`
	Title       string   `json:"title"`
	Address     string   `json:"address"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	PackageID   string   `json:"packageId"`
	StickerID   string   `json:"stickerId"`
	// IsUnblocked overrides follow.isUnblocked; by default it is true when the
	// user's last follow/unfollow was an unfollow.
	IsUnblocked *bool `json:"isUnblocked"`
}

// SendResponse is the answer of POST api/send: the webhook's HTTP status.
type SendResponse struct {
	Status int      `json:"status"`
	Sent   SentItem `json:"sent"`
	Error  string   `json:"error,omitempty"`
}

// validKinds lists what POST api/send accepts.
var validKinds = map[string]bool{
	"text": true, "postback": true, "follow": true, "unfollow": true,
	"sticker": true, "location": true, "image": true,
}

// validate checks req and returns an error code and message when it is
// wrong. A sticker with no IDs gets LINE's free sticker 446/1988.
func (req *sendRequest) validate() (code, msg string) {
	if !userIDPattern.MatchString(req.UserID) {
		return "bad_user_id", "userId must match ^U[0-9a-f]{32}$"
	}
	if !validKinds[req.Kind] {
		return "bad_kind", "kind must be one of text, postback, follow, unfollow, sticker, location, image"
	}
	for _, f := range []struct{ name, v string }{
		{"text", req.Text}, {"data", req.Data}, {"label", req.Label}, {"displayText", req.DisplayText},
		{"title", req.Title}, {"address", req.Address},
	} {
		if !utf8.ValidString(f.v) {
			return "bad_" + f.name, f.name + " must be valid UTF-8"
		}
	}
	if len([]rune(req.Label)) > maxLabelLen || len([]rune(req.DisplayText)) > maxLabelLen {
		return "bad_label", fmt.Sprintf("label and displayText must be at most %d characters", maxLabelLen)
	}
	switch req.Kind {
	case "text":
		if strings.TrimSpace(req.Text) == "" {
			return "bad_text", "text must not be empty"
		}
		if n := len(utf16.Encode([]rune(req.Text))); n > maxTextUnits {
			return "bad_text", fmt.Sprintf("text is %d UTF-16 units; LINE allows %d", n, maxTextUnits)
		}
	case "postback":
		if req.Data == "" || utf8.RuneCountInString(req.Data) > maxPostbackData {
			return "bad_data", fmt.Sprintf("postback data must be 1–%d characters", maxPostbackData)
		}
		if len(req.Params) > maxParams {
			return "bad_params", fmt.Sprintf("at most %d params", maxParams)
		}
		for k, v := range req.Params {
			if k == "" || len(k) > 64 || len(v) > maxParamLen || !utf8.ValidString(k) || !utf8.ValidString(v) {
				return "bad_params", "params must be short string keys and values"
			}
		}
	case "sticker":
		if req.PackageID == "" && req.StickerID == "" {
			req.PackageID, req.StickerID = "446", "1988"
		}
		if !stickerIDPattern.MatchString(req.PackageID) || !stickerIDPattern.MatchString(req.StickerID) {
			return "bad_sticker", "packageId and stickerId must be digits"
		}
	case "location":
		if req.Lat == nil || req.Lng == nil || *req.Lat < -90 || *req.Lat > 90 || *req.Lng < -180 || *req.Lng > 180 {
			return "bad_location", "lat must be within ±90 and lng within ±180"
		}
		if utf8.RuneCountInString(req.Title) > maxPlaceLen || utf8.RuneCountInString(req.Address) > maxPlaceLen {
			return "bad_location", fmt.Sprintf("title and address must be at most %d characters", maxPlaceLen)
		}
	}
	return "", ""
}

func (s *Simulator) send(w http.ResponseWriter, r *http.Request) {
	var req sendRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if code, msg := req.validate(); code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}

	item := SentItem{Kind: req.Kind, At: time.Now()}
	b := s.fake.Event(req.UserID)
	var event json.RawMessage
	switch req.Kind {
	case "text":
		item.Text = req.Text
		event = b.Text(req.Text)
	case "postback":
		item.Data, item.Params, item.Label, item.DisplayText = req.Data, req.Params, req.Label, req.DisplayText
		event = b.Postback(req.Data, req.Params)
	case "follow":
		s.mu.Lock()
		unblocked := s.userLocked(req.UserID).blocked
		s.mu.Unlock()
		if req.IsUnblocked != nil {
			unblocked = *req.IsUnblocked
		}
		item.IsUnblocked = unblocked
		event = b.Follow(unblocked)
	case "unfollow":
		event = b.Unfollow()
	case "sticker":
		item.PackageID, item.StickerID = req.PackageID, req.StickerID
		event = b.Sticker(req.PackageID, req.StickerID)
	case "location":
		item.Title, item.Address, item.Lat, item.Lng = req.Title, req.Address, *req.Lat, *req.Lng
		event = b.Location(req.Title, req.Address, *req.Lat, *req.Lng)
	case "image":
		event = b.Image()
	}

	ctx, cancel := context.WithTimeout(r.Context(), deliveryTimeout)
	defer cancel()
	status, err := linefake.Deliver(ctx, s.client, s.callback, s.secret, event)
	item.Status = status // 0 when the webhook could not be reached

	s.mu.Lock()
	u := s.userLocked(req.UserID)
	switch req.Kind {
	case "follow":
		u.blocked = false
	case "unfollow":
		u.blocked = true
	}
	s.seq++
	item.Seq = s.seq
	u.sent = append(u.sent, item)
	if len(u.sent) > maxSentPerUser {
		u.sent = append([]SentItem(nil), u.sent[len(u.sent)-maxSentPerUser:]...)
	}
	s.mu.Unlock()

	resp := SendResponse{Status: status, Sent: item}
	if err != nil {
		resp.Error = "webhook delivery failed: " + err.Error()
		s.log.Warn("simulator: webhook delivery failed",
			"user", userHash(req.UserID), "kind", req.Kind, "status", status, "err", err)
		writeJSON(w, http.StatusBadGateway, resp)
		return
	}
	if status != http.StatusOK {
		s.log.Warn("simulator: webhook answered non-200",
			"user", userHash(req.UserID), "kind", req.Kind, "status", status)
	}
	writeJSON(w, http.StatusOK, resp)
}

// MessageItem is one message the bot sent, as GET api/messages returns it.
type MessageItem struct {
	Seq int64     `json:"seq"`
	Via string    `json:"via"`
	At  time.Time `json:"at"`
	// Message is the LINE message object exactly as the bot sent it.
	Message json.RawMessage `json:"message"`
}

// MessagesResponse is the answer of GET api/messages. Sent (what the user
// sent, oldest first) is filled only when after is 0, for the page's history.
type MessagesResponse struct {
	Messages []MessageItem `json:"messages"`
	Sent     []SentItem    `json:"sent,omitempty"`
}

func (s *Simulator) messages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	userID := q.Get("userId")
	if !userIDPattern.MatchString(userID) {
		writeError(w, http.StatusBadRequest, "bad_user_id", "userId must match ^U[0-9a-f]{32}$")
		return
	}
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "bad_after", "after must be a non-negative integer")
			return
		}
		after = n
	}
	wait := MaxPollTimeout
	if v := q.Get("timeout"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 || n != n {
			writeError(w, http.StatusBadRequest, "bad_timeout", "timeout must be a number of seconds ≥ 0")
			return
		}
		if d := time.Duration(n * float64(time.Second)); d < wait {
			wait = d
		}
	}

	out := since(s.fake.Received(userID), after)
	if len(out) == 0 && wait > 0 && s.closing.Err() == nil {
		// Outlive a server WriteTimeout shorter than the poll (best effort:
		// a ResponseWriter that cannot do this keeps the server's timeout).
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(wait + 10*time.Second))
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		stop := context.AfterFunc(s.closing, cancel)
		out = since(s.fake.WaitSince(ctx, userID, after), after)
		stop()
		cancel()
	}
	resp := MessagesResponse{Messages: make([]MessageItem, 0, len(out))}
	for _, d := range out {
		resp.Messages = append(resp.Messages, MessageItem{Seq: d.Seq, Via: d.Via, At: d.At, Message: d.Message})
	}
	if after == 0 {
		s.mu.Lock()
		if u := s.users[userID]; u != nil {
			resp.Sent = append([]SentItem(nil), u.sent...)
		}
		s.mu.Unlock()
	}
	if r.Context().Err() != nil {
		return // the browser went away (page closed or user switched)
	}
	writeJSON(w, http.StatusOK, resp)
}

// since keeps the deliveries with Seq > after.
func since(ds []linefake.Delivery, after int64) []linefake.Delivery {
	out := ds[:0:0]
	for _, d := range ds {
		if d.Seq > after {
			out = append(out, d)
		}
	}
	return out
}

// userHash is how logs name a user: a short hash, never the ID itself.
func userHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// errorBody is every JSON error the API answers.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Code: code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

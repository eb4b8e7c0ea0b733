package linefake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
)

// Server is a fake LINE Messaging API. It is safe for concurrent use.
type Server struct {
	opts   Options
	spec   *specs
	router http.Handler
	closed chan struct{}

	mu       sync.Mutex
	seq      int64
	changed  chan struct{} // closed and replaced on every delivery
	calls    []Call
	verrs    []*ValidationError
	msgs     []json.RawMessage // interned message bodies; [0] unused
	msgIndex map[string]int32
	keys     []string // interned retry keys; [0] = ""
	keyIndex map[string]int32

	deliveries  []delivery
	users       map[string]*user
	userOrder   []*user
	replyTokens map[string]replyToken
	retryKeys   map[string]acceptedKey
	narrowcasts map[string]narrowcastJob
	consumed    int64 // quota consumption

	richMenus       map[string]json.RawMessage
	richMenuOrder   []string
	richMenuImages  map[string]bool
	richMenuAliases map[string]string
	defaultRichMenu string

	faults    []*Fault
	failRates map[string]*failureRate
	limits    map[string]*bucket

	httpMu  sync.Mutex
	httpSrv *http.Server
	url     string
}

// acceptedKey remembers a request accepted with an X-Line-Retry-Key.
type acceptedKey struct {
	requestID string
	sent      []sentMessage
	expires   time.Time
}

// narrowcastJob is an accepted narrowcast, for the progress endpoint.
type narrowcastJob struct {
	accepted time.Time
	count    int64
}

// New returns a server using the embedded LINE specification, which is
// parsed once per process.
func New(opts Options) (*Server, error) {
	sp, err := loadSpecs()
	if err != nil {
		return nil, fmt.Errorf("linefake: new server: %w", err)
	}
	s := &Server{
		opts:            opts,
		spec:            sp,
		closed:          make(chan struct{}),
		changed:         make(chan struct{}),
		msgs:            []json.RawMessage{nil},
		msgIndex:        map[string]int32{},
		keys:            []string{""},
		keyIndex:        map[string]int32{},
		users:           map[string]*user{},
		replyTokens:     map[string]replyToken{},
		retryKeys:       map[string]acceptedKey{},
		narrowcasts:     map[string]narrowcastJob{},
		richMenus:       map[string]json.RawMessage{},
		richMenuImages:  map[string]bool{},
		richMenuAliases: map[string]string{},
		failRates:       map[string]*failureRate{},
		limits:          map[string]*bucket{},
	}
	s.router = s.routes()
	return s, nil
}

// ServeHTTP serves the fake API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// Start serves the API on 127.0.0.1 at a free port in a goroutine and
// returns its base URL (also available from URL). Close stops it.
func (s *Server) Start() (url string, err error) {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	if s.httpSrv != nil {
		return s.url, errors.New("linefake: start: already started")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("linefake: start: listen: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpSrv = srv
	s.url = "http://" + ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return s.url, nil
}

// Close stops a started server and cuts injected delays short. It is safe
// to call more than once.
func (s *Server) Close() {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	if s.httpSrv != nil {
		_ = s.httpSrv.Close()
	}
}

// URL returns the base URL after Start, "" otherwise.
func (s *Server) URL() string {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	return s.url
}

// routes builds the API's router.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	h := func(endpoint string, fn handlerFunc) http.HandlerFunc {
		return s.wrap(endpoint, fn)
	}
	r.Post("/v2/bot/message/reply", h("reply", s.handleSend))
	r.Post("/v2/bot/message/push", h("push", s.handleSend))
	r.Post("/v2/bot/message/multicast", h("multicast", s.handleSend))
	r.Post("/v2/bot/message/narrowcast", h("narrowcast", s.handleSend))
	r.Post("/v2/bot/message/broadcast", h("broadcast", s.handleSend))
	r.Get("/v2/bot/message/progress/narrowcast", h("narrowcast.progress", s.handleNarrowcastProgress))
	r.Get("/v2/bot/message/quota", h("quota", s.handleQuota))
	r.Get("/v2/bot/message/quota/consumption", h("quota.consumption", s.handleQuotaConsumption))
	r.Get("/v2/bot/profile/{userId}", h("profile", s.handleProfile))
	r.Post("/v2/bot/chat/loading/start", h("loading", s.handleLoading))
	r.Post("/v2/bot/group/{groupId}/leave", h("group.leave", s.handleEmpty))
	r.Post("/v2/bot/room/{roomId}/leave", h("room.leave", s.handleEmpty))
	r.Get("/v2/bot/info", h("info", s.handleInfo))
	s.richMenuRoutes(r, h)
	r.NotFound(h("unknown", func(c *reqCtx) { c.fail(http.StatusNotFound, "Not found") }))
	r.MethodNotAllowed(h("unknown", func(c *reqCtx) { c.fail(http.StatusMethodNotAllowed, "Method not allowed") }))
	return r
}

// TB is the subset of testing.TB that NewTest needs, so that this package
// does not import testing.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// NewTest starts a server for a test. At cleanup it fails the test
// (Errorf) once for every validation error recorded, then closes the server.
// A failure to start is reported with Errorf and the returned server is
// still usable through ServeHTTP.
func NewTest(t TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Errorf("linefake: %v", err)
		panic(err) // the embedded spec is broken: nothing can work
	}
	if _, err := s.Start(); err != nil {
		t.Errorf("linefake: %v", err)
	}
	t.Cleanup(func() {
		t.Helper()
		for _, e := range s.ValidationErrors() {
			t.Errorf("linefake: invalid request: %v", e)
		}
		s.Close()
	})
	return s
}

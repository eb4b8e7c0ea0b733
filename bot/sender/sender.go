package sender

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// Limiter makes a caller wait for its turn under a named rate limit.
type Limiter interface {
	Wait(ctx context.Context, name string) error
}

// Observer is told about every LINE call (for metrics). Status is the HTTP
// status code, or "timeout" / "error" when there was no answer.
type Observer interface {
	ObserveCall(endpoint, status string, d time.Duration)
}

// Config sets up a Sender.
type Config struct {
	Token       string        // channel access token (required)
	APIURL      string        // default https://api.line.me
	DataAPIURL  string        // default https://api-data.line.me
	HTTPClient  *http.Client  // default: a client with a 10 s timeout
	Limiter     Limiter       // default: no limit
	Observer    Observer      // default: none
	MaxTries    uint          // tries per call, default 6
	MaxElapsed  time.Duration // give up on a call after this long, default 2 min
	ReplyWindow time.Duration // reply only to events younger than this, default 50 s
	Now         func() time.Time
	// InitialBackoff is the first retry delay (default 200 ms); tests shorten it.
	InitialBackoff time.Duration
}

// Sender calls LINE. It is safe for concurrent use.
type Sender struct {
	cfg Config
}

// New returns a Sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Token == "" {
		return nil, errors.New("sender: channel token missing")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.line.me"
	}
	if cfg.DataAPIURL == "" {
		cfg.DataAPIURL = "https://api-data.line.me"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.MaxTries == 0 {
		cfg.MaxTries = 6
	}
	if cfg.MaxElapsed == 0 {
		cfg.MaxElapsed = 2 * time.Minute
	}
	if cfg.ReplyWindow == 0 {
		cfg.ReplyWindow = 50 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.InitialBackoff == 0 {
		cfg.InitialBackoff = 200 * time.Millisecond
	}
	return &Sender{cfg: cfg}, nil
}

// APIError is a non-2xx answer from LINE.
type APIError struct {
	Endpoint string
	Status   int
	Body     string // LINE's JSON error body, e.g. {"message":"Invalid reply token"}
}

func (e *APIError) Error() string {
	return fmt.Sprintf("line %s: status %d: %s", e.Endpoint, e.Status, e.Body)
}

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// client builds a fresh SDK client bound to ctx: sharing one client across
// goroutines with WithContext is a data race (see LINE-NOTES.md).
func (s *Sender) client(ctx context.Context) *messaging_api.MessagingApiAPI {
	api, err := messaging_api.NewMessagingApiAPI(s.cfg.Token,
		messaging_api.WithEndpoint(s.cfg.APIURL), messaging_api.WithHTTPClient(s.cfg.HTTPClient))
	if err != nil {
		panic(fmt.Sprintf("sender: bad API URL %q: %v", s.cfg.APIURL, err)) // validated at start-up
	}
	return api.WithContext(ctx)
}

// outcome is what one try of a call says about retrying.
type outcome int

const (
	done      outcome = iota // 2xx (or 409 on a retry key)
	retry                    // 5xx, 429, no answer
	permanent                // any other 4xx
)

// call runs one LINE call with the rate limit, retries and metrics.
// The try function returns the HTTP response (nil if none came) and the error.
// If try answers with 409 and accept409 is set, the call counts as done.
func (s *Sender) call(ctx context.Context, endpoint string, accept409 bool, try func(api *messaging_api.MessagingApiAPI) (*http.Response, error)) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = s.cfg.InitialBackoff
	b.MaxInterval = 30 * time.Second
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		if err := s.waitTurn(ctx, endpoint); err != nil {
			return struct{}{}, backoff.Permanent(err)
		}
		start := time.Now()
		res, err := try(s.client(ctx))
		status := "error"
		if res != nil {
			status = strconv.Itoa(res.StatusCode)
			defer res.Body.Close()
		} else if isTimeout(err) {
			status = "timeout"
		}
		if s.cfg.Observer != nil {
			s.cfg.Observer.ObserveCall(endpoint, status, time.Since(start))
		}
		switch classify(res, err, accept409) {
		case done:
			return struct{}{}, nil
		case permanent:
			return struct{}{}, backoff.Permanent(apiError(endpoint, res, err))
		}
		if res != nil && res.StatusCode == http.StatusTooManyRequests {
			if secs, perr := strconv.Atoi(res.Header.Get("Retry-After")); perr == nil && secs > 0 {
				return struct{}{}, backoff.RetryAfter(secs)
			}
		}
		if err == nil {
			err = fmt.Errorf("line %s: status %s", endpoint, status)
		}
		return struct{}{}, apiError(endpoint, res, err)
	}, backoff.WithBackOff(b), backoff.WithMaxTries(s.cfg.MaxTries), backoff.WithMaxElapsedTime(s.cfg.MaxElapsed))
	if err != nil {
		return fmt.Errorf("line %s: %w", endpoint, err)
	}
	return nil
}

func (s *Sender) waitTurn(ctx context.Context, endpoint string) error {
	if s.cfg.Limiter == nil {
		return nil
	}
	return s.cfg.Limiter.Wait(ctx, endpoint)
}

func classify(res *http.Response, err error, accept409 bool) outcome {
	if res == nil {
		if err != nil {
			return retry // no answer: timeout, connection refused or reset
		}
		return done
	}
	switch c := res.StatusCode; {
	case c/100 == 2:
		return done
	case c == http.StatusConflict && accept409:
		return done
	case c == http.StatusTooManyRequests || c >= 500:
		return retry
	default:
		return permanent
	}
}

func apiError(endpoint string, res *http.Response, err error) error {
	if res == nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	return &APIError{Endpoint: endpoint, Status: res.StatusCode, Body: string(body)}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

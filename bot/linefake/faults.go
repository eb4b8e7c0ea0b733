package linefake

import (
	"math/rand/v2"
	"time"
)

// Fault makes the server misbehave on matching requests.
type Fault struct {
	// Endpoint limits the fault to one endpoint (see Call.Endpoint); "" = any.
	Endpoint string
	// Status is the HTTP status to answer (e.g. 429, 500, 503). 0 = no
	// status fault (use with Delay).
	Status int
	// RetryAfter sets the Retry-After header (whole seconds, rounded up)
	// when > 0.
	RetryAfter time.Duration
	// Delay is slept before answering, to make clients time out. With
	// Status 0 and Deliver false the request is then answered 503 and not
	// processed.
	Delay time.Duration
	// Deliver, with Delay, processes and delivers the request normally; only
	// the answer is delayed. The delivery (and its retry key) is recorded
	// before the sleep, so a client that timed out and retries with the
	// same key gets 409. With Status also set, a request that succeeded is
	// then answered with Status instead ("delivered, but the client saw
	// an error").
	Deliver bool
	// Times is how many matching requests the fault applies to (0 = 1).
	Times int
}

// failureRate answers a random share of an endpoint's requests with an error.
type failureRate struct {
	rate float64
	rng  *rand.Rand
	n    int64
}

// Inject queues a fault. Faults apply in the order injected; each is used
// up after Times matching requests.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// SetFailureRate answers a random share (0..1) of endpoint's requests ("" =
// every endpoint) with 500 or 429, alternately, without processing them.
// seed makes the sequence reproducible. Rate 0 turns it off.
func (s *Server) SetFailureRate(endpoint string, rate float64, seed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rate <= 0 {
		delete(s.failRates, endpoint)
		return
	}
	s.failRates[endpoint] = &failureRate{rate: rate, rng: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))}
}

// SetRateLimit limits endpoint ("" = all endpoints together) to perSecond
// requests with bursts of burst (at least 1), per Options.Now; requests
// beyond it get 429. perSecond 0 turns it off.
func (s *Server) SetRateLimit(endpoint string, perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.limits, endpoint)
		return
	}
	s.limits[endpoint] = newBucket(perSecond, burst, s.opts.now())
}

// takeFault returns the first queued fault matching endpoint, using it up.
// s.mu must be held.
func (s *Server) takeFault(endpoint string) *Fault {
	for i, f := range s.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// randomFailure returns the status to fail this request with (500 or
// 429), or 0. s.mu must be held.
func (s *Server) randomFailure(endpoint string) int {
	for _, key := range []string{endpoint, ""} {
		fr := s.failRates[key]
		if fr == nil || fr.rng.Float64() >= fr.rate {
			continue
		}
		fr.n++
		if fr.n%2 == 1 {
			return 500
		}
		return 429
	}
	return 0
}

// allowRate reports whether endpoint's rate limits allow a request now.
// s.mu must be held.
func (s *Server) allowRate(endpoint string, now time.Time) bool {
	for _, key := range []string{endpoint, ""} {
		if b := s.limits[key]; b != nil && !b.take(now) {
			return false
		}
	}
	return true
}

// bucket is a token bucket (golang.org/x/time/rate is not a dependency).
type bucket struct {
	perSecond float64
	burst     float64
	tokens    float64
	last      time.Time
}

// newBucket returns a full bucket.
func newBucket(perSecond float64, burst int, now time.Time) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{perSecond: perSecond, burst: float64(burst), tokens: float64(burst), last: now}
}

// take refills the bucket for the time elapsed and takes one token if there is one.
func (b *bucket) take(now time.Time) bool {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(b.burst, b.tokens+el.Seconds()*b.perSecond)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

package apptest

import (
	"sync"
	"time"
)

// Clock is the service's clock in a harness: real time, moved forward on
// demand (to reach a check-in three days later, or quiet hours).
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the real time plus how far the clock was moved.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.offset = time.Until(t)
	c.mu.Unlock()
}

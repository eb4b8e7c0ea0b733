// Package catalogcache keeps this instance's matching catalog (guidance/match)
// current with the store: the index is rebuilt only when the catalog changed
// or the day moved on, and everyone's 👍/👎 are read at most every 30 seconds.
// Searches, plans and the regional demand a person is told about all read it.
package catalogcache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
	"github.com/paitor/paitor/guidance/match"
)

// Refresh is how often the catalog's version is checked; the matching
// engine's index is rebuilt only when it changed (or the day moved on, since
// what is on offer depends on the date).
const Refresh = 30 * time.Second

// Store is what the cache reads of the system of record.
type Store interface {
	CatalogVersion(ctx context.Context) (string, error)
	OfferedCourses(ctx context.Context, at time.Time, fn func(content.Course) error) error
	OfferedOpenings(ctx context.Context, at time.Time, fn func(content.Opening) error) error
	Occupations(ctx context.Context) ([]content.Occupation, error)
	FeedbackScores(ctx context.Context) (map[string]int, error)
}

// Cache is the matching catalog of this instance. It is safe for concurrent use.
type Cache struct {
	store Store
	now   func() time.Time
	log   *slog.Logger

	mu      sync.Mutex
	cat     *match.Catalog
	occ     []content.Occupation
	version string
	day     string
	checked time.Time

	votes        map[string]int // net 👍/👎 by item, across everyone
	votesChecked time.Time
}

// New returns an empty cache; the first call loads the catalog.
func New(store Store, now func() time.Time, log *slog.Logger) *Cache {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Cache{store: store, now: now, log: log}
}

// Votes returns everyone's net votes by item, read at most every Refresh: an
// aggregate over all votes is too much to run per search. Votes are a nudge to
// the ranking; when they cannot be read, searches go on without them.
func (c *Cache) Votes(ctx context.Context) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.votes != nil && now.Sub(c.votesChecked) < Refresh {
		return c.votes
	}
	votes, err := c.store.FeedbackScores(ctx)
	if err != nil {
		c.log.Warn("catalogcache: cannot read votes; ranking without them", "err", err)
		return c.votes
	}
	c.votes, c.votesChecked = votes, now
	return votes
}

// Catalog returns the current matching catalog and the occupation families,
// rebuilding them from the store when the catalog changed.
func (c *Cache) Catalog(ctx context.Context) (*match.Catalog, []content.Occupation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	day := now.In(thaitime.Zone).Format("2006-01-02")
	if c.cat != nil && now.Sub(c.checked) < Refresh && c.day == day {
		return c.cat, c.occ, nil
	}
	version, err := c.store.CatalogVersion(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("catalogcache: catalog version: %w", err)
	}
	c.checked = now
	if c.cat != nil && version == c.version && day == c.day {
		return c.cat, c.occ, nil
	}
	var courses []content.Course
	var openings []content.Opening
	if err := c.store.OfferedCourses(ctx, now, func(x content.Course) error { courses = append(courses, x); return nil }); err != nil {
		return nil, nil, fmt.Errorf("catalogcache: load courses: %w", err)
	}
	if err := c.store.OfferedOpenings(ctx, now, func(o content.Opening) error { openings = append(openings, o); return nil }); err != nil {
		return nil, nil, fmt.Errorf("catalogcache: load openings: %w", err)
	}
	occ, err := c.store.Occupations(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("catalogcache: load occupations: %w", err)
	}
	c.cat, c.occ, c.version, c.day = match.NewCatalog(courses, openings, occ), occ, version, day
	return c.cat, c.occ, nil
}

// Occupations returns the occupation families with their regional demand.
func (c *Cache) Occupations(ctx context.Context) ([]content.Occupation, error) {
	_, occ, err := c.Catalog(ctx)
	return occ, err
}

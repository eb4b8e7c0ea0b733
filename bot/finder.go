package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance/match"
)

// catalogRefresh is how often the catalog's version is checked; the matching
// engine's index is rebuilt only when it changed (or the day moved on, since
// what is on offer depends on the date).
const catalogRefresh = 30 * time.Second

// finder keeps the matching engine's catalog for this instance.
type finder struct {
	mu      sync.Mutex
	cat     *match.Catalog
	occ     []content.Occupation
	version string
	day     string
	checked time.Time

	votes        map[string]int // net 👍/👎 by item, across everyone
	votesChecked time.Time
}

// feedback returns everyone's net votes by item, read at most every
// catalogRefresh: an aggregate over all votes is too much to run per search.
// Votes are a nudge to the ranking; when they cannot be read, searches go on
// without them.
func (b *Bot) feedback(ctx context.Context) map[string]int {
	f := &b.finder
	f.mu.Lock()
	defer f.mu.Unlock()
	now := b.cfg.Now()
	if f.votes != nil && now.Sub(f.votesChecked) < catalogRefresh {
		return f.votes
	}
	votes, err := b.cfg.Store.FeedbackScores(ctx)
	if err != nil {
		b.cfg.Log.Warn("bot: cannot read votes; ranking without them", "err", err)
		return f.votes
	}
	f.votes, f.votesChecked = votes, now
	return votes
}

// catalog returns the current matching catalog, rebuilding it from the store
// when it changed.
func (b *Bot) catalog(ctx context.Context) (*match.Catalog, []content.Occupation, error) {
	f := &b.finder
	f.mu.Lock()
	defer f.mu.Unlock()
	now := b.cfg.Now()
	day := now.In(bangkok).Format("2006-01-02")
	if f.cat != nil && now.Sub(f.checked) < catalogRefresh && f.day == day {
		return f.cat, f.occ, nil
	}
	version, err := b.cfg.Store.CatalogVersion(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("bot: catalog version: %w", err)
	}
	f.checked = now
	if f.cat != nil && version == f.version && day == f.day {
		return f.cat, f.occ, nil
	}
	var courses []content.Course
	var openings []content.Opening
	if err := b.cfg.Store.OfferedCourses(ctx, now, func(c content.Course) error { courses = append(courses, c); return nil }); err != nil {
		return nil, nil, fmt.Errorf("bot: load courses: %w", err)
	}
	if err := b.cfg.Store.OfferedOpenings(ctx, now, func(o content.Opening) error { openings = append(openings, o); return nil }); err != nil {
		return nil, nil, fmt.Errorf("bot: load openings: %w", err)
	}
	occ, err := b.cfg.Store.Occupations(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("bot: load occupations: %w", err)
	}
	f.cat, f.occ, f.version, f.day = match.NewCatalog(courses, openings, occ), occ, version, day
	return f.cat, f.occ, nil
}

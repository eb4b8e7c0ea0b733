// Package memory is the embedded default content.Store: users live in maps behind a
// mutex inside the process, so Pai Tor runs on a bare machine with no database.
// Nothing is durable — a restart forgets everyone — so production uses
// content/postgres. It passes the same contract suite (content/storetest).
package memory

import (
	"context"
	"sync"
	"time"

	"github.com/paitor/paitor/content"
)

var _ content.Store = (*Store)(nil)

// Store is an in-memory content.Store, safe for concurrent use. The zero value is
// not usable; call New.
type Store struct {
	mu    sync.Mutex
	users map[string]content.User

	// What the guidance conversations record, keyed by user ID unless noted.
	settings  map[string]map[string]string
	consents  map[string][]content.Consent // every answer, in the order recorded
	profiles  map[string]map[string]string
	guardians map[string]content.Guardian // by youth ID
	plans     map[string]content.Plan
	outcomes  []content.Outcome          // everyone's, in the order recorded
	scheduled map[string]*scheduled      // by message ID
	handoffs  map[string]content.Handoff // by handoff ID
	deletions map[string]int             // by day (UTC, YYYY-MM-DD)

	// What people typed for a counsellor, everyone's, in the order kept (so
	// messages kept at the same time come back in that order).
	handoffMessages []content.HandoffMessage

	// The catalog and what people do with it (catalog.go, signals.go); made
	// when first written.
	courses     map[string]content.Course     // by ID
	openings    map[string]content.Opening    // by ID
	occupations map[string]content.Occupation // by ID
	version     int64                         // bumped by every upsert that changed something
	signals     map[string]*userSignals       // by user ID
	clicks      int64                         // clicks recorded, to order equal times

	// Cities and what they publish (city.go, broadcast.go); made when first
	// written.
	cities        map[string]content.City     // by ID
	tokens        map[string]content.Token    // by ID
	tokenHashes   map[string]string           // token hash → token ID
	audit         []content.AuditEntry        // every city's, in the order recorded
	festivals     map[string]content.Festival // by ID
	announcements map[string]*announcement    // by ID
	chunks        map[chunkKey]*chunk         // by announcement ID and seq
	skips         map[string]skipped          // by announcement ID
	taps          map[tapKey]time.Time        // once per person and button

	// Organisations and their counsellors (ticket.go); made when first
	// written. Tickets are the handoffs above, their replies among
	// handoffMessages.
	orgs        map[string]content.Organisation // by ID
	counsellors map[string]content.Counsellor   // by ID

	now func() time.Time // the store's clock for CreatedAt and UpdatedAt
}

// New returns an empty store.
func New() *Store {
	return &Store{
		users:     make(map[string]content.User),
		settings:  make(map[string]map[string]string),
		consents:  make(map[string][]content.Consent),
		profiles:  make(map[string]map[string]string),
		guardians: make(map[string]content.Guardian),
		plans:     make(map[string]content.Plan),
		scheduled: make(map[string]*scheduled),
		handoffs:  make(map[string]content.Handoff),
		deletions: make(map[string]int),
		now:       time.Now,
	}
}

// Ping always succeeds: the store is inside the process.
func (s *Store) Ping(ctx context.Context) error { return nil }

// Close does nothing; the store's data goes when the process does.
func (s *Store) Close() {}

// stamp is the store's clock, stored like PostgreSQL would: UTC microseconds.
func (s *Store) stamp() time.Time { return normalize(s.now()) }

// normalize returns t as every store gives it back: UTC, truncated to microseconds
// (PostgreSQL's timestamptz precision).
func normalize(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

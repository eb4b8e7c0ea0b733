package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
)

var _ content.CityStore = (*Store)(nil)

// announcement is an announcement with the lease that holds it while claimed.
type announcement struct {
	content.Announcement
	claimedUntil time.Time // zero when not held
}

// citiesLocked makes the city maps on first use. s.mu must be held.
func (s *Store) citiesLocked() {
	if s.cities == nil {
		s.cities = map[string]content.City{}
		s.tokens = map[string]content.Token{}
		s.tokenHashes = map[string]string{}
		s.festivals = map[string]content.Festival{}
		s.announcements = map[string]*announcement{}
		s.chunks = map[chunkKey]*chunk{}
		s.skips = map[string]skipped{}
		s.taps = map[tapKey]time.Time{}
	}
}

// cityLocked returns a city, or ENOTFOUND. s.mu must be held.
func (s *Store) cityLocked(id string) (content.City, error) {
	c, ok := s.cities[id]
	if !ok {
		return content.City{}, notFound("city %s not found", id)
	}
	return c, nil
}

// ---- Validation (the PostgreSQL store checks the same) ----

// optUUID parses an optional UUID: "" stays "".
func optUUID(what, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	return parseUUID(what, s)
}

// ---- Copies handed out ----

func storedCity(c content.City) content.City {
	c.Provinces, c.Districts = list(c.Provinces), list(c.Districts)
	return c
}

func storedFestival(f content.Festival) content.Festival {
	f.Activities, f.Tags = list(f.Activities), list(f.Tags)
	return f
}

func storedAudience(a content.Audience) content.Audience {
	a.Provinces, a.Districts, a.Roles, a.Interests = list(a.Provinces), list(a.Districts), list(a.Roles), list(a.Interests)
	return a
}

func storedAnnouncement(a content.Announcement) content.Announcement {
	a.Audience = storedAudience(a.Audience)
	return a
}

// ---- Cities ----

// CreateCity stores a new city and returns it as stored. An empty ID gets a
// new UUID and a zero CreatedAt the current time; an ID in use is ECONFLICT.
func (s *Store) CreateCity(ctx context.Context, c content.City) (content.City, error) {
	c, err := content.ValidCity(c)
	if err != nil {
		return content.City{}, fmt.Errorf("create city: %w", err)
	}
	if c.ID, err = orNewUUID("city ID", c.ID); err != nil {
		return content.City{}, fmt.Errorf("create city: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	if _, ok := s.cities[c.ID]; ok {
		return content.City{}, fmt.Errorf("create city: %w", conflict("city %s exists already", c.ID))
	}
	c = storedCity(c)
	c.CreatedAt = optTime(c.CreatedAt)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.stamp()
	}
	s.cities[c.ID] = c
	return storedCity(c), nil
}

// City returns a city by ID, or ENOTFOUND.
func (s *Store) City(ctx context.Context, id string) (content.City, error) {
	id, err := parseUUID("city ID", id)
	if err != nil {
		return content.City{}, fmt.Errorf("find city: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	c, err := s.cityLocked(id)
	if err != nil {
		return content.City{}, fmt.Errorf("find city: %w", err)
	}
	return storedCity(c), nil
}

// Cities lists every city, oldest first.
func (s *Store) Cities(ctx context.Context) ([]content.City, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]content.City, 0, len(s.cities))
	for _, c := range s.cities {
		out = append(out, storedCity(c))
	}
	slices.SortFunc(out, func(a, b content.City) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ---- Tokens ----

// CreateToken stores a token. Its ID must be a UUID; a zero CreatedAt is the
// current time. ENOTFOUND for an unknown city, ECONFLICT for an ID or hash in
// use.
func (s *Store) CreateToken(ctx context.Context, t content.Token) error {
	var err error
	if t.ID, err = parseUUID("token ID", t.ID); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	if t.CityID, err = parseUUID("city ID", t.CityID); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	if err := content.ValidToken(t); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	if _, err := s.cityLocked(t.CityID); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	if _, ok := s.tokens[t.ID]; ok {
		return fmt.Errorf("create token: %w", conflict("token %s or its secret exists already", t.ID))
	}
	if _, ok := s.tokenHashes[t.Hash]; ok {
		return fmt.Errorf("create token: %w", conflict("token %s or its secret exists already", t.ID))
	}
	t.CreatedAt, t.RevokedAt = optTime(t.CreatedAt), optTime(t.RevokedAt)
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.stamp()
	}
	s.tokens[t.ID] = t
	s.tokenHashes[t.Hash] = t.ID
	return nil
}

// TokenByHash returns the token whose secret hashes to hash, revoked or not,
// or ENOTFOUND.
func (s *Store) TokenByHash(ctx context.Context, hash string) (content.Token, error) {
	if hash == "" {
		return content.Token{}, fmt.Errorf("find token: %w", invalid("token hash is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	id, ok := s.tokenHashes[hash]
	if !ok {
		return content.Token{}, fmt.Errorf("find token: %w", notFound("no token with this secret"))
	}
	return s.tokens[id], nil
}

// RevokeToken marks a token revoked at time at. Revoking it again keeps the
// first time. ENOTFOUND for an unknown token.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	id, err := parseUUID("token ID", id)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("revoke token: %w", invalid("revocation time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	t, ok := s.tokens[id]
	if !ok {
		return fmt.Errorf("revoke token: %w", notFound("token %s not found", id))
	}
	if t.RevokedAt.IsZero() {
		t.RevokedAt = normalize(at)
		s.tokens[id] = t
	}
	return nil
}

// Tokens lists a city's tokens, revoked ones too, oldest first. ENOTFOUND for
// an unknown city.
func (s *Store) Tokens(ctx context.Context, cityID string) ([]content.Token, error) {
	cityID, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.cityLocked(cityID); err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	var out []content.Token
	for _, t := range s.tokens {
		if t.CityID == cityID {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b content.Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ---- Audit log ----

// AddAudit appends an entry to a city's audit log. ENOTFOUND for an unknown
// city.
func (s *Store) AddAudit(ctx context.Context, e content.AuditEntry) error {
	var err error
	if e.CityID, err = parseUUID("city ID", e.CityID); err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	if e.TokenID, err = optUUID("token ID", e.TokenID); err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	switch {
	case strings.TrimSpace(e.Action) == "":
		return fmt.Errorf("add audit entry: %w", invalid("action is empty"))
	case e.At.IsZero():
		return fmt.Errorf("add audit entry: %w", invalid("time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.cityLocked(e.CityID); err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	e.ID = int64(len(s.audit) + 1)
	e.At = normalize(e.At)
	s.audit = append(s.audit, e)
	return nil
}

// AuditLog returns up to limit of a city's latest audit entries, newest first
// (the later recorded first among equal times). ENOTFOUND for an unknown city.
func (s *Store) AuditLog(ctx context.Context, cityID string, limit int) ([]content.AuditEntry, error) {
	cityID, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if limit <= 0 {
		return nil, fmt.Errorf("audit log: %w", invalid("limit %d is not positive", limit))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.cityLocked(cityID); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	var out []content.AuditEntry
	for _, e := range s.audit {
		if e.CityID == cityID {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b content.AuditEntry) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID))
	})
	return out[:min(limit, len(out))], nil
}

// ---- Festivals ----

// SaveFestival creates or updates a festival by ID (a UUID the caller
// chooses) within f.CityID. An empty status is "active". The place must be in
// the city's area (EINVALID). ENOTFOUND for an unknown city, and for an ID
// that belongs to another city's festival (which is left alone).
func (s *Store) SaveFestival(ctx context.Context, f content.Festival) error {
	var err error
	if f.ID, err = parseUUID("festival ID", f.ID); err != nil {
		return fmt.Errorf("save festival: %w", err)
	}
	if f.CityID, err = parseUUID("city ID", f.CityID); err != nil {
		return fmt.Errorf("save festival: %w", err)
	}
	if f, err = content.ValidFestival(f); err != nil {
		return fmt.Errorf("save festival: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	c, err := s.cityLocked(f.CityID)
	if err != nil {
		return fmt.Errorf("save festival: %w", err)
	}
	if err := content.FestivalInArea(c, f); err != nil {
		return fmt.Errorf("save festival: %w", err)
	}
	now := s.stamp()
	f.CreatedAt = now
	if old, ok := s.festivals[f.ID]; ok {
		if old.CityID != f.CityID {
			return fmt.Errorf("save festival: %w", notFound("festival %s not found", f.ID))
		}
		f.CreatedAt = old.CreatedAt
	}
	f = storedFestival(f)
	f.StartsAt, f.EndsAt, f.UpdatedAt = normalize(f.StartsAt), normalize(f.EndsAt), now
	s.festivals[f.ID] = f
	return nil
}

// Festival returns one of a city's festivals, or ENOTFOUND (for another
// city's too).
func (s *Store) Festival(ctx context.Context, cityID, id string) (content.Festival, error) {
	cityID, err := parseUUID("city ID", cityID)
	if err != nil {
		return content.Festival{}, fmt.Errorf("find festival: %w", err)
	}
	if id, err = parseUUID("festival ID", id); err != nil {
		return content.Festival{}, fmt.Errorf("find festival: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	f, ok := s.festivals[id]
	if !ok || f.CityID != cityID {
		return content.Festival{}, fmt.Errorf("find festival: %w", notFound("festival %s not found", id))
	}
	return storedFestival(f), nil
}

// Festivals lists a city's festivals, cancelled ones too, by start time.
// ENOTFOUND for an unknown city.
func (s *Store) Festivals(ctx context.Context, cityID string) ([]content.Festival, error) {
	cityID, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("festivals: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.cityLocked(cityID); err != nil {
		return nil, fmt.Errorf("festivals: %w", err)
	}
	var out []content.Festival
	for _, f := range s.festivals {
		if f.CityID == cityID {
			out = append(out, storedFestival(f))
		}
	}
	sortFestivals(out)
	return out, nil
}

// sortFestivals orders festivals by start time, then ID.
func sortFestivals(fs []content.Festival) {
	slices.SortFunc(fs, func(a, b content.Festival) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), strings.Compare(a.ID, b.ID))
	})
}

// UpcomingFestivals lists up to limit active festivals of every city that end
// after from, soonest start first.
func (s *Store) UpcomingFestivals(ctx context.Context, from time.Time, limit int) ([]content.Festival, error) {
	switch {
	case from.IsZero():
		return nil, fmt.Errorf("upcoming festivals: %w", invalid("time is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("upcoming festivals: %w", invalid("limit %d is not positive", limit))
	}
	from = normalize(from)
	s.mu.Lock()
	defer s.mu.Unlock()

	var out []content.Festival
	for _, f := range s.festivals {
		if f.Status == content.FestivalActive && f.EndsAt.After(from) {
			out = append(out, storedFestival(f))
		}
	}
	sortFestivals(out)
	return out[:min(limit, len(out))], nil
}

// ---- Announcements ----

// SaveAnnouncement creates or updates an announcement by ID (a UUID the
// caller chooses) within a.CityID. Its festival must be one of the same
// city's (ENOTFOUND otherwise) and its audience within the city's area
// (EINVALID). An empty status is "draft". ENOTFOUND for an unknown city, and
// for an ID that belongs to another city's announcement (which is left
// alone). A claim on the announcement is kept.
func (s *Store) SaveAnnouncement(ctx context.Context, a content.Announcement) error {
	var err error
	if a.ID, err = parseUUID("announcement ID", a.ID); err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	if a.CityID, err = parseUUID("city ID", a.CityID); err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	if a.FestivalID, err = parseUUID("festival ID", a.FestivalID); err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	if a.CreatedBy, err = optUUID("creator token ID", a.CreatedBy); err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	if a.ApprovedBy, err = optUUID("approver token ID", a.ApprovedBy); err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	if a, err = content.ValidAnnouncement(a); err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	c, err := s.cityLocked(a.CityID)
	if err != nil {
		return fmt.Errorf("save announcement: %w", err)
	}
	if err := content.AudienceInArea(c, a.Audience); err != nil {
		return fmt.Errorf("save announcement: announcement %s: %w", a.ID, err)
	}
	old, exists := s.announcements[a.ID]
	if exists && old.CityID != a.CityID {
		return fmt.Errorf("save announcement: %w", notFound("announcement %s not found", a.ID))
	}
	if f, ok := s.festivals[a.FestivalID]; !ok || f.CityID != a.CityID {
		return fmt.Errorf("save announcement: %w", notFound("festival %s not found", a.FestivalID))
	}
	now := s.stamp()
	a = storedAnnouncement(a)
	a.ScheduledAt, a.CreatedAt, a.UpdatedAt = optTime(a.ScheduledAt), now, now
	if exists {
		a.CreatedAt = old.CreatedAt
		old.Announcement = a
		return nil
	}
	s.announcements[a.ID] = &announcement{Announcement: a}
	return nil
}

// Announcement returns one of a city's announcements, or ENOTFOUND (for
// another city's too).
func (s *Store) Announcement(ctx context.Context, cityID, id string) (content.Announcement, error) {
	cityID, err := parseUUID("city ID", cityID)
	if err != nil {
		return content.Announcement{}, fmt.Errorf("find announcement: %w", err)
	}
	if id, err = parseUUID("announcement ID", id); err != nil {
		return content.Announcement{}, fmt.Errorf("find announcement: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	a, ok := s.announcements[id]
	if !ok || a.CityID != cityID {
		return content.Announcement{}, fmt.Errorf("find announcement: %w", notFound("announcement %s not found", id))
	}
	return storedAnnouncement(a.Announcement), nil
}

// Announcements lists a city's announcements, oldest first. ENOTFOUND for an
// unknown city.
func (s *Store) Announcements(ctx context.Context, cityID string) ([]content.Announcement, error) {
	cityID, err := parseUUID("city ID", cityID)
	if err != nil {
		return nil, fmt.Errorf("announcements: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.cityLocked(cityID); err != nil {
		return nil, fmt.Errorf("announcements: %w", err)
	}
	var out []content.Announcement
	for _, a := range s.announcements {
		if a.CityID == cityID {
			out = append(out, storedAnnouncement(a.Announcement))
		}
	}
	slices.SortFunc(out, func(a, b content.Announcement) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ClaimDueAnnouncements holds up to limit scheduled announcements due at or
// before now (of every city) for lease and returns them, earliest first. One
// whose lease ran out is claimed again.
func (s *Store) ClaimDueAnnouncements(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]content.Announcement, error) {
	switch {
	case now.IsZero():
		return nil, fmt.Errorf("claim due announcements: %w", invalid("now is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("claim due announcements: %w", invalid("limit %d is not positive", limit))
	case lease <= 0:
		return nil, fmt.Errorf("claim due announcements: %w", invalid("lease %v is not positive", lease))
	}
	now = normalize(now)
	s.mu.Lock()
	defer s.mu.Unlock()

	var due []*announcement
	for _, a := range s.announcements {
		if a.Status == content.AnnScheduled && !a.ScheduledAt.After(now) && !a.claimedUntil.After(now) {
			due = append(due, a)
		}
	}
	slices.SortFunc(due, func(a, b *announcement) int {
		return cmp.Or(a.ScheduledAt.Compare(b.ScheduledAt), strings.Compare(a.ID, b.ID))
	})
	due = due[:min(limit, len(due))]
	claimed := make([]content.Announcement, len(due))
	for i, a := range due {
		a.claimedUntil = normalize(now.Add(lease))
		claimed[i] = storedAnnouncement(a.Announcement)
	}
	return claimed, nil
}

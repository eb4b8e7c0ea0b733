package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
)

// scheduled is a message with the lease that holds it while claimed.
type scheduled struct {
	content.Scheduled
	claimedUntil time.Time // zero when not held
}

func notFound(format string, args ...any) error {
	return content.Errorf(content.ENOTFOUND, format, args...)
}

func invalid(format string, args ...any) error {
	return content.Errorf(content.EINVALID, format, args...)
}

func conflict(format string, args ...any) error {
	return content.Errorf(content.ECONFLICT, format, args...)
}

// userLocked returns ENOTFOUND unless the user exists. s.mu must be held.
func (s *Store) userLocked(id string) error {
	if _, ok := s.users[id]; !ok {
		return notFound("user %s not found", id)
	}
	return nil
}

// ---- Consent ----

// RecordConsent stores an answer to the privacy notice; earlier answers are kept
// as history and the latest (by At) wins.
func (s *Store) RecordConsent(ctx context.Context, c content.Consent) error {
	switch {
	case c.UserID == "":
		return fmt.Errorf("record consent: %w", invalid("user ID is empty"))
	case c.Version == "":
		return fmt.Errorf("record consent: %w", invalid("notice version is empty"))
	case c.At.IsZero():
		return fmt.Errorf("record consent: %w", invalid("consent time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(c.UserID); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	c.At = normalize(c.At)
	s.consents[c.UserID] = append(s.consents[c.UserID], c)
	return nil
}

// Consent returns the latest answer, or ENOTFOUND when there is none.
func (s *Store) Consent(ctx context.Context, userID string) (content.Consent, error) {
	if userID == "" {
		return content.Consent{}, fmt.Errorf("find consent: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	c, ok := s.consentLocked(userID)
	if !ok {
		return content.Consent{}, fmt.Errorf("find consent: %w", notFound("no consent from user %s", userID))
	}
	return c, nil
}

// consentLocked returns the latest answer: the greatest At, the last recorded
// among equals.
func (s *Store) consentLocked(userID string) (content.Consent, bool) {
	var (
		latest content.Consent
		found  bool
	)
	for _, c := range s.consents[userID] {
		if !found || !c.At.Before(latest.At) {
			latest, found = c, true
		}
	}
	return latest, found
}

// ---- Profile ----

// SaveProfile merges fields into the profile, creating it when missing; an empty
// value removes the field.
func (s *Store) SaveProfile(ctx context.Context, userID string, fields map[string]string, at time.Time) error {
	switch {
	case userID == "":
		return fmt.Errorf("save profile: %w", invalid("user ID is empty"))
	case at.IsZero():
		return fmt.Errorf("save profile: %w", invalid("save time is zero"))
	}
	if _, ok := fields[""]; ok {
		return fmt.Errorf("save profile: %w", invalid("empty field name"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(userID); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	s.profiles[userID] = merge(s.profiles[userID], fields)
	return nil
}

// merge returns a copy of m with fields applied: an empty value deletes.
func merge(m, fields map[string]string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range fields {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// Profile returns the profile fields, empty (never nil) when there is no profile.
func (s *Store) Profile(ctx context.Context, userID string) (map[string]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("find profile: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(userID); err != nil {
		return nil, fmt.Errorf("find profile: %w", err)
	}
	return merge(s.profiles[userID], nil), nil
}

// ---- Settings ----

// SetSetting records a setting on the user record; an empty value removes it.
func (s *Store) SetSetting(ctx context.Context, userID, key, value string) error {
	switch {
	case userID == "":
		return fmt.Errorf("set setting: %w", invalid("user ID is empty"))
	case key == "":
		return fmt.Errorf("set setting: %w", invalid("setting name is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	u, ok := s.users[userID]
	if !ok {
		return fmt.Errorf("set setting: %w", notFound("user %s not found", userID))
	}
	s.settings[userID] = merge(s.settings[userID], map[string]string{key: value})
	u.UpdatedAt = s.stamp()
	s.users[userID] = u
	return nil
}

// Settings returns the user's settings, empty (never nil) when none.
func (s *Store) Settings(ctx context.Context, userID string) (map[string]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("find settings: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(userID); err != nil {
		return nil, fmt.Errorf("find settings: %w", err)
	}
	return merge(s.settings[userID], nil), nil
}

// ---- Guardian ----

// normalizeCode is how codes are stored and compared: trimmed, upper case.
func normalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// CreateGuardianCode gives a minor a new code, replacing an unconfirmed one.
// ECONFLICT when another youth holds the code unexpired, or when the youth's
// guardian has already confirmed.
func (s *Store) CreateGuardianCode(ctx context.Context, youthID, code string, createdAt, expiresAt time.Time) error {
	code = normalizeCode(code)
	switch {
	case youthID == "":
		return fmt.Errorf("create guardian code: %w", invalid("youth ID is empty"))
	case code == "":
		return fmt.Errorf("create guardian code: %w", invalid("code is empty"))
	case createdAt.IsZero() || expiresAt.IsZero():
		return fmt.Errorf("create guardian code: %w", invalid("creation or expiry time is zero"))
	case !normalize(expiresAt).After(normalize(createdAt)):
		return fmt.Errorf("create guardian code: %w", invalid("code expires before it is created"))
	}
	createdAt, expiresAt = normalize(createdAt), normalize(expiresAt)
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(youthID); err != nil {
		return fmt.Errorf("create guardian code: %w", err)
	}
	for _, g := range s.guardians {
		if g.Code == code && g.YouthID != youthID && g.ExpiresAt.After(createdAt) {
			return fmt.Errorf("create guardian code for %s: %w", youthID, conflict("code %s is in use", code))
		}
	}
	if g, ok := s.guardians[youthID]; ok && g.Confirmed() {
		return fmt.Errorf("create guardian code for %s: %w", youthID, conflict("a guardian of %s already confirmed", youthID))
	}
	s.guardians[youthID] = content.Guardian{YouthID: youthID, Code: code, CreatedAt: createdAt, ExpiresAt: expiresAt}
	return nil
}

// ConfirmGuardian records that guardianID confirmed with code at time at and
// returns the youth's record. Confirming again as the same guardian returns the
// record unchanged.
func (s *Store) ConfirmGuardian(ctx context.Context, code, guardianID string, at time.Time) (content.Guardian, error) {
	code = normalizeCode(code)
	switch {
	case code == "":
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", invalid("code is empty"))
	case guardianID == "":
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", invalid("guardian ID is empty"))
	case at.IsZero():
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", invalid("confirmation time is zero"))
	}
	at = normalize(at)
	s.mu.Lock()
	defer s.mu.Unlock()

	// The newest unexpired record with the code, as PostgreSQL picks it.
	var (
		g     content.Guardian
		found bool
	)
	for _, c := range s.guardians {
		if c.Code == code && c.ExpiresAt.After(at) && (!found || c.CreatedAt.After(g.CreatedAt)) {
			g, found = c, true
		}
	}
	switch {
	case !found:
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", notFound("no valid code %s", code))
	case g.YouthID == guardianID:
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", invalid("a youth cannot be their own guardian"))
	case g.Confirmed() && g.GuardianID == guardianID:
		return g, nil
	case g.Confirmed():
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", conflict("code %s already confirmed by another guardian", code))
	}
	if err := s.userLocked(guardianID); err != nil {
		return content.Guardian{}, fmt.Errorf("confirm guardian: %w", err)
	}
	g.GuardianID, g.ConfirmedAt = guardianID, at
	s.guardians[g.YouthID] = g
	return g, nil
}

// GuardianOf returns the youth's guardian record, or ENOTFOUND.
func (s *Store) GuardianOf(ctx context.Context, youthID string) (content.Guardian, error) {
	if youthID == "" {
		return content.Guardian{}, fmt.Errorf("find guardian: %w", invalid("youth ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	g, ok := s.guardians[youthID]
	if !ok {
		return content.Guardian{}, fmt.Errorf("find guardian: %w", notFound("no guardian record for %s", youthID))
	}
	return g, nil
}

// ---- Plan ----

// SavePlan replaces the person's plan.
func (s *Store) SavePlan(ctx context.Context, p content.Plan) error {
	switch {
	case p.UserID == "":
		return fmt.Errorf("save plan: %w", invalid("user ID is empty"))
	case p.SavedAt.IsZero():
		return fmt.Errorf("save plan: %w", invalid("save time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(p.UserID); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	p.SavedAt = normalize(p.SavedAt)
	s.plans[p.UserID] = copyPlan(p)
	return nil
}

// copyPlan copies the steps, which are never nil.
func copyPlan(p content.Plan) content.Plan {
	p.Steps = append(make([]content.PlanStep, 0, len(p.Steps)), p.Steps...)
	return p
}

// Plan returns the person's plan, or ENOTFOUND.
func (s *Store) Plan(ctx context.Context, userID string) (content.Plan, error) {
	if userID == "" {
		return content.Plan{}, fmt.Errorf("find plan: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	p, ok := s.plans[userID]
	if !ok {
		return content.Plan{}, fmt.Errorf("find plan: %w", notFound("no plan for %s", userID))
	}
	return copyPlan(p), nil
}

// ---- Outcomes ----

// RecordOutcome adds an outcome.
func (s *Store) RecordOutcome(ctx context.Context, o content.Outcome) error {
	switch {
	case o.UserID == "":
		return fmt.Errorf("record outcome: %w", invalid("user ID is empty"))
	case o.Kind == "":
		return fmt.Errorf("record outcome: %w", invalid("outcome kind is empty"))
	case o.At.IsZero():
		return fmt.Errorf("record outcome: %w", invalid("outcome time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(o.UserID); err != nil {
		return fmt.Errorf("record outcome: %w", err)
	}
	o.At = normalize(o.At)
	s.outcomes = append(s.outcomes, o)
	return nil
}

// CountOutcomes counts outcomes by kind across everyone.
func (s *Store) CountOutcomes(ctx context.Context) (map[string]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	counts := map[string]int{}
	for _, o := range s.outcomes {
		counts[o.Kind]++
	}
	return counts, nil
}

// ---- Scheduled messages ----

// parseUUID parses a UUID argument into its canonical form: EINVALID when it is
// not one.
func parseUUID(what, s string) (string, error) {
	if s == "" {
		return "", invalid("%s is empty", what)
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return "", invalid("%s %q is not a UUID", what, s)
	}
	return id.String(), nil
}

// orNewUUID parses s, or makes a new random UUID when s is empty.
func orNewUUID(what, s string) (string, error) {
	if s == "" {
		return uuid.NewString(), nil
	}
	return parseUUID(what, s)
}

// Schedule stores a pending message. An empty ID or RetryKey gets a new UUID; an
// ID already used is ECONFLICT.
func (s *Store) Schedule(ctx context.Context, m content.Scheduled) error {
	switch {
	case m.UserID == "":
		return fmt.Errorf("schedule: %w", invalid("user ID is empty"))
	case m.Kind == "":
		return fmt.Errorf("schedule: %w", invalid("message kind is empty"))
	case m.DueAt.IsZero():
		return fmt.Errorf("schedule: %w", invalid("due time is zero"))
	case m.Status != "" && m.Status != "pending":
		return fmt.Errorf("schedule: %w", invalid("a new message must be pending, not %q", m.Status))
	}
	var err error
	if m.ID, err = orNewUUID("message ID", m.ID); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if m.RetryKey, err = orNewUUID("retry key", m.RetryKey); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	m.DueAt, m.Status, m.SentAt = normalize(m.DueAt), "pending", time.Time{}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(m.UserID); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if _, ok := s.scheduled[m.ID]; ok {
		return fmt.Errorf("schedule: %w", conflict("message %s exists already", m.ID))
	}
	s.scheduled[m.ID] = &scheduled{Scheduled: m}
	return nil
}

// ClaimDue holds up to limit pending messages due at or before now for lease and
// returns them, earliest due first.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]content.Scheduled, error) {
	switch {
	case now.IsZero():
		return nil, fmt.Errorf("claim due: %w", invalid("now is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("claim due: %w", invalid("limit %d is not positive", limit))
	case lease <= 0:
		return nil, fmt.Errorf("claim due: %w", invalid("lease %v is not positive", lease))
	}
	now = normalize(now)
	s.mu.Lock()
	defer s.mu.Unlock()

	var due []*scheduled
	for _, m := range s.scheduled {
		if m.Status == "pending" && !m.DueAt.After(now) && !m.claimedUntil.After(now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, func(a, b *scheduled) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), strings.Compare(a.ID, b.ID))
	})
	due = due[:min(limit, len(due))]
	claimed := make([]content.Scheduled, len(due))
	for i, m := range due {
		m.claimedUntil = normalize(now.Add(lease))
		claimed[i] = m.Scheduled
	}
	return claimed, nil
}

// finished are the statuses FinishScheduled accepts.
var finished = map[string]bool{"sent": true, "skipped": true, "cancelled": true}

// FinishScheduled marks a pending message sent, skipped or cancelled and releases
// it. Finishing it again with the same status is a no-op; with another status,
// or after a cancellation, it is ECONFLICT.
func (s *Store) FinishScheduled(ctx context.Context, id, status, reason string, at time.Time) error {
	id, err := parseUUID("message ID", id)
	if err != nil {
		return fmt.Errorf("finish scheduled: %w", err)
	}
	switch {
	case !finished[status]:
		return fmt.Errorf("finish scheduled: %w", invalid("status %q is not sent, skipped or cancelled", status))
	case at.IsZero():
		return fmt.Errorf("finish scheduled: %w", invalid("finish time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.scheduled[id]
	switch {
	case !ok:
		return fmt.Errorf("finish scheduled: %w", notFound("message %s not found", id))
	case m.Status == status:
		return nil
	case m.Status != "pending":
		return fmt.Errorf("finish scheduled: %w", conflict("message %s is %s already", id, m.Status))
	}
	m.Status, m.Reason, m.claimedUntil = status, reason, time.Time{}
	if status == "sent" {
		m.SentAt = normalize(at)
	}
	return nil
}

// Reschedule moves a pending message to dueAt and releases it.
func (s *Store) Reschedule(ctx context.Context, id string, dueAt time.Time) error {
	id, err := parseUUID("message ID", id)
	if err != nil {
		return fmt.Errorf("reschedule: %w", err)
	}
	if dueAt.IsZero() {
		return fmt.Errorf("reschedule: %w", invalid("due time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.scheduled[id]
	switch {
	case !ok:
		return fmt.Errorf("reschedule: %w", notFound("message %s not found", id))
	case m.Status != "pending":
		return fmt.Errorf("reschedule: %w", conflict("message %s is %s already", id, m.Status))
	}
	m.DueAt, m.claimedUntil = normalize(dueAt), time.Time{}
	return nil
}

// CancelScheduled cancels the user's pending messages of kind ("" = all), held
// or not, and returns how many.
func (s *Store) CancelScheduled(ctx context.Context, userID, kind, reason string) (int, error) {
	if userID == "" {
		return 0, fmt.Errorf("cancel scheduled: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(userID); err != nil {
		return 0, fmt.Errorf("cancel scheduled: %w", err)
	}
	n := 0
	for _, m := range s.scheduled {
		if m.UserID == userID && m.Status == "pending" && (kind == "" || m.Kind == kind) {
			m.Status, m.Reason, m.claimedUntil = "cancelled", reason, time.Time{}
			n++
		}
	}
	return n, nil
}

// ---- Handoffs ----

// RequestHandoff records a request for a human. An empty ID gets a new UUID and
// an empty status is "open".
func (s *Store) RequestHandoff(ctx context.Context, h content.Handoff) error {
	switch {
	case h.UserID == "":
		return fmt.Errorf("request handoff: %w", invalid("user ID is empty"))
	case h.At.IsZero():
		return fmt.Errorf("request handoff: %w", invalid("request time is zero"))
	case h.Status != "" && h.Status != "open" && h.Status != "closed":
		return fmt.Errorf("request handoff: %w", invalid("status %q is not open or closed", h.Status))
	}
	var err error
	if h.ID, err = orNewUUID("handoff ID", h.ID); err != nil {
		return fmt.Errorf("request handoff: %w", err)
	}
	// Only the request itself: a ticket's routing, replies and closing come
	// from TicketStore's methods (as PostgreSQL's columns default).
	h = content.Handoff{ID: h.ID, UserID: h.UserID, Reason: h.Reason, Urgent: h.Urgent, At: normalize(h.At), Status: cmp.Or(h.Status, "open")}
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.userLocked(h.UserID); err != nil {
		return fmt.Errorf("request handoff: %w", err)
	}
	if _, ok := s.handoffs[h.ID]; ok {
		return fmt.Errorf("request handoff: %w", conflict("handoff %s exists already", h.ID))
	}
	s.handoffs[h.ID] = h
	return nil
}

// OpenHandoffs lists open requests, urgent first, then oldest first.
func (s *Store) OpenHandoffs(ctx context.Context) ([]content.Handoff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	open := []content.Handoff{}
	for _, h := range s.handoffs {
		if h.Status == "open" {
			open = append(open, h)
		}
	}
	slices.SortFunc(open, func(a, b content.Handoff) int {
		if a.Urgent != b.Urgent {
			if a.Urgent {
				return -1
			}
			return 1
		}
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	return open, nil
}

// KeepForCounsellor keeps text with the user's most recent open handoff (the
// latest At, the greatest ID among equals, as PostgreSQL picks it), opening a
// "message" handoff first when none is open. The store's mutex makes checking
// for an open handoff and opening one a single step.
func (s *Store) KeepForCounsellor(ctx context.Context, userID, text string, at time.Time) (string, error) {
	text, err := content.ValidHandoffMessage(userID, text, at)
	if err != nil {
		return "", fmt.Errorf("keep for counsellor: %w", err)
	}
	at = normalize(at)
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.users[userID]; !ok {
		return "", fmt.Errorf("keep for counsellor: %w", notFound("user not found"))
	}
	latest, found := s.openHandoffOfLocked(userID)
	if !found {
		latest = content.Handoff{ID: uuid.NewString(), UserID: userID, Reason: "message", At: at, Status: "open"}
		s.handoffs[latest.ID] = latest
	}
	s.handoffMessages = append(s.handoffMessages, content.HandoffMessage{
		ID: uuid.NewString(), HandoffID: latest.ID, UserID: userID, Text: text, At: at, Author: content.AuthorPerson,
	})
	return latest.ID, nil
}

// HandoffMessages returns a ticket's timeline: the messages kept with it and
// the replies, oldest first and in the order kept among equal times; empty
// (never nil) when there are none.
func (s *Store) HandoffMessages(ctx context.Context, handoffID string) ([]content.HandoffMessage, error) {
	id, err := parseUUID("handoff ID", handoffID)
	if err != nil {
		return nil, fmt.Errorf("handoff messages: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.handoffs[id]; !ok {
		return nil, fmt.Errorf("handoff messages: %w", notFound("handoff %s not found", id))
	}
	return s.handoffMessagesLocked(func(m content.HandoffMessage) bool { return m.HandoffID == id }), nil
}

// handoffMessagesLocked returns copies of the messages that match, oldest
// first (stable: equal times in the order kept), never nil. s.mu must be held.
func (s *Store) handoffMessagesLocked(match func(content.HandoffMessage) bool) []content.HandoffMessage {
	out := []content.HandoffMessage{}
	for _, m := range s.handoffMessages {
		if match(m) {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b content.HandoffMessage) int { return a.At.Compare(b.At) })
	return out
}

// ---- Export and deletion ----

// Export returns everything held about the user.
func (s *Store) Export(ctx context.Context, userID string) (content.UserData, error) {
	if userID == "" {
		return content.UserData{}, fmt.Errorf("export: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	u, ok := s.users[userID]
	if !ok {
		return content.UserData{}, fmt.Errorf("export: %w", notFound("user %s not found", userID))
	}
	d := content.UserData{
		User:      u,
		Profile:   merge(s.profiles[userID], nil),
		Outcomes:  []content.Outcome{},
		Scheduled: []content.Scheduled{},
		Handoffs:  []content.Handoff{},
	}
	if c, ok := s.consentLocked(userID); ok {
		d.Consent = &c
	}
	if g, ok := s.guardians[userID]; ok {
		d.Guardian = &g
	}
	if p, ok := s.plans[userID]; ok {
		p = copyPlan(p)
		d.Plan = &p
	}
	for _, o := range s.outcomes {
		if o.UserID == userID {
			d.Outcomes = append(d.Outcomes, o)
		}
	}
	slices.SortStableFunc(d.Outcomes, func(a, b content.Outcome) int { return a.At.Compare(b.At) })
	for _, m := range s.scheduled {
		if m.UserID == userID {
			d.Scheduled = append(d.Scheduled, m.Scheduled)
		}
	}
	slices.SortFunc(d.Scheduled, func(a, b content.Scheduled) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), strings.Compare(a.ID, b.ID))
	})
	for _, h := range s.handoffs {
		if h.UserID == userID {
			d.Handoffs = append(d.Handoffs, h)
		}
	}
	slices.SortFunc(d.Handoffs, func(a, b content.Handoff) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	d.HandoffMessages = s.handoffMessagesLocked(func(m content.HandoffMessage) bool { return m.UserID == userID })
	return d, nil
}

// DeleteUser removes the user and everything about them (a guardian record they
// confirmed for a youth too, as PostgreSQL's cascade does) and counts the
// deletion for the day (UTC). Deleting an unknown user is not an error.
func (s *Store) DeleteUser(ctx context.Context, userID string, at time.Time) error {
	switch {
	case userID == "":
		return fmt.Errorf("delete user: %w", invalid("user ID is empty"))
	case at.IsZero():
		return fmt.Errorf("delete user: %w", invalid("deletion time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.users[userID]; !ok {
		return nil
	}
	delete(s.users, userID)
	delete(s.settings, userID)
	delete(s.consents, userID)
	delete(s.profiles, userID)
	delete(s.plans, userID)
	delete(s.signals, userID) // saved items, votes and clicks
	maps.DeleteFunc(s.guardians, func(_ string, g content.Guardian) bool {
		return g.YouthID == userID || g.GuardianID == userID
	})
	s.outcomes = slices.DeleteFunc(s.outcomes, func(o content.Outcome) bool { return o.UserID == userID })
	maps.DeleteFunc(s.scheduled, func(_ string, m *scheduled) bool { return m.UserID == userID })
	maps.DeleteFunc(s.handoffs, func(_ string, h content.Handoff) bool { return h.UserID == userID })
	s.handoffMessages = slices.DeleteFunc(s.handoffMessages, func(m content.HandoffMessage) bool { return m.UserID == userID })
	s.deleteTapsLocked(userID) // taps on announcements' buttons (broadcast.go)
	s.deletions[normalize(at).Format(time.DateOnly)]++
	return nil
}

// Deletions returns how many people deleted their data.
func (s *Store) Deletions(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	n := 0
	for _, c := range s.deletions {
		n += c
	}
	return n, nil
}

package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
)

var _ content.TicketStore = (*Store)(nil)

// ticketsLocked makes the organisation and counsellor maps on first use. s.mu
// must be held.
func (s *Store) ticketsLocked() {
	if s.orgs == nil {
		s.orgs = map[string]content.Organisation{}
		s.counsellors = map[string]content.Counsellor{}
	}
}

// storedCounsellor is c as handed out: lists copied, nil when empty.
func storedCounsellor(c content.Counsellor) content.Counsellor {
	c.Provinces, c.Districts = list(c.Provinces), list(c.Districts)
	if len(c.Hours) == 0 {
		c.Hours = nil
	} else {
		c.Hours = slices.Clone(c.Hours)
	}
	return c
}

// byName orders organisations and counsellors by name, then ID, as
// PostgreSQL does with COLLATE "C".
func byName(aName, aID, bName, bID string) int {
	return cmp.Or(strings.Compare(aName, bName), strings.Compare(aID, bID))
}

// ---- Organisations ----

// CreateOrganisation stores a new organisation and returns it as stored. An
// empty ID gets a new UUID and a zero CreatedAt the current time; an ID in use
// is ECONFLICT. EINVALID for a bad name or kind, or a city organisation whose
// city does not exist.
func (s *Store) CreateOrganisation(ctx context.Context, o content.Organisation) (content.Organisation, error) {
	if err := content.ValidOrganisation(o); err != nil {
		return content.Organisation{}, fmt.Errorf("create organisation: %w", err)
	}
	var err error
	if o.ID, err = orNewUUID("organisation ID", o.ID); err != nil {
		return content.Organisation{}, fmt.Errorf("create organisation: %w", err)
	}
	if o.CityID, err = optUUID("city ID", o.CityID); err != nil {
		return content.Organisation{}, fmt.Errorf("create organisation: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ticketsLocked()

	if _, ok := s.orgs[o.ID]; ok {
		return content.Organisation{}, fmt.Errorf("create organisation: %w", conflict("organisation %s exists already", o.ID))
	}
	if _, ok := s.cities[o.CityID]; o.CityID != "" && !ok {
		return content.Organisation{}, fmt.Errorf("create organisation: %w", invalid("city %s not found", o.CityID))
	}
	o.CreatedAt = optTime(o.CreatedAt)
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.stamp()
	}
	s.orgs[o.ID] = o
	return o, nil
}

// Organisation returns an organisation by ID, or ENOTFOUND.
func (s *Store) Organisation(ctx context.Context, id string) (content.Organisation, error) {
	id, err := parseUUID("organisation ID", id)
	if err != nil {
		return content.Organisation{}, fmt.Errorf("find organisation: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	o, ok := s.orgs[id]
	if !ok {
		return content.Organisation{}, fmt.Errorf("find organisation: %w", notFound("organisation %s not found", id))
	}
	return o, nil
}

// Organisations lists every organisation by name (byte order), then ID.
func (s *Store) Organisations(ctx context.Context) ([]content.Organisation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]content.Organisation, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b content.Organisation) int { return byName(a.Name, a.ID, b.Name, b.ID) })
	return out, nil
}

// ---- Counsellors ----

// CreateCounsellor stores a new counsellor and returns it as stored (ID and
// CreatedAt set when empty; provinces and districts without duplicates).
// EINVALID for an unknown organisation and whatever ValidCounsellor refuses;
// ECONFLICT for an ID in use, or a LINE account or token another counsellor
// has.
func (s *Store) CreateCounsellor(ctx context.Context, c content.Counsellor) (content.Counsellor, error) {
	c, err := content.ValidCounsellor(c)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("create counsellor: %w", err)
	}
	if c.ID, err = orNewUUID("counsellor ID", c.ID); err != nil {
		return content.Counsellor{}, fmt.Errorf("create counsellor: %w", err)
	}
	if c.OrgID, err = parseUUID("organisation ID", c.OrgID); err != nil {
		return content.Counsellor{}, fmt.Errorf("create counsellor: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ticketsLocked()

	if _, ok := s.counsellors[c.ID]; ok {
		return content.Counsellor{}, fmt.Errorf("create counsellor: %w", conflict("counsellor %s exists already", c.ID))
	}
	if _, ok := s.orgs[c.OrgID]; !ok {
		return content.Counsellor{}, fmt.Errorf("create counsellor: %w", invalid("organisation %s not found", c.OrgID))
	}
	if err := s.counsellorLinksFreeLocked(c); err != nil {
		return content.Counsellor{}, fmt.Errorf("create counsellor: %w", err)
	}
	c = storedCounsellor(c)
	c.CreatedAt, c.DisabledAt = optTime(c.CreatedAt), optTime(c.DisabledAt)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.stamp()
	}
	s.counsellors[c.ID] = c
	return storedCounsellor(c), nil
}

// counsellorLinksFreeLocked returns ECONFLICT when another counsellor has c's
// LINE account or token. s.mu must be held.
func (s *Store) counsellorLinksFreeLocked(c content.Counsellor) error {
	for _, o := range s.counsellors {
		switch {
		case o.ID == c.ID:
		case c.LineUserID != "" && o.LineUserID == c.LineUserID:
			return conflict("the LINE account is linked to another counsellor")
		case c.TokenHash != "" && o.TokenHash == c.TokenHash:
			return conflict("the token is another counsellor's")
		}
	}
	return nil
}

// UpdateCounsellor replaces a counsellor's name, role, areas, hours, LINE
// link, token and disabled time; their organisation and CreatedAt stay.
// ENOTFOUND for an unknown counsellor, or one of another organisation than a
// non-empty c.OrgID; otherwise as CreateCounsellor.
func (s *Store) UpdateCounsellor(ctx context.Context, c content.Counsellor) error {
	c, err := content.ValidCounsellor(c)
	if err != nil {
		return fmt.Errorf("update counsellor: %w", err)
	}
	if c.ID, err = parseUUID("counsellor ID", c.ID); err != nil {
		return fmt.Errorf("update counsellor: %w", err)
	}
	if c.OrgID, err = optUUID("organisation ID", c.OrgID); err != nil {
		return fmt.Errorf("update counsellor: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	old, ok := s.counsellors[c.ID]
	if !ok || (c.OrgID != "" && c.OrgID != old.OrgID) {
		return fmt.Errorf("update counsellor: %w", notFound("counsellor %s not found", c.ID))
	}
	if err := s.counsellorLinksFreeLocked(c); err != nil {
		return fmt.Errorf("update counsellor: %w", err)
	}
	c = storedCounsellor(c)
	c.OrgID, c.CreatedAt, c.DisabledAt = old.OrgID, old.CreatedAt, optTime(c.DisabledAt)
	s.counsellors[c.ID] = c
	return nil
}

// Counsellor returns a counsellor by ID, or ENOTFOUND.
func (s *Store) Counsellor(ctx context.Context, id string) (content.Counsellor, error) {
	id, err := parseUUID("counsellor ID", id)
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("find counsellor: %w", err)
	}
	return s.findCounsellor("find counsellor", func(c content.Counsellor) bool { return c.ID == id })
}

// CounsellorByTokenHash returns the counsellor whose secret hashes to hash,
// disabled or not, or ENOTFOUND.
func (s *Store) CounsellorByTokenHash(ctx context.Context, hash string) (content.Counsellor, error) {
	if hash == "" {
		return content.Counsellor{}, fmt.Errorf("find counsellor by token: %w", invalid("token hash is empty"))
	}
	return s.findCounsellor("find counsellor by token", func(c content.Counsellor) bool { return c.TokenHash == hash })
}

// CounsellorByLine returns the counsellor who linked this LINE account, or
// ENOTFOUND.
func (s *Store) CounsellorByLine(ctx context.Context, lineUserID string) (content.Counsellor, error) {
	if lineUserID == "" {
		return content.Counsellor{}, fmt.Errorf("find counsellor by LINE account: %w", invalid("LINE user ID is empty"))
	}
	return s.findCounsellor("find counsellor by LINE account", func(c content.Counsellor) bool { return c.LineUserID == lineUserID })
}

// findCounsellor returns the one counsellor that matches, or ENOTFOUND.
func (s *Store) findCounsellor(op string, match func(content.Counsellor) bool) (content.Counsellor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, c := range s.counsellors {
		if match(c) {
			return storedCounsellor(c), nil
		}
	}
	return content.Counsellor{}, fmt.Errorf("%s: %w", op, notFound("counsellor not found"))
}

// Counsellors lists an organisation's counsellors ("" = every
// organisation's), disabled ones too, by name (byte order), then ID.
// ENOTFOUND for an unknown organisation.
func (s *Store) Counsellors(ctx context.Context, orgID string) ([]content.Counsellor, error) {
	orgID, err := optUUID("organisation ID", orgID)
	if err != nil {
		return nil, fmt.Errorf("counsellors: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.orgs[orgID]; orgID != "" && !ok {
		return nil, fmt.Errorf("counsellors: %w", notFound("organisation %s not found", orgID))
	}
	out := []content.Counsellor{}
	for _, c := range s.counsellors {
		if orgID == "" || c.OrgID == orgID {
			out = append(out, storedCounsellor(c))
		}
	}
	slices.SortFunc(out, func(a, b content.Counsellor) int { return byName(a.Name, a.ID, b.Name, b.ID) })
	return out, nil
}

// ---- Tickets ----

// ticketLocked returns a ticket, or ENOTFOUND. s.mu must be held.
func (s *Store) ticketLocked(id string) (content.Handoff, error) {
	h, ok := s.handoffs[id]
	if !ok {
		return content.Handoff{}, notFound("ticket %s not found", id)
	}
	return h, nil
}

// orgTicketLocked returns a ticket of the organisation, or ENOTFOUND (for
// another organisation's too). s.mu must be held.
func (s *Store) orgTicketLocked(orgID, id string) (content.Handoff, error) {
	h, err := s.ticketLocked(id)
	if err != nil {
		return content.Handoff{}, err
	}
	if err := content.CheckTicketOrg(h, orgID); err != nil {
		return content.Handoff{}, err
	}
	return h, nil
}

// orgAndTicket parses the organisation and ticket IDs of an org-scoped call.
func orgAndTicket(orgID, id string) (string, string, error) {
	orgID, err := parseUUID("organisation ID", orgID)
	if err != nil {
		return "", "", err
	}
	id, err = parseUUID("ticket ID", id)
	return orgID, id, err
}

// Handoff returns a ticket by ID, whichever organisation's, or ENOTFOUND.
func (s *Store) Handoff(ctx context.Context, id string) (content.Handoff, error) {
	id, err := parseUUID("ticket ID", id)
	if err != nil {
		return content.Handoff{}, fmt.Errorf("find ticket: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.ticketLocked(id)
	if err != nil {
		return content.Handoff{}, fmt.Errorf("find ticket: %w", err)
	}
	return h, nil
}

// OpenHandoffOf returns the person's most recent open ticket (the latest At,
// the greatest ID among equals, as KeepForCounsellor picks it), or ENOTFOUND
// (for an unknown person too).
func (s *Store) OpenHandoffOf(ctx context.Context, userID string) (content.Handoff, error) {
	if userID == "" {
		return content.Handoff{}, fmt.Errorf("open ticket of: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, ok := s.openHandoffOfLocked(userID)
	if !ok {
		return content.Handoff{}, fmt.Errorf("open ticket of: %w", notFound("no open ticket"))
	}
	return h, nil
}

// openHandoffOfLocked returns the user's most recent open handoff. s.mu must
// be held.
func (s *Store) openHandoffOfLocked(userID string) (content.Handoff, bool) {
	var (
		latest content.Handoff
		found  bool
	)
	for _, h := range s.handoffs {
		if h.UserID == userID && h.Status == "open" &&
			(!found || cmp.Or(h.At.Compare(latest.At), strings.Compare(h.ID, latest.ID)) > 0) {
			latest, found = h, true
		}
	}
	return latest, found
}

// RouteHandoff sends an open ticket to r's organisation at time at: its level
// and area as given, escalation back to EscalationNone from at, and no
// assignee when the organisation changes. EINVALID for a bad or unknown
// organisation or area, ENOTFOUND for an unknown ticket, ECONFLICT for a
// closed one.
func (s *Store) RouteHandoff(ctx context.Context, id string, r content.Route, at time.Time) error {
	if err := content.ValidRoute(r); err != nil {
		return fmt.Errorf("route ticket: %w", err)
	}
	id, err := parseUUID("ticket ID", id)
	if err != nil {
		return fmt.Errorf("route ticket: %w", err)
	}
	if r.OrgID, err = parseUUID("organisation ID", r.OrgID); err != nil {
		return fmt.Errorf("route ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("route ticket: %w", invalid("routing time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.ticketLocked(id)
	if err != nil {
		return fmt.Errorf("route ticket: %w", err)
	}
	if err := content.CheckTicketOpen(h, "route"); err != nil {
		return fmt.Errorf("route ticket: %w", err)
	}
	if _, ok := s.orgs[r.OrgID]; !ok {
		return fmt.Errorf("route ticket: %w", invalid("organisation %s not found", r.OrgID))
	}
	if h.OrgID != r.OrgID {
		h.AssigneeID = ""
	}
	h.OrgID, h.Level, h.Province, h.District = r.OrgID, r.Level, r.Province, r.District
	h.Escalation, h.EscalatedAt = content.EscalationNone, normalize(at)
	s.handoffs[id] = h
	return nil
}

// EscalateHandoff raises a routed, open, unanswered ticket's escalation to
// level at time at. ECONFLICT for a closed, unrouted or answered ticket, or
// one at that level or higher already; EINVALID for another level than EscalationArea or
// EscalationSupervisor.
func (s *Store) EscalateHandoff(ctx context.Context, id string, level int, at time.Time) error {
	id, err := parseUUID("ticket ID", id)
	if err != nil {
		return fmt.Errorf("escalate ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("escalate ticket: %w", invalid("escalation time is zero"))
	}
	if err := content.ValidEscalationLevel(level); err != nil {
		return fmt.Errorf("escalate ticket: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.ticketLocked(id)
	if err != nil {
		return fmt.Errorf("escalate ticket: %w", err)
	}
	if err := content.CheckEscalation(h, level); err != nil {
		return fmt.Errorf("escalate ticket: %w", err)
	}
	h.Escalation, h.EscalatedAt = level, normalize(at)
	s.handoffs[id] = h
	return nil
}

// sortTickets orders tickets urgent first, then oldest first.
func sortTickets(hs []content.Handoff) {
	slices.SortFunc(hs, func(a, b content.Handoff) int {
		if a.Urgent != b.Urgent {
			if a.Urgent {
				return -1
			}
			return 1
		}
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
}

// Tickets lists up to f.Limit (0 = 200) tickets of f's organisations with
// f's status ("" = both), urgent first, then oldest first. EINVALID for no
// organisation.
func (s *Store) Tickets(ctx context.Context, f content.TicketFilter) ([]content.Handoff, error) {
	f, err := content.ValidTicketFilter(f)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	orgs := map[string]bool{}
	for _, o := range f.OrgIDs {
		id, err := parseUUID("organisation ID", o)
		if err != nil {
			return nil, fmt.Errorf("tickets: %w", err)
		}
		orgs[id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	out := []content.Handoff{}
	for _, h := range s.handoffs {
		if orgs[h.OrgID] && (f.Status == "" || h.Status == f.Status) {
			out = append(out, h)
		}
	}
	sortTickets(out)
	return out[:min(f.Limit, len(out))], nil
}

// Ticket returns one of an organisation's tickets, or ENOTFOUND (for
// another organisation's too).
func (s *Store) Ticket(ctx context.Context, orgID, id string) (content.Handoff, error) {
	orgID, id, err := orgAndTicket(orgID, id)
	if err != nil {
		return content.Handoff{}, fmt.Errorf("find ticket: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.orgTicketLocked(orgID, id)
	if err != nil {
		return content.Handoff{}, fmt.Errorf("find ticket: %w", err)
	}
	return h, nil
}

// AssignHandoff gives an open ticket of the organisation to one of its active
// counsellors. ENOTFOUND for an unknown or another organisation's ticket,
// ECONFLICT for a closed one, EINVALID for a counsellor who is not the
// organisation's or is disabled.
func (s *Store) AssignHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error {
	orgID, id, err := orgAndTicket(orgID, id)
	if err != nil {
		return fmt.Errorf("assign ticket: %w", err)
	}
	if counsellorID, err = parseUUID("counsellor ID", counsellorID); err != nil {
		return fmt.Errorf("assign ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("assign ticket: %w", invalid("assignment time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.orgTicketLocked(orgID, id)
	if err != nil {
		return fmt.Errorf("assign ticket: %w", err)
	}
	if err := content.CheckTicketOpen(h, "assign"); err != nil {
		return fmt.Errorf("assign ticket: %w", err)
	}
	c, ok := s.counsellors[counsellorID]
	c.ID = counsellorID
	if err := content.CheckCounsellorOf(h, c, ok, true, "assign ticket"); err != nil {
		return fmt.Errorf("assign ticket: %w", err)
	}
	h.AssigneeID = counsellorID
	s.handoffs[id] = h
	return nil
}

// AddReply stores a counsellor's reply or the bot's message on a ticket of
// the organisation, idempotently by m.ID, and returns it as stored. The same
// ID again returns the stored message and created false, changing nothing
// (whatever the ticket's state now); an ID used on another ticket is
// ECONFLICT. A counsellor's reply needs an open ticket (ECONFLICT) and a
// counsellor of the organisation (EINVALID); it gets a new RetryKey and
// status pending when they are empty, and the first sets the ticket's
// FirstReplyAt to its time. m.UserID is the ticket's person (EINVALID for
// another). ENOTFOUND for an unknown or another organisation's ticket.
func (s *Store) AddReply(ctx context.Context, orgID string, m content.HandoffMessage) (content.HandoffMessage, bool, error) {
	stored, created, err := s.addReply(orgID, m)
	if err != nil {
		return content.HandoffMessage{}, false, fmt.Errorf("add reply: %w", err)
	}
	return stored, created, nil
}

func (s *Store) addReply(orgID string, m content.HandoffMessage) (content.HandoffMessage, bool, error) {
	orgID, handoffID, err := orgAndTicket(orgID, m.HandoffID)
	if err != nil {
		return m, false, err
	}
	m.HandoffID = handoffID
	if m.ID, err = parseUUID("message ID", m.ID); err != nil {
		return m, false, err
	}
	if m.CounsellorID, err = optUUID("counsellor ID", m.CounsellorID); err != nil {
		return m, false, err
	}
	if m.RetryKey, err = optUUID("retry key", m.RetryKey); err != nil {
		return m, false, err
	}
	if m, err = content.ValidReply(m); err != nil {
		return m, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.orgTicketLocked(orgID, m.HandoffID)
	if err != nil {
		return m, false, err
	}
	if i := s.handoffMessageLocked(m.ID); i >= 0 {
		old := s.handoffMessages[i]
		if old.HandoffID != m.HandoffID {
			return m, false, conflict("message ID %s is in use on another ticket", m.ID)
		}
		return old, false, nil
	}
	if m.UserID != "" && m.UserID != h.UserID {
		return m, false, invalid("the reply's person is not the ticket's")
	}
	m.UserID = h.UserID
	if m.Author == content.AuthorCounsellor {
		if err := content.CheckTicketOpen(h, "reply to"); err != nil {
			return m, false, err
		}
		c, ok := s.counsellors[m.CounsellorID]
		c.ID = m.CounsellorID
		if err := content.CheckCounsellorOf(h, c, ok, false, "reply"); err != nil {
			return m, false, err
		}
		if m.RetryKey == "" {
			m.RetryKey = uuid.NewString()
		}
	}
	m.At, m.SentAt = normalize(m.At), optTime(m.SentAt)
	s.handoffMessages = append(s.handoffMessages, m)
	if m.Author == content.AuthorCounsellor && h.FirstReplyAt.IsZero() {
		h.FirstReplyAt = m.At
		s.handoffs[h.ID] = h
	}
	return m, true, nil
}

// handoffMessageLocked returns the index of a kept message, or -1. s.mu must
// be held.
func (s *Store) handoffMessageLocked(id string) int {
	return slices.IndexFunc(s.handoffMessages, func(m content.HandoffMessage) bool { return m.ID == id })
}

// MarkReply records that LINE accepted (sent: SentAt is at) or refused
// (failed) a reply. Marking it again with the same status changes nothing; a
// failed reply may still be sent, a sent one is ECONFLICT. ENOTFOUND for an
// unknown message or a person's.
func (s *Store) MarkReply(ctx context.Context, id, status string, at time.Time) error {
	id, err := parseUUID("reply ID", id)
	if err != nil {
		return fmt.Errorf("mark reply: %w", err)
	}
	if err := content.ValidReplyState(status); err != nil {
		return fmt.Errorf("mark reply: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("mark reply: %w", invalid("time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	i := s.handoffMessageLocked(id)
	if i < 0 {
		return fmt.Errorf("mark reply: %w", notFound("reply %s not found", id))
	}
	m := &s.handoffMessages[i]
	change, err := content.CheckMarkReply(*m, status)
	if err != nil || !change {
		return wrapIf("mark reply", err)
	}
	m.Status = status
	if status == content.ReplySent {
		m.SentAt = normalize(at)
	}
	return nil
}

// wrapIf wraps a non-nil error with op, and returns nil for nil.
func wrapIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// CloseHandoff closes an open ticket of the organisation at time at, by a
// counsellor of it ("" = not by a counsellor). ENOTFOUND for an unknown or
// another organisation's ticket, ECONFLICT when it is closed already,
// EINVALID for a counsellor who is not the organisation's.
func (s *Store) CloseHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error {
	orgID, id, err := orgAndTicket(orgID, id)
	if err != nil {
		return fmt.Errorf("close ticket: %w", err)
	}
	if counsellorID, err = optUUID("counsellor ID", counsellorID); err != nil {
		return fmt.Errorf("close ticket: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("close ticket: %w", invalid("closing time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	h, err := s.orgTicketLocked(orgID, id)
	if err != nil {
		return fmt.Errorf("close ticket: %w", err)
	}
	if err := content.CheckTicketOpen(h, "close"); err != nil {
		return fmt.Errorf("close ticket: %w", err)
	}
	if counsellorID != "" {
		c, ok := s.counsellors[counsellorID]
		c.ID = counsellorID
		if err := content.CheckCounsellorOf(h, c, ok, false, "close ticket"); err != nil {
			return fmt.Errorf("close ticket: %w", err)
		}
	}
	h.Status, h.ClosedAt, h.ClosedBy = "closed", normalize(at), counsellorID
	s.handoffs[id] = h
	return nil
}

// RecordHelped keeps the person's answer ("yes" or "no") on their most
// recently closed ticket (by ClosedTime, the greatest ID among equals),
// replacing an earlier answer. ENOTFOUND when they have none (or are
// unknown).
func (s *Store) RecordHelped(ctx context.Context, userID, helped string) error {
	if userID == "" {
		return fmt.Errorf("record helped: %w", invalid("user ID is empty"))
	}
	if err := content.ValidHelped(helped); err != nil {
		return fmt.Errorf("record helped: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	var (
		last  content.Handoff
		found bool
	)
	for _, h := range s.handoffs {
		if h.UserID == userID && h.Status == "closed" &&
			(!found || cmp.Or(content.ClosedTime(h).Compare(content.ClosedTime(last)), strings.Compare(h.ID, last.ID)) > 0) {
			last, found = h, true
		}
	}
	if !found {
		return fmt.Errorf("record helped: %w", notFound("no closed ticket"))
	}
	last.Helped = helped
	s.handoffs[last.ID] = last
	return nil
}

// DueEscalations lists up to limit routed, open tickets with no counsellor
// reply, below EscalationSupervisor, whose escalation time (EscalationDue:
// last routed or escalated, else opened) is at or before before, by that
// time, then ID. Unrouted tickets are left out: no organisation could take
// them.
func (s *Store) DueEscalations(ctx context.Context, before time.Time, limit int) ([]content.Handoff, error) {
	switch {
	case before.IsZero():
		return nil, fmt.Errorf("due escalations: %w", invalid("time is zero"))
	case limit <= 0:
		return nil, fmt.Errorf("due escalations: %w", invalid("limit %d is not positive", limit))
	}
	before = normalize(before)
	s.mu.Lock()
	defer s.mu.Unlock()

	out := []content.Handoff{}
	for _, h := range s.handoffs {
		if h.Status == "open" && h.OrgID != "" && h.FirstReplyAt.IsZero() && h.Escalation < content.EscalationSupervisor &&
			!content.EscalationDue(h).After(before) {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b content.Handoff) int {
		return cmp.Or(content.EscalationDue(a).Compare(content.EscalationDue(b)), strings.Compare(a.ID, b.ID))
	})
	return out[:min(limit, len(out))], nil
}

// PurgeHandoffMessages deletes every message (the person's and the replies)
// of tickets closed (ClosedTime) before closedBefore, keeping the tickets,
// and returns how many it deleted.
func (s *Store) PurgeHandoffMessages(ctx context.Context, closedBefore time.Time) (int, error) {
	if closedBefore.IsZero() {
		return 0, fmt.Errorf("purge ticket messages: %w", invalid("time is zero"))
	}
	closedBefore = normalize(closedBefore)
	s.mu.Lock()
	defer s.mu.Unlock()

	n := len(s.handoffMessages)
	s.handoffMessages = slices.DeleteFunc(s.handoffMessages, func(m content.HandoffMessage) bool {
		h, ok := s.handoffs[m.HandoffID]
		return ok && ((h.Status == "closed" && content.ClosedTime(h).Before(closedBefore)) ||
			(h.Status == "open" && h.OrgID == "" && h.At.Before(closedBefore)))
	})
	return n - len(s.handoffMessages), nil
}

// PendingReplies lists counsellor replies not yet accepted by LINE, stored at
// or before before, oldest first.
func (s *Store) PendingReplies(ctx context.Context, before time.Time, limit int) ([]content.HandoffMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	before = normalize(before)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []content.HandoffMessage{}
	for _, m := range s.handoffMessages { // kept in the order stored
		if m.Author == content.AuthorCounsellor && m.Status == content.ReplyPending && !m.At.After(before) {
			out = append(out, m)
			if len(out) == limit {
				break
			}
		}
	}
	slices.SortStableFunc(out, func(a, b content.HandoffMessage) int { return a.At.Compare(b.At) })
	return out, nil
}

package content

import (
	"context"
	"time"
)

// A ticket is a handoff (Handoff) routed to the counsellors of an
// organisation, with the messages of both sides (HandoffMessage). Young
// people open them (talk to a person, the safety path, a model's handoff, a
// check-in's "I need help"); counsellors answer them in the console.

// Organisation kinds.
const (
	OrgCity     = "city"     // a learning city (a tenant of the cities' API)
	OrgDCY      = "dcy"      // a provincial office of the Department of Children and Youth
	OrgSchool   = "school"   // a school's guidance unit
	OrgNGO      = "ngo"      // a non-governmental organisation
	OrgNational = "national" // the national pool: everyone no area covers
)

// Organisation is a body whose counsellors answer young people.
type Organisation struct {
	ID        string // UUID
	Name      string
	Kind      string // OrgCity, OrgDCY, OrgSchool, OrgNGO or OrgNational
	CityID    string // for OrgCity: the city it is ("" otherwise)
	CreatedAt time.Time
}

// Counsellor roles.
const (
	CounsellorRole = "counsellor" // answers tickets
	SupervisorRole = "supervisor" // answers, and gets the tickets nobody answered in time
)

// Counsellor is a person who answers tickets, for the areas they cover.
type Counsellor struct {
	ID         string // UUID
	OrgID      string
	Name       string
	Role       string   // CounsellorRole or SupervisorRole
	Provinces  []string // province codes covered ("TH-40"); empty with National
	Districts  []string // "TH-40/เมืองขอนแก่น": only these districts of their provinces; empty = whole provinces
	National   bool     // in the national pool (tickets no district or province counsellor covers)
	Hours      OfficeHours
	LineUserID string    // their own LINE account, linked to be told of new tickets ("" = none)
	TokenHash  string    // hex SHA-256 of their sign-in secret ("" = cannot sign in)
	CreatedAt  time.Time // when they were created
	DisabledAt time.Time // zero while they may sign in and get tickets
}

// Active reports whether the counsellor may sign in and get tickets.
func (c Counsellor) Active() bool { return c.DisabledAt.IsZero() }

// Ticket messages' authors.
const (
	AuthorPerson     = "person"     // the young person (what they typed)
	AuthorCounsellor = "counsellor" // a counsellor's reply
	AuthorBot        = "bot"        // what Pai Tor told the person about the ticket
)

// Reply delivery states.
const (
	ReplyPending = "pending" // stored, not yet accepted by LINE
	ReplySent    = "sent"    // LINE accepted it
	ReplyFailed  = "failed"  // LINE refused it (or the person blocked Pai Tor)
)

// Ticket escalation levels (Handoff.Escalation).
const (
	EscalationNone       = 0 // the counsellors it was routed to
	EscalationArea       = 1 // the other counsellors of the area too
	EscalationSupervisor = 2 // the organisation's supervisors too
)

// Route is where a ticket goes: an organisation and the area level that
// chose it.
type Route struct {
	OrgID    string
	Level    string // "district", "province" or "national"
	Province string // the person's province when routed ("" unknown)
	District string // and district ("TH-40/เมืองขอนแก่น"; "" unknown)
}

// TicketFilter selects tickets for an inbox.
type TicketFilter struct {
	OrgIDs []string // only these organisations' tickets (required: nobody sees all)
	Status string   // "open", "closed" or "" for both
	Limit  int      // at most this many (0 = 200)
}

// TicketStore keeps organisations, counsellors and tickets. Methods taking an
// organisation ID return ENOTFOUND for another organisation's ticket (an
// organisation never learns it exists).
type TicketStore interface {
	CreateOrganisation(ctx context.Context, o Organisation) (Organisation, error)
	Organisation(ctx context.Context, id string) (Organisation, error)
	Organisations(ctx context.Context) ([]Organisation, error)

	// CreateCounsellor stores a new counsellor (ID and CreatedAt set when
	// empty). EINVALID for an unknown organisation, role or province, or a
	// district outside their provinces.
	CreateCounsellor(ctx context.Context, c Counsellor) (Counsellor, error)
	// UpdateCounsellor replaces a counsellor's areas, hours, LINE link, token
	// and disabled time (not their organisation).
	UpdateCounsellor(ctx context.Context, c Counsellor) error
	Counsellor(ctx context.Context, id string) (Counsellor, error)
	// CounsellorByTokenHash finds a counsellor by the hash of their secret
	// (disabled ones too: the caller checks Active), or ENOTFOUND.
	CounsellorByTokenHash(ctx context.Context, hash string) (Counsellor, error)
	// CounsellorByLine finds the counsellor who linked this LINE account.
	CounsellorByLine(ctx context.Context, lineUserID string) (Counsellor, error)
	// Counsellors lists an organisation's counsellors ("" = every
	// organisation's), by name.
	Counsellors(ctx context.Context, orgID string) ([]Counsellor, error)

	// Handoff returns a ticket by ID (any organisation's: for the bot).
	Handoff(ctx context.Context, id string) (Handoff, error)
	// OpenHandoffOf returns the person's most recent open ticket, or ENOTFOUND.
	OpenHandoffOf(ctx context.Context, userID string) (Handoff, error)
	// RouteHandoff sets where an open ticket goes (and resets its
	// escalation to EscalationNone).
	RouteHandoff(ctx context.Context, id string, r Route, at time.Time) error
	// EscalateHandoff raises an open, unanswered ticket's escalation level.
	EscalateHandoff(ctx context.Context, id string, level int, at time.Time) error
	// Tickets lists the tickets of the filter's organisations: urgent first,
	// then oldest first.
	Tickets(ctx context.Context, f TicketFilter) ([]Handoff, error)
	// Ticket returns one ticket of an organisation (ENOTFOUND for another
	// organisation's).
	Ticket(ctx context.Context, orgID, id string) (Handoff, error)
	// AssignHandoff gives an open ticket to a counsellor of its organisation.
	AssignHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error
	// AddReply stores a counsellor's (or the bot's) message on a ticket,
	// idempotently by m.ID (a UUID the console makes per submitted form):
	// storing the same ID again returns the stored message and created false.
	// The first counsellor reply sets the ticket's FirstReplyAt.
	AddReply(ctx context.Context, orgID string, m HandoffMessage) (stored HandoffMessage, created bool, err error)
	// MarkReply records a reply's delivery state.
	MarkReply(ctx context.Context, id, status string, at time.Time) error
	// CloseHandoff closes an open ticket (ECONFLICT when already closed).
	CloseHandoff(ctx context.Context, orgID, id, counsellorID string, at time.Time) error
	// RecordHelped keeps the person's answer to "did it help?" ("yes" or "no")
	// on their last closed ticket.
	RecordHelped(ctx context.Context, userID, helped string) error
	// DueEscalations lists open tickets with no counsellor reply whose
	// escalation was last changed at or before before, oldest first.
	DueEscalations(ctx context.Context, before time.Time, limit int) ([]Handoff, error)
	// PurgeHandoffMessages deletes the messages of tickets closed before
	// closedBefore, and of requests no organisation took (never routed)
	// opened before it, and returns how many.
	PurgeHandoffMessages(ctx context.Context, closedBefore time.Time) (int, error)
	// PendingReplies lists counsellor replies still pending (not yet
	// accepted by LINE) stored at or before before, oldest first: the
	// service sends them again with their own retry key.
	PendingReplies(ctx context.Context, before time.Time, limit int) ([]HandoffMessage, error)
}

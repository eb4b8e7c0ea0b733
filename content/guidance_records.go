package content

import (
	"context"
	"time"
)

// Consent is a person's answer to the privacy notice. It is the one record kept
// before consent: which version of the notice, the answer and when.
type Consent struct {
	UserID   string
	Version  string // the notice's version, e.g. "2026-11"
	Accepted bool
	At       time.Time
}

// Guardian links a minor (under 20 in Thai law) to the parent or guardian who
// confirmed their consent.
type Guardian struct {
	YouthID     string
	Code        string    // the short code the young person gave the parent
	CreatedAt   time.Time // when the code was made
	ExpiresAt   time.Time // the code stops working then
	GuardianID  string    // LINE user ID of the parent; empty until confirmed
	ConfirmedAt time.Time // zero until confirmed
}

// Confirmed reports whether a guardian confirmed.
func (g Guardian) Confirmed() bool { return !g.ConfirmedAt.IsZero() }

// Plan is a person's individual learning plan (แผนการเรียนรู้รายบุคคล).
type Plan struct {
	UserID  string
	Steps   []PlanStep
	SavedAt time.Time
}

// PlanStep is one next step of a plan.
type PlanStep struct {
	Kind    string // "course", "opening", "lesson", "action", "field"
	Ref     string // what it points at (a course ID, a lesson ID, an occupation family...)
	TitleTH string
	TitleEN string
}

// Outcome is what a person reported at a check-in, for the indicators the
// source documents ask for (enrolled, earned while learning, got work).
type Outcome struct {
	UserID string
	Kind   string // "enrolled", "started_work", "earning", "not_started", "stopped", "need_help"
	At     time.Time
	Source string // e.g. "checkin"
}

// Scheduled is a message Pai Tor will push later (a check-in, a reminder).
type Scheduled struct {
	ID       string // UUID
	UserID   string
	Kind     string // "checkin", "reminder", ...
	Node     string // the conversation node that says it
	Ref      string // what it is about, e.g. the saved course of a reminder
	DueAt    time.Time
	RetryKey string // UUID used for the push, fixed when scheduled
	Status   string // "pending", "sent", "skipped", "cancelled"
	Reason   string // why it was skipped or cancelled
	SentAt   time.Time
}

// Handoff is a request for a human counsellor: a ticket, once routed to an
// organisation (ticket.go).
type Handoff struct {
	ID     string // UUID
	UserID string
	Reason string // "asked", "crisis", "model", "checkin", "message" (opened by KeepForCounsellor)
	Urgent bool
	At     time.Time
	Status string // "open", "closed"

	// Routing (RouteHandoff): where it went and why.
	OrgID    string // "" until routed
	Level    string // "district", "province" or "national"
	Province string // the person's area when routed
	District string
	// Escalation (EscalateHandoff): EscalationNone, EscalationArea or
	// EscalationSupervisor, and when it was last routed or escalated.
	Escalation  int
	EscalatedAt time.Time

	AssigneeID   string    // the counsellor who took it ("" = anyone it is routed to)
	FirstReplyAt time.Time // the first counsellor reply (zero: unanswered)
	ClosedAt     time.Time
	ClosedBy     string // the counsellor who closed it
	Helped       string // the person's answer after it closed: "", "yes", "no"
}

// HandoffMessage is something a person typed while waiting for a counsellor,
// kept for the counsellor who takes their handoff.
type HandoffMessage struct {
	ID        string // UUID
	HandoffID string
	UserID    string // the young person (whoever wrote it)
	Text      string // as typed (at most MaxHandoffMessageLen characters; longer is cut, not refused)
	At        time.Time

	// Replies (AddReply): who wrote it, and how its delivery went.
	Author       string // AuthorPerson (default), AuthorCounsellor or AuthorBot
	CounsellorID string // for AuthorCounsellor
	RetryKey     string // the push's retry key (UUID), fixed when stored
	Status       string // for a reply: ReplyPending, ReplySent or ReplyFailed
	SentAt       time.Time
}

// UserData is everything Pai Tor holds about one person, for "my data" and
// export.
type UserData struct {
	User      User
	Consent   *Consent
	Guardian  *Guardian
	Profile   map[string]string
	Plan      *Plan
	Outcomes  []Outcome
	Scheduled []Scheduled
	Handoffs  []Handoff

	// HandoffMessages are what they typed for a counsellor, oldest first
	// (empty, never nil, when none).
	HandoffMessages []HandoffMessage
}

// GuidanceStore keeps what the guidance conversations record. Methods taking a
// user ID return ENOTFOUND when the user does not exist, unless said otherwise.
type GuidanceStore interface {
	// RecordConsent stores the person's latest answer to the privacy notice.
	RecordConsent(ctx context.Context, c Consent) error
	// Consent returns the latest answer, or ENOTFOUND when there is none.
	Consent(ctx context.Context, userID string) (Consent, error)

	// SaveProfile merges fields into the person's profile; an empty value
	// removes that field.
	SaveProfile(ctx context.Context, userID string, fields map[string]string, at time.Time) error
	// Profile returns the person's profile fields (empty, never nil, when none).
	Profile(ctx context.Context, userID string) (map[string]string, error)

	// SetSetting records a setting that is not personal data (push
	// subscriptions, language) on the user record; an empty value removes it.
	SetSetting(ctx context.Context, userID, key, value string) error
	// Settings returns the user's settings (empty, never nil, when none).
	Settings(ctx context.Context, userID string) (map[string]string, error)

	// CreateGuardianCode gives a minor a new code (replacing any earlier
	// unconfirmed one). ECONFLICT when the code is in use by another youth.
	CreateGuardianCode(ctx context.Context, youthID, code string, createdAt, expiresAt time.Time) error
	// ConfirmGuardian records that guardianID confirmed with code at time at
	// and returns the youth. ENOTFOUND for an unknown or expired code, EINVALID
	// when the guardian is the youth, ECONFLICT when already confirmed by
	// another guardian.
	ConfirmGuardian(ctx context.Context, code, guardianID string, at time.Time) (Guardian, error)
	// GuardianOf returns the youth's guardian record, or ENOTFOUND.
	GuardianOf(ctx context.Context, youthID string) (Guardian, error)

	// SavePlan replaces the person's plan.
	SavePlan(ctx context.Context, p Plan) error
	// Plan returns the person's plan, or ENOTFOUND.
	Plan(ctx context.Context, userID string) (Plan, error)

	// RecordOutcome adds an outcome.
	RecordOutcome(ctx context.Context, o Outcome) error
	// CountOutcomes counts outcomes by kind across everyone (for indicators).
	CountOutcomes(ctx context.Context) (map[string]int, error)

	// Schedule stores a pending message.
	Schedule(ctx context.Context, s Scheduled) error
	// ClaimDue returns up to limit pending messages due at or before now that
	// no one else holds, and holds them for lease: another caller cannot claim
	// them until the lease runs out (then they are claimed again: a claimer
	// that died lost nothing). Earliest due first.
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Scheduled, error)
	// FinishScheduled marks a claimed message sent, skipped or cancelled
	// (status) with a reason.
	FinishScheduled(ctx context.Context, id, status, reason string, at time.Time) error
	// Reschedule moves a claimed message to a later time and releases it.
	Reschedule(ctx context.Context, id string, dueAt time.Time) error
	// CancelScheduled cancels a user's pending messages of a kind ("" = all)
	// and returns how many.
	CancelScheduled(ctx context.Context, userID, kind, reason string) (int, error)

	// RequestHandoff records a request for a human.
	RequestHandoff(ctx context.Context, h Handoff) error
	// OpenHandoffs lists open requests, urgent first, then oldest first.
	OpenHandoffs(ctx context.Context) ([]Handoff, error)
	// KeepForCounsellor keeps text the person typed with their most recent
	// open handoff and returns that handoff's ID; when none is open it opens
	// one (reason "message", not urgent, at the message's time) first. Text is
	// kept as typed, cut to MaxHandoffMessageLen characters. ENOTFOUND for an
	// unknown user; EINVALID for an empty user ID, empty text (after
	// trimming), text that is not valid UTF-8 or contains NUL, or a zero time.
	// Messages of one person arriving at once (on several instances) join the
	// same handoff: it never opens two.
	KeepForCounsellor(ctx context.Context, userID, text string, at time.Time) (handoffID string, err error)
	// HandoffMessages returns the messages kept with a handoff, oldest first,
	// those kept at the same time in the order kept (empty, never nil, for a
	// handoff with none). ENOTFOUND for an unknown handoff, EINVALID for an ID
	// that is not a UUID.
	HandoffMessages(ctx context.Context, handoffID string) ([]HandoffMessage, error)

	// Export returns everything held about the user.
	Export(ctx context.Context, userID string) (UserData, error)
	// DeleteUser removes everything about the user (the user record too) and
	// counts the deletion anonymously. Deleting an unknown user is not an error.
	DeleteUser(ctx context.Context, userID string, at time.Time) error
	// Deletions returns how many people deleted their data.
	Deletions(ctx context.Context) (int, error)
}

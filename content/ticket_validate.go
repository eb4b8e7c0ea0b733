package content

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paitor/paitor/content/place"
)

// The checks both TicketStore implementations share: the shape of what
// callers hand in (Valid...), and what a ticket's state allows (Check...),
// which a store applies to the ticket as it read it, under its lock. Error
// messages name tickets, organisations and counsellors by ID only: never a
// person's user ID, a name or a LINE account.

// MaxNameLen is how many characters (code points) an organisation's or a
// counsellor's name may have.
const MaxNameLen = 200

// defaultTicketLimit is how many tickets TicketFilter.Limit 0 means.
const defaultTicketLimit = 200

// orgKinds are the kinds an organisation may be.
var orgKinds = []string{OrgCity, OrgDCY, OrgSchool, OrgNGO, OrgNational}

// routeLevels are the area levels a route may name.
var routeLevels = []string{"district", "province", "national"}

// validName checks a name: valid UTF-8 without NUL, not blank, at most
// MaxNameLen characters. The error names what, never the name.
func validName(what, name string) error {
	switch {
	case !utf8.ValidString(name):
		return Errorf(EINVALID, "%s is not valid UTF-8", what)
	case strings.ContainsRune(name, 0):
		return Errorf(EINVALID, "%s contains NUL", what)
	case strings.TrimSpace(name) == "":
		return Errorf(EINVALID, "%s is empty", what)
	case utf8.RuneCountInString(name) > MaxNameLen:
		return Errorf(EINVALID, "%s is longer than %d characters", what, MaxNameLen)
	}
	return nil
}

// validProvince reports whether code is a province's ISO 3166-2 code exactly
// as package place writes it ("TH-40").
func validProvince(code string) bool {
	p, ok := place.ByCode(code)
	return ok && p.Code == code
}

// validDistrict checks a district written "TH-40/เมืองขอนแก่น" and returns
// its province.
func validDistrict(d string) (string, error) {
	p, name, ok := strings.Cut(d, "/")
	switch {
	case !utf8.ValidString(d) || strings.ContainsRune(d, 0):
		return "", Errorf(EINVALID, "a district is not valid UTF-8 or contains NUL")
	case !ok || strings.TrimSpace(name) == "" || name != strings.TrimSpace(name):
		return "", Errorf(EINVALID, "district %q is not PROVINCE/NAME, such as TH-40/เมืองขอนแก่น", d)
	case !validProvince(p):
		return "", Errorf(EINVALID, "district %q: %q is not a province code such as TH-40", d, p)
	}
	return p, nil
}

// ValidOrganisation checks an organisation on its own: a name, one of the
// five kinds, and a city exactly when it is a city (whether that city exists
// is the store's business).
func ValidOrganisation(o Organisation) error {
	if err := validName("organisation name", o.Name); err != nil {
		return err
	}
	switch {
	case !slices.Contains(orgKinds, o.Kind):
		return Errorf(EINVALID, "organisation kind %q is not one of %v", o.Kind, orgKinds)
	case o.Kind == OrgCity && o.CityID == "":
		return Errorf(EINVALID, "a city organisation needs its city ID")
	case o.Kind != OrgCity && o.CityID != "":
		return Errorf(EINVALID, "only a city organisation has a city ID, not a %s one", o.Kind)
	}
	return nil
}

// ValidCounsellor checks a counsellor on its own and returns it with its
// provinces and districts without duplicates, in the order given: a name, a
// role, province codes that exist, districts of those provinces, no areas
// with National, valid office hours, a LINE user ID without spaces or NUL and
// a hex SHA-256 token hash when set. Whether the organisation exists and the
// LINE account and token are free is the store's business.
func ValidCounsellor(c Counsellor) (Counsellor, error) {
	if err := validName("counsellor name", c.Name); err != nil {
		return c, err
	}
	if c.Role != CounsellorRole && c.Role != SupervisorRole {
		return c, Errorf(EINVALID, "counsellor role %q is not %s or %s", c.Role, CounsellorRole, SupervisorRole)
	}
	if c.National && (len(c.Provinces) > 0 || len(c.Districts) > 0) {
		return c, Errorf(EINVALID, "a counsellor of the national pool has no provinces or districts")
	}
	var ps, ds []string
	for _, p := range c.Provinces {
		if !validProvince(p) {
			return c, Errorf(EINVALID, "province %q is not a province code such as TH-40", p)
		}
		if !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	for _, d := range c.Districts {
		p, err := validDistrict(d)
		if err != nil {
			return c, err
		}
		if !slices.Contains(ps, p) {
			return c, Errorf(EINVALID, "district %q is in none of the counsellor's provinces", d)
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	c.Provinces, c.Districts = ps, ds
	if err := c.Hours.Validate(); err != nil {
		return c, Errorf(EINVALID, "%v", err)
	}
	if c.LineUserID != "" && (!utf8.ValidString(c.LineUserID) || strings.ContainsRune(c.LineUserID, 0) ||
		strings.ContainsFunc(c.LineUserID, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })) {
		return c, Errorf(EINVALID, "the LINE user ID is not valid UTF-8 or contains spaces or NUL")
	}
	if c.TokenHash != "" && !tokenHash.MatchString(c.TokenHash) {
		return c, Errorf(EINVALID, "counsellor token hash is not 64 lower-case hex digits")
	}
	return c, nil
}

// ValidRoute checks a route on its own: an organisation, a level, and the
// person's area: a province code that exists, a district of that province. A
// district route names a district, a province route a province.
func ValidRoute(r Route) error {
	switch {
	case r.OrgID == "":
		return Errorf(EINVALID, "route: organisation ID is empty")
	case !slices.Contains(routeLevels, r.Level):
		return Errorf(EINVALID, "route level %q is not one of %v", r.Level, routeLevels)
	case r.Province != "" && !validProvince(r.Province):
		return Errorf(EINVALID, "route province %q is not a province code such as TH-40", r.Province)
	case r.Level == "province" && r.Province == "":
		return Errorf(EINVALID, "a province route names no province")
	case r.Level == "district" && r.District == "":
		return Errorf(EINVALID, "a district route names no district")
	}
	if r.District != "" {
		p, err := validDistrict(r.District)
		if err != nil {
			return err
		}
		if p != r.Province {
			return Errorf(EINVALID, "route district %q is not in the route's province %q", r.District, r.Province)
		}
	}
	return nil
}

// ValidReply checks a message for AddReply and fills in the default status
// (ReplyPending for a counsellor's reply): written by a counsellor (naming
// them) or the bot (naming nobody), text that is valid UTF-8 without NUL, not
// blank and at most MaxHandoffMessageLen characters (a reply is refused, not
// cut), a time, a known status, and SentAt only when sent. The IDs' shapes
// are the store's business. The error never holds the text.
func ValidReply(m HandoffMessage) (HandoffMessage, error) {
	switch {
	case m.Author != AuthorCounsellor && m.Author != AuthorBot:
		return m, Errorf(EINVALID, "reply author %q is not %s or %s", m.Author, AuthorCounsellor, AuthorBot)
	case m.Author == AuthorCounsellor && m.CounsellorID == "":
		return m, Errorf(EINVALID, "a counsellor's reply names no counsellor")
	case m.Author == AuthorBot && m.CounsellorID != "":
		return m, Errorf(EINVALID, "the bot's message names a counsellor")
	case !utf8.ValidString(m.Text):
		return m, Errorf(EINVALID, "reply text is not valid UTF-8")
	case strings.ContainsRune(m.Text, 0):
		return m, Errorf(EINVALID, "reply text contains NUL")
	case strings.TrimSpace(m.Text) == "":
		return m, Errorf(EINVALID, "reply text is empty")
	case utf8.RuneCountInString(m.Text) > MaxHandoffMessageLen:
		return m, Errorf(EINVALID, "reply text is longer than %d characters", MaxHandoffMessageLen)
	case m.At.IsZero():
		return m, Errorf(EINVALID, "reply time is zero")
	}
	if m.Status == "" && m.Author == AuthorCounsellor {
		m.Status = ReplyPending
	}
	switch {
	case m.Status != "" && m.Status != ReplyPending && m.Status != ReplySent && m.Status != ReplyFailed:
		return m, Errorf(EINVALID, "reply status %q is not %s, %s or %s", m.Status, ReplyPending, ReplySent, ReplyFailed)
	case !m.SentAt.IsZero() && m.Status != ReplySent:
		return m, Errorf(EINVALID, "a reply that is %q has no sent time", m.Status)
	}
	return m, nil
}

// ValidTicketFilter checks a filter and fills in the default limit: at least
// one organisation (nobody sees every ticket), a known status, a limit that
// is not negative.
func ValidTicketFilter(f TicketFilter) (TicketFilter, error) {
	switch {
	case len(f.OrgIDs) == 0:
		return f, Errorf(EINVALID, "ticket filter names no organisation")
	case f.Status != "" && f.Status != "open" && f.Status != "closed":
		return f, Errorf(EINVALID, "ticket status %q is not open or closed", f.Status)
	case f.Limit < 0:
		return f, Errorf(EINVALID, "ticket limit %d is negative", f.Limit)
	}
	if f.Limit == 0 {
		f.Limit = defaultTicketLimit
	}
	return f, nil
}

// ValidHelped checks an answer to "did it help?".
func ValidHelped(helped string) error {
	if helped != "yes" && helped != "no" {
		return Errorf(EINVALID, "answer %q is not yes or no", helped)
	}
	return nil
}

// ValidEscalationLevel checks the level EscalateHandoff raises a ticket to:
// EscalationArea or EscalationSupervisor.
func ValidEscalationLevel(level int) error {
	if level != EscalationArea && level != EscalationSupervisor {
		return Errorf(EINVALID, "escalation level %d is not %d or %d", level, EscalationArea, EscalationSupervisor)
	}
	return nil
}

// ValidReplyState checks the state MarkReply records: sent or failed.
func ValidReplyState(status string) error {
	if status != ReplySent && status != ReplyFailed {
		return Errorf(EINVALID, "reply status %q is not %s or %s", status, ReplySent, ReplyFailed)
	}
	return nil
}

// ---- What a ticket's state allows ----

// CheckTicketOrg returns ENOTFOUND unless the ticket is routed to orgID: an
// organisation never learns that another's tickets exist.
func CheckTicketOrg(h Handoff, orgID string) error {
	if h.OrgID == "" || h.OrgID != orgID {
		return Errorf(ENOTFOUND, "ticket %s not found", h.ID)
	}
	return nil
}

// CheckTicketOpen returns ECONFLICT unless the ticket is open; doing says what
// was refused ("route", "reply to"...).
func CheckTicketOpen(h Handoff, doing string) error {
	if h.Status != "open" {
		return Errorf(ECONFLICT, "cannot %s ticket %s: it is %s", doing, h.ID, h.Status)
	}
	return nil
}

// CheckEscalation checks that an escalation to level may happen: EINVALID for
// a level that is not EscalationArea or EscalationSupervisor; ECONFLICT for a
// ticket that is closed, not routed (there is no organisation whose area or
// supervisors could take it), answered, or at that level or higher already
// (so of two escalators racing, one wins).
func CheckEscalation(h Handoff, level int) error {
	if err := ValidEscalationLevel(level); err != nil {
		return err
	}
	if err := CheckTicketOpen(h, "escalate"); err != nil {
		return err
	}
	switch {
	case h.OrgID == "":
		return Errorf(ECONFLICT, "cannot escalate ticket %s: it is not routed", h.ID)
	case !h.FirstReplyAt.IsZero():
		return Errorf(ECONFLICT, "cannot escalate ticket %s: a counsellor answered it", h.ID)
	case h.Escalation >= level:
		return Errorf(ECONFLICT, "cannot escalate ticket %s to level %d: it is at level %d", h.ID, level, h.Escalation)
	}
	return nil
}

// CheckCounsellorOf returns EINVALID unless the counsellor (found: whether
// they exist at all) belongs to the ticket's organisation; active also
// requires that they are not disabled. doing says what they were named for.
func CheckCounsellorOf(h Handoff, c Counsellor, found, active bool, doing string) error {
	switch {
	case !found || c.OrgID != h.OrgID:
		return Errorf(EINVALID, "%s: counsellor %s is not one of the ticket's organisation", doing, c.ID)
	case active && !c.Active():
		return Errorf(EINVALID, "%s: counsellor %s is disabled", doing, c.ID)
	}
	return nil
}

// CheckMarkReply says whether MarkReply changes a message to status (valid
// per ValidReplyState): ENOTFOUND for a person's message (not a reply);
// nothing to change when it has that status already; ECONFLICT for a reply
// LINE accepted already (failed may still become sent: a retry got through).
func CheckMarkReply(m HandoffMessage, status string) (change bool, err error) {
	switch {
	case m.Author != AuthorCounsellor && m.Author != AuthorBot:
		return false, Errorf(ENOTFOUND, "reply %s not found", m.ID)
	case m.Status == status:
		return false, nil
	case m.Status == ReplySent:
		return false, Errorf(ECONFLICT, "reply %s was sent already", m.ID)
	}
	return true, nil
}

// ClosedTime is when a ticket closed, for RecordHelped and
// PurgeHandoffMessages: ClosedAt, or At for one recorded closed (no ClosedAt).
func ClosedTime(h Handoff) time.Time {
	if h.ClosedAt.IsZero() {
		return h.At
	}
	return h.ClosedAt
}

// EscalationDue is the time a ticket's escalation counts from (DueEscalations):
// when it was last routed or escalated (RouteHandoff sets EscalatedAt), else
// when it was opened.
func EscalationDue(h Handoff) time.Time {
	if h.EscalatedAt.IsZero() {
		return h.At
	}
	return h.EscalatedAt
}

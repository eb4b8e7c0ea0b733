// Package person is what Pai Tor knows about one person, as the conversation
// engine reads it: the stored role, settings, consent, profile, plan and
// guardian as fields, and the facts derived from them (region, the occupations
// in demand there, the last item they tapped through to). It also says when a
// person's data may be kept (Thailand's PDPA): with consent, and for a minor
// only once a guardian confirmed.
package person

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance"
)

// Store is what the reader needs of the system of record.
type Store interface {
	User(ctx context.Context, id string) (content.User, error)
	Settings(ctx context.Context, userID string) (map[string]string, error)
	Consent(ctx context.Context, userID string) (content.Consent, error)
	Profile(ctx context.Context, userID string) (map[string]string, error)
	Plan(ctx context.Context, userID string) (content.Plan, error)
	GuardianOf(ctx context.Context, youthID string) (content.Guardian, error)
	Clicks(ctx context.Context, userID string) ([]string, error)
	Course(ctx context.Context, id string) (content.Course, error)
	Opening(ctx context.Context, id string) (content.Opening, error)
	OpenHandoffOf(ctx context.Context, userID string) (content.Handoff, error)
}

// Occupations returns the occupation families with their regional demand.
type Occupations func(ctx context.Context) ([]content.Occupation, error)

// Reader reads people as the engine's fields.
type Reader struct {
	store       Store
	occupations Occupations
}

// NewReader returns a Reader; occupations may be nil (no demand is derived).
func NewReader(store Store, occupations Occupations) *Reader {
	return &Reader{store: store, occupations: occupations}
}

// Fields gathers what is stored about a user as the engine's fields: role,
// settings, consent, profile, and the derived facts "plan" (with its steps as
// plan_1..3), "guardian", "region" and "demand". Nothing personal is read
// without consent. An unknown user has no fields.
func (r *Reader) Fields(ctx context.Context, userID string) (map[string]string, error) {
	s := r.store
	fields := map[string]string{}
	u, err := s.User(ctx, userID)
	if content.IsNotFound(err) {
		return fields, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Role != content.RoleUnknown {
		fields["role"] = string(u.Role)
	}
	settings, err := s.Settings(ctx, userID)
	if err != nil {
		return nil, err
	}
	for k, v := range settings {
		fields[k] = v
	}
	// A ticket routed to counsellors: the bot lets them have the
	// conversation (with or without consent: a crisis may come first).
	h, err := s.OpenHandoffOf(ctx, userID)
	switch {
	case err == nil && h.OrgID != "":
		fields["ticket"] = "open"
	case err != nil && !content.IsNotFound(err):
		return nil, err
	}
	c, err := s.Consent(ctx, userID)
	switch {
	case err == nil && c.Accepted:
		fields["consent"] = "accepted"
	case err == nil:
		fields["consent"] = "declined"
	case !content.IsNotFound(err):
		return nil, err
	}
	if fields["consent"] != "accepted" {
		return fields, nil // nothing personal is kept without consent
	}
	profile, err := s.Profile(ctx, userID)
	if err != nil {
		return nil, err
	}
	for k, v := range profile {
		fields[k] = v
	}
	r.addDemand(ctx, fields)
	plan, err := s.Plan(ctx, userID)
	switch {
	case err == nil:
		fields["plan"] = "saved"
		for i, st := range plan.Steps {
			if i < 3 {
				key := "plan_" + string(rune('1'+i))
				fields[key] = st.Kind + ":" + st.Ref
				fields[key+"_th"], fields[key+"_en"] = st.TitleTH, st.TitleEN
			}
		}
	case !content.IsNotFound(err):
		return nil, err
	}
	g, err := s.GuardianOf(ctx, userID)
	switch {
	case err == nil && g.Confirmed():
		fields["guardian"] = "confirmed"
	case err == nil:
		fields["guardian"] = "pending"
	case !content.IsNotFound(err):
		return nil, err
	}
	return fields, nil
}

// Persistable reports whether personal data may be stored for the person now:
// they consented and are adults, or a guardian confirmed. get reads a field's
// current value (the conversation's, else the stored one).
func Persistable(get func(string) string) bool {
	if get("consent") != "accepted" {
		return false
	}
	if get("guardian") == "confirmed" {
		return true
	}
	return atLeast(get("age"), guidance.MinorAge)
}

func atLeast(age string, n int) bool {
	v := 0
	for _, r := range strings.TrimSpace(age) {
		if r < '0' || r > '9' {
			return false
		}
		v = v*10 + int(r-'0')
	}
	return age != "" && v >= n
}

// addDemand adds the derived "region" and "demand" (the occupation families
// most in demand there) for a person whose province is known.
func (r *Reader) addDemand(ctx context.Context, fields map[string]string) {
	p, ok := place.ByCode(fields["province"])
	if !ok || p.Region == "" {
		return
	}
	fields["region"] = p.Region
	if r.occupations == nil {
		return
	}
	occ, err := r.occupations(ctx)
	if err != nil {
		return // demand is a nicety: never fail a turn over it
	}
	if d := inDemand(occ, fields["province"], p.Region); len(d) > 0 {
		fields["demand"] = strings.Join(d, ",")
	}
}

// inDemand returns up to three occupation families with the highest demand
// (2 or more) in a province or its region, the province's figure first.
func inDemand(occ []content.Occupation, province, region string) []string {
	type fam struct {
		id    string
		level int
	}
	var fams []fam
	for _, o := range occ {
		level, ok := o.Demand[province]
		if !ok {
			level = o.Demand[region]
		}
		if level >= 2 {
			fams = append(fams, fam{o.ID, level})
		}
	}
	slices.SortStableFunc(fams, func(a, b fam) int { return cmp.Compare(b.level, a.level) })
	var out []string
	for _, f := range fams[:min(len(fams), 3)] {
		out = append(out, f.id)
	}
	return out
}

// AddClicked adds the derived "clicked": the title of the last item the
// person tapped through to apply for, which a check-in asks about. It reads
// nothing without consent and never fails (the check-in goes on without it).
func (r *Reader) AddClicked(ctx context.Context, userID string, fields map[string]string) {
	if fields["consent"] != "accepted" {
		return
	}
	if clicks, err := r.store.Clicks(ctx, userID); err == nil && len(clicks) > 0 {
		if title := r.itemTitle(ctx, clicks[0]); title != "" {
			fields["clicked"] = title
		}
	}
}

// itemTitle is a catalog item's Thai title ("" when it is gone).
func (r *Reader) itemTitle(ctx context.Context, id string) string {
	if strings.HasPrefix(id, content.CoursePrefix) {
		if c, err := r.store.Course(ctx, id); err == nil {
			return c.TitleTH
		}
	}
	if strings.HasPrefix(id, content.OpeningPrefix) {
		if o, err := r.store.Opening(ctx, id); err == nil {
			return o.RoleTH
		}
	}
	return ""
}

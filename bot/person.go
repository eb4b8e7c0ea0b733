package bot

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
)

// personFields gathers what is stored about a user as the engine's fields:
// role, settings, consent, profile, and the derived facts "plan" (with its
// steps as plan_1..3) and "guardian".
func (b *Bot) personFields(ctx context.Context, userID string) (map[string]string, error) {
	s := b.cfg.Store
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
	b.addDemand(ctx, fields)
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

// persistable reports whether personal data may be stored for the person now:
// they consented and are adults, or a guardian confirmed.
func persistable(get func(string) string) bool {
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
func (b *Bot) addDemand(ctx context.Context, fields map[string]string) {
	region := regionOf(fields["province"])
	if region == "" {
		return
	}
	fields["region"] = region
	_, occ, err := b.catalog(ctx)
	if err != nil {
		return // demand is a nicety: never fail a turn over it
	}
	if d := inDemand(occ, fields["province"], region); len(d) > 0 {
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

// itemTitle is a catalog item's Thai title, for the check-in that asks about
// the last application ("" when it is gone).
func (b *Bot) itemTitle(ctx context.Context, id string) string {
	if strings.HasPrefix(id, content.CoursePrefix) {
		if c, err := b.cfg.Store.Course(ctx, id); err == nil {
			return c.TitleTH
		}
	}
	if strings.HasPrefix(id, content.OpeningPrefix) {
		if o, err := b.cfg.Store.Opening(ctx, id); err == nil {
			return o.RoleTH
		}
	}
	return ""
}

// addClicked adds the derived "clicked": the title of the last item the
// person tapped through to apply for, which a check-in asks about.
func (b *Bot) addClicked(ctx context.Context, userID string, fields map[string]string) {
	if fields["consent"] != "accepted" {
		return
	}
	if clicks, err := b.cfg.Store.Clicks(ctx, userID); err == nil && len(clicks) > 0 {
		if title := b.itemTitle(ctx, clicks[0]); title != "" {
			fields["clicked"] = title
		}
	}
}

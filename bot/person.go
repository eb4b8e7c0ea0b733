package bot

import (
	"context"
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
	plan, err := s.Plan(ctx, userID)
	switch {
	case err == nil:
		fields["plan"] = "saved"
		for i, st := range plan.Steps {
			if i < 3 {
				fields["plan_"+string(rune('1'+i))] = st.Kind + ":" + st.Ref
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

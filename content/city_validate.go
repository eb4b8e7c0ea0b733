package content

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// provinceCode is an ISO 3166-2:TH code: a province ("TH-40") or Pattaya
// ("TH-S").
var provinceCode = regexp.MustCompile(`^TH-([0-9]{2}|S)$`)

// tokenHash is how a token's hash is written: hex SHA-256.
var tokenHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Festival statuses.
const (
	FestivalActive    = "active"
	FestivalCancelled = "cancelled"
)

// ValidArea checks a city's provinces and districts ("TH-40/เมืองขอนแก่น",
// whose province must be one of the city's) and returns them without
// duplicates, in the order given.
func ValidArea(provinces, districts []string) ([]string, []string, error) {
	if len(provinces) == 0 {
		return nil, nil, Errorf(EINVALID, "a city needs at least one province")
	}
	var ps, ds []string
	for _, p := range provinces {
		if !provinceCode.MatchString(p) {
			return nil, nil, Errorf(EINVALID, "province %q is not an ISO 3166-2 code such as TH-40", p)
		}
		if !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	for _, d := range districts {
		p, name, ok := strings.Cut(d, "/")
		switch {
		case !ok || strings.TrimSpace(name) == "" || name != strings.TrimSpace(name):
			return nil, nil, Errorf(EINVALID, "district %q is not PROVINCE/NAME, such as TH-40/เมืองขอนแก่น", d)
		case !slices.Contains(ps, p):
			return nil, nil, Errorf(EINVALID, "district %q is in none of the city's provinces", d)
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	return ps, ds, nil
}

func ValidCity(c City) (City, error) {
	if strings.TrimSpace(c.Name) == "" {
		return c, Errorf(EINVALID, "city name is empty")
	}
	var err error
	c.Provinces, c.Districts, err = ValidArea(c.Provinces, c.Districts)
	return c, err
}

func ValidToken(t Token) error {
	switch {
	case t.Role != RoleEditor && t.Role != RoleApprover:
		return Errorf(EINVALID, "token role %q is not %s or %s", t.Role, RoleEditor, RoleApprover)
	case !tokenHash.MatchString(t.Hash):
		return Errorf(EINVALID, "token hash is not 64 lower-case hex digits")
	}
	return nil
}

// ValidFestival checks a festival on its own and fills in the default status.
func ValidFestival(f Festival) (Festival, error) {
	if f.Status == "" {
		f.Status = FestivalActive
	}
	switch {
	case strings.TrimSpace(f.TitleTH) == "":
		return f, Errorf(EINVALID, "festival %s: Thai title is empty", f.ID)
	case f.StartsAt.IsZero() || f.EndsAt.IsZero():
		return f, Errorf(EINVALID, "festival %s: start or end time is zero", f.ID)
	case f.EndsAt.Truncate(time.Microsecond).Before(f.StartsAt.Truncate(time.Microsecond)):
		return f, Errorf(EINVALID, "festival %s ends before it starts", f.ID)
	case f.Status != FestivalActive && f.Status != FestivalCancelled:
		return f, Errorf(EINVALID, "festival %s: status %q is not active or cancelled", f.ID, f.Status)
	case f.Province != "" && !provinceCode.MatchString(f.Province):
		return f, Errorf(EINVALID, "festival %s: province %q is not an ISO 3166-2 code such as TH-40", f.ID, f.Province)
	case f.Province == "" && f.District != "":
		return f, Errorf(EINVALID, "festival %s: a district without a province", f.ID)
	}
	return f, nil
}

// FestivalInArea checks that the festival's place is in its city's area.
func FestivalInArea(c City, f Festival) error {
	switch {
	case f.Province == "":
		return nil
	case !slices.Contains(c.Provinces, f.Province):
		return Errorf(EINVALID, "festival %s: province %s is outside the city's area", f.ID, f.Province)
	case f.District != "" && !c.Covers(f.Province, f.District):
		return Errorf(EINVALID, "festival %s: district %s/%s is outside the city's area", f.ID, f.Province, f.District)
	}
	return nil
}

// ValidAnnouncement checks an announcement on its own and fills in the
// default status.
func ValidAnnouncement(a Announcement) (Announcement, error) {
	if a.Status == "" {
		a.Status = AnnDraft
	}
	switch {
	case !slices.Contains(announcementStatuses, a.Status):
		return a, Errorf(EINVALID, "announcement %s: unknown status %q", a.ID, a.Status)
	case a.Status == AnnScheduled && a.ScheduledAt.IsZero():
		return a, Errorf(EINVALID, "announcement %s: scheduled with no time", a.ID)
	}
	if err := ValidAudience(a.Audience); err != nil {
		return a, fmt.Errorf("announcement %s: %w", a.ID, err)
	}
	return a, nil
}

// ValidAudience checks an audience's shape. Whether its provinces and
// districts are the city's is AudienceInArea's business.
func ValidAudience(a Audience) error {
	switch {
	case a.AgeMin < 0 || a.AgeMin > maxAge || a.AgeMax < 0 || a.AgeMax > maxAge:
		return Errorf(EINVALID, "audience ages %d–%d are not 0..%d", a.AgeMin, a.AgeMax, maxAge)
	case a.AgeMax != 0 && a.AgeMax < a.AgeMin:
		return Errorf(EINVALID, "audience age bounds %d–%d are reversed", a.AgeMin, a.AgeMax)
	}
	for _, p := range a.Provinces {
		if p == "" {
			return Errorf(EINVALID, "audience province is empty")
		}
	}
	for _, d := range a.Districts {
		p, name, ok := strings.Cut(d, "/")
		if !ok || strings.TrimSpace(name) == "" {
			return Errorf(EINVALID, "audience district %q is not PROVINCE/NAME", d)
		}
		if len(a.Provinces) > 0 && !slices.Contains(a.Provinces, p) {
			return Errorf(EINVALID, "audience district %q is in none of the audience's provinces", d)
		}
	}
	for _, r := range a.Roles {
		if !slices.Contains(audienceRoles, r) {
			return Errorf(EINVALID, "audience role %q is not youth, parent or other", r)
		}
	}
	for _, i := range a.Interests {
		if strings.TrimSpace(i) == "" {
			return Errorf(EINVALID, "audience interest is empty")
		}
	}
	return nil
}

// AudienceInArea checks that an audience stays within its city's area.
func AudienceInArea(c City, a Audience) error {
	for _, p := range a.Provinces {
		if !slices.Contains(c.Provinces, p) {
			return Errorf(EINVALID, "audience province %s is outside the city's area", p)
		}
	}
	for _, d := range a.Districts {
		p, name, _ := strings.Cut(d, "/")
		if !c.Covers(p, name) {
			return Errorf(EINVALID, "audience district %s is outside the city's area", d)
		}
	}
	return nil
}

// announcementStatuses are the statuses an announcement may have.
var announcementStatuses = []string{AnnDraft, AnnPending, AnnScheduled, AnnSending, AnnSent, AnnCancelled}

// audienceRoles are the roles an audience may name.
var audienceRoles = []string{string(RoleYouth), string(RoleParent), string(RoleOther)}

// maxAge bounds the ages an audience may name.
const maxAge = 150

package adminapi

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/thaitime"
)

// Limits of what a festival may hold (characters, not bytes).
const (
	maxTitle      = 200
	maxDesc       = 2000
	maxVenue      = 200
	maxAddress    = 500
	maxDistrict   = 100
	maxActivities = 30
	maxActivity   = 200
	maxTags       = 20
	maxTag        = 50
	maxURL        = 1000 // LINE's limit for a URI action
)

// Thailand's bounding box.
const (
	minLat, maxLat = 5.6, 20.5
	minLng, maxLng = 97.3, 105.7
)

// Audience limits.
const (
	minAge, maxAge = 10, 99
)

// audienceRoles are the roles a person gives in their profile.
var audienceRoles = []string{"youth", "parent", "other"}

// timeLayouts are accepted for times; the ones without an offset are read in
// Bangkok time.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
}

const timeHint = "must be an RFC 3339 time such as 2026-11-20T09:00:00+07:00"

// parseTime reads an RFC 3339 time, or one without an offset in Bangkok time.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for i, layout := range timeLayouts {
		var t time.Time
		var err error
		if i == 0 {
			t, err = time.Parse(layout, s)
		} else {
			t, err = time.ParseInLocation(layout, s, thaitime.Zone)
		}
		if err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var isoCode = regexp.MustCompile(`(?i)^TH-\d{2}$`)

// provinceCode reads an ISO 3166-2 code ("TH-40") or a province's Thai or
// English name or alias, spelled exactly ("ขอนแก่น", "Khon Kaen").
func provinceCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if isoCode.MatchString(s) {
		p, ok := place.ByCode(s)
		return p.Code, ok
	}
	m, _, ok := place.Find(s)
	if !ok || !m.Exact {
		return "", false
	}
	return m.Province.Code, true
}

// provinceLabel is "TH-40 (ขอนแก่น)" for messages.
func provinceLabel(code string) string {
	if p, ok := place.ByCode(code); ok {
		return code + " (" + p.TH + ")"
	}
	return code
}

// checkURL reports what is wrong with a link, or "".
func checkURL(s string) string {
	if utf8.RuneCountInString(s) > maxURL {
		return "must be at most 1000 characters"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "must be an https:// URL"
	}
	return ""
}

// checkLen records a "too long" problem.
func checkLen(fe fieldErrors, field, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		fe.add(field, "must be at most %d characters", limit)
	}
}

// cleanList trims the items, drops empty ones and duplicates, keeping order.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// splitDistrict reads "TH-40/เมืองขอนแก่น" (or "ขอนแก่น/เมืองขอนแก่น") as a
// province code and a district name.
func splitDistrict(s string) (province, district string, ok bool) {
	p, d, found := strings.Cut(strings.TrimSpace(s), "/")
	d = strings.TrimSpace(d)
	if !found || d == "" {
		return "", "", false
	}
	code, ok := provinceCode(p)
	if !ok {
		return "", "", false
	}
	return code, d, true
}

package tickets

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/thaitime"
)

// Opened routes a ticket the bot just opened (content.Handoff, from the
// person's request, the safety path, a model's handoff or a check-in) to the
// counsellors of the person's area, tells those who linked LINE, and says, in
// the person's language, when someone will answer. routed is false when no
// counsellor covers the person: nobody will answer, and the bot must say so.
func (s *Service) Opened(ctx context.Context, h content.Handoff, fields map[string]string) (routed bool, when string, err error) {
	cs, err := s.cfg.Store.Counsellors(ctx, "")
	if err != nil {
		return false, "", fmt.Errorf("tickets: counsellors: %w", err)
	}
	province, district := fields["province"], districtOf(fields["province"], fields["district"])
	r, group := route(cs, province, district)
	if r.OrgID == "" {
		return false, "", nil
	}
	now := s.cfg.Now()
	if err := s.cfg.Store.RouteHandoff(ctx, h.ID, r, now); err != nil {
		return false, "", fmt.Errorf("tickets: route: %w", err)
	}
	h.OrgID, h.Level, h.Province, h.District = r.OrgID, r.Level, r.Province, r.District
	s.notify(ctx, h, group, s.words.NotifyNew)
	s.changed(ctx, r.OrgID)
	return true, s.when(group, now, fields["lang"]), nil
}

// Again says when a counsellor of the ticket's organisation will answer, for
// a person who asked again while the ticket is open.
func (s *Service) Again(ctx context.Context, h content.Handoff, fields map[string]string) (string, error) {
	cs, err := s.cfg.Store.Counsellors(ctx, h.OrgID)
	if err != nil {
		return "", fmt.Errorf("tickets: counsellors: %w", err)
	}
	var active []content.Counsellor
	for _, c := range cs {
		if c.Active() {
			active = append(active, c)
		}
	}
	s.changed(ctx, h.OrgID)
	return s.when(active, s.cfg.Now(), fields["lang"]), nil
}

// route picks where a ticket goes: the counsellors who cover the person's
// district, else their province, else the national pool; among
// organisations at the same level, the one with the most counsellors there
// (then the first by ID), so routing is the same on every instance.
func route(cs []content.Counsellor, province, district string) (content.Route, []content.Counsellor) {
	levels := []struct {
		name   string
		covers func(c content.Counsellor) bool
	}{
		{"district", func(c content.Counsellor) bool {
			return district != "" && slices.ContainsFunc(c.Districts, func(d string) bool { return sameDistrict(d, district) })
		}},
		{"province", func(c content.Counsellor) bool {
			return province != "" && len(c.Districts) == 0 && slices.Contains(c.Provinces, province)
		}},
		{"national", func(c content.Counsellor) bool { return c.National }},
	}
	for _, l := range levels {
		byOrg := map[string][]content.Counsellor{}
		for _, c := range cs {
			if c.Active() && l.covers(c) {
				byOrg[c.OrgID] = append(byOrg[c.OrgID], c)
			}
		}
		if len(byOrg) == 0 {
			continue
		}
		orgs := make([]string, 0, len(byOrg))
		for o := range byOrg {
			orgs = append(orgs, o)
		}
		slices.SortFunc(orgs, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(byOrg[b]), len(byOrg[a])), strings.Compare(a, b))
		})
		return content.Route{OrgID: orgs[0], Level: l.name, Province: province, District: district}, byOrg[orgs[0]]
	}
	return content.Route{Province: province, District: district}, nil
}

// districtOf writes what a person typed as their district the way counsellors'
// areas are written ("TH-40/เมืองขอนแก่น"), without the words people put in front.
func districtOf(province, typed string) string {
	name := normDistrict(typed)
	if province == "" || name == "" {
		return ""
	}
	return province + "/" + name
}

// sameDistrict compares a counsellor's district with the person's. "เมือง"
// alone is the province's Mueang district ("เมืองขอนแก่น" in ขอนแก่น), as
// people there say it.
func sameDistrict(a, b string) bool {
	pa, da, _ := strings.Cut(a, "/")
	pb, db, _ := strings.Cut(b, "/")
	da, db = mueang(pa, normDistrict(da)), mueang(pb, normDistrict(db))
	return pa == pb && da != "" && da == db
}

// mueangWord is what a province's capital district starts with.
const mueangWord = "เมือง"

// mueang writes "เมือง" alone as the province's Mueang district.
func mueang(province, district string) string {
	if p, ok := place.ByCode(province); ok && district == mueangWord {
		return mueangWord + p.TH
	}
	return district
}

// districtWords are what people write before a district's name.
var districtWords = []string{"อำเภอ", "อ.", "เขต", "กิ่งอำเภอ"}

func normDistrict(s string) string {
	s = strings.Join(strings.Fields(s), "")
	for _, w := range districtWords {
		s = strings.TrimPrefix(s, w)
	}
	return s
}

// when says when one of the counsellors will answer: about how soon inside
// their office hours, else when the next of them starts (with the help lines
// for anything urgent).
func (s *Service) when(group []content.Counsellor, now time.Time, lang string) string {
	var next time.Time
	for _, c := range group {
		if c.Hours.Open(now) {
			return s.say(s.words.WhenOpen, lang, "minutes", strconv.Itoa(int(s.cfg.EscalateAfter.Minutes())))
		}
		if t, ok := c.Hours.Next(now); ok && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.IsZero() {
		next = now.Add(24 * time.Hour) // nobody has office hours: honest enough to say "tomorrow"
	}
	return s.say(s.words.WhenLater, lang, "day", s.day(now, next, lang), "time", next.In(thaitime.Zone).Format("15:04"))
}

// day says which day next is, seen from now: today, tomorrow, or its weekday.
func (s *Service) day(now, next time.Time, lang string) string {
	switch days := int(thaitime.Midnight(next).Sub(thaitime.Midnight(now)).Hours() / 24); days {
	case 0:
		return s.say(s.words.Today, lang)
	case 1:
		return s.say(s.words.Tomorrow, lang)
	}
	return s.say(s.words.OnDay, lang, "weekday", s.pick(s.words.Weekdays[next.In(thaitime.Zone).Weekday()], lang))
}

// area is a ticket's area as people read it.
func (s *Service) area(h content.Handoff, lang string) string {
	p, ok := place.ByCode(h.Province)
	if !ok {
		return s.say(s.words.Somewhere, lang)
	}
	name := p.TH
	if lang == "en" {
		name = p.EN
	}
	if _, d, ok := strings.Cut(h.District, "/"); ok && d != "" {
		return d + " " + name
	}
	return name
}

func (s *Service) pick(t text, lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.TH
}

// say fills a phrase's {var} placeholders.
func (s *Service) say(t text, lang string, kv ...string) string {
	out := s.pick(t, lang)
	for i := 0; i+1 < len(kv); i += 2 {
		out = strings.ReplaceAll(out, "{"+kv[i]+"}", kv[i+1])
	}
	return out
}

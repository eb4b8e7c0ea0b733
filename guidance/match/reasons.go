package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paitor/paitor/content"
)

// Reasons shown per result.
const (
	maxReasons    = 4
	minReasons    = 2
	minImportance = 0.35 // below this a reason is only used to reach minReasons
)

// ReasonText joins the reasons into one line in Thai, or English when lang
// starts with "en": "ใกล้บ้าน 8 กม. · ฟรี · เรียนเสาร์-อาทิตย์".
func (r Result) ReasonText(lang string) string { return joinReasons(r.Reasons, lang) }

func joinReasons(rs []Reason, lang string) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	parts := make([]string, len(rs))
	for i, x := range rs {
		parts[i] = x.TH
		if en {
			parts[i] = x.EN
		}
	}
	return strings.Join(parts, " · ")
}

// reasons chooses 2–4 phrases for an item from what scored: each candidate
// phrase carries the weighted score of what it speaks for, and the weightiest
// come first.
func (r *ranker) reasons(it *item, comps *[numComps]float64, d float64) []Reason {
	type cr struct {
		imp float64
		ord int
		r   Reason
	}
	var cs []cr
	add := func(imp float64, x Reason) { cs = append(cs, cr{imp: imp, ord: len(cs), r: x}) }
	p := &r.p
	course := it.kind == kindCourse
	var co, op = r.courseOf(it), r.openingOf(it)

	// Where.
	switch {
	case it.mode == modeOnline:
		add(comps[compDistance]+comps[compAccess]*0.5, phrase("online"))
	case d >= 0 && it.prov >= 0:
		imp := comps[compDistance] + comps[compAccess]*0.5
		prov := Reason{TH: provinces[it.prov].TH, EN: provinces[it.prov].EN}
		precise := p.exactLoc && it.has(flagExactLoc)
		switch {
		case !precise && int(it.prov) == p.prov:
			add(imp, phrase("in_province", "province", prov))
		case d < 1:
			add(imp, phrase("near_lt1"))
		case d <= 40:
			add(imp, phrase("near", "km", kmText(d)))
		default:
			add(imp, phrase("far", "province", prov, "km", kmText(d)))
		}
	case it.prov >= 0:
		add(0.3, phrase("in_province", "province", Reason{TH: provinces[it.prov].TH, EN: provinces[it.prov].EN}))
	}
	// Money.
	money := comps[compGoal] + comps[compEarns]
	if course {
		switch {
		case co.CostBaht <= 0 && co.Allowance > 0:
			add(comps[compCost]+money, phrase("free_allowance", "baht", thousands(co.Allowance)))
		case co.CostBaht <= 0:
			add(comps[compCost], phrase("free"))
		case co.Allowance > 0:
			add(money, phrase("allowance", "baht", thousands(co.Allowance)))
		default:
			add(0.2, phrase("cost", "baht", thousands(co.CostBaht)))
		}
	} else if op.PayBaht > 0 {
		unit, ok := cfg.text.Units[op.PayUnit]
		if !ok {
			unit = cfg.text.Units["month"]
		}
		add(money+0.3, phrase("pay", "pay", thousands(op.PayBaht), "unit", unit))
	}
	// When.
	sched := comps[compSchedule] + comps[compAccess]*0.5
	switch {
	case it.mode == modeOnline && it.has(flagSelfPaced):
		add(sched, phrase("self_paced"))
	case it.days != 0 && it.days&weekdayBits == 0:
		add(sched, phrase(pick(course, "weekend_course", "weekend_job")))
	case it.tStart >= 0 && int(it.tStart) >= cfg.eveningM:
		add(sched, phrase(pick(course, "evening_course", "evening_job")))
	case !course && it.hoursWeek > 0 && float64(it.hoursWeek) <= cfg.limits.LittleHoursWeek:
		add(sched, phrase("few_hours_job", "hours", fmt.Sprint(int(math.Round(float64(it.hoursWeek))))))
	case course && it.hours > 0 && float64(it.hours) <= 12:
		add(sched*0.8, phrase("short_course", "hours", fmt.Sprint(it.hours)))
	case course && r.p.time == timeWeekday && r.exactTime(it):
		add(sched*0.8, phrase("weekday_course"))
	}
	// What it leads to.
	if course {
		cred := comps[compEarns]*0.5 + comps[compGoal]*b2f(p.need == "qualification")
		switch {
		case it.earns&earnTPQI != 0 && it.tpqiLevel > 0:
			add(cred, phrase("tpqi", "level", fmt.Sprint(it.tpqiLevel)))
		case it.earns&earnCredit != 0:
			add(cred, phrase("credit_bank"))
		case it.earns&earnCert != 0:
			add(cred, phrase("certificate"))
		}
	} else {
		switch it.okind {
		case okDual:
			add(0.4+comps[compGoal], phrase("dual"))
		case okSchoolBreak:
			add(0.3+comps[compGoal], phrase("school_break"))
		}
		if it.has(flagTraining) {
			add(0.5+comps[compGoal]*0.5, phrase("training"))
		}
	}
	// Who it suits.
	if comps[compField] > 0 {
		add(comps[compField], phrase("field", "field", cfg.text.Fields[fields[it.field]]))
	} else if comps[compRiasec] >= 0.6*cfg.weights[compRiasec] {
		for _, l := range p.riasecTop {
			if li := slices.Index(content.InterestCodes, string(l)); li >= 0 && it.riasec&(1<<li) != 0 {
				add(comps[compRiasec]*0.8, phrase("riasec", "type", cfg.riasec[string(l)]))
				break
			}
		}
	}
	if comps[compDemand] > 0 {
		if r.demandProv[it.field] && p.prov >= 0 {
			add(comps[compDemand], phrase("demand_province", "province", Reason{TH: provinces[p.prov].TH, EN: provinces[p.prov].EN}))
		} else {
			add(comps[compDemand], phrase("demand", "region", cfg.text.Regions[p.region]))
		}
	}
	if comps[compSkills] >= 0.5*cfg.weights[compSkills] && comps[compSkills] > 0 {
		add(comps[compSkills], phrase("skills"))
	}
	if comps[compText] > 0 {
		add(comps[compText]*0.12, phrase("text"))
	}

	slices.SortStableFunc(cs, func(a, b cr) int { return cmp.Or(cmp.Compare(b.imp, a.imp), cmp.Compare(a.ord, b.ord)) })
	var out []Reason
	for _, c := range cs {
		if len(out) >= maxReasons || c.imp < minImportance && len(out) >= minReasons {
			break
		}
		out = append(out, c.r)
	}
	if len(out) == 0 {
		out = append(out, phrase("open"))
	}
	return out
}

func (r *ranker) courseOf(it *item) *content.Course {
	if it.kind != kindCourse {
		return nil
	}
	return &r.c.courses[it.idx]
}

func (r *ranker) openingOf(it *item) *content.Opening {
	if it.kind != kindOpening {
		return nil
	}
	return &r.c.openings[it.idx]
}

func pick(course bool, a, b string) string {
	if course {
		return a
	}
	return b
}

// kmText writes a distance in whole kilometres.
func kmText(km float64) string { return thousands(int(math.Round(km))) }

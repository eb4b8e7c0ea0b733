package match

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance/search"
)

// oracle re-states the hard rules as plainly as possible, independently of
// the engine's precomputed tables, so tests can check every result against
// it. Distances use the great-circle formula with a small tolerance (the
// engine uses a flat-earth approximation).
type oracle struct {
	p      Profile
	now    time.Time
	refine Refine
	named  []string // provinces named in the typed search
}

func newOracle(p Profile, o Options) oracle {
	or := oracle{p: p, now: o.Now, refine: o.Filters}
	if o.Filters.Text != "" {
		q := search.Parse(o.Filters.Text)
		or.named = q.Provinces
		or.refine.Free = or.refine.Free || q.Free
		or.refine.Online = or.refine.Online || q.Online
	}
	return or
}

var knownStrengthSkills = []string{"digital_basic", "cooking", "communication", "driving", "english_basic", "caregiving"}

func eduLevel(s string) int {
	return map[string]int{"p6": 1, "m3": 2, "m6": 3, "pvc": 3, "hvc": 4, "bachelor": 5}[s]
}

func minutes(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	hh, e1 := strconv.Atoi(h)
	mm, e2 := strconv.Atoi(m)
	return hh*60 + mm, e1 == nil && e2 == nil
}

// nightWork walks the shift minute by minute.
func nightWork(start, end string) bool {
	s, ok1 := minutes(start)
	e, ok2 := minutes(end)
	if !ok1 {
		return false
	}
	if !ok2 {
		return s >= 22*60 || s < 6*60
	}
	if e <= s {
		e += 24 * 60
	}
	for m := s; m < e; m++ {
		if mm := m % (24 * 60); mm >= 22*60 || mm < 6*60 {
			return true
		}
	}
	return false
}

// where returns a point and whether it is known.
func (o oracle) home() (float64, float64, string, bool) {
	if lat, lng, ok := parseLatLng(o.p["location"]); ok {
		near, _ := place.Nearest(lat, lng)
		pr, ok2 := place.ByCode(o.p["province"])
		if ok2 {
			return lat, lng, pr.Region, true
		}
		return lat, lng, near.Region, true
	}
	if pr, ok := place.ByCode(o.p["province"]); ok {
		return pr.Lat, pr.Lng, pr.Region, true
	}
	return 0, 0, "", false
}

// violations lists the hard rules an item breaks for the person.
func (o oracle) violations(co *content.Course, op *content.Opening) []string {
	var v []string
	age, _ := strconv.Atoi(o.p["age"])
	edu := eduLevel(o.p["education"])
	online := co != nil && co.Mode == "online"
	var prov string
	var lat, lng float64
	var days []string
	var start, end string
	if co != nil {
		prov, lat, lng, days, start, end = co.Province, co.Lat, co.Lng, co.Days, co.StartTime, co.EndTime
	} else {
		prov, lat, lng, days, start, end = op.Province, op.Lat, op.Lng, op.Days, op.StartTime, op.EndTime
	}
	selfPaced := len(days) == 0 && start == ""
	// Reach.
	if online {
		if o.p["device"] == "none" {
			v = append(v, "no_device")
		}
	} else {
		if o.p["travel"] == "online" {
			v = append(v, "online_only")
		}
		hl, hg, region, ok := o.home()
		if lat == 0 && lng == 0 {
			if pr, ok := place.ByCode(prov); ok {
				lat, lng = pr.Lat, pr.Lng
			}
		}
		if ok && (lat != 0 || lng != 0) && !slices.Contains(o.named, prov) {
			d := place.DistanceKm(hl, hg, lat, lng)
			pr, _ := place.ByCode(prov)
			switch t := o.p["travel"]; t {
			case "5", "15", "40":
				km, _ := strconv.ParseFloat(t, 64)
				if d > km*1.02+0.5 {
					v = append(v, "distance")
				}
			case "online":
			default:
				if pr.Region != region && d > 300*1.02 {
					v = append(v, "distance")
				}
			}
		}
	}
	// Dates.
	if co != nil {
		if !co.ClosesAt.IsZero() && !co.ClosesAt.After(o.now) || !co.EndDate.IsZero() && co.EndDate.Before(o.now) {
			v = append(v, "closed")
		}
		if !co.StartDate.IsZero() && co.StartDate.After(o.now.AddDate(0, 0, 120)) {
			v = append(v, "later")
		}
	} else if !op.ValidUntil.IsZero() && !op.ValidUntil.After(o.now) {
		v = append(v, "closed")
	}
	// Age and labour law.
	if age > 0 {
		if co != nil && (co.MinAge > 0 && age < co.MinAge || co.MaxAge > 0 && age > co.MaxAge) {
			v = append(v, "age")
		}
		if op != nil && op.MinAge > 0 && age < op.MinAge {
			v = append(v, "age")
		}
	}
	if op != nil {
		if age > 0 && age < 15 {
			v = append(v, "labour")
		}
		if (age == 0 || age < 18) && (op.Night || op.Hazardous || nightWork(op.StartTime, op.EndTime)) {
			v = append(v, "labour")
		}
	}
	// Education.
	minEdu := ""
	if co != nil {
		minEdu = co.MinEdu
	} else {
		minEdu = op.MinEdu
	}
	if edu > 0 && eduLevel(minEdu) > edu {
		v = append(v, "education")
	}
	// Skills.
	if s, answered := o.p["strengths"]; answered && op != nil && !op.Training {
		have := map[string]bool{}
		for _, x := range strings.Split(s, ",") {
			have[strings.TrimSpace(x)] = true
		}
		for _, need := range op.Skills {
			if slices.Contains(knownStrengthSkills, need) && !have[need] {
				v = append(v, "skills")
				break
			}
		}
	}
	// Time.
	hasDay := func(ds ...string) bool {
		for _, d := range days {
			if slices.Contains(ds, d) {
				return true
			}
		}
		return false
	}
	sm, hasStart := minutes(start)
	free := online || selfPaced
	ok := true
	switch o.p["time"] {
	case "weekday":
		ok = free || (len(days) == 0 || hasDay("mon", "tue", "wed", "thu", "fri")) && (!hasStart || sm < 17*60)
	case "evening":
		ok = free || hasStart && sm >= 17*60
	case "weekend":
		ok = free || hasDay("sat", "sun")
	case "little":
		ok = online && selfPaced
		if !ok {
			hw := -1.0
			if op != nil && op.HoursWeek > 0 {
				hw = float64(op.HoursWeek)
			} else if em, ok2 := minutes(end); hasStart && ok2 && len(days) > 0 {
				dur := em - sm
				if dur <= 0 {
					dur += 24 * 60
				}
				hw = float64(len(days)*dur) / 60
			} else if co != nil && co.Hours > 0 && !co.StartDate.IsZero() && co.EndDate.After(co.StartDate) {
				hw = float64(co.Hours) / max(1, co.EndDate.Sub(co.StartDate).Hours()/(24*7))
			} else if co != nil && co.Hours > 0 && co.Hours <= 10 {
				hw = float64(co.Hours)
			}
			ok = hw >= 0 && hw <= 10.0001
		}
	}
	if !ok {
		v = append(v, "schedule")
	}
	// Budget.
	if co != nil {
		switch o.p["budget"] {
		case "free":
			if co.CostBaht > 0 {
				v = append(v, "budget")
			}
		case "500", "2000":
			b, _ := strconv.Atoi(o.p["budget"])
			if co.CostBaht > b {
				v = append(v, "budget")
			}
		}
	}
	// Refinements.
	f := o.refine
	if f.Online && !online || f.Free && co != nil && co.CostBaht > 0 ||
		f.Paid && !(op != nil && op.PayBaht > 0 || co != nil && co.Allowance > 0) ||
		f.Weekend && !hasDay("sat", "sun") && !selfPaced || f.Near && online {
		v = append(v, "refine")
	} else if f.Near {
		near := 15.0
		if km, err := strconv.ParseFloat(o.p["travel"], 64); err == nil && km < near {
			near = km
		}
		if hl, hg, _, ok := o.home(); ok && (lat != 0 || lng != 0) && place.DistanceKm(hl, hg, lat, lng) > near*1.02+0.5 {
			v = append(v, "refine")
		}
	}
	return v
}

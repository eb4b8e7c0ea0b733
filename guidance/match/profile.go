package match

import (
	"math"
	"strconv"
	"strings"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
)

// Profile is a person's profile fields as stored (the keys and values of
// guidance/data/fields.yaml): "age", "province" (ISO code), "location"
// ("lat,lng" from a shared LINE location), "education", "need", "time",
// "hours", "budget", "travel", "device", "care", "interests" (comma list of
// occupation families), "riasec_top" (e.g. "RS"), "strengths" (comma list of
// skill tags). Missing or unknown values never exclude anything, except that
// an unknown age is treated as under 18 for night and hazardous work.
type Profile map[string]string

// provinces in code order; an item's or person's province is an index into it.
var provinces = place.All()

func provinceIndex(code string) int {
	code = strings.ToUpper(strings.TrimSpace(code))
	for i, p := range provinces {
		if p.Code == code {
			return i
		}
	}
	return -1
}

// eduRank orders education levels; pvc (vocational certificate) is at the
// level of m6, hvc above it. 0 = unknown or "other": never excludes.
func eduRank(e string) int8 {
	switch strings.ToLower(strings.TrimSpace(e)) {
	case "p6":
		return 1
	case "m3":
		return 2
	case "m6", "pvc":
		return 3
	case "hvc":
		return 4
	case "bachelor":
		return 5
	}
	return 0
}

// Free-time answers (profile "time").
const (
	timeUnknown uint8 = iota
	timeWeekday
	timeEvening
	timeWeekend
	timeAnytime
	timeLittle
)

// Travel answers (profile "travel").
const (
	travelUnknown uint8 = iota
	travelKm
	travelAny
	travelOnline
)

// person is a Profile read once for ranking.
type person struct {
	age                int // 0 = unknown
	prov               int // index into provinces, -1 unknown
	region             string
	hasLoc, exactLoc   bool
	lat, lng, cosLat   float64
	edu                int8
	need               string
	time               uint8
	hours              int // free hours a week; 0 unknown
	budget             int // highest course cost; -1 any
	budgetScale        float64
	travel             uint8
	travelKm           float64
	deviceNone, wifi   bool
	caring, disability bool
	likes              [32]bool // by field index
	riasec             [6]float64
	riasecTop          string
	skills             uint8 // bits (cfg.skillBit) of the strengths the person has
}

func readProfile(p Profile) person {
	get := func(k string) string { return strings.TrimSpace(p[k]) }
	ps := person{prov: -1, budget: -1, budgetScale: 5000}
	if a, err := strconv.Atoi(get("age")); err == nil && a > 0 {
		ps.age = a
	}
	if i := provinceIndex(get("province")); i >= 0 {
		ps.prov = i
		ps.region = provinces[i].Region
		ps.hasLoc, ps.lat, ps.lng = true, provinces[i].Lat, provinces[i].Lng
	}
	if lat, lng, ok := parseLatLng(get("location")); ok {
		ps.hasLoc, ps.exactLoc, ps.lat, ps.lng = true, true, lat, lng
		if ps.prov < 0 {
			near, _ := place.Nearest(lat, lng)
			ps.prov = provinceIndex(near.Code)
			ps.region = near.Region
		}
	}
	ps.cosLat = math.Cos(ps.lat * math.Pi / 180)
	ps.edu = eduRank(get("education"))
	ps.need = get("need")
	switch get("time") {
	case "weekday":
		ps.time = timeWeekday
	case "evening":
		ps.time = timeEvening
	case "weekend":
		ps.time = timeWeekend
	case "anytime":
		ps.time = timeAnytime
	case "little":
		ps.time = timeLittle
	}
	if h, err := strconv.Atoi(get("hours")); err == nil && h > 0 {
		ps.hours = h
	}
	switch get("budget") {
	case "free":
		ps.budget, ps.budgetScale = 0, 500
	case "500":
		ps.budget, ps.budgetScale = 500, 500
	case "2000":
		ps.budget, ps.budgetScale = 2000, 2000
	}
	switch t := get("travel"); t {
	case "any":
		ps.travel = travelAny
	case "online":
		ps.travel = travelOnline
	default:
		if km, err := strconv.ParseFloat(t, 64); err == nil && km > 0 {
			ps.travel, ps.travelKm = travelKm, km
		}
	}
	switch get("device") {
	case "none":
		ps.deviceNone = true
	case "phone_wifi":
		ps.wifi = true
	}
	switch get("care") {
	case "caring":
		ps.caring = true
	case "disability":
		ps.disability = true
	case "both":
		ps.caring, ps.disability = true, true
	}
	for _, f := range splitList(get("interests")) {
		if i := fieldIndex(f); i >= 0 {
			ps.likes[i] = true
		}
	}
	top := strings.ToUpper(get("riasec_top"))
	w := []float64{1, 0.6, 0.4}
	n := 0
	for _, r := range top {
		if n == len(w) {
			break
		}
		for li, l := range content.InterestCodes {
			if string(r) == l && ps.riasec[li] == 0 {
				ps.riasec[li] = w[n]
				ps.riasecTop += l
				n++
			}
		}
	}
	for _, s := range splitList(get("strengths")) {
		if b, ok := cfg.skillBit[normSkill(s)]; ok {
			ps.skills |= 1 << b
		}
	}
	return ps
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// normSkill is the form skill tags are compared in.
func normSkill(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func parseLatLng(s string) (lat, lng float64, ok bool) {
	a, b, found := strings.Cut(s, ",")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) {
		return 0, 0, false
	}
	return lat, lng, true
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, false
	}
	return hh*60 + mm, true
}

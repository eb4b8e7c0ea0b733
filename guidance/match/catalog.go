package match

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance/search"
)

// Item kinds.
const (
	kindCourse uint8 = iota
	kindOpening
)

// Modes.
const (
	modeOnsite uint8 = iota
	modeOnline
	modeHybrid
)

// Day bits: Monday is bit 0, Sunday bit 6.
const (
	weekdayBits uint8 = 0b0011111
	weekendBits uint8 = 0b1100000
)

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Earns bits.
const (
	earnCert uint8 = 1 << iota
	earnCredit
	earnTPQI
)

// Opening kinds.
const (
	okOther uint8 = iota
	okSchoolBreak
	okPartTime
	okApprentice
	okDual
)

// Item flags.
const (
	flagHasPlace  uint8 = 1 << iota // lat/lng known (the item's own, or its province seat)
	flagExactLoc                    // lat/lng are the item's own
	flagNightWork                   // Night or Hazardous flag, or hours touching 22:00–06:00 (openings)
	flagSelfPaced                   // no fixed days or times
	flagTraining                    // an opening with training on the job
)

// item is everything the rules and the score look at for one course or
// opening, computed once in NewCatalog: numbers and bits only, 64 bytes, so
// scanning a bucket of items reads memory in order. Names, skills and
// providers live in the catalog's parallel slices.
type item struct {
	lat, lng  float32
	start     uint32  // course StartDate, unix seconds; 0 none
	closes    uint32  // first of ClosesAt and the end of EndDate (courses) or ValidUntil (openings); 0 none
	cost      int32   // baht
	allowance int32   // baht
	payMonth  float32 // opening pay as a monthly amount
	hoursWeek float32 // estimate; -1 unknown
	ord       int32   // position in ID order: ties are broken by it
	idx       int32   // into Catalog.courses or Catalog.openings
	hours     int16   // course total hours
	prov      int16   // province index, -1 none
	tStart    int16   // minutes; -1 not fixed
	tEnd      int16
	kind      uint8
	mode      uint8
	minAge    uint8
	maxAge    uint8
	minEdu    int8
	field     int8 // index into fields, -1 unknown
	days      uint8
	riasec    uint8 // bits in content.InterestCodes order
	earns     uint8
	tpqiLevel uint8
	okind     uint8
	needs     uint8 // bits (cfg.skillBit) of the strengths skills an opening needs
	nSkills   uint8 // how many skills an opening needs in all
	flags     uint8
}

func (it *item) has(f uint8) bool { return it.flags&f != 0 }

// Catalog is an immutable, indexed snapshot of everything on offer, built
// once with NewCatalog and shared by any number of concurrent Rank calls.
type Catalog struct {
	courses     []content.Course
	openings    []content.Opening
	occupations []content.Occupation
	// items, ordered by kind, then bucket (online, the provinces in code
	// order, no place), then ID; ids, provider and skills are parallel to it.
	items    []item
	ids      []string
	provider []int32 // interned provider or employer
	skills   [][]int32
	byID     map[string]int32
	// buckets[kind][b] is the range of items of a kind in bucket b: 0 online,
	// 1+province index, len(provinces)+1 no place.
	buckets   [2][][2]int32
	reach     []float64 // per province: farthest item from the seat, km
	skillName []string  // interned skill tags
	skillID   map[string]int32
	teaches   [][]int32 // skill → courses (item indices) that teach it
	index     *search.Index
	scratch   sync.Pool // *scratch: per-Rank working memory
}

// built is one item while the catalog is being built.
type built struct {
	it       item
	id       string
	provider string
	skills   []string
	bucket   int
	doc      search.Doc
}

// NewCatalog indexes courses, openings and occupations (copied shallowly:
// the caller must not change them afterwards). The result does not depend on
// the order items come in.
func NewCatalog(courses []content.Course, openings []content.Opening, occ []content.Occupation) *Catalog {
	c := &Catalog{
		courses:     slices.Clone(courses),
		openings:    slices.Clone(openings),
		occupations: slices.Clone(occ),
		skillID:     map[string]int32{},
		reach:       make([]float64, len(provinces)),
	}
	slices.SortStableFunc(c.courses, func(a, b content.Course) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(c.openings, func(a, b content.Opening) int { return strings.Compare(a.ID, b.ID) })
	bs := make([]built, 0, len(c.courses)+len(c.openings))
	for i := range c.courses {
		bs = append(bs, buildCourse(&c.courses[i], int32(i)))
	}
	for i := range c.openings {
		bs = append(bs, buildOpening(&c.openings[i], int32(i)))
	}
	// Tie-break order: by ID.
	order := make([]int, len(bs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(bs[a].id, bs[b].id) })
	for ord, i := range order {
		bs[i].it.ord = int32(ord)
	}
	// Storage order: kind, bucket, ID.
	slices.SortStableFunc(bs, func(a, b built) int {
		if a.it.kind != b.it.kind {
			return int(a.it.kind) - int(b.it.kind)
		}
		if a.bucket != b.bucket {
			return a.bucket - b.bucket
		}
		return int(a.it.ord - b.it.ord)
	})

	n := len(bs)
	c.items = make([]item, n)
	c.ids = make([]string, n)
	c.provider = make([]int32, n)
	c.skills = make([][]int32, n)
	c.byID = make(map[string]int32, n)
	for k := range c.buckets {
		c.buckets[k] = make([][2]int32, len(provinces)+2)
	}
	provID := map[string]int32{}
	docs := make([]search.Doc, n)
	for i := range bs {
		b := &bs[i]
		c.items[i] = b.it
		c.ids[i] = b.id
		c.byID[b.id] = int32(i)
		pid, ok := provID[b.provider]
		if !ok {
			pid = int32(len(provID))
			provID[b.provider] = pid
		}
		c.provider[i] = pid
		c.skills[i] = c.internSkills(b.skills)
		docs[i] = b.doc
		rg := &c.buckets[b.it.kind][b.bucket]
		if rg[1] == 0 {
			rg[0] = int32(i)
		}
		rg[1] = int32(i + 1)
		if b.it.prov >= 0 && b.it.mode != modeOnline {
			p := provinces[b.it.prov]
			if d := place.DistanceKm(p.Lat, p.Lng, float64(b.it.lat), float64(b.it.lng)); d > c.reach[b.it.prov] {
				c.reach[b.it.prov] = d
			}
		}
		if b.it.kind == kindCourse {
			for _, s := range c.skills[i] {
				for len(c.teaches) <= int(s) {
					c.teaches = append(c.teaches, nil)
				}
				c.teaches[s] = append(c.teaches[s], int32(i))
			}
		}
	}
	c.index = search.NewIndex(docs)
	return c
}

func buildCourse(co *content.Course, idx int32) built {
	it := item{idx: idx, kind: kindCourse}
	switch strings.ToLower(co.Mode) {
	case "online":
		it.mode = modeOnline
	case "hybrid":
		it.mode = modeHybrid
	}
	placeItem(&it, co.Province, co.Lat, co.Lng)
	it.field = fieldIndex(co.Field)
	it.minAge, it.maxAge = clampAge(co.MinAge), clampAge(co.MaxAge)
	it.minEdu = eduRank(co.MinEdu)
	it.days = dayBits(co.Days)
	it.tStart, it.tEnd = clock16(co.StartTime), clock16(co.EndTime)
	if it.days == 0 && it.tStart < 0 {
		it.flags |= flagSelfPaced
	}
	it.riasec = riasecBits(co.Interests)
	for _, e := range co.Earns {
		switch e = strings.ToLower(e); {
		case e == "certificate":
			it.earns |= earnCert
		case e == "credit_bank":
			it.earns |= earnCredit
		case strings.HasPrefix(e, "tpqi"):
			it.earns |= earnTPQI
			if n := e[len(e)-1]; n >= '1' && n <= '9' {
				it.tpqiLevel = max(it.tpqiLevel, n-'0')
			}
		}
	}
	if co.Credits > 0 {
		it.earns |= earnCredit
	}
	it.hours = int16(min(max(co.Hours, 0), math.MaxInt16))
	it.cost = int32(min(max(co.CostBaht, 0), math.MaxInt32))
	it.allowance = int32(min(max(co.Allowance, 0), math.MaxInt32))
	it.start = unix32(co.StartDate)
	it.closes = unix32(co.ClosesAt)
	if !co.EndDate.IsZero() {
		if end := unix32(co.EndDate.Add(time.Second)); it.closes == 0 || end < it.closes {
			it.closes = end
		}
	}
	it.hoursWeek = courseHoursWeek(co, &it)
	mode := [...]string{"onsite", "online", "hybrid"}[it.mode]
	return built{
		it: it, id: co.ID, provider: strings.TrimSpace(co.Provider), skills: co.Skills, bucket: bucketOf(&it),
		doc: search.Doc{
			ID: co.ID, Kind: "course", Title: co.TitleTH + " " + co.TitleEN, Skills: co.Skills,
			Tags: earnTags(&it), Text: co.DescTH + " " + co.DescEN + " " + co.Provider, Field: co.Field,
			Mode: mode, Province: co.Province, Free: it.cost == 0,
			Weekend: it.days&weekendBits != 0 || it.has(flagSelfPaced),
		},
	}
}

func buildOpening(op *content.Opening, idx int32) built {
	it := item{idx: idx, kind: kindOpening}
	placeItem(&it, op.Province, op.Lat, op.Lng)
	it.field = fieldIndex(op.Field)
	it.minAge = clampAge(op.MinAge)
	it.minEdu = eduRank(op.MinEdu)
	it.days = dayBits(op.Days)
	it.tStart, it.tEnd = clock16(op.StartTime), clock16(op.EndTime)
	if it.days == 0 && it.tStart < 0 {
		it.flags |= flagSelfPaced
	}
	if op.Night || op.Hazardous || crossesNight(it.tStart, it.tEnd) {
		it.flags |= flagNightWork
	}
	if op.Training {
		it.flags |= flagTraining
	}
	it.riasec = riasecBits(op.Interests)
	switch op.Kind {
	case "school_break":
		it.okind = okSchoolBreak
	case "part_time":
		it.okind = okPartTime
	case "apprenticeship":
		it.okind = okApprentice
	case "dual_vocational":
		it.okind = okDual
	}
	it.closes = unix32(op.ValidUntil)
	it.hoursWeek = float32(op.HoursWeek)
	if op.HoursWeek <= 0 {
		it.hoursWeek = scheduleHours(&it)
	}
	it.payMonth = monthlyPay(op.PayBaht, op.PayUnit, &it)
	seen := map[string]bool{}
	for _, s := range op.Skills {
		s = normSkill(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		it.nSkills = uint8(min(len(seen), 255))
		if b, ok := cfg.skillBit[s]; ok {
			it.needs |= 1 << b
		}
	}
	return built{
		it: it, id: op.ID, provider: strings.TrimSpace(op.Employer), skills: op.Skills, bucket: bucketOf(&it),
		doc: search.Doc{
			ID: op.ID, Kind: "opening", Title: op.RoleTH + " " + op.RoleEN, Skills: op.Skills,
			Text: op.DescTH + " " + op.DescEN + " " + op.Requirements + " " + op.Employer, Field: op.Field,
			OpeningKind: op.Kind, Mode: "onsite", Province: op.Province, Free: true,
			Weekend: it.days&weekendBits != 0 || it.has(flagSelfPaced),
		},
	}
}

// bucketOf: 0 online, 1+province, len(provinces)+1 nowhere known.
func bucketOf(it *item) int {
	switch {
	case it.mode == modeOnline:
		return 0
	case it.prov >= 0:
		return 1 + int(it.prov)
	}
	return len(provinces) + 1
}

// placeItem resolves where an item is: its own coordinates, else its
// province seat; online items are nowhere. Its bucket is its province (or the
// province nearest its coordinates).
func placeItem(it *item, code string, lat, lng float64) {
	it.prov = int16(provinceIndex(code))
	if it.mode == modeOnline {
		return
	}
	if lat != 0 || lng != 0 {
		it.flags |= flagHasPlace | flagExactLoc
		it.lat, it.lng = float32(lat), float32(lng)
		if it.prov < 0 {
			near, _ := place.Nearest(lat, lng)
			it.prov = int16(provinceIndex(near.Code))
		}
	} else if it.prov >= 0 {
		p := provinces[it.prov]
		it.flags |= flagHasPlace
		it.lat, it.lng = float32(p.Lat), float32(p.Lng)
	}
}

func (c *Catalog) internSkills(tags []string) []int32 {
	var out []int32
	for _, t := range tags {
		t = normSkill(t)
		if t == "" {
			continue
		}
		id, ok := c.skillID[t]
		if !ok {
			id = int32(len(c.skillName))
			c.skillID[t] = id
			c.skillName = append(c.skillName, t)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Len is the number of items (courses and openings) in the catalog.
func (c *Catalog) Len() int { return len(c.items) }

func earnTags(it *item) []string {
	var t []string
	if it.earns&earnCert != 0 {
		t = append(t, "certificate")
	}
	if it.earns&earnCredit != 0 {
		t = append(t, "credit_bank")
	}
	if it.earns&earnTPQI != 0 {
		t = append(t, "tpqi")
	}
	if it.allowance > 0 {
		t = append(t, "allowance")
	}
	return t
}

func clampAge(a int) uint8 { return uint8(min(max(a, 0), 255)) }

// unix32 is t in unix seconds, clamped to 1..2^32-1 (0 is "none").
func unix32(t time.Time) uint32 {
	if t.IsZero() {
		return 0
	}
	return uint32(min(max(t.Unix(), 1), math.MaxUint32))
}

func dayBits(days []string) uint8 {
	var b uint8
	for _, d := range days {
		d = strings.ToLower(strings.TrimSpace(d))
		if len(d) > 3 {
			d = d[:3]
		}
		if i := slices.Index(dayNames, d); i >= 0 {
			b |= 1 << i
		}
	}
	return b
}

func clock16(s string) int16 {
	if m, ok := parseClock(s); ok {
		return int16(m)
	}
	return -1
}

func riasecBits(letters []string) uint8 {
	var b uint8
	for _, l := range letters {
		if i := slices.Index(content.InterestCodes, strings.ToUpper(strings.TrimSpace(l))); i >= 0 {
			b |= 1 << i
		}
	}
	return b
}

// Night hours for labour law: 22:00–06:00.
const (
	nightFrom = 22 * 60
	nightTo   = 6 * 60
)

// crossesNight reports whether work from start to end (minutes; end at or
// before start means past midnight) touches 22:00–06:00. With only a start,
// it asks whether the start is in the night.
func crossesNight(start, end int16) bool {
	if start < 0 {
		return false
	}
	s := int(start)
	if end < 0 {
		return s >= nightFrom || s < nightTo
	}
	e := int(end)
	if e <= s {
		e += 24 * 60
	}
	// The night windows over two days: [22:00, 30:00) and [-2:00, 6:00) and [46:00, 54:00).
	for _, w := range [][2]int{{-2 * 60, nightTo}, {nightFrom, 24*60 + nightTo}, {24*60 + nightFrom, 48*60 + nightTo}} {
		if s < w[1] && e > w[0] {
			return true
		}
	}
	return false
}

// scheduleHours estimates hours a week from days and times; -1 unknown.
func scheduleHours(it *item) float32 {
	if it.days == 0 || it.tStart < 0 || it.tEnd < 0 {
		return -1
	}
	d := int(it.tEnd) - int(it.tStart)
	if d <= 0 {
		d += 24 * 60
	}
	n := 0
	for b := it.days; b != 0; b &= b - 1 {
		n++
	}
	return float32(n*d) / 60
}

// courseHoursWeek estimates a course's hours a week: from its timetable, or
// its total hours spread over its weeks, or its total when that is small.
func courseHoursWeek(co *content.Course, it *item) float32 {
	if h := scheduleHours(it); h >= 0 {
		return h
	}
	if co.Hours > 0 && !co.StartDate.IsZero() && co.EndDate.After(co.StartDate) {
		weeks := math.Max(1, co.EndDate.Sub(co.StartDate).Hours()/(24*7))
		return float32(float64(co.Hours) / weeks)
	}
	if co.Hours > 0 && co.Hours <= int(cfg.limits.LittleHoursWeek) {
		return float32(co.Hours)
	}
	return -1
}

// monthlyPay turns pay per hour or day into a month's worth.
func monthlyPay(pay int, unit string, it *item) float32 {
	if pay <= 0 {
		return 0
	}
	switch unit {
	case "hour":
		h := float64(it.hoursWeek)
		if h <= 0 {
			h = 20
		}
		return float32(float64(pay) * h * 4.3)
	case "day":
		n := 0
		for b := it.days; b != 0; b &= b - 1 {
			n++
		}
		if n == 0 {
			n = 5
		}
		return float32(float64(pay) * float64(n) * 4.3)
	}
	return float32(pay)
}

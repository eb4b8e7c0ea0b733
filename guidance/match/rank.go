package match

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance/search"
)

// Options says what to rank for.
type Options struct {
	Now      time.Time      // the time "open now or soon" is judged at; zero = time.Now()
	Limit    int            // results wanted; default 10
	Kind     string         // "course", "opening", or "" for both
	Filters  Refine         // what the person narrowed the list to
	Feedback map[string]int // net 👍/👎 by item ID, across everyone
	// Occupations, when set, replaces the catalog's occupation families for
	// regional demand.
	Occupations []content.Occupation
}

// Refine narrows a ranking, as the person's buttons and typed search do.
type Refine struct {
	Near    bool   // on site and near home only
	Online  bool   // online only
	Free    bool   // free only (every opening is free)
	Paid    bool   // paid openings and courses with an allowance only
	Weekend bool   // Saturday or Sunday (or any time one likes) only
	Text    string // free text, read by package search ("อยากเรียนทำขนม", "งานพาร์ทไทม์ เชียงใหม่")
}

// Result is one suggested course or opening. Course or Opening points to a
// copy of the item; a Result that appears both in Results and in a Pair or Gap
// shares its Breakdown map, so treat Results as read-only.
type Result struct {
	ID         string
	Kind       string // "course" or "opening"
	Course     *content.Course
	Opening    *content.Opening
	Score      float64
	Breakdown  map[string]float64 // weighted score components (weights.yaml), the non-zero ones
	Reasons    []Reason           // 2–4 short phrases, most important first (at least one)
	DistanceKm float64            // from home; -1 when online or not known
}

// Pair is a course and an opening to take together: earn while learning.
// The opening pays, their schedules do not clash, both are reachable, the fields are the same or
// related, and they are at most pair_km apart (or the course is online).
type Pair struct {
	Course  Result
	Opening Result
	Score   float64
	Reasons []Reason
}

// Gap is an opening the person cannot take yet (education or a missing
// skill) and a course that leads to it.
type Gap struct {
	Opening Result
	Course  Result
	Missing []string // skill tags the person lacks, and "education:<level>" when the opening asks for more schooling
	Reason  Reason
}

// Ranking is the answer to Rank.
type Ranking struct {
	Results  []Result
	Pairs    []Pair
	Gaps     []Gap
	Excluded map[string]int // items left out, by the first rule they break (see the codes below)
	Eligible int            // items that break no rule; Eligible + the Excluded counts = the catalog's size
}

// Exclusion codes, in the order the rules are checked. Every item of the
// catalog is either eligible or counted under exactly one code.
const (
	ExclText       = "text"        // the typed search does not find it (counted first when the search names a topic)
	ExclNoDevice   = "no_device"   // online, and the person has no device
	ExclOnlineOnly = "online_only" // on site, and the person can only learn online
	ExclNoPlace    = "no_place"    // on site with no province or coordinates: distance unknown
	ExclDistance   = "distance"    // farther than the person travels
	ExclClosed     = "closed"      // registration closed, course over, opening expired
	ExclLater      = "later"       // starts more than start_within_days from now
	ExclAge        = "age"         // outside the item's age range
	ExclLabour     = "labour"      // labour law: no work under 15; no night, hazardous or 22:00–06:00 work under 18
	ExclEducation  = "education"   // asks for more schooling than the person has
	ExclSkills     = "skills"      // an opening without training needing a skill the person said they lack
	ExclSchedule   = "schedule"    // does not fit the person's free time
	ExclBudget     = "budget"      // costs more than the person's budget
	ExclRefine     = "refine"      // left out by Refine (near, online, free, paid, weekend, or "free"/"online" typed)
	ExclKind       = "kind"        // not the kind asked for (still used for pairs and gaps)
)

var exclCodes = []string{ExclText, ExclNoDevice, ExclOnlineOnly, ExclNoPlace, ExclDistance, ExclClosed, ExclLater,
	ExclAge, ExclLabour, ExclEducation, ExclSkills, ExclSchedule, ExclBudget, ExclRefine, ExclKind}

const (
	xText = iota
	xNoDevice
	xOnlineOnly
	xNoPlace
	xDistance
	xClosed
	xLater
	xAge
	xLabour
	xEducation
	xSkills
	xSchedule
	xBudget
	xRefine
	xKind
	numExcl
	xNone = -1
)

// How a province's bucket is searched for one person.
const (
	reachCheck uint8 = iota // compare each item's distance
	reachAll                // every item is reachable (same region, no location, or named in the search)
	reachNone               // no item is
)

// cand is an eligible item and its score.
type cand struct {
	i int32
	o int32 // the item's ID order
	s float64
	d float32 // km from home; -1 unknown or online
}

// better orders candidates: higher score, then ID.
func better(a, b cand) bool { return a.s > b.s || a.s == b.s && a.o < b.o }

// topK keeps the best k candidates (a min-heap on "better").
type topK struct {
	k int
	h []cand
}

func (t *topK) push(c cand) {
	if len(t.h) < t.k {
		t.h = append(t.h, c)
		for j := len(t.h) - 1; j > 0; {
			p := (j - 1) / 2
			if !better(t.h[p], t.h[j]) {
				break
			}
			t.h[p], t.h[j] = t.h[j], t.h[p]
			j = p
		}
		return
	}
	if !better(c, t.h[0]) {
		return
	}
	t.h[0] = c
	for j := 0; ; {
		l, r, m := 2*j+1, 2*j+2, j
		if l < len(t.h) && better(t.h[m], t.h[l]) {
			m = l
		}
		if r < len(t.h) && better(t.h[m], t.h[r]) {
			m = r
		}
		if m == j {
			break
		}
		t.h[j], t.h[m] = t.h[m], t.h[j]
		j = m
	}
}

// sorted returns the kept candidates, best first.
func (t *topK) sorted() []cand {
	out := slices.Clone(t.h)
	slices.SortFunc(out, func(a, b cand) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}

// scratch is per-Rank memory reused across calls: which items are eligible
// (stamp == gen) and their scores.
type scratch struct {
	gen   uint32
	stamp []uint32
	score []float32
}

func (c *Catalog) getScratch() *scratch {
	s, _ := c.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{stamp: make([]uint32, len(c.items)), score: make([]float32, len(c.items))}
	}
	s.gen++
	if s.gen == 0 { // wrapped: clear old stamps
		clear(s.stamp)
		s.gen = 1
	}
	return s
}

func (c *Catalog) putScratch(s *scratch) { c.scratch.Put(s) }

// ranker is one Rank call.
type ranker struct {
	c          *Catalog
	p          person
	o          Options
	now, later int64
	wantKind   int // -1 both
	limit      int
	refine     Refine
	strengths  bool // the person answered the strengths questions
	nearKm     float64
	radius     float64 // travel km, or any_km
	distScale  float64
	provReach  []uint8
	textQ      *search.Query
	matcher    *search.Matcher
	textProvs  []bool
	fieldW     [32]float64
	riasecFit  [64]float64
	demand     [32]float64
	demandProv [32]bool // demand came from the person's province, not region
	feedback   map[int32]float64
	excl       [numExcl]int
	pools      [2]topK
	gapPool    topK
	eligibleN  int
	built      map[int32]Result
	credBest   [32]cand // per field: best eligible course with credits or a TPQI level
	sc         *scratch
}

// Rank ranks the catalog for one person. It does no I/O and is
// deterministic: the same catalog, profile and options give the same
// ranking, ties broken by item ID.
func (c *Catalog) Rank(p Profile, o Options) Ranking {
	r := &ranker{c: c, p: readProfile(p), o: o, wantKind: -1, refine: o.Filters}
	_, r.strengths = p["strengths"]
	r.prepare()
	r.sc = c.getScratch()
	defer c.putScratch(r.sc)
	r.scan()
	return r.finish()
}

func (r *ranker) prepare() {
	o, p, l := r.o, &r.p, &cfg.limits
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	r.now = o.Now.Unix()
	r.later = o.Now.Add(time.Duration(l.StartWithinDays) * 24 * time.Hour).Unix()
	r.limit = o.Limit
	if r.limit <= 0 {
		r.limit = 10
	}
	switch o.Kind {
	case "course", "courses":
		r.wantKind = int(kindCourse)
	case "opening", "openings", "job", "jobs":
		r.wantKind = int(kindOpening)
	}
	pool := max(r.limit*l.PoolFactor, 60)
	r.pools[0].k, r.pools[1].k = pool, pool
	r.gapPool.k = 10
	for i := range r.credBest {
		r.credBest[i].i = -1
	}

	switch p.travel {
	case travelKm:
		r.radius, r.distScale = p.travelKm, p.travelKm
	default:
		r.radius, r.distScale = l.AnyKm, l.DistanceScaleKm
	}
	r.nearKm = l.NearKm
	if p.travel == travelKm {
		r.nearKm = min(r.nearKm, p.travelKm)
	}

	if o.Filters.Text != "" {
		q := search.Parse(o.Filters.Text)
		r.textQ = &q
		r.matcher = r.c.index.Match(q)
		r.refine.Free = r.refine.Free || q.Free
		r.refine.Online = r.refine.Online || q.Online
		r.textProvs = make([]bool, len(provinces))
		for _, code := range q.Provinces {
			if i := provinceIndex(code); i >= 0 {
				r.textProvs[i] = true
			}
		}
	}

	r.provReach = make([]uint8, len(provinces))
	for i, pr := range provinces {
		switch {
		case r.textProvs != nil && r.textProvs[i] && p.travel != travelOnline:
			r.provReach[i] = reachAll
		case p.travel == travelOnline:
			r.provReach[i] = reachNone
		case !p.hasLoc:
			r.provReach[i] = reachAll
		case p.travel != travelKm && pr.Region == p.region:
			r.provReach[i] = reachAll
		default:
			seat := r.km(pr.Lat, pr.Lng)
			if seat-r.c.reach[i] > r.radius {
				r.provReach[i] = reachNone
			}
		}
	}

	for f := range fields {
		if p.likes[f] {
			r.fieldW[f] = 1
		}
	}
	for m := range r.riasecFit {
		s := 0.0
		for li := range 6 {
			if m&(1<<li) != 0 {
				s += p.riasec[li]
			}
		}
		r.riasecFit[m] = min(1, s)
	}
	occ := o.Occupations
	if len(occ) == 0 {
		occ = r.c.occupations
	}
	provCode := ""
	if p.prov >= 0 {
		provCode = provinces[p.prov].Code
	}
	for _, oc := range occ {
		f := fieldIndex(oc.ID)
		if f < 0 {
			continue
		}
		lv, fromProv := oc.Demand[provCode], true
		if _, ok := oc.Demand[provCode]; !ok || provCode == "" {
			lv, fromProv = oc.Demand[p.region], false
		}
		switch {
		case lv >= 3:
			r.demand[f] = 1
		case lv == 2:
			r.demand[f] = 0.5
		}
		r.demandProv[f] = fromProv
	}
	if len(o.Feedback) > 0 {
		r.feedback = make(map[int32]float64, len(o.Feedback))
		for id, v := range o.Feedback {
			if i, ok := r.c.byID[id]; ok && v != 0 {
				r.feedback[i] = max(-1, min(1, float64(v)/l.FeedbackVotes))
			}
		}
	}
}

// km is the distance from the person to a point: an equirectangular
// approximation (within 1% of the great circle at these distances), cheap
// enough for every item.
func (r *ranker) km(lat, lng float64) float64 {
	dy := (lat - r.p.lat) * 110.574
	dx := (lng - r.p.lng) * 111.320 * r.p.cosLat
	return math.Sqrt(dx*dx + dy*dy)
}

// scan runs every item through the rules, scoring the eligible ones. Whole
// provinces out of reach are counted without looking at their items.
func (r *ranker) scan() {
	c := r.c
	if r.matcher != nil && r.textQ.HasContent() {
		cands := r.matcher.Candidates()
		r.excl[xText] += len(c.items) - len(cands)
		for _, i := range cands {
			r.eval(i)
		}
		return
	}
	for k := range 2 {
		for b, rg := range c.buckets[k] {
			if rg[1] == rg[0] {
				continue
			}
			if pi := b - 1; pi >= 0 && pi < len(provinces) && r.provReach[pi] == reachNone {
				if r.p.travel == travelOnline {
					r.excl[xOnlineOnly] += int(rg[1] - rg[0])
				} else {
					r.excl[xDistance] += int(rg[1] - rg[0])
				}
				continue
			}
			for i := rg[0]; i < rg[1]; i++ {
				r.eval(i)
			}
		}
	}
}

// eval applies the hard rules to item i in order, counts the first one it
// breaks, and scores it if it breaks none. Openings held back only by
// education or skills become skill-gap candidates.
func (r *ranker) eval(i int32) {
	it := &r.c.items[i]
	p := &r.p
	d := -1.0
	// Reachable.
	if it.mode == modeOnline {
		if p.deviceNone {
			r.excl[xNoDevice]++
			return
		}
	} else {
		switch {
		case p.travel == travelOnline:
			r.excl[xOnlineOnly]++
			return
		case !it.has(flagHasPlace):
			if p.hasLoc {
				r.excl[xNoPlace]++
				return
			}
		case p.hasLoc:
			d = r.km(float64(it.lat), float64(it.lng))
			reach := reachCheck
			if it.prov >= 0 {
				reach = r.provReach[it.prov]
			}
			switch reach {
			case reachNone:
				r.excl[xDistance]++
				return
			case reachCheck:
				if d > r.radius && !(p.travel != travelKm && it.prov >= 0 && provinces[it.prov].Region == p.region) {
					r.excl[xDistance]++
					return
				}
			}
		}
	}
	// Open now or soon.
	if it.closes != 0 && int64(it.closes) <= r.now {
		r.excl[xClosed]++
		return
	}
	if it.start != 0 && int64(it.start) > r.later {
		r.excl[xLater]++
		return
	}
	// Age and labour law.
	if p.age > 0 && (it.minAge > 0 && p.age < int(it.minAge) || it.maxAge > 0 && p.age > int(it.maxAge)) {
		r.excl[xAge]++
		return
	}
	if it.kind == kindOpening && (p.age > 0 && p.age < 15 || (p.age == 0 || p.age < 18) && it.has(flagNightWork)) {
		r.excl[xLabour]++
		return
	}
	// Education and skills: an opening held back only by these is a gap.
	first := xNone
	if p.edu > 0 && it.minEdu > p.edu {
		first = xEducation
	}
	if it.kind == kindOpening && r.strengths && it.needs&^p.skills != 0 && !it.has(flagTraining) && first == xNone {
		first = xSkills
	}
	if first != xNone && it.kind != kindOpening {
		r.excl[first]++
		return
	}
	if code := r.lateRules(it, i, d); code != xNone {
		if first == xNone {
			first = code
		}
		r.excl[first]++
		return
	}
	var comps [numComps]float64
	s := r.score(it, i, d, &comps)
	if first != xNone {
		r.excl[first]++
		r.gapPool.push(cand{i: i, o: it.ord, s: s, d: float32(d)})
		return
	}
	cd := cand{i: i, o: it.ord, s: s, d: float32(d)}
	r.sc.stamp[i] = r.sc.gen
	r.sc.score[i] = float32(s)
	r.pools[it.kind].push(cd)
	if it.kind == kindCourse && it.field >= 0 && it.earns&(earnCredit|earnTPQI) != 0 {
		if b := r.credBest[it.field]; b.i < 0 || better(cd, b) {
			r.credBest[it.field] = cd
		}
	}
	if r.wantKind >= 0 && int(it.kind) != r.wantKind {
		r.excl[xKind]++
	} else {
		r.eligibleN++
	}
}

// lateRules are the rules after education: schedule, budget, refinements,
// typed search. It returns the code of the first one broken, or xNone.
func (r *ranker) lateRules(it *item, i int32, d float64) int {
	if !r.fitsTime(it) {
		return xSchedule
	}
	if it.kind == kindCourse && r.p.budget >= 0 && int(it.cost) > r.p.budget {
		return xBudget
	}
	f := &r.refine
	switch {
	case f.Online && it.mode != modeOnline:
		return xRefine
	case f.Near && (it.mode == modeOnline || d >= 0 && d > r.nearKm):
		return xRefine
	case f.Free && it.kind == kindCourse && it.cost > 0:
		return xRefine
	case f.Paid && !(it.kind == kindOpening && it.payMonth > 0 || it.kind == kindCourse && it.allowance > 0):
		return xRefine
	case f.Weekend && it.days&weekendBits == 0 && !it.has(flagSelfPaced):
		return xRefine
	}
	if r.matcher != nil && r.matcher.Score(int(i)) < search.MinScore {
		return xText
	}
	return xNone
}

// fitsTime: the item's times fit the person's free time.
func (r *ranker) fitsTime(it *item) bool {
	selfPaced := it.has(flagSelfPaced)
	free := it.mode == modeOnline || selfPaced
	switch r.p.time {
	case timeWeekday:
		return free || (it.days == 0 || it.days&weekdayBits != 0) && (it.tStart < 0 || int(it.tStart) < cfg.eveningM)
	case timeEvening:
		return free || int(it.tStart) >= cfg.eveningM
	case timeWeekend:
		return free || it.days&weekendBits != 0
	case timeLittle:
		return it.mode == modeOnline && selfPaced || it.hoursWeek >= 0 && float64(it.hoursWeek) <= cfg.limits.LittleHoursWeek
	}
	return true
}

// score computes the weighted components of an eligible item.
func (r *ranker) score(it *item, i int32, d float64, comps *[numComps]float64) float64 {
	p, l := &r.p, &cfg.limits
	if it.field >= 0 {
		comps[compField] = r.fieldW[it.field]
		comps[compDemand] = r.demand[it.field]
	}
	comps[compRiasec] = r.riasecFit[it.riasec]
	comps[compGoal] = r.goal(it)

	// Cost.
	if it.kind == kindOpening || it.cost == 0 {
		comps[compCost] = 1
	} else {
		comps[compCost] = max(0, 0.8*(1-float64(it.cost)/p.budgetScale))
	}
	// Distance.
	switch {
	case it.mode == modeOnline:
		comps[compDistance] = l.OnlineDistance
	case d < 0:
		comps[compDistance] = 0.3
	default:
		comps[compDistance] = max(0, 1-d/r.distScale)
	}
	// Schedule.
	sched := l.CompatibleFit
	switch {
	case r.exactTime(it):
		sched = 1
	case it.has(flagSelfPaced) || it.mode == modeOnline:
		sched = l.SelfPacedFit
	}
	if p.hours > 0 && it.hoursWeek > float32(p.hours) {
		sched -= 0.5
	}
	comps[compSchedule] = sched
	// Access: caring duties, disability, limited data.
	acc := 0.0
	if p.caring {
		switch {
		case it.mode == modeOnline && it.has(flagSelfPaced):
			acc = 1
		case it.hoursWeek >= 0 && float64(it.hoursWeek) <= l.LittleHoursWeek:
			acc = 0.8
		case it.days != 0 && it.days&weekdayBits == 0:
			acc = 0.6
		}
	}
	if p.disability {
		switch {
		case it.mode == modeOnline:
			acc = max(acc, 1)
		case d >= 0 && d <= 5:
			acc = max(acc, 0.6)
		}
	}
	if p.wifi && it.mode == modeOnline && it.hours > 20 {
		acc -= 0.3
	}
	comps[compAccess] = acc
	// Earns.
	e := 0.0
	if it.kind == kindOpening {
		e = 0.8*min(1, float64(it.payMonth)/l.FullPayBaht) + b2f(it.has(flagTraining))*0.2
	} else {
		if it.allowance > 0 {
			e += 0.4 + 0.2*min(1, float64(it.allowance)/3000)
		}
		if it.earns&earnTPQI != 0 {
			e += 0.4
		} else if it.earns&earnCredit != 0 {
			e += 0.3
		} else if it.earns&earnCert != 0 {
			e += 0.2
		}
		e = min(1, e)
	}
	comps[compEarns] = e
	// Skills the person has, for openings.
	if it.kind == kindOpening && it.nSkills > 0 && p.skills != 0 {
		comps[compSkills] = float64(bits.OnesCount8(it.needs&p.skills)) / float64(it.nSkills)
	}
	if r.feedback != nil {
		comps[compFeedback] = r.feedback[i]
	}
	if r.matcher != nil {
		comps[compText] = r.matcher.Score(int(i))
	}
	s := 0.0
	for k := range comps {
		comps[k] *= cfg.weights[k]
		s += comps[k]
	}
	return s
}

// exactTime: the item is at exactly the time the person said they are free.
func (r *ranker) exactTime(it *item) bool {
	switch r.p.time {
	case timeWeekday:
		return it.days != 0 && it.days&weekendBits == 0 && it.tStart >= 0 && int(it.tStart) < cfg.eveningM
	case timeEvening:
		return int(it.tStart) >= cfg.eveningM
	case timeWeekend:
		return it.days != 0 && it.days&weekdayBits == 0
	case timeLittle:
		return it.mode == modeOnline && it.has(flagSelfPaced)
	}
	return false
}

// goal scores how well an item serves what the person needs most.
func (r *ranker) goal(it *item) float64 {
	l := &cfg.limits
	switch r.p.need {
	case "income":
		if it.kind == kindOpening {
			if it.payMonth > 0 {
				return 0.7 + 0.3*min(1, float64(it.payMonth)/l.FullPayBaht)
			}
			return 0
		}
		if it.allowance > 0 {
			return 0.6 + 0.3*min(1, float64(it.allowance)/3000)
		}
	case "qualification":
		if it.kind == kindCourse {
			switch {
			case it.earns&earnTPQI != 0:
				return 1
			case it.earns&earnCredit != 0:
				return 0.85
			case it.earns&earnCert != 0:
				return 0.6
			}
			return 0
		}
		switch it.okind {
		case okDual:
			return 0.9
		case okApprentice:
			return 0.7
		}
		if it.has(flagTraining) {
			return 0.3
		}
	case "unsure":
		if it.kind == kindCourse {
			v := 0.0
			if it.hours > 0 && int(it.hours) <= l.ShortCourseHours && it.cost <= 500 {
				v = 0.8
			}
			if it.cost == 0 {
				v += 0.2
			}
			return v
		}
		if it.okind == okSchoolBreak || it.okind == okPartTime {
			return 0.4
		}
	}
	return 0
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// finish picks the results (diversity re-rank), pairs and gaps and explains
// them.
func (r *ranker) finish() Ranking {
	out := Ranking{Excluded: map[string]int{}, Eligible: r.eligibleN}
	for k, n := range r.excl {
		if n > 0 {
			out.Excluded[exclCodes[k]] = n
		}
	}
	courses, openings := r.pools[0].sorted(), r.pools[1].sorted()
	var pool []cand
	switch r.wantKind {
	case int(kindCourse):
		pool = courses
	case int(kindOpening):
		pool = openings
	default:
		pool = append(slices.Clone(courses), openings...)
		slices.SortFunc(pool, func(a, b cand) int {
			if better(a, b) {
				return -1
			}
			if better(b, a) {
				return 1
			}
			return 0
		})
	}
	for _, cd := range r.diversify(pool) {
		out.Results = append(out.Results, r.result(cd))
	}
	out.Pairs = r.pairs(courses, openings)
	out.Gaps = r.gaps()
	return out
}

// diversify takes the best candidates with at most per_provider from one
// provider or employer, and not all from one field when another is on offer.
// When the rule leaves too few, the best of the rest fill up.
func (r *ranker) diversify(pool []cand) []cand {
	per := map[int32]int{}
	var out, rest []cand
	for _, cd := range pool {
		pv := r.c.provider[cd.i]
		if len(out) < r.limit && per[pv] < cfg.limits.PerProvider {
			out = append(out, cd)
			per[pv]++
		} else {
			rest = append(rest, cd)
		}
	}
	if len(out) >= 3 {
		f := r.c.items[out[0].i].field
		same := true
		for _, cd := range out {
			if r.c.items[cd.i].field != f {
				same = false
				break
			}
		}
		if same {
			for k, cd := range rest {
				if r.c.items[cd.i].field != f && per[r.c.provider[cd.i]] < cfg.limits.PerProvider {
					out[len(out)-1] = cd
					rest = slices.Delete(rest, k, k+1)
					break
				}
			}
		}
	}
	for _, cd := range rest {
		if len(out) >= r.limit {
			break
		}
		out = append(out, cd)
	}
	slices.SortStableFunc(out, func(a, b cand) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}

// result builds the Result of a candidate, with its breakdown and reasons
// (once per item and Rank).
func (r *ranker) result(cd cand) Result {
	if res, ok := r.built[cd.i]; ok {
		return res
	}
	res := r.buildResult(cd)
	if r.built == nil {
		r.built = map[int32]Result{}
	}
	r.built[cd.i] = res
	return res
}

func (r *ranker) buildResult(cd cand) Result {
	it := &r.c.items[cd.i]
	var comps [numComps]float64
	s := r.score(it, cd.i, float64(cd.d), &comps)
	res := Result{ID: r.c.ids[cd.i], Score: round3(s), Breakdown: map[string]float64{}, DistanceKm: -1}
	for k, v := range comps {
		if v != 0 {
			res.Breakdown[compNames[k]] = round3(v)
		}
	}
	if it.kind == kindCourse {
		co := r.c.courses[it.idx]
		res.Kind, res.Course = "course", &co
	} else {
		op := r.c.openings[it.idx]
		res.Kind, res.Opening = "opening", &op
	}
	if cd.d >= 0 {
		res.DistanceKm = math.Round(float64(cd.d)*10) / 10
	}
	res.Reasons = r.reasons(it, &comps, float64(cd.d))
	return res
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// eligible reports whether item i passed every rule in this Rank, and its score.
func (r *ranker) eligible(i int32) (float64, bool) {
	if r.sc.stamp[i] != r.sc.gen {
		return 0, false
	}
	return float64(r.sc.score[i]), true
}

// pairs finds earn-while-learning pairs among the best courses and openings.
func (r *ranker) pairs(courses, openings []cand) []Pair {
	const top = 30
	courses, openings = courses[:min(top, len(courses))], openings[:min(top, len(openings))]
	type pc struct {
		c, o cand
		s    float64
		km   float64
	}
	// Keep the best few pairs (more than asked: the same course or opening
	// may not appear twice).
	const keep = 24
	pcBetter := func(a, b pc) bool {
		return a.s > b.s || a.s == b.s && (a.c.o < b.c.o || a.c.o == b.c.o && a.o.o < b.o.o)
	}
	all := make([]pc, 0, keep)
	for _, cc := range courses {
		ci := &r.c.items[cc.i]
		for _, oc := range openings {
			oi := &r.c.items[oc.i]
			if oi.payMonth <= 0 || ci.field < 0 || oi.field < 0 || !cfg.related[ci.field][oi.field] || !timesCompatible(ci, oi) {
				continue
			}
			km := -1.0
			if ci.mode != modeOnline {
				if !ci.has(flagHasPlace) || !oi.has(flagHasPlace) {
					continue
				}
				km = distanceKm(ci, oi)
				if km > cfg.limits.PairKm {
					continue
				}
			}
			x := pc{c: cc, o: oc, s: (cc.s + oc.s) / 2, km: km}
			if ci.field == oi.field {
				x.s += 0.5
			}
			if len(all) == keep && !pcBetter(x, all[keep-1]) {
				continue
			}
			pos := len(all)
			for pos > 0 && pcBetter(x, all[pos-1]) {
				pos--
			}
			if len(all) < keep {
				all = append(all, pc{})
			}
			copy(all[pos+1:], all[pos:len(all)-1])
			all[pos] = x
		}
	}
	var out []Pair
	usedC, usedO := map[int32]bool{}, map[int32]bool{}
	for _, x := range all {
		if len(out) >= cfg.limits.Pairs {
			break
		}
		if usedC[x.c.i] || usedO[x.o.i] {
			continue
		}
		usedC[x.c.i], usedO[x.o.i] = true, true
		reasons := []Reason{phrase("pair")}
		ci := &r.c.items[x.c.i]
		if !ci.has(flagSelfPaced) && !r.c.items[x.o.i].has(flagSelfPaced) {
			reasons = append(reasons, phrase("pair_times"))
		}
		if x.km >= 0 {
			reasons = append(reasons, phrase("pair_km", "km", kmText(x.km)))
		} else {
			reasons = append(reasons, phrase("pair_online"))
		}
		out = append(out, Pair{Course: r.result(x.c), Opening: r.result(x.o), Score: round3(x.s), Reasons: reasons})
	}
	return out
}

// timesCompatible: no overlapping hours on a shared day. Items with no fixed
// days or times fit anything; on a shared day unknown times count as a clash.
func timesCompatible(a, b *item) bool {
	if a.has(flagSelfPaced) || b.has(flagSelfPaced) || a.days&b.days == 0 && a.days != 0 && b.days != 0 {
		return true
	}
	if a.tStart < 0 || a.tEnd < 0 || b.tStart < 0 || b.tEnd < 0 {
		return a.days != 0 && b.days != 0 && a.days&b.days == 0
	}
	if a.days != 0 && b.days != 0 && a.days&b.days == 0 {
		return true
	}
	return a.tEnd <= b.tStart || b.tEnd <= a.tStart
}

func distanceKm(a, b *item) float64 {
	dy := float64(a.lat-b.lat) * 110.574
	dx := float64(a.lng-b.lng) * 111.320 * math.Cos(float64(a.lat)*math.Pi/180)
	return math.Sqrt(dx*dx + dy*dy)
}

// gaps pairs the best openings held back by education or skills with an
// eligible course that leads to them.
func (r *ranker) gaps() []Gap {
	var out []Gap
	for _, oc := range r.gapPool.sorted() {
		if len(out) >= cfg.limits.Gaps {
			break
		}
		op := &r.c.items[oc.i]
		var missing []string
		eduGap := r.p.edu > 0 && op.minEdu > r.p.edu
		var need []int32
		if lack := op.needs &^ r.p.skills; r.strengths && lack != 0 && !op.has(flagTraining) {
			for b, name := range cfg.skillNames {
				if lack&(1<<b) != 0 {
					missing = append(missing, name)
					if id, ok := r.c.skillID[name]; ok {
						need = append(need, id)
					}
				}
			}
		}
		best, cover := cand{i: -1}, 0
		if len(missing) > 0 {
			counts := map[int32]int{}
			for _, s := range need {
				for _, ci := range r.c.teaches[s] {
					if _, ok := r.eligible(ci); ok {
						counts[ci]++
					}
				}
			}
			for ci, n := range counts {
				s, _ := r.eligible(ci)
				cd := cand{i: ci, o: r.c.items[ci].ord, s: s}
				if n > cover || n == cover && better(cd, best) {
					best, cover = cd, n
				}
			}
		} else if eduGap && op.field >= 0 {
			best = r.credBest[op.field]
		}
		if best.i < 0 {
			continue
		}
		reason := phrase("gap")
		if eduGap {
			lv := strings.ToLower(strings.TrimSpace(r.c.openings[op.idx].MinEdu))
			missing = append(missing, "education:"+lv)
			if len(missing) == 1 {
				reason = phrase("gap_edu", "edu", cfg.text.Education[lv])
			}
		}
		ci := &r.c.items[best.i]
		best.d = -1
		if ci.mode != modeOnline && ci.has(flagHasPlace) && r.p.hasLoc {
			best.d = float32(r.km(float64(ci.lat), float64(ci.lng)))
		}
		out = append(out, Gap{Opening: r.result(oc), Course: r.result(best), Missing: missing, Reason: reason})
	}
	return out
}

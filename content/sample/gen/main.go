// Command gen writes Pai Tor's sample data pack: content/sample/courses.csv,
// openings.csv and occupations.csv.
//
// The records are invented, composed from the templates in templates.json
// (kinds of course and work modelled on real Thai programmes: DSD skill
// centres, สกร. district learning centres, Thai MOOC, vocational colleges,
// Young Smart Farmer, Learn to Earn, school-break work, ทวิภาคี). They are not
// real offers: every provider and employer is marked "(ตัวอย่าง)", links go to
// example.org and phone numbers start 000, which no Thai number does.
//
// The output depends only on templates.json and a fixed seed, so running it
// twice writes the same bytes (a test checks the committed files are current).
// It uses the standard library only.
//
//	go run ./content/sample/gen            # from the module root
//	go run ./content/sample/gen -out DIR   # anywhere
package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed templates.json
var templatesJSON []byte

// seed is the fixed seed of the generator's random choices.
const seed = 20261121

// Dates the pack is built around: "today" for the demo is 2026-11-21; items
// run from 2026-11-01 to 2027-06-30.
var (
	today     = day(2026, 11, 21)
	firstDate = day(2026, 11, 1)
	lastDate  = day(2027, 6, 30)
)

// Header rows of the three files.
var (
	courseHeader = []string{
		"source", "external_id", "provider", "title_th", "title_en", "desc_th", "desc_en",
		"skills", "interests", "field", "mode", "province", "district", "lat", "lng",
		"start_date", "end_date", "days", "start_time", "end_time", "hours", "cost_baht",
		"allowance_baht", "earns", "credits", "min_age", "max_age", "min_education", "seats",
		"url", "contact", "opens_at", "closes_at",
	}
	openingHeader = []string{
		"source", "external_id", "employer", "role_th", "role_en", "desc_th", "desc_en",
		"kind", "field", "interests", "skills", "pay_baht", "pay_unit", "hours_week", "days",
		"start_time", "end_time", "training", "province", "district", "lat", "lng",
		"min_age", "min_education", "night", "hazardous", "requirements", "url", "contact",
		"valid_until",
	}
	occupationHeader = []string{"id", "name_th", "name_en", "skills", "demand", "source"}
)

// fields mirrors content.Fields() (the generator imports nothing outside the
// standard library; the package test checks the two agree).
var fields = []string{
	"agriculture", "food_processing", "care", "hospitality_tourism", "crafts",
	"digital", "trades", "retail", "logistics", "beauty", "office",
	"education_support", "health_support", "creative_media",
}

var (
	regions    = []string{"north", "northeast", "central", "east", "west", "south"}
	weekdays   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} // time.Weekday order
	letters    = "RIASEC"
	educations = []string{"p6", "m3", "m6", "pvc", "hvc", "bachelor"}
	payUnits   = []string{"hour", "day", "month"}
	earnValues = []string{"certificate", "credit_bank", "tpqi_1", "tpqi_2", "tpqi_3", "tpqi_4", "tpqi_5"}
	openKinds  = []string{"school_break", "part_time", "apprenticeship", "dual_vocational"}
)

func main() {
	out := flag.String("out", "", "directory to write the CSV files to (default: content/sample, found from the working directory)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		var err error
		if dir, err = findDir(); err != nil {
			return err
		}
	}
	files, stats, err := generate(templatesJSON)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Print(stats)
	return nil
}

// findDir finds content/sample from the working directory: the module root,
// content/sample itself (go generate) or content/sample/gen.
func findDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for _, d := range []string{filepath.Join(wd, "content", "sample"), wd, filepath.Dir(wd)} {
		if _, err := os.Stat(filepath.Join(d, "gen", "templates.json")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("cannot find content/sample from here; run from the module root or pass -out")
}

// ---- templates ----

type data struct {
	Skills       map[string]label               `json:"skills"`
	Schedules    map[string]schedule            `json:"schedules"`
	CourseKinds  map[string]courseKind          `json:"course_kinds"`
	Courses      []courseTmpl                   `json:"courses"`
	OpeningKinds map[string]struct{ Share int } `json:"opening_kinds"`
	Openings     []openingTmpl                  `json:"openings"`
	Occupations  []occupation                   `json:"occupations"`
	Places       []province                     `json:"places"`

	usedCourses  map[*courseTmpl]bool // templates used anywhere so far
	usedOpenings map[*openingTmpl]bool
}

type label struct{ TH, EN string }

type schedule struct {
	Days       []string `json:"days"`
	Start, End string
	Hours      int // teaching hours per session (courses)
}

type tail struct{ When, TH, EN string }

type courseKind struct {
	fit
	Name            string
	Providers       []string
	Mode            string
	Share           int // weight among onsite kinds
	Count           int // online kinds: how many courses
	Cost            [2]int
	CostStep        int     `json:"cost_step"`
	FreeShare       float64 `json:"free_share"`
	AllowancePerDay int     `json:"allowance_per_day"`
	AllowanceShare  float64 `json:"allowance_share"`
	Schedules       []string
	Earns           []string
	MinAge          int    `json:"min_age"`
	MaxAge          int    `json:"max_age"`
	MinEdu          string `json:"min_edu"`
	Seats           [2]int
	Tails           []tail
}

// fit says where a template may be used; empty lists do not restrict.
type fit struct {
	Regions      []string
	Provinces    []string
	NotProvinces []string `json:"not_provinces"`
	Districts    []string // e.g. only the districts on the Mekong
}

// local reports whether the template is only for some regions or provinces.
func (f *fit) local() bool { return len(f.Regions) > 0 || len(f.Provinces) > 0 || len(f.Districts) > 0 }

func (f fit) fits(p *province) bool {
	return (len(f.Regions) == 0 || slices.Contains(f.Regions, p.Region)) &&
		(len(f.Provinces) == 0 || slices.Contains(f.Provinces, p.Code)) &&
		!slices.Contains(f.NotProvinces, p.Code) &&
		(len(f.Districts) == 0 || slices.ContainsFunc(p.Districts, func(d district) bool { return slices.Contains(f.Districts, d.TH) }))
}

type courseTmpl struct {
	fit
	Kind, Field    string
	TitleTH        string `json:"title_th"`
	TitleEN        string `json:"title_en"`
	DescTH         string `json:"desc_th"`
	DescEN         string `json:"desc_en"`
	Skills         []string
	Interests      []string
	Hours          [2]int
	Earns          []string
	MinAge         int    `json:"min_age"`
	MinEdu         string `json:"min_edu"` // "-" clears the kind's default
	Cost           *[2]int
	CostStep       int    `json:"cost_step"`
	Allowance      string // "daily": always the kind's daily allowance
	AllowanceTotal [2]int `json:"allowance_total"`
	Hybrid         bool
	Providers      []string
	Weight         int
}

type openingTmpl struct {
	fit
	Kind, Field  string
	RoleTH       string `json:"role_th"`
	RoleEN       string `json:"role_en"`
	DescTH       string `json:"desc_th"`
	DescEN       string `json:"desc_en"`
	Interests    []string
	Skills       []string
	Employers    []string
	Pay          [2]int
	PayStep      int `json:"pay_step"`
	Unit         string
	Shifts       []string
	Training     bool
	MinAge       int    `json:"min_age"`
	MinEdu       string `json:"min_edu"`
	Hazardous    bool
	Requirements string
	Weight       int
}

type occupation struct {
	ID     string         `json:"id"`
	NameTH string         `json:"name_th"`
	NameEN string         `json:"name_en"`
	Skills []string       `json:"skills"`
	Demand map[string]int `json:"demand"`
}

type district struct {
	TH       string
	Lat, Lng float64
}

type province struct {
	Code, Region, TH string
	Courses          int
	Openings         int
	City             string
	DSD              string
	Districts        []district
}

// district picks where an item is: the provincial seat with probability
// seat, else any district. A local government's work and courses are in its
// own town (Bangkok's district offices are in every district).
func (p *province) district(r *rng, pattern string, seat float64, f fit) district {
	if len(f.Districts) > 0 {
		var ok []district
		for _, d := range p.Districts {
			if slices.Contains(f.Districts, d.TH) {
				ok = append(ok, d)
			}
		}
		return pick(r, ok)
	}
	if strings.Contains(pattern, "{city}") && !strings.Contains(p.City, "{district}") {
		return p.Districts[0]
	}
	if r.float() < seat {
		return p.Districts[0]
	}
	return pick(r, p.Districts)
}

// ---- output records ----

type course struct {
	kind                                       string
	provider, titleTH, titleEN, descTH, descEN string
	skills, interests                          []string
	field, mode, province, district            string
	lat, lng                                   float64
	start, end                                 time.Time
	days                                       []string
	startTime, endTime                         string
	hours, cost, allowance                     int
	earns                                      []string
	credits, minAge, maxAge                    int
	minEdu                                     string
	seats                                      int
	opens, closes                              time.Time
	sessions                                   int
	selfPaced                                  bool
	tmpl                                       *courseTmpl
	prov                                       *province
}

type opening struct {
	employer, roleTH, roleEN, descTH, descEN string
	kind, field                              string
	interests, skills                        []string
	pay                                      int
	unit                                     string
	hoursWeek                                int
	days                                     []string
	startTime, endTime                       string
	training                                 bool
	province, district                       string
	lat, lng                                 float64
	minAge                                   int
	minEdu                                   string
	night, hazardous                         bool
	requirements                             string
	validUntil                               time.Time
	prov                                     *province
}

// ---- generation ----

func generate(src []byte) (map[string][]byte, string, error) {
	var d data
	dec := json.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&d); err != nil {
		return nil, "", fmt.Errorf("templates.json: %w", err)
	}
	if err := d.check(); err != nil {
		return nil, "", fmt.Errorf("templates.json: %w", err)
	}
	r := &rng{s: seed}
	d.usedCourses, d.usedOpenings = map[*courseTmpl]bool{}, map[*openingTmpl]bool{}
	courses := d.courses(r)
	openings := d.openings(r)
	files := map[string][]byte{
		"courses.csv":     writeCSV(courseHeader, courseRows(courses)),
		"openings.csv":    writeCSV(openingHeader, openingRows(openings)),
		"occupations.csv": writeCSV(occupationHeader, d.occupationRows()),
	}
	return files, summary(courses, openings), nil
}

func (d *data) courses(r *rng) []*course {
	var out []*course
	// Onsite and hybrid: a provincial skill centre course in every province,
	// a district learning centre course and a care course in the bigger ones
	// (all three exist everywhere), then kinds by share.
	var onsiteKinds []string
	for _, k := range slices.Sorted(maps.Keys(d.CourseKinds)) {
		if d.CourseKinds[k].Mode == "onsite" {
			onsiteKinds = append(onsiteKinds, k)
		}
	}
	for pi := range d.Places {
		p := &d.Places[pi]
		used := map[*courseTmpl]bool{}
		for j := range p.Courses {
			kind := ""
			switch {
			case j == 0:
				kind = "dsd"
			case j == 1 && p.Courses >= 4:
				kind = "skr"
			case j == 2 && p.Courses >= 5:
				kind = "care" // care work is wanted everywhere
			default:
				kind = weighted(r, onsiteKinds, func(k string) int { return d.CourseKinds[k].Share })
				if k := unseenLocalKind(d.Courses, d.usedCourses, p); k != "" && r.float() < 0.5 {
					kind = k // give templates for a few places their chance
				}
			}
			t := d.pickCourse(r, kind, p, used)
			if t == nil { // nothing of that kind fits here: fall back to a district learning centre course
				t = d.pickCourse(r, "skr", p, used)
			}
			used[t] = true
			out = append(out, d.onsiteCourse(r, t, p))
		}
	}
	// Online: each kind's templates in turn until its count is reached.
	for _, k := range slices.Sorted(maps.Keys(d.CourseKinds)) {
		ck := d.CourseKinds[k]
		if ck.Mode != "online" {
			continue
		}
		var ts []*courseTmpl
		for i := range d.Courses {
			if d.Courses[i].Kind == k {
				ts = append(ts, &d.Courses[i])
			}
		}
		shuffle(r, ts)
		for j := range ck.Count {
			out = append(out, d.onlineCourse(r, ts[j%len(ts)]))
		}
	}
	shuffle(r, out)
	for i, c := range out {
		d.courseDates(r, i, c)
	}
	return out
}

// template is what courseTmpl and openingTmpl share for picking.
type template[T any] interface {
	*T
	local() bool
	fits(*province) bool
	kindName() string
}

func (t *courseTmpl) kindName() string  { return t.Kind }
func (t *openingTmpl) kindName() string { return t.Kind }

// unseenLocalKind returns the kind of the first template made for some
// regions, provinces or districts only that fits p and has not been used
// yet, or "".
func unseenLocalKind[T any, P template[T]](ts []T, used map[*T]bool, p *province) string {
	for i := range ts {
		t := P(&ts[i])
		if t.local() && t.fits(p) && !used[&ts[i]] {
			return t.kindName()
		}
	}
	return ""
}

func (d *data) pickCourse(r *rng, kind string, p *province, here map[*courseTmpl]bool) *courseTmpl {
	if !d.CourseKinds[kind].fits(p) {
		return nil
	}
	return pickTemplate(r, d.Courses, kind, p, here, d.usedCourses, func(t *courseTmpl) int { return t.Weight })
}

func (d *data) pickOpening(r *rng, kind string, p *province, here map[*openingTmpl]bool) *openingTmpl {
	return pickTemplate(r, d.Openings, kind, p, here, d.usedOpenings, func(t *openingTmpl) int { return t.Weight })
}

// pickTemplate picks a template of a kind that fits the place, by weight:
// one never used anywhere yet if there is one, those made for a few places
// first (so every template appears somewhere), else one not yet used in this
// place, else any. It returns nil when none of the kind fits.
func pickTemplate[T any, P template[T]](r *rng, ts []T, kind string, p *province, here, anywhere map[*T]bool, weight func(*T) int) *T {
	var fresh, unseen, unseenLocal, all []*T
	for i := range ts {
		t := &ts[i]
		if P(t).kindName() != kind || !P(t).fits(p) {
			continue
		}
		all = append(all, t)
		if !here[t] {
			fresh = append(fresh, t)
			if !anywhere[t] {
				unseen = append(unseen, t)
				if P(t).local() {
					unseenLocal = append(unseenLocal, t)
				}
			}
		}
	}
	switch {
	case len(unseenLocal) > 0:
		all = unseenLocal
	case len(unseen) > 0:
		all = unseen
	case len(fresh) > 0:
		all = fresh
	case len(all) == 0:
		return nil
	}
	t := weighted(r, all, func(t *T) int { return max(weight(t), 1) })
	anywhere[t] = true
	return t
}

func (d *data) onsiteCourse(r *rng, t *courseTmpl, p *province) *course {
	k := d.CourseKinds[t.Kind]
	pattern := pick(r, or(t.Providers, k.Providers))
	dist := p.district(r, pattern, 0.45, t.fit)
	c := d.baseCourse(r, t, k)
	c.prov = p
	c.mode = "onsite"
	c.province, c.district = p.Code, dist.TH
	c.lat = round4(dist.Lat + (r.float()-0.5)*0.04)
	c.lng = round4(dist.Lng + (r.float()-0.5)*0.04)
	c.provider = expand(pattern, p, dist.TH)

	// Schedule: pre-employment (long) skill-centre courses are full-time on
	// weekdays; hybrid courses meet on Saturday mornings and do half the hours online.
	sid := pick(r, k.Schedules)
	if t.Kind == "dsd" && c.hours >= 90 {
		sid = "wk_day"
	}
	onsiteHours := c.hours
	if t.Hybrid && r.float() < 0.5 {
		c.mode, sid = "hybrid", "hy_sat"
		onsiteHours = (c.hours + 1) / 2
	}
	s := d.Schedules[sid]
	c.days, c.startTime, c.endTime = s.Days, s.Start, s.End
	c.sessions = (onsiteHours + s.Hours - 1) / s.Hours

	// Money: fees, then allowances (a daily allowance for skill-centre
	// courses; pay from real work for Learn to Earn programmes).
	switch {
	case t.Cost != nil:
		if r.float() < 0.5 {
			c.cost = 0
		} else {
			c.cost = roundTo(r.between(t.Cost[1]/2, t.Cost[1]), max(t.CostStep, 100))
		}
	case k.Cost[1] > 0:
		if r.float() < k.FreeShare {
			c.cost = 0
		} else {
			c.cost = roundTo(r.between(max(k.Cost[0], k.CostStep), k.Cost[1]), max(k.CostStep, 1))
		}
	}
	switch {
	case t.AllowanceTotal[1] > 0:
		c.allowance = roundTo(r.between(t.AllowanceTotal[0], t.AllowanceTotal[1]), 100)
	case k.AllowancePerDay > 0 && (t.Allowance == "daily" || r.float() < k.AllowanceShare):
		c.allowance = k.AllowancePerDay * c.sessions
	}
	c.seats = r.between(k.Seats[0], k.Seats[1])
	d.describe(r, c, k)
	return c
}

func (d *data) onlineCourse(r *rng, t *courseTmpl) *course {
	k := d.CourseKinds[t.Kind]
	c := d.baseCourse(r, t, k)
	c.mode = "online"
	c.provider = pick(r, or(t.Providers, k.Providers))
	c.selfPaced = r.float() < 0.5
	d.describe(r, c, k)
	return c
}

func (d *data) baseCourse(r *rng, t *courseTmpl, k courseKind) *course {
	c := &course{
		kind: t.Kind, tmpl: t,
		titleTH: t.TitleTH, titleEN: t.TitleEN,
		skills: t.Skills, interests: t.Interests, field: t.Field,
		hours:  r.between(t.Hours[0], t.Hours[1]),
		minAge: max(k.MinAge, t.MinAge), maxAge: k.MaxAge,
		minEdu: k.MinEdu,
	}
	if t.MinEdu == "-" {
		c.minEdu = ""
	} else if t.MinEdu != "" {
		c.minEdu = t.MinEdu
	}
	for _, e := range append(slices.Clone(k.Earns), t.Earns...) {
		if !slices.Contains(c.earns, e) {
			c.earns = append(c.earns, e)
		}
	}
	if slices.Contains(c.earns, "credit_bank") {
		c.credits = min(max((c.hours+10)/15, 1), 3)
	}
	return c
}

// describe adds one sentence about the money or the credential to the
// template's sentence, chosen among the kind's tails that fit the course.
func (d *data) describe(r *rng, c *course, k courseKind) {
	var ok []tail
	for _, t := range k.Tails {
		if (t.When == "allowance" && c.allowance > 0) ||
			(t.When == "free" && c.cost == 0 && c.allowance == 0) ||
			(t.When == "paid" && c.cost > 0) ||
			(t.When == "credit" && c.credits > 0) ||
			t.When == "any" {
			ok = append(ok, t)
		}
	}
	c.descTH, c.descEN = c.tmpl.DescTH, c.tmpl.DescEN
	if len(ok) == 0 {
		return
	}
	t := pick(r, ok)
	perDay := k.AllowancePerDay
	repl := strings.NewReplacer(
		"{allowance}", baht(c.allowance), "{per_day}", strconv.Itoa(perDay),
		"{days}", strconv.Itoa(c.sessions), "{hours}", strconv.Itoa(c.hours),
		"{cost}", baht(c.cost), "{credits}", strconv.Itoa(c.credits),
	)
	c.descTH += " " + repl.Replace(t.TH)
	c.descEN += " " + repl.Replace(t.EN)
}

// courseDates sets start, end, registration opening and closing. Every
// twelfth course closed its registration before today (expired items stop
// being offered); about one in eight of the rest started already and still
// takes late registrations; the others start in the next months.
func (d *data) courseDates(r *rng, i int, c *course) {
	expired := i%12 == 7
	if c.selfPaced {
		c.opens = firstDate
		switch {
		case expired:
			c.closes = day(2026, 10, 31)
			c.opens = day(2026, 8, 1)
		case r.float() < 0.5:
			c.closes = lastDate
		}
		return
	}
	var start time.Time
	switch {
	case expired:
		c.closes = day(2026, 10, 20).AddDate(0, 0, r.between(0, 25))
		c.opens = c.closes.AddDate(0, 0, -r.between(30, 45))
		start = c.closes.AddDate(0, 0, r.between(4, 10))
		if start.Before(firstDate) {
			start = firstDate
		}
	case r.float() < 0.14 && c.mode != "online" && c.runsPast(firstDate.AddDate(0, 0, 16)):
		// Started already and still running: late registration until a few
		// days before the end.
		start = firstDate.AddDate(0, 0, r.between(1, 16))
		for !c.runsPast(start) {
			start = start.AddDate(0, 0, 1)
		}
		c.start = c.alignStart(start)
		c.end = c.lastSession()
		c.opens = c.start.AddDate(0, 0, -r.between(21, 40))
		c.closes = today.AddDate(0, 0, r.between(4, 20))
		if last := c.end.AddDate(0, 0, -1); c.closes.After(last) {
			c.closes = last
		}
		return
	default:
		if r.float() < 0.8 {
			start = today.AddDate(0, 0, r.between(3, 120)) // the next four months
		} else {
			start = today.AddDate(0, 0, r.between(121, 190))
		}
	}
	if c.mode == "online" {
		// A scheduled run of an online course: four to eight weeks.
		start = c.alignStart(start)
		c.start, c.end = start, start.AddDate(0, 0, 7*r.between(4, 8)-1)
		if over := c.end.Sub(lastDate); over > 0 {
			c.start, c.end = c.start.Add(-over), lastDate
		}
	} else {
		c.start = c.alignStart(start)
		c.end = c.lastSession()
		for c.end.After(lastDate) {
			c.start = c.alignStart(c.start.AddDate(0, 0, -14))
			c.end = c.lastSession()
		}
	}
	if c.closes.IsZero() {
		c.opens = c.start.AddDate(0, 0, -r.between(21, 45))
		c.closes = c.start.AddDate(0, 0, -r.between(2, 7))
		if !c.closes.After(today) {
			c.closes = today.AddDate(0, 0, 1)
		}
		if c.mode == "online" {
			c.closes = c.start.AddDate(0, 0, r.between(7, 14)) // late joiners welcome in week 1–2
		}
	}
	if c.opens.After(c.closes) {
		c.opens = c.closes.AddDate(0, 0, -14)
	}
}

// runsPast reports whether the course, started on the first meeting day
// from start, still has sessions at least a week after today.
func (c *course) runsPast(start time.Time) bool {
	saved := c.start
	c.start = c.alignStart(start)
	end := c.lastSession()
	c.start = saved
	return end.After(today.AddDate(0, 0, 7))
}

// alignStart moves t forward to the course's first meeting day.
func (c *course) alignStart(t time.Time) time.Time {
	if len(c.days) == 0 {
		return t
	}
	for !slices.Contains(c.days, weekdays[t.Weekday()]) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// lastSession walks the calendar from the start over the meeting days.
func (c *course) lastSession() time.Time {
	t, n := c.start, 1
	for n < c.sessions {
		t = t.AddDate(0, 0, 1)
		if slices.Contains(c.days, weekdays[t.Weekday()]) {
			n++
		}
	}
	return t
}

func (d *data) openings(r *rng) []*opening {
	kinds := slices.Clone(openKinds)
	var out []*opening
	for pi := range d.Places {
		p := &d.Places[pi]
		used := map[*openingTmpl]bool{}
		for j := range p.Openings {
			kind := weighted(r, kinds, func(k string) int { return d.OpeningKinds[k].Share })
			if k := unseenLocalKind(d.Openings, d.usedOpenings, p); k != "" && r.float() < 0.5 {
				kind = k
			}
			if j == 0 && p.Openings >= 3 {
				kind = "school_break" // every bigger place has school-break work in a local office
			}
			t := d.pickOpening(r, kind, p, used)
			if t == nil {
				t = d.pickOpening(r, "part_time", p, used)
			}
			used[t] = true
			out = append(out, d.opening(r, t, p))
		}
	}
	shuffle(r, out)
	for i, o := range out {
		o.validUntil = validUntil(r, i, o.kind)
	}
	return out
}

func (d *data) opening(r *rng, t *openingTmpl, p *province) *opening {
	pattern := pick(r, t.Employers)
	dist := p.district(r, pattern, 0.5, t.fit)
	s := d.Schedules[pick(r, t.Shifts)]
	o := &opening{
		employer: expand(pattern, p, dist.TH),
		roleTH:   t.RoleTH, roleEN: t.RoleEN,
		kind: t.Kind, field: t.Field, interests: t.Interests, skills: t.Skills,
		unit: t.Unit, days: s.Days, startTime: s.Start, endTime: s.End,
		training: t.Training, province: p.Code, district: dist.TH,
		lat:    round4(dist.Lat + (r.float()-0.5)*0.04),
		lng:    round4(dist.Lng + (r.float()-0.5)*0.04),
		minAge: max(t.MinAge, 15), minEdu: t.MinEdu, hazardous: t.Hazardous,
		prov: p,
	}
	step := t.PayStep
	if step == 0 {
		step = map[string]int{"hour": 1, "day": 10, "month": 500}[t.Unit]
	}
	o.pay = roundTo(r.between(t.Pay[0], t.Pay[1]), step)
	daily, night := shiftMinutes(s.Start, s.End)
	o.hoursWeek = int(math.Round(float64(daily*len(s.Days)) / 60))
	o.night = night
	if o.night || o.hazardous {
		o.minAge = max(o.minAge, 18) // labour law: no night or hazardous work under 18
	}
	repl := strings.NewReplacer("{pay}", baht(o.pay))
	o.descTH, o.descEN = repl.Replace(t.DescTH), repl.Replace(t.DescEN)
	req := t.Requirements
	if !strings.Contains(req, "อายุ") {
		req = fmt.Sprintf("อายุ %d ปีขึ้นไป %s", o.minAge, req)
	}
	if o.minAge < 18 {
		req += " (อายุต่ำกว่า 20 ปีแนบหนังสือยินยอมผู้ปกครอง)"
	}
	o.requirements = req
	return o
}

// shiftMinutes returns the paid minutes of a shift (an hour's break is
// unpaid when it lasts more than five hours) and whether any of it falls
// between 22:00 and 06:00.
func shiftMinutes(start, end string) (int, bool) {
	s, e := minutes(start), minutes(end)
	if e <= s {
		e += 24 * 60
	}
	night := false
	for m := s; m < e; m++ {
		if h := (m / 60) % 24; h >= 22 || h < 6 {
			night = true
			break
		}
	}
	span := e - s
	if span > 5*60 {
		span -= 60
	}
	return span, night
}

func validUntil(r *rng, i int, kind string) time.Time {
	if i%16 == 9 { // about one in sixteen has already closed
		return day(2026, 10, 25).AddDate(0, 0, r.between(0, 21))
	}
	switch kind {
	case "school_break": // apply before the March–April break
		return day(2027, 2, 15).AddDate(0, 0, r.between(0, 28))
	case "apprenticeship":
		return day(2027, 1, 15).AddDate(0, 0, r.between(0, 105))
	case "dual_vocational": // before the new academic year in May
		return day(2027, 3, 1).AddDate(0, 0, r.between(0, 75))
	default:
		return day(2026, 12, 20).AddDate(0, 0, r.between(0, 192))
	}
}

// ---- rows ----

func courseRows(cs []*course) [][]string {
	var rows [][]string
	for i, c := range cs {
		id := fmt.Sprintf("c%04d", i+1)
		lat, lng := "", ""
		if c.mode != "online" {
			lat, lng = coord(c.lat), coord(c.lng)
		}
		rows = append(rows, []string{
			"sample", id, c.provider, c.titleTH, c.titleEN, c.descTH, c.descEN,
			join(c.skills), join(c.interests), c.field, c.mode, c.province, c.district, lat, lng,
			date(c.start), date(c.end), join(c.days), c.startTime, c.endTime,
			strconv.Itoa(c.hours), strconv.Itoa(c.cost), strconv.Itoa(c.allowance), join(c.earns),
			strconv.Itoa(c.credits), strconv.Itoa(c.minAge), strconv.Itoa(c.maxAge), c.minEdu,
			strconv.Itoa(c.seats), "https://example.org/sample/" + id, contact(id, i), date(c.opens), date(c.closes),
		})
	}
	return rows
}

func openingRows(list []*opening) [][]string {
	var rows [][]string
	for i, o := range list {
		id := fmt.Sprintf("o%04d", i+1)
		rows = append(rows, []string{
			"sample", id, o.employer, o.roleTH, o.roleEN, o.descTH, o.descEN,
			o.kind, o.field, join(o.interests), join(o.skills), strconv.Itoa(o.pay), o.unit,
			strconv.Itoa(o.hoursWeek), join(o.days), o.startTime, o.endTime, strconv.FormatBool(o.training),
			o.province, o.district, coord(o.lat), coord(o.lng), strconv.Itoa(o.minAge), o.minEdu,
			strconv.FormatBool(o.night), strconv.FormatBool(o.hazardous), o.requirements,
			"https://example.org/sample/" + id, contact(id, i+7), date(o.validUntil),
		})
	}
	return rows
}

func (d *data) occupationRows() [][]string {
	var rows [][]string
	for _, o := range d.Occupations {
		var demand []string
		for _, reg := range regions {
			demand = append(demand, fmt.Sprintf("%s:%d", reg, o.Demand[reg]))
		}
		for _, k := range slices.Sorted(maps.Keys(o.Demand)) {
			if strings.HasPrefix(k, "TH-") {
				demand = append(demand, fmt.Sprintf("%s:%d", k, o.Demand[k]))
			}
		}
		rows = append(rows, []string{o.ID, o.NameTH, o.NameEN, join(o.Skills), join(demand), "sample"})
	}
	return rows
}

// contact is an invented phone number starting 000 (no Thai number does) or
// an example.org address, always marked as a sample.
func contact(id string, i int) string {
	if i%3 == 2 {
		return "อีเมล sample-" + id + "@example.org (ตัวอย่าง)"
	}
	return fmt.Sprintf("โทร 000-%03d-%04d (ตัวอย่าง)", 100+(i*37)%900, (i*7919+1234)%10000)
}

func writeCSV(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows) // a bytes.Buffer does not fail
	return b.Bytes()
}

func summary(cs []*course, list []*opening) string {
	var b strings.Builder
	count := func(title string, keys []string) {
		m := map[string]int{}
		for _, k := range keys {
			m[k]++
		}
		fmt.Fprintf(&b, "%s:", title)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&b, " %s=%d", k, m[k])
		}
		b.WriteString("\n")
	}
	var ck, cr, okind, oreg []string
	for _, c := range cs {
		ck = append(ck, c.kind+"/"+c.mode)
		if c.prov != nil {
			cr = append(cr, c.prov.Region)
		} else {
			cr = append(cr, "(online)")
		}
	}
	night := 0
	for _, o := range list {
		okind = append(okind, o.kind)
		oreg = append(oreg, o.prov.Region)
		if o.night {
			night++
		}
	}
	fmt.Fprintf(&b, "courses: %d, openings: %d (night %d)\n", len(cs), len(list), night)
	count("courses by kind", ck)
	count("courses by region", cr)
	count("openings by kind", okind)
	count("openings by region", oreg)
	return b.String()
}

// ---- checks ----

func (d *data) check() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	skills := func(where string, ss []string) {
		if len(ss) == 0 {
			bad("%s: no skills", where)
		}
		for _, s := range ss {
			if _, ok := d.Skills[s]; !ok {
				bad("%s: unknown skill %q", where, s)
			}
		}
	}
	interests := func(where string, ls []string) {
		if len(ls) == 0 {
			bad("%s: no interests", where)
		}
		for _, l := range ls {
			if len(l) != 1 || !strings.Contains(letters, l) {
				bad("%s: bad interest %q", where, l)
			}
		}
	}
	edu := func(where, e string) {
		if e != "" && e != "-" && !slices.Contains(educations, e) {
			bad("%s: bad education %q", where, e)
		}
	}
	earns := func(where string, es []string) {
		for _, e := range es {
			if !slices.Contains(earnValues, e) {
				bad("%s: bad earns %q", where, e)
			}
		}
	}
	marked := func(where string, names []string) {
		for _, n := range names {
			if !strings.HasSuffix(n, "(ตัวอย่าง)") {
				bad("%s: %q is not marked (ตัวอย่าง)", where, n)
			}
		}
	}
	for id, s := range d.Schedules {
		if len(s.Days) == 0 || minutes(s.Start) < 0 || minutes(s.End) < 0 {
			bad("schedule %s: bad days or times", id)
		}
	}
	for id, k := range d.CourseKinds {
		marked("course kind "+id, k.Providers)
		for _, s := range k.Schedules {
			if d.Schedules[s].Hours == 0 {
				bad("course kind %s: schedule %q has no session hours", id, s)
			}
		}
		if k.Mode == "online" && k.Count == 0 || k.Mode == "onsite" && k.Share == 0 {
			bad("course kind %s: online kinds need a count, onsite kinds a share", id)
		}
		edu("course kind "+id, k.MinEdu)
		earns("course kind "+id, k.Earns)
	}
	for i, t := range d.Courses {
		where := fmt.Sprintf("course %d (%s)", i, t.TitleEN)
		if _, ok := d.CourseKinds[t.Kind]; !ok {
			bad("%s: unknown kind %q", where, t.Kind)
		}
		if !slices.Contains(fields, t.Field) {
			bad("%s: unknown field %q", where, t.Field)
		}
		if t.TitleTH == "" || t.DescTH == "" || t.TitleEN == "" || t.DescEN == "" {
			bad("%s: missing text", where)
		}
		if t.Hours[0] <= 0 || t.Hours[1] < t.Hours[0] {
			bad("%s: bad hours", where)
		}
		skills(where, t.Skills)
		interests(where, t.Interests)
		edu(where, t.MinEdu)
		earns(where, t.Earns)
		marked(where, t.Providers)
	}
	for k := range d.OpeningKinds {
		if !slices.Contains(openKinds, k) {
			bad("unknown opening kind %q", k)
		}
	}
	for i, t := range d.Openings {
		where := fmt.Sprintf("opening %d (%s)", i, t.RoleEN)
		if !slices.Contains(openKinds, t.Kind) {
			bad("%s: unknown kind %q", where, t.Kind)
		}
		if !slices.Contains(fields, t.Field) {
			bad("%s: unknown field %q", where, t.Field)
		}
		if !slices.Contains(payUnits, t.Unit) || t.Pay[0] <= 0 || t.Pay[1] < t.Pay[0] {
			bad("%s: bad pay", where)
		}
		if len(t.Shifts) == 0 || len(t.Employers) == 0 {
			bad("%s: no shifts or employers", where)
		}
		for _, s := range t.Shifts {
			if _, ok := d.Schedules[s]; !ok {
				bad("%s: unknown shift %q", where, s)
			}
		}
		skills(where, t.Skills)
		interests(where, t.Interests)
		edu(where, t.MinEdu)
		marked(where, t.Employers)
	}
	seenOcc := map[string]bool{}
	for _, o := range d.Occupations {
		seenOcc[o.ID] = true
		if !slices.Contains(fields, o.ID) {
			bad("occupation %q: not a field", o.ID)
		}
		if len(o.Skills) < 4 || len(o.Skills) > 8 {
			bad("occupation %s: %d skills, want 4–8", o.ID, len(o.Skills))
		}
		skills("occupation "+o.ID, o.Skills)
		for _, reg := range regions {
			if v, ok := o.Demand[reg]; !ok || v < 0 || v > 3 {
				bad("occupation %s: demand in %s missing or out of 0..3", o.ID, reg)
			}
		}
	}
	if len(seenOcc) != len(fields) {
		bad("%d occupations, want one per field (%d)", len(seenOcc), len(fields))
	}
	for _, p := range d.Places {
		if !slices.Contains(regions, p.Region) || len(p.Districts) == 0 || p.City == "" {
			bad("place %s: region, districts and city are required", p.Code)
		}
	}
	return errors.Join(errs...)
}

// ---- helpers ----

// expand fills a name pattern's placeholders for a place and district.
func expand(pattern string, p *province, dist string) string {
	area, town := "อำเภอ"+dist, dist
	if strings.HasPrefix(dist, "เขต") {
		area, town = dist, strings.TrimPrefix(dist, "เขต")
	}
	if strings.HasPrefix(dist, "เมือง") || dist == p.TH {
		town = p.TH
	}
	dsd := p.DSD
	if dsd == "" {
		dsd = "ศูนย์พัฒนาฝีมือแรงงานจังหวัด" + p.TH
	}
	city := strings.ReplaceAll(p.City, "{district}", dist)
	return strings.NewReplacer(
		"{province}", p.TH, "{district}", dist, "{area}", area, "{town}", town,
		"{city}", city, "{dsd}", dsd,
	).Replace(pattern)
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func minutes(hhmm string) int {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

func join(ss []string) string { return strings.Join(ss, "|") }

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func roundTo(n, step int) int { return (n + step/2) / step * step }

// baht formats an amount with thousands separators: 3600 → "3,600".
func baht(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func or[T any](a, b []T) []T {
	if len(a) > 0 {
		return a
	}
	return b
}

// rng is SplitMix64: tiny, and its sequence never changes between Go
// releases, so the output is the same everywhere.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

func weighted[T any](r *rng, xs []T, w func(T) int) T {
	total := 0
	for _, x := range xs {
		total += w(x)
	}
	n := r.intn(total)
	for _, x := range xs {
		if n -= w(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

func shuffle[T any](r *rng, xs []T) {
	for i := len(xs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		xs[i], xs[j] = xs[j], xs[i]
	}
}

package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
)

// today is the day the pack is built around.
var today = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

var (
	courseHeader     = "source,external_id,provider,title_th,title_en,desc_th,desc_en,skills,interests,field,mode,province,district,lat,lng,start_date,end_date,days,start_time,end_time,hours,cost_baht,allowance_baht,earns,credits,min_age,max_age,min_education,seats,url,contact,opens_at,closes_at"
	openingHeader    = "source,external_id,employer,role_th,role_en,desc_th,desc_en,kind,field,interests,skills,pay_baht,pay_unit,hours_week,days,start_time,end_time,training,province,district,lat,lng,min_age,min_education,night,hazardous,requirements,url,contact,valid_until"
	occupationHeader = "id,name_th,name_en,skills,demand,source"

	days       = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	educations = []string{"", "p6", "m3", "m6", "pvc", "hvc", "bachelor"}
	earnValues = []string{"certificate", "credit_bank", "tpqi_1", "tpqi_2", "tpqi_3"}
	kinds      = []string{"school_break", "part_time", "apprenticeship", "dual_vocational"}

	// realPhone is what a Thai phone number looks like: 0 and a non-zero
	// digit, then seven or eight more digits, maybe split by - or spaces.
	realPhone = regexp.MustCompile(`(^|[^0-9])0[1-9][0-9]?[- ]?[0-9]{3}[- ]?[0-9]{3,4}([^0-9]|$)`)
	clock     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// rec is one CSV row by column name.
type rec map[string]string

// read parses one of the pack's files with encoding/csv (which insists that
// every row has the header's number of columns) and checks the header.
func read(t *testing.T, name, header string) []rec {
	t.Helper()
	b, ok := Files()[name]
	if !ok {
		t.Fatalf("Files() has no %s", name)
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Errorf("%s starts with a byte-order mark", name)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := strings.Join(rows[0], ","); got != header {
		t.Fatalf("%s header:\n got %s\nwant %s", name, got, header)
	}
	var out []rec
	for _, row := range rows[1:] {
		r := rec{}
		for i, h := range rows[0] {
			r[h] = row[i]
		}
		out = append(out, r)
	}
	return out
}

func (r rec) int(t *testing.T, col string) int {
	t.Helper()
	n, err := strconv.Atoi(r[col])
	if err != nil {
		t.Errorf("%s: %s %q: %v", r.id(), col, r[col], err)
	}
	return n
}

func (r rec) float(t *testing.T, col string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(r[col], 64)
	if err != nil {
		t.Errorf("%s: %s %q: %v", r.id(), col, r[col], err)
	}
	return f
}

// date parses a date column; empty is the zero time.
func (r rec) date(t *testing.T, col string) time.Time {
	t.Helper()
	if r[col] == "" {
		return time.Time{}
	}
	d, err := time.Parse("2006-01-02", r[col])
	if err != nil {
		t.Errorf("%s: %s: %v", r.id(), col, err)
	}
	return d
}

func (r rec) list(col string) []string {
	if r[col] == "" {
		return nil
	}
	return strings.Split(r[col], "|")
}

func (r rec) id() string {
	if r["external_id"] != "" {
		return r["external_id"]
	}
	return r["id"]
}

func minutes(hhmm string) int {
	h, _ := strconv.Atoi(hhmm[:2])
	m, _ := strconv.Atoi(hhmm[3:])
	return h*60 + m
}

func TestFiles(t *testing.T) {
	fs := Files()
	var got []string
	for n := range fs {
		got = append(got, n)
	}
	slices.Sort(got)
	if want := []string{"courses.csv", "occupations.csv", "openings.csv"}; !slices.Equal(got, want) {
		t.Errorf("Files() = %v, want %v", got, want)
	}
	fs["courses.csv"][0] = 'X'
	if Files()["courses.csv"][0] == 'X' {
		t.Error("Files() hands out shared bytes")
	}
}

// checkCommon checks what courses and openings share: IDs, the sample
// marker, fields, interests, skills, places, links and contacts.
func checkCommon(t *testing.T, rs []rec, prefix, nameCol string, online func(rec) bool) (provinces map[string]int, regions map[string]int) {
	t.Helper()
	ids := map[string]bool{}
	provinces, regions = map[string]int{}, map[string]int{}
	idPattern := regexp.MustCompile(`^` + prefix + `[0-9]{4}$`)
	for _, r := range rs {
		id := r.id()
		if !idPattern.MatchString(id) {
			t.Errorf("external_id %q is not like %s0001", id, prefix)
		}
		if ids[id] {
			t.Errorf("%s: duplicate external_id", id)
		}
		ids[id] = true
		if r["source"] != "sample" {
			t.Errorf("%s: source %q, want sample", id, r["source"])
		}
		if !strings.HasSuffix(r[nameCol], "(ตัวอย่าง)") {
			t.Errorf("%s: %s %q is not marked (ตัวอย่าง)", id, nameCol, r[nameCol])
		}
		if !slices.Contains(content.Fields(), r["field"]) {
			t.Errorf("%s: field %q is not one of content.Fields()", id, r["field"])
		}
		if len(r.list("interests")) == 0 || len(r.list("skills")) == 0 {
			t.Errorf("%s: no interests or skills", id)
		}
		for _, l := range r.list("interests") {
			if !slices.Contains(content.InterestCodes, l) {
				t.Errorf("%s: interest %q is not a RIASEC letter", id, l)
			}
		}
		if !slices.Contains(educations, r["min_education"]) {
			t.Errorf("%s: min_education %q", id, r["min_education"])
		}
		for _, d := range r.list("days") {
			if !slices.Contains(days, d) {
				t.Errorf("%s: day %q", id, d)
			}
		}
		for _, c := range []string{"start_time", "end_time"} {
			if r[c] != "" && !clock.MatchString(r[c]) {
				t.Errorf("%s: %s %q is not HH:MM", id, c, r[c])
			}
		}
		if want := "https://example.org/sample/" + id; r["url"] != want {
			t.Errorf("%s: url %q, want %q", id, r["url"], want)
		}
		contact := r["contact"]
		if !strings.HasSuffix(contact, "(ตัวอย่าง)") {
			t.Errorf("%s: contact %q is not marked (ตัวอย่าง)", id, contact)
		}
		if at := strings.Index(contact, "@"); at >= 0 && !strings.HasPrefix(contact[at:], "@example.org") {
			t.Errorf("%s: contact %q is not on example.org", id, contact)
		}
		for _, c := range []string{"contact", "desc_th", "desc_en", "requirements", nameCol} {
			if realPhone.MatchString(r[c]) {
				t.Errorf("%s: %s %q holds what looks like a real phone number", id, c, r[c])
			}
		}

		if online(r) {
			if r["province"] != "" || r["district"] != "" || r["lat"] != "" || r["lng"] != "" {
				t.Errorf("%s: online, but has a place", id)
			}
			continue
		}
		p, ok := place.ByCode(r["province"])
		if !ok || p.Code != r["province"] {
			t.Errorf("%s: province %q is not a valid code", id, r["province"])
			continue
		}
		if r["district"] == "" {
			t.Errorf("%s: no district", id)
		}
		if p.Code == "TH-10" && !strings.HasPrefix(r["district"], "เขต") {
			t.Errorf("%s: Bangkok district %q should be a เขต", id, r["district"])
		}
		lat, lng := r.float(t, "lat"), r.float(t, "lng")
		if km := place.DistanceKm(lat, lng, p.Lat, p.Lng); km > 160 {
			t.Errorf("%s: %v,%v is %.0f km from %s", id, lat, lng, km, p.EN)
		}
		provinces[p.Code]++
		regions[p.Region]++
	}
	return provinces, regions
}

func TestCourses(t *testing.T) {
	cs := read(t, "courses.csv", courseHeader)
	if len(cs) < 220 {
		t.Errorf("%d courses, want at least 220", len(cs))
	}
	provinces, regions := checkCommon(t, cs, "c", "provider", func(r rec) bool { return r["mode"] == "online" })
	if len(provinces) < 20 {
		t.Errorf("courses in %d provinces, want at least 20", len(provinces))
	}
	for _, reg := range place.Regions() {
		if regions[reg] == 0 {
			t.Errorf("no courses in the %s region", reg)
		}
	}

	first, last := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	closed, online := 0, 0
	for _, r := range cs {
		id := r.id()
		if !slices.Contains([]string{"onsite", "online", "hybrid"}, r["mode"]) {
			t.Errorf("%s: mode %q", id, r["mode"])
		}
		if r["mode"] == "online" {
			online++
		}
		start, end := r.date(t, "start_date"), r.date(t, "end_date")
		opens, closes := r.date(t, "opens_at"), r.date(t, "closes_at")
		for _, d := range []time.Time{start, end, opens, closes} {
			if !d.IsZero() && (d.Before(first) || d.After(last)) {
				t.Errorf("%s: date %s outside %s..%s", id, d.Format(time.DateOnly), first.Format(time.DateOnly), last.Format(time.DateOnly))
			}
		}
		if start.IsZero() != end.IsZero() || !start.IsZero() && end.Before(start) {
			t.Errorf("%s: start %s, end %s", id, r["start_date"], r["end_date"])
		}
		if !opens.IsZero() && !closes.IsZero() && !closes.After(opens) {
			t.Errorf("%s: closes_at %s is not after opens_at %s", id, r["closes_at"], r["opens_at"])
		}
		if !closes.IsZero() && closes.Before(today) {
			closed++
		} else if !end.IsZero() && !closes.IsZero() && closes.After(end) {
			t.Errorf("%s: registration closes %s after the course ends %s", id, r["closes_at"], r["end_date"])
		}
		if r["mode"] != "online" {
			if len(r.list("days")) == 0 || r["start_time"] == "" || start.IsZero() {
				t.Errorf("%s: %s course without dates, days or times", id, r["mode"])
			} else if minutes(r["end_time"]) <= minutes(r["start_time"]) {
				t.Errorf("%s: ends %s before it starts %s", id, r["end_time"], r["start_time"])
			}
			if !start.IsZero() && !slices.Contains(r.list("days"), strings.ToLower(start.Weekday().String()[:3])) {
				t.Errorf("%s: starts on a %s, not one of its days %s", id, start.Weekday(), r["days"])
			}
		}
		hours, cost, allowance := r.int(t, "hours"), r.int(t, "cost_baht"), r.int(t, "allowance_baht")
		if hours <= 0 || cost < 0 || allowance < 0 {
			t.Errorf("%s: hours %d, cost %d, allowance %d", id, hours, cost, allowance)
		}
		earns := r.list("earns")
		if len(earns) == 0 {
			t.Errorf("%s: earns nothing", id)
		}
		for _, e := range earns {
			if !slices.Contains(earnValues, e) {
				t.Errorf("%s: earns %q", id, e)
			}
		}
		if credits := r.int(t, "credits"); (credits > 0) != slices.Contains(earns, "credit_bank") {
			t.Errorf("%s: %d credits but earns %v", id, credits, earns)
		}
		if minAge, maxAge := r.int(t, "min_age"), r.int(t, "max_age"); minAge < 15 || maxAge != 0 && maxAge < minAge {
			t.Errorf("%s: ages %d–%d", id, minAge, maxAge)
		}
	}
	if share := float64(closed) / float64(len(cs)); share < 0.05 || share > 0.15 {
		t.Errorf("%.1f%% of courses closed before %s, want 5–15%%", 100*share, today.Format(time.DateOnly))
	}
	if online < 20 {
		t.Errorf("%d online courses, want at least 20", online)
	}
}

func TestOpenings(t *testing.T) {
	os := read(t, "openings.csv", openingHeader)
	if len(os) < 90 {
		t.Errorf("%d openings, want at least 90", len(os))
	}
	provinces, regions := checkCommon(t, os, "o", "employer", func(rec) bool { return false })
	if len(provinces) < 20 {
		t.Errorf("openings in %d provinces, want at least 20", len(provinces))
	}
	for _, reg := range place.Regions() {
		if regions[reg] == 0 {
			t.Errorf("no openings in the %s region", reg)
		}
	}
	byKind, night := map[string]int{}, 0
	for _, r := range os {
		id := r.id()
		byKind[r["kind"]]++
		if !slices.Contains(kinds, r["kind"]) {
			t.Errorf("%s: kind %q", id, r["kind"])
		}
		if r.date(t, "valid_until").IsZero() {
			t.Errorf("%s: no valid_until", id)
		}
		s, e := minutes(r["start_time"]), minutes(r["end_time"])
		if e <= s {
			e += 24 * 60
		}
		touchesNight := false
		for m := s; m < e; m++ {
			if h := m / 60 % 24; h >= 22 || h < 6 {
				touchesNight = true
			}
		}
		if got := r["night"] == "true"; got != touchesNight {
			t.Errorf("%s: night=%s but works %s–%s", id, r["night"], r["start_time"], r["end_time"])
		}
		minAge := r.int(t, "min_age")
		if minAge < 15 {
			t.Errorf("%s: min_age %d: nobody under 15 may be employed", id, minAge)
		}
		if (touchesNight || r["hazardous"] == "true") && minAge < 18 {
			t.Errorf("%s: night or hazardous work with min_age %d: not for under-18s", id, minAge)
		}
		if span := e - s; minAge < 18 && span > 9*60 {
			t.Errorf("%s: a %d-hour day is too long for a young worker", id, span/60)
		}
		if touchesNight {
			night++
		}
		pay := r.int(t, "pay_baht")
		ranges := map[string][2]int{"hour": {40, 80}, "day": {300, 600}, "month": {6000, 15000}}
		if rg, ok := ranges[r["pay_unit"]]; !ok || pay < rg[0] || pay > rg[1] {
			t.Errorf("%s: pay %d per %q", id, pay, r["pay_unit"])
		}
		if r["kind"] == "school_break" && (pay != 300 || r["pay_unit"] != "day" || minAge != 15 || touchesNight) {
			t.Errorf("%s: school-break work should be 300 baht a day, daytime, from 15", id)
		}
		if (r["kind"] == "apprenticeship" || r["kind"] == "dual_vocational") && (r["pay_unit"] != "month" || r["min_education"] == "") {
			t.Errorf("%s: %s without a monthly allowance or a minimum education", id, r["kind"])
		}
		if hw := r.int(t, "hours_week"); hw <= 0 || hw > 48 {
			t.Errorf("%s: %d hours a week", id, hw)
		}
		if r["training"] != "true" && r["training"] != "false" || r["hazardous"] != "true" && r["hazardous"] != "false" {
			t.Errorf("%s: training %q, hazardous %q", id, r["training"], r["hazardous"])
		}
	}
	for _, k := range kinds {
		if byKind[k] == 0 {
			t.Errorf("no %s openings", k)
		}
	}
	if share := float64(night) / float64(len(os)); share < 0.08 || share > 0.25 {
		t.Errorf("%.0f%% of openings involve night hours, want about 15%%", 100*share)
	}
}

func TestOccupations(t *testing.T) {
	occ := read(t, "occupations.csv", occupationHeader)
	taught := map[string]bool{}
	for _, c := range read(t, "courses.csv", courseHeader) {
		for _, s := range c.list("skills") {
			taught[s] = true
		}
	}
	var ids []string
	for _, r := range occ {
		id := r.id()
		ids = append(ids, id)
		if r["source"] != "sample" || r["name_th"] == "" || r["name_en"] == "" {
			t.Errorf("%s: source, name_th or name_en missing", id)
		}
		skills := r.list("skills")
		if len(skills) < 4 || len(skills) > 8 {
			t.Errorf("%s: %d skills, want 4–8", id, len(skills))
		}
		for _, s := range skills {
			if !taught[s] {
				t.Errorf("%s: no course teaches %q, so the gap cannot be closed", id, s)
			}
		}
		seen := map[string]bool{}
		for _, d := range r.list("demand") {
			where, level, ok := strings.Cut(d, ":")
			n, err := strconv.Atoi(level)
			_, isProvince := place.ByCode(where)
			if !ok || err != nil || n < 0 || n > 3 || !place.ValidRegion(where) && !isProvince {
				t.Errorf("%s: demand %q is not region-or-province:0..3", id, d)
			}
			seen[where] = true
		}
		for _, reg := range place.Regions() {
			if !seen[reg] {
				t.Errorf("%s: no demand for %s", id, reg)
			}
		}
	}
	slices.Sort(ids)
	want := content.Fields()
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("occupation IDs %v, want the fields %v", ids, want)
	}
}

// A young person in a learning city finds several courses and openings still
// on offer in their own province.
func TestLearningCitiesHaveOptions(t *testing.T) {
	cs := read(t, "courses.csv", courseHeader)
	os := read(t, "openings.csv", openingHeader)
	for _, code := range []string{"TH-10", "TH-50", "TH-57", "TH-83", "TH-40", "TH-30", "TH-90", "TH-95", "TH-64", "TH-56", "TH-24"} {
		courses, openings := 0, 0
		for _, c := range cs {
			if closes := c.date(t, "closes_at"); c["province"] == code && (closes.IsZero() || !closes.Before(today)) {
				courses++
			}
		}
		for _, o := range os {
			if o["province"] == code && !o.date(t, "valid_until").Before(today) {
				openings++
			}
		}
		t.Run(code, func(t *testing.T) {
			if courses < 5 || openings < 3 {
				t.Errorf("%d courses and %d openings on offer, want at least 5 and 3", courses, openings)
			}
		})
	}
}

func Example() {
	b := Files()["occupations.csv"]
	rows, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	fmt.Println(rows[0])
	fmt.Println(len(rows) - 1)
	// Output:
	// [id name_th name_en skills demand source]
	// 14
}

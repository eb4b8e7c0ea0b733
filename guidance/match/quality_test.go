package match

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content/catalogio"
	"github.com/paitor/paitor/content/sample"
)

type persona struct {
	Name     string            `yaml:"name"`
	About    string            `yaml:"about"`
	Profile  map[string]string `yaml:"profile"`
	Query    string            `yaml:"query"`
	Kind     string            `yaml:"kind"`
	Refine   []string          `yaml:"refine"`
	Relevant struct {
		Fields []string `yaml:"fields"`
		AnyOf  []string `yaml:"any_of"`
	} `yaml:"relevant"`
}

func loadPersonas(t testing.TB) []persona {
	data, err := os.ReadFile("testdata/personas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Personas []persona `yaml:"personas"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	if len(f.Personas) < 30 {
		t.Fatalf("%d personas, want at least 30", len(f.Personas))
	}
	return f.Personas
}

func (ps persona) options() Options {
	o := Options{Now: testNow, Limit: 10, Kind: ps.Kind}
	o.Filters.Text = ps.Query
	for _, r := range ps.Refine {
		switch r {
		case "near":
			o.Filters.Near = true
		case "online":
			o.Filters.Online = true
		case "free":
			o.Filters.Free = true
		case "paid":
			o.Filters.Paid = true
		case "weekend":
			o.Filters.Weekend = true
		}
	}
	return o
}

// has reports whether a result has one of the persona's relevance features.
func has(res Result, feature string) bool {
	co, op := res.Course, res.Opening
	switch feature {
	case "course":
		return co != nil
	case "opening":
		return op != nil
	case "paid":
		return op != nil && op.PayBaht > 0
	case "allowance":
		return co != nil && co.Allowance > 0
	case "credential":
		return co != nil && (len(co.Earns) > 0 || co.Credits > 0)
	case "online":
		return co != nil && co.Mode == "online"
	case "free":
		return op != nil || co.CostBaht == 0
	case "weekend":
		days := []string(nil)
		if co != nil {
			days = co.Days
		} else {
			days = op.Days
		}
		return slices.Contains(days, "sat") || slices.Contains(days, "sun")
	case "evening":
		start := ""
		if co != nil {
			start = co.StartTime
		} else {
			start = op.StartTime
		}
		m, ok := minutes(start)
		return ok && m >= 17*60
	case "short":
		return co != nil && co.Hours > 0 && co.Hours <= 30
	case "training":
		return op != nil && op.Training
	case "school_break", "part_time":
		return op != nil && op.Kind == feature
	}
	panic("unknown relevance feature " + feature)
}

func (ps persona) relevant(res Result) bool {
	field := ""
	if res.Course != nil {
		field = res.Course.Field
	} else {
		field = res.Opening.Field
	}
	if len(ps.Relevant.Fields) > 0 && !slices.Contains(ps.Relevant.Fields, field) {
		return false
	}
	if len(ps.Relevant.AnyOf) == 0 {
		return true
	}
	for _, f := range ps.Relevant.AnyOf {
		if has(res, f) {
			return true
		}
	}
	return false
}

// checkEligible fails the test for any result, pair or gap that breaks a
// hard rule.
func checkEligible(t testing.TB, name string, p Profile, o Options, rk Ranking) {
	t.Helper()
	or := newOracle(p, o)
	check := func(what string, r Result) {
		if v := or.violations(r.Course, r.Opening); len(v) > 0 {
			t.Errorf("%s: %s %s breaks %v", name, what, r.ID, v)
		}
	}
	for _, r := range rk.Results {
		check("result", r)
		if len(r.Reasons) == 0 {
			t.Errorf("%s: result %s has no reason", name, r.ID)
		}
	}
	for _, pr := range rk.Pairs {
		check("pair course", pr.Course)
		check("pair opening", pr.Opening)
	}
	for _, g := range rk.Gaps {
		check("gap course", g.Course)
		for _, v := range or.violations(nil, g.Opening.Opening) {
			if v != "education" && v != "skills" {
				t.Errorf("%s: gap opening %s breaks %s", name, g.Opening.ID, v)
			}
		}
	}
}

type qualityRow struct {
	name     string
	p3       float64
	n        int
	top      []string
	excluded map[string]int
}

// runQuality ranks every persona against c and returns precision@3 per
// persona and overall (over the personas with at least one result).
func runQuality(t testing.TB, c *Catalog) ([]qualityRow, float64) {
	var rows []qualityRow
	sum, counted := 0.0, 0
	for _, ps := range loadPersonas(t) {
		o := ps.options()
		rk := c.Rank(Profile(ps.Profile), o)
		checkEligible(t, ps.Name, Profile(ps.Profile), o, rk)
		row := qualityRow{name: ps.Name, n: len(rk.Results), excluded: rk.Excluded}
		top := rk.Results[:min(3, len(rk.Results))]
		rel := 0
		for _, r := range top {
			mark := "✗"
			if ps.relevant(r) {
				rel++
				mark = "✓"
			}
			row.top = append(row.top, fmt.Sprintf("%s %s [%s]", mark, title(r), r.ReasonText("th")))
		}
		if len(top) > 0 {
			row.p3 = float64(rel) / float64(len(top))
			sum += row.p3
			counted++
		}
		rows = append(rows, row)
	}
	if counted == 0 {
		return rows, 0
	}
	return rows, sum / float64(counted)
}

func title(r Result) string {
	if r.Course != nil {
		return r.Course.TitleTH
	}
	return r.Opening.RoleTH
}

// TestQualityPersonas runs the labelled personas against a generated catalog
// of 500 items: any ineligible item fails the test; precision@3 is printed.
func TestQualityPersonas(t *testing.T) {
	cs, os, occ := genCatalog(t, 500, 7)
	c := NewCatalog(cs, os, occ)
	rows, overall := runQuality(t, c)
	for _, r := range rows {
		t.Logf("%-34s p@3=%.2f results=%-2d %s", r.name, r.p3, r.n, strings.Join(r.top, " | "))
	}
	t.Logf("precision@3 over %d personas (generated catalog, %d items): %.3f", len(rows), c.Len(), overall)
}

// samplePack parses the sample pack (content/sample) through the import
// format, as `paitor match` does without a database.
func samplePack(t testing.TB) *Catalog {
	files := sample.Files()
	cs, err := catalogio.ParseCourses("courses.csv", bytes.NewReader(files["courses.csv"]), "csv")
	if err != nil {
		t.Fatal(err)
	}
	os, err := catalogio.ParseOpenings("openings.csv", bytes.NewReader(files["openings.csv"]), "csv")
	if err != nil {
		t.Fatal(err)
	}
	occ, err := catalogio.ParseOccupations("occupations.csv", bytes.NewReader(files["occupations.csv"]), "csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Rejected)+len(os.Rejected)+len(occ.Rejected) > 0 {
		t.Fatalf("sample pack rows rejected: %v %v %v", cs.Rejected, os.Rejected, occ.Rejected)
	}
	return NewCatalog(cs.Items, os.Items, occ.Items)
}

// TestQualityPersonasSamplePack runs the labelled personas against the
// sample pack (about 390 items built around the same date).
func TestQualityPersonasSamplePack(t *testing.T) {
	c := samplePack(t)
	rows, overall := runQuality(t, c)
	for _, r := range rows {
		t.Logf("%-34s p@3=%.2f results=%-2d %s", r.name, r.p3, r.n, strings.Join(r.top, " | "))
	}
	t.Logf("precision@3 over %d personas (sample pack, %d items): %.3f", len(rows), c.Len(), overall)
}

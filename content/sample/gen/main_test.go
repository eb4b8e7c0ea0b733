package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
)

// The committed CSV files are what the generator writes now: after changing
// templates.json or the generator, run `go run ./content/sample/gen`.
func TestCommittedFilesAreCurrent(t *testing.T) {
	files, _, err := generate(templatesJSON)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("content/sample/%s is stale: run go run ./content/sample/gen", name)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, _, err := generate(templatesJSON)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := generate(templatesJSON)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func TestFieldsMatchAssess(t *testing.T) {
	if !slices.Equal(fields, content.Fields()) {
		t.Errorf("fields = %v, content.Fields() = %v", fields, content.Fields())
	}
	if !slices.Equal(regions, place.Regions()) {
		t.Errorf("regions = %v, place.Regions() = %v", regions, place.Regions())
	}
}

// Every place in templates.json is a real province with its Thai name and
// region, and its districts lie within reach of the provincial seat.
func TestPlaces(t *testing.T) {
	var d data
	if err := json.Unmarshal(templatesJSON, &d); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range d.Places {
		pr, ok := place.ByCode(p.Code)
		switch {
		case !ok:
			t.Errorf("%s: not a province code", p.Code)
			continue
		case seen[p.Code]:
			t.Errorf("%s: listed twice", p.Code)
		case pr.TH != p.TH || pr.Region != p.Region:
			t.Errorf("%s: %s/%s, want %s/%s", p.Code, p.TH, p.Region, pr.TH, pr.Region)
		}
		seen[p.Code] = true
		names := map[string]bool{}
		for _, dist := range p.Districts {
			if names[dist.TH] {
				t.Errorf("%s: district %s twice", p.Code, dist.TH)
			}
			names[dist.TH] = true
			if km := place.DistanceKm(dist.Lat, dist.Lng, pr.Lat, pr.Lng); km > 140 {
				t.Errorf("%s %s: %.0f km from the provincial seat", p.Code, dist.TH, km)
			}
			if (p.Code == "TH-10") != strings.HasPrefix(dist.TH, "เขต") {
				t.Errorf("%s %s: Bangkok has เขต, provinces have อำเภอ", p.Code, dist.TH)
			}
		}
	}
}

func TestCheckCatchesMistakes(t *testing.T) {
	var d data
	if err := json.Unmarshal(templatesJSON, &d); err != nil {
		t.Fatal(err)
	}
	d.Courses[0].Field = "astronaut"
	d.Courses[1].Skills = []string{"not_a_skill"}
	d.Openings[0].Employers = []string{"ร้านจริง"}
	err := d.check()
	for _, want := range []string{`unknown field "astronaut"`, `unknown skill "not_a_skill"`, `is not marked (ตัวอย่าง)`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("check() = %v, want it to mention %s", err, want)
		}
	}
}

func TestShiftMinutes(t *testing.T) {
	for _, c := range []struct {
		start, end string
		minutes    int
		night      bool
	}{
		{"08:30", "16:30", 7 * 60, false},
		{"17:00", "21:00", 4 * 60, false},
		{"17:00", "23:30", 5*60 + 30, true},
		{"22:00", "06:00", 7 * 60, true},
		{"04:00", "09:00", 5 * 60, true},
		{"06:00", "11:00", 5 * 60, false},
	} {
		m, n := shiftMinutes(c.start, c.end)
		if m != c.minutes || n != c.night {
			t.Errorf("shiftMinutes(%s, %s) = %d, %v; want %d, %v", c.start, c.end, m, n, c.minutes, c.night)
		}
	}
}

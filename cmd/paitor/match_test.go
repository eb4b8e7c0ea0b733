package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// paitorMatch runs `paitor match args...` with profile on standard input.
func paitorMatch(t *testing.T, profile string, args ...string) (matchOutput, string, error) {
	t.Helper()
	old := matchStdin
	matchStdin = strings.NewReader(profile)
	t.Cleanup(func() { matchStdin = old })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err := runMatch(ctx, args, &out, &errOut)
	var got matchOutput
	if err == nil {
		if jerr := json.Unmarshal(out.Bytes(), &got); jerr != nil {
			t.Fatalf("output is not the JSON expected: %v\n%s", jerr, out.String())
		}
	}
	return got, errOut.String(), err
}

const koratProfile = `{"age": 19, "province": "โคราช", "education": "ม.3", "need": "income", "time": "anytime",
	"budget": "free", "travel": "40", "device": "phone_data", "care": "none", "interests": ["trades", "logistics"],
	"riasec_top": "RI", "strengths": ["driving"]}`

func TestMatchSamplePack(t *testing.T) {
	withEnv(t, map[string]string{})
	out, stderr, err := paitorMatch(t, koratProfile, "-now", "2026-11-21")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
	if out.Catalog.Source != "sample" || out.Catalog.Courses == 0 || out.Catalog.Openings == 0 {
		t.Errorf("catalog %+v", out.Catalog)
	}
	if out.Profile["province"] != "TH-30" || out.Profile["education"] != "m3" {
		t.Errorf("profile read as %v", out.Profile)
	}
	if len(out.Results) == 0 {
		t.Fatalf("no results; excluded %v", out.Excluded)
	}
	total := out.Eligible
	for _, n := range out.Excluded {
		total += n
	}
	if total != out.Catalog.Courses+out.Catalog.Openings {
		t.Errorf("eligible %d + excluded %v != %d items", out.Eligible, out.Excluded, out.Catalog.Courses+out.Catalog.Openings)
	}
	for _, r := range out.Results {
		if r.ID == "" || r.Title == "" || len(r.Reasons) == 0 || r.ReasonTH == "" || r.Reasons[0].EN == "" || len(r.Breakdown) == 0 {
			t.Errorf("incomplete result %+v", r)
		}
		if r.Mode != "online" && r.DistanceKm != nil && *r.DistanceKm > 45 {
			t.Errorf("%s is %.0f km away; the person travels 40", r.ID, *r.DistanceKm)
		}
		if r.Kind == "course" && r.Breakdown["cost"] < 1 {
			t.Errorf("%s costs money; the person's budget is free: %v", r.ID, r.Breakdown)
		}
	}
	t.Logf("top: %s — %s", out.Results[0].Title, out.Results[0].ReasonTH)
}

func TestMatchMinorGetsNoNightWork(t *testing.T) {
	withEnv(t, map[string]string{})
	p := `{"age": 16, "province": "TH-10", "education": "m3", "need": "income", "time": "anytime", "budget": "free", "travel": "any"}`
	out, stderr, err := paitorMatch(t, p, "-now", "2026-11-21", "-kind", "opening", "-limit", "50")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(out.Results) == 0 {
		t.Fatalf("no openings for a 16-year-old in Bangkok; excluded %v", out.Excluded)
	}
	for _, r := range out.Results {
		if r.Kind != "opening" {
			t.Errorf("-kind opening returned %s", r.ID)
		}
	}
	if out.Excluded["labour"] == 0 {
		t.Logf("no opening in the sample pack was held back by labour law (excluded %v)", out.Excluded)
	}
}

func TestMatchTypedSearchAndFile(t *testing.T) {
	withEnv(t, map[string]string{})
	dir := t.TempDir()
	f := filepath.Join(dir, "p.json")
	p := `{"age": 20, "province": "ลำปาง", "education": "m6", "need": "income", "time": "anytime", "budget": "free", "travel": "40"}`
	if err := os.WriteFile(f, []byte(p), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := paitorMatch(t, "", "-f", f, "-now", "2026-11-21", "-q", "งานพาร์ทไทม์ เชียงใหม่")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if out.Query == "" || len(out.Results) == 0 {
		t.Fatalf("no results for the search; excluded %v", out.Excluded)
	}
	first := out.Results[0]
	if first.Kind != "opening" || first.Province != "TH-50" {
		t.Errorf("first result %s (%s, %s), want an opening in Chiang Mai", first.Title, first.Kind, first.Province)
	}
	if out.Results[0].Breakdown["text"] <= 0 {
		t.Errorf("no text relevance in %v", out.Results[0].Breakdown)
	}
	// Nonsense finds nothing.
	out, _, err = paitorMatch(t, p, "-now", "2026-11-21", "-q", "ฟหกดเสวง qwxz")
	if err != nil || len(out.Results) != 0 {
		t.Errorf("nonsense search: %v, %d results", err, len(out.Results))
	}
}

func TestMatchBadInput(t *testing.T) {
	withEnv(t, map[string]string{})
	for _, tt := range []struct {
		name, profile string
		args          []string
		want          string
	}{
		{"not JSON", "age 19", nil, "profile"},
		{"unknown field", `{"shoe_size": 42}`, nil, "shoe_size"},
		{"bad kind", `{"age": 19}`, []string{"-kind", "jobs"}, "-kind"},
		{"bad date", `{"age": 19}`, []string{"-now", "21/11/2026"}, "-now"},
		{"bad limit", `{"age": 19}`, []string{"-limit", "0"}, "-limit"},
		{"stray argument", `{"age": 19}`, []string{"profile.json"}, "unexpected argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := paitorMatch(t, tt.profile, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one about %q", err, tt.want)
			}
		})
	}
}

// TestMatchDatabase loads the sample pack into PostgreSQL and checks that
// ranking from the database gives what ranking from the embedded pack gives.
func TestMatchDatabase(t *testing.T) {
	databaseURL, schema := pgtest.Schema(t)
	s, err := postgres.Open(t.Context(), databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	cat, err := sampleCatalog(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertOccupations(t.Context(), cat.occupations); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertCourses(t.Context(), cat.courses); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertOpenings(t.Context(), cat.openings); err != nil {
		t.Fatal(err)
	}

	withEnv(t, map[string]string{})
	fromPack, _, err := paitorMatch(t, koratProfile, "-now", "2026-11-21")
	if err != nil {
		t.Fatal(err)
	}
	withEnv(t, map[string]string{"DATABASE_URL": databaseURL})
	fromDB, stderr, err := paitorMatch(t, koratProfile, "-now", "2026-11-21")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if fromDB.Catalog.Source != "database" {
		t.Errorf("source %q", fromDB.Catalog.Source)
	}
	ids := func(o matchOutput) []string {
		var out []string
		for _, r := range o.Results {
			out = append(out, r.ID)
		}
		return out
	}
	if !slices.Equal(ids(fromDB), ids(fromPack)) {
		t.Errorf("from the database %v\nfrom the pack     %v", ids(fromDB), ids(fromPack))
	}
}

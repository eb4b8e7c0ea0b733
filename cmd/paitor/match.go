package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/catalogio"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/sample"
	"github.com/paitor/paitor/content/thaitime"
	"github.com/paitor/paitor/guidance/match"
)

const matchAbout = `Ranks the catalog for one profile and prints the ranking as JSON: the results
with their score, score breakdown and reasons (Thai and English),
earn-while-learning pairs, skill gaps, and how many items each rule left out.

  paitor match [flags] < profile.json
  paitor match -f profile.json -q "งานพาร์ทไทม์ เชียงใหม่"

The profile is one JSON object of profile fields (guidance/data/fields.yaml),
strings or numbers: {"age": 19, "province": "โคราช", "education": "m3",
"need": "income", "time": "anytime", "budget": "free", "travel": "40",
"device": "phone_data", "interests": ["trades"], "riasec_top": "RI"}.

The catalog is read from DATABASE_URL (what is on offer at -now), or without
it from the sample pack built into paitor (built around 2026-11-21).`

// matchStdin is where the profile is read from without -f (tests replace it).
var matchStdin io.Reader = os.Stdin

func runMatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	file := fs.String("f", "", "profile JSON file (default: standard input)")
	kind := fs.String("kind", "", "course or opening (default: both)")
	limit := fs.Int("limit", 10, "how many results")
	nowFlag := fs.String("now", "", "rank as of this date, YYYY-MM-DD, Thai time (default: now)")
	query := fs.String("q", "", `free-text search, as a young person types it ("อยากเรียนทำขนม")`)
	near := fs.Bool("near", false, "only on-site items near home")
	online := fs.Bool("online", false, "only online items")
	free := fs.Bool("free", false, "only free items")
	paid := fs.Bool("paid", false, "only paid openings and courses with an allowance")
	weekend := fs.Bool("weekend", false, "only weekend (or any-time) items")
	if err := parseFlags(fs, args, stdout, matchAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (the profile comes from standard input or -f)", fs.Arg(0))
	}
	switch *kind {
	case "", "course", "opening":
	default:
		return fmt.Errorf("-kind %q: want course or opening", *kind)
	}
	if *limit <= 0 || *limit > 100 {
		return fmt.Errorf("-limit %d: want 1 to 100", *limit)
	}
	now := time.Now().In(thaitime.Zone)
	if *nowFlag != "" {
		d, err := time.ParseInLocation("2006-01-02", *nowFlag, thaitime.Zone)
		if err != nil {
			return fmt.Errorf("-now %q: want a date such as 2026-11-21", *nowFlag)
		}
		now = d.Add(12 * time.Hour) // midday: a course closing that day is still open
	}

	var in io.Reader = matchStdin
	if *file != "" && *file != "-" {
		data, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		in = bytes.NewReader(data)
	}
	profile, err := catalogio.ReadProfile(in)
	if err != nil {
		return err
	}

	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	cat, feedback, source, err := loadMatchCatalog(ctx, c.DatabaseURL, now, stderr)
	if err != nil {
		return err
	}
	started := time.Now()
	catalog := match.NewCatalog(cat.courses, cat.openings, cat.occupations)
	built := time.Since(started)
	started = time.Now()
	rk := catalog.Rank(match.Profile(profile), match.Options{
		Now: now, Limit: *limit, Kind: *kind, Feedback: feedback,
		Filters: match.Refine{Near: *near, Online: *online, Free: *free, Paid: *paid, Weekend: *weekend, Text: *query},
	})
	ranked := time.Since(started)

	out := matchOutput{
		Now:     now.Format("2006-01-02"),
		Query:   *query,
		Profile: profile,
		Catalog: matchCatalogInfo{
			Source: source, Courses: len(cat.courses), Openings: len(cat.openings), Occupations: len(cat.occupations),
			BuildMs: float64(built.Microseconds()) / 1000, RankMs: float64(ranked.Microseconds()) / 1000,
		},
		Results:  []matchItem{},
		Pairs:    []matchPair{},
		Gaps:     []matchGap{},
		Eligible: rk.Eligible,
		Excluded: rk.Excluded,
	}
	for _, r := range rk.Results {
		out.Results = append(out.Results, itemJSON(r))
	}
	for _, p := range rk.Pairs {
		out.Pairs = append(out.Pairs, matchPair{
			Score: p.Score, Reasons: reasonsJSON(p.Reasons), ReasonTH: joinTH(p.Reasons),
			Course: itemJSON(p.Course), Opening: itemJSON(p.Opening),
		})
	}
	for _, g := range rk.Gaps {
		out.Gaps = append(out.Gaps, matchGap{
			Missing: g.Missing, Reason: matchReason(g.Reason), Opening: itemJSON(g.Opening), Course: itemJSON(g.Course),
		})
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// matchCatalog is what the ranking is built from.
type matchCatalog struct {
	courses     []content.Course
	openings    []content.Opening
	occupations []content.Occupation
}

// loadMatchCatalog reads what is on offer at now from the database, with
// everyone's 👍/👎, or without a database the sample pack.
func loadMatchCatalog(ctx context.Context, databaseURL string, now time.Time, stderr io.Writer) (matchCatalog, map[string]int, string, error) {
	var cat matchCatalog
	if databaseURL == "" {
		cat, err := sampleCatalog(stderr)
		return cat, nil, "sample", err
	}
	s, err := postgres.Open(ctx, databaseURL, postgres.Options{})
	if err != nil {
		return cat, nil, "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer s.Close()
	var store content.CatalogStore = s
	if err := store.OfferedCourses(ctx, now, func(c content.Course) error {
		cat.courses = append(cat.courses, c)
		return nil
	}); err != nil {
		return cat, nil, "", err
	}
	if err := store.OfferedOpenings(ctx, now, func(o content.Opening) error {
		cat.openings = append(cat.openings, o)
		return nil
	}); err != nil {
		return cat, nil, "", err
	}
	if cat.occupations, err = store.Occupations(ctx); err != nil {
		return cat, nil, "", err
	}
	var feedback map[string]int
	if signals, ok := any(s).(content.SignalStore); ok {
		if feedback, err = signals.FeedbackScores(ctx); err != nil {
			return cat, nil, "", err
		}
	}
	return cat, feedback, "database", nil
}

// sampleCatalog parses the sample pack embedded in the binary; rejected rows
// (there should be none) are reported on stderr.
func sampleCatalog(stderr io.Writer) (matchCatalog, error) {
	var cat matchCatalog
	files := sample.Files()
	warn := func(errs []catalogio.RowError) {
		for _, e := range errs {
			fmt.Fprintf(stderr, "sample pack: %v\n", e)
		}
	}
	cs, err := catalogio.ParseCourses("courses.csv", bytes.NewReader(files["courses.csv"]), "csv")
	if err != nil {
		return cat, fmt.Errorf("sample pack: %w", err)
	}
	warn(cs.Rejected)
	ops, err := catalogio.ParseOpenings("openings.csv", bytes.NewReader(files["openings.csv"]), "csv")
	if err != nil {
		return cat, fmt.Errorf("sample pack: %w", err)
	}
	warn(ops.Rejected)
	occ, err := catalogio.ParseOccupations("occupations.csv", bytes.NewReader(files["occupations.csv"]), "csv")
	if err != nil {
		return cat, fmt.Errorf("sample pack: %w", err)
	}
	warn(occ.Rejected)
	if len(cs.Items) == 0 && len(ops.Items) == 0 {
		return cat, errors.New("sample pack: no courses or openings")
	}
	return matchCatalog{courses: cs.Items, openings: ops.Items, occupations: occ.Items}, nil
}

// The JSON `paitor match` prints.
type (
	matchOutput struct {
		Now      string            `json:"now"`
		Query    string            `json:"query,omitempty"`
		Profile  map[string]string `json:"profile"`
		Catalog  matchCatalogInfo  `json:"catalog"`
		Results  []matchItem       `json:"results"`
		Pairs    []matchPair       `json:"pairs"`
		Gaps     []matchGap        `json:"gaps"`
		Eligible int               `json:"eligible"`
		Excluded map[string]int    `json:"excluded"`
	}
	matchCatalogInfo struct {
		Source      string  `json:"source"` // "database" or "sample"
		Courses     int     `json:"courses"`
		Openings    int     `json:"openings"`
		Occupations int     `json:"occupations"`
		BuildMs     float64 `json:"build_ms"`
		RankMs      float64 `json:"rank_ms"`
	}
	matchItem struct {
		ID         string             `json:"id"`
		Kind       string             `json:"kind"`
		Title      string             `json:"title"`
		TitleEN    string             `json:"title_en,omitempty"`
		Provider   string             `json:"provider"`
		Field      string             `json:"field,omitempty"`
		Mode       string             `json:"mode"`
		Province   string             `json:"province,omitempty"`
		DistanceKm *float64           `json:"distance_km,omitempty"`
		Score      float64            `json:"score"`
		Breakdown  map[string]float64 `json:"breakdown"`
		ReasonTH   string             `json:"reason_th"`
		Reasons    []matchReason      `json:"reasons"`
		URL        string             `json:"url,omitempty"`
	}
	matchReason struct {
		TH string `json:"th"`
		EN string `json:"en"`
	}
	matchPair struct {
		Score    float64       `json:"score"`
		ReasonTH string        `json:"reason_th"`
		Reasons  []matchReason `json:"reasons"`
		Course   matchItem     `json:"course"`
		Opening  matchItem     `json:"opening"`
	}
	matchGap struct {
		Missing []string    `json:"missing"`
		Reason  matchReason `json:"reason"`
		Opening matchItem   `json:"opening"`
		Course  matchItem   `json:"course"`
	}
)

func itemJSON(r match.Result) matchItem {
	it := matchItem{
		ID: r.ID, Kind: r.Kind, Score: r.Score, Breakdown: r.Breakdown,
		ReasonTH: r.ReasonText("th"), Reasons: reasonsJSON(r.Reasons),
	}
	if r.DistanceKm >= 0 {
		d := r.DistanceKm
		it.DistanceKm = &d
	}
	switch {
	case r.Course != nil:
		c := r.Course
		it.Title, it.TitleEN, it.Provider, it.Field, it.Mode, it.Province, it.URL = c.TitleTH, c.TitleEN, c.Provider, c.Field, c.Mode, c.Province, c.URL
	case r.Opening != nil:
		o := r.Opening
		it.Title, it.TitleEN, it.Provider, it.Field, it.Mode, it.Province, it.URL = o.RoleTH, o.RoleEN, o.Employer, o.Field, "onsite", o.Province, o.URL
	}
	return it
}

func reasonsJSON(rs []match.Reason) []matchReason {
	out := make([]matchReason, len(rs))
	for i, r := range rs {
		out[i] = matchReason(r)
	}
	return out
}

func joinTH(rs []match.Reason) string {
	return match.Result{Reasons: rs}.ReasonText("th")
}

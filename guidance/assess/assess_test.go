package assess

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
)

func mustLoad(t *testing.T) *Inventory {
	t.Helper()
	inv, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return inv
}

func TestLoadValid(t *testing.T) {
	inv := mustLoad(t)
	if len(inv.Items) != 24 {
		t.Errorf("%d items, want 24", len(inv.Items))
	}
	per := map[string]int{}
	for _, it := range inv.Items {
		per[it.Code]++
	}
	for _, l := range Letters {
		if per[l] != 4 {
			t.Errorf("code %s: %d items, want 4", l, per[l])
		}
		c := inv.Codes[l]
		if c.Letter != l || c.NameTH == "" || c.NameEN == "" {
			t.Errorf("code %s: incomplete description %+v", l, c)
		}
	}
	if got := len(inv.Scale); got != 3 {
		t.Fatalf("scale has %d options", got)
	}
	want := []ScaleOption{{Value: 2, TH: "ชอบ", EN: "Like"}, {Value: 1, TH: "เฉย ๆ", EN: "Not sure"}, {Value: 0, TH: "ไม่ชอบ", EN: "Dislike"}}
	sameLabel := func(a, b ScaleOption) bool { return a.Value == b.Value && a.TH == b.TH && a.EN == b.EN }
	if !slices.EqualFunc(inv.Scale, want, sameLabel) {
		t.Errorf("scale = %v, want %v", inv.Scale, want)
	}
	for _, o := range append(slices.Clone(inv.Scale), inv.StrengthScale...) {
		if len(o.Also) == 0 {
			t.Errorf("answer %q lists nothing people type for it (also)", o.TH)
		}
	}
	for _, o := range append(slices.Clone(inv.Scale), inv.StrengthScale...) {
		if utf8.RuneCountInString(o.TH) > 12 || utf8.RuneCountInString(o.EN) > 12 {
			t.Errorf("answer label too long: %+v", o)
		}
	}
	if n := len(inv.Strengths); n < 5 || n > 6 {
		t.Errorf("%d strengths", n)
	}
}

// The yaml file itself, read independently of the loader: 12–30 items and at
// least two for each code.
func TestYAMLItemCounts(t *testing.T) {
	var f struct {
		Items []struct {
			ID   string `yaml:"id"`
			Code string `yaml:"code"`
		} `yaml:"items"`
	}
	if err := yaml.Unmarshal(riasecYAML, &f); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Items); n < 12 || n > 30 {
		t.Errorf("riasec.yaml has %d items, want 12–30", n)
	}
	per := map[string]int{}
	for _, it := range f.Items {
		per[it.Code]++
	}
	for _, l := range []string{"R", "I", "A", "S", "E", "C"} {
		if per[l] < 2 {
			t.Errorf("code %s has %d items, want at least 2", l, per[l])
		}
	}
}

func TestEveryFieldReachable(t *testing.T) {
	inv := mustLoad(t)
	used := map[string]bool{}
	for _, c := range inv.Codes {
		for _, f := range c.Fields {
			used[f] = true
		}
	}
	for _, f := range content.Fields() {
		if !used[f] {
			t.Errorf("field %q is not reachable from any code", f)
		}
	}
}

// answersFor gives value v to every item of the listed codes.
func answersFor(inv *Inventory, v int, codes ...string) map[string]int {
	a := map[string]int{}
	for _, it := range inv.Items {
		if slices.Contains(codes, it.Code) {
			a[it.ID] = v
		}
	}
	return a
}

func TestScore(t *testing.T) {
	inv := mustLoad(t)
	merge := func(ms ...map[string]int) map[string]int {
		out := map[string]int{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	cases := []struct {
		name    string
		answers map[string]int
		top     []string
	}{
		{"all R liked", answersFor(inv, 2, "R"), []string{"R"}},
		{"R liked, S not sure", merge(answersFor(inv, 2, "R"), answersFor(inv, 1, "S")), []string{"R", "S"}},
		{"everything liked: tie in R I A S E C order", answersFor(inv, 2, Letters...), []string{"R", "I", "A"}},
		{"S and E tie, C last", merge(answersFor(inv, 2, "S", "E"), answersFor(inv, 1, "C")), []string{"S", "E", "C"}},
		{"C beats A", merge(answersFor(inv, 2, "C"), answersFor(inv, 1, "A")), []string{"C", "A"}},
		{"tie E and I: I first", merge(answersFor(inv, 1, "E", "I")), []string{"I", "E"}},
		{"nothing liked", answersFor(inv, 0, Letters...), nil},
		{"no answers", map[string]int{}, nil},
		{"one item", map[string]int{"a1": 2}, []string{"A"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := inv.Score(tc.answers)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Top, tc.top) {
				t.Errorf("Top = %v, want %v (scores %v)", r.Top, tc.top, r.Scores)
			}
			if len(r.Scores) != 6 {
				t.Errorf("Scores has %d codes, want 6", len(r.Scores))
			}
			// Fields follow Top: the top codes' fields, in order, without repeats.
			var want []string
			for _, l := range r.Top {
				for _, f := range inv.Codes[l].Fields {
					if !slices.Contains(want, f) {
						want = append(want, f)
					}
				}
			}
			if !slices.Equal(r.Fields, want) {
				t.Errorf("Fields = %v, want %v", r.Fields, want)
			}
		})
	}
}

func TestScoreValues(t *testing.T) {
	inv := mustLoad(t)
	r, err := inv.Score(answersFor(inv, 2, "R"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Scores["R"] != 8 || r.Scores["I"] != 0 {
		t.Errorf("scores %v", r.Scores)
	}
	if !slices.Equal(r.Fields, inv.Codes["R"].Fields) {
		t.Errorf("Fields = %v, want R's %v", r.Fields, inv.Codes["R"].Fields)
	}
	if r.Fields[0] != "trades" {
		t.Errorf("R's first field = %q", r.Fields[0])
	}
}

func TestScoreRejects(t *testing.T) {
	inv := mustLoad(t)
	for name, a := range map[string]map[string]int{
		"unknown id":      {"zz9": 2},
		"value too big":   {"r1": 3},
		"negative value":  {"r1": -1},
		"one bad of many": {"r1": 2, "i1": 1, "a1": 7},
	} {
		if _, err := inv.Score(a); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := inv.Score(map[string]int{"nope": 2})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("error does not name the item: %v", err)
	}
}

func TestSkills(t *testing.T) {
	inv := mustLoad(t)
	got, err := inv.Skills(map[string]bool{"phone": true, "cook": false, "care": true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"digital_basic", "caregiving"}) {
		t.Errorf("Skills = %v", got)
	}
	if _, err := inv.Skills(map[string]bool{"fly": true}); err == nil {
		t.Error("unknown strength accepted")
	}
}

func TestExplain(t *testing.T) {
	inv := mustLoad(t)
	r, err := inv.Score(merge2(answersFor(inv, 2, "R"), answersFor(inv, 1, "S")))
	if err != nil {
		t.Fatal(err)
	}
	th := inv.Explain(r, "th")
	en := inv.Explain(r, "en")
	for _, want := range []string{"ผลของคุณ", inv.Codes["R"].NameTH, inv.Codes["S"].NameTH, inv.Codes["R"].OccupationsTH[0], inv.Codes["S"].OccupationsTH[0], "ค่ะ"} {
		if !strings.Contains(th, want) {
			t.Errorf("Thai explanation lacks %q:\n%s", want, th)
		}
	}
	for _, want := range []string{"Your result", inv.Codes["R"].NameEN, inv.Codes["S"].NameEN} {
		if !strings.Contains(en, want) {
			t.Errorf("English explanation lacks %q:\n%s", want, en)
		}
	}
	if hasThai(en) {
		t.Errorf("English explanation has Thai in it:\n%s", en)
	}
	t.Logf("\n%s\n\n%s", th, en)
}

func merge2(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Every possible set of top codes (1–3 of them, any order) explains within the
// length limits in both languages; so do the empty and flat results.
func TestExplainLengths(t *testing.T) {
	inv := mustLoad(t)
	check := func(r Result) {
		for _, lang := range []string{"th", "en"} {
			s := inv.Explain(r, lang)
			if units(s) > maxTextUnits {
				t.Errorf("%v %s: %d UTF-16 units", r.Top, lang, units(s))
			}
			if n := utf8.RuneCountInString(s); n > maxExplainRunes {
				t.Errorf("%v %s: %d characters, want ≤ %d:\n%s", r.Top, lang, n, maxExplainRunes, s)
			}
			for _, bad := range []string{"ไม่เก่ง", "ล้มเหลว", "โง่", "failure", "lazy", "bad at"} {
				if strings.Contains(strings.ToLower(s), bad) {
					t.Errorf("%v %s: shaming word %q", r.Top, lang, bad)
				}
			}
		}
	}
	for _, a := range Letters {
		check(Result{Top: []string{a}})
		for _, b := range Letters {
			if b == a {
				continue
			}
			check(Result{Top: []string{a, b}})
			for _, c := range Letters {
				if c == a || c == b {
					continue
				}
				check(Result{Top: []string{a, b, c}})
			}
		}
	}
	empty, _ := inv.Score(nil)
	check(empty)
	if s := inv.Explain(empty, "th"); !strings.Contains(s, "ไม่เป็นไร") {
		t.Errorf("empty result is not reassuring:\n%s", s)
	}
	flat, _ := inv.Score(answersFor(inv, 1, Letters...))
	check(flat)
	if s := inv.Explain(flat, "th"); !strings.Contains(s, "พอ ๆ กัน") {
		t.Errorf("flat result does not say so:\n%s", s)
	}
}

func TestValidateCatchesProblems(t *testing.T) {
	good := mustLoad(t)
	clone := func() *Inventory {
		inv := *good
		inv.Items = slices.Clone(good.Items)
		inv.Scale = slices.Clone(good.Scale)
		inv.Strengths = slices.Clone(good.Strengths)
		inv.Codes = map[string]Code{}
		for k, v := range good.Codes {
			v.Fields = slices.Clone(v.Fields)
			inv.Codes[k] = v
		}
		return &inv
	}
	cases := map[string]struct {
		change func(*Inventory)
		want   string
	}{
		"duplicate id":   {func(i *Inventory) { i.Items[1].ID = i.Items[0].ID }, "duplicate id"},
		"bad code":       {func(i *Inventory) { i.Items[0].Code = "X" }, "not one of"},
		"unbalanced":     {func(i *Inventory) { i.Items = i.Items[:23] }, "same number"},
		"same neighbour": {func(i *Inventory) { i.Items[1], i.Items[9] = i.Items[9], i.Items[1] }, "mix the order"},
		"no thai":        {func(i *Inventory) { i.Items[0].TH = "fix a fan" }, "no Thai letters"},
		"long label": {func(i *Inventory) {
			i.Scale[0].TH = "ชอบมาก ๆ ที่สุดในโลกเลยค่ะ"
		}, "at most 12"},
		"unknown field": {func(i *Inventory) { c := i.Codes["R"]; c.Fields = append(c.Fields, "astronaut"); i.Codes["R"] = c }, "astronaut"},
		"missing code":  {func(i *Inventory) { delete(i.Codes, "C") }, "code C: no description"},
		"too few":       {func(i *Inventory) { i.Items = i.Items[:6] }, "want 12–30"},
		"no skill":      {func(i *Inventory) { i.Strengths[0].Skill = "" }, "no skill tag"},
	}
	for name, tc := range cases {
		inv := clone()
		tc.change(inv)
		err := inv.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	if err := clone().Validate(); err != nil {
		t.Errorf("clone of good inventory invalid: %v", err)
	}
}

func TestParseRejectsUnknownKeys(t *testing.T) {
	if _, err := parse([]byte("itemz: []\n")); err == nil {
		t.Error("unknown key accepted")
	}
}

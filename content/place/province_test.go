package place

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestAllListsEachOfThe77ProvincesOnceInCodeOrder(t *testing.T) {
	all := All()
	if len(all) != 77 {
		t.Fatalf("len(All()) = %d, want 77", len(all))
	}
	seen := map[string]string{}
	for i, p := range all {
		for _, v := range []string{p.Code, p.TH, p.EN} {
			if other, dup := seen[v]; dup {
				t.Errorf("%q is used by %s and %s", v, other, p.Code)
			}
			seen[v] = p.Code
		}
		if i > 0 && all[i-1].Code >= p.Code {
			t.Errorf("%s comes after %s", p.Code, all[i-1].Code)
		}
	}
}

func TestRegionsFollowTheSixRegionGrouping(t *testing.T) {
	want := map[string]int{"north": 9, "northeast": 20, "central": 22, "east": 7, "west": 5, "south": 14}
	got := map[string]int{}
	for _, p := range All() {
		got[p.Region]++
	}
	for _, r := range Regions() {
		if got[r] != want[r] {
			t.Errorf("region %s has %d provinces, want %d", r, got[r], want[r])
		}
	}
	if len(got) != len(want) {
		t.Errorf("regions used = %v, want %v", got, want)
	}
}

func TestSeatsLieInsideThailand(t *testing.T) {
	for _, p := range All() {
		if p.Lat < 5.6 || p.Lat > 20.5 || p.Lng < 97.3 || p.Lng > 105.7 {
			t.Errorf("%s %s seat (%v, %v) is outside Thailand", p.Code, p.EN, p.Lat, p.Lng)
		}
	}
}

func TestByCodeFindsAProvinceByItsISOCode(t *testing.T) {
	tests := []struct {
		code   string
		wantTH string
		wantOK bool
	}{
		{"TH-10", "กรุงเทพมหานคร", true},
		{"TH-50", "เชียงใหม่", true},
		{"th-30", "นครราชสีมา", true},
		{" TH-96 ", "นราธิวาส", true},
		{"TH-99", "", false},
		{"TH-59", "", false},
		{"50", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := ByCode(tt.code)
		if ok != tt.wantOK || got.TH != tt.wantTH {
			t.Errorf("ByCode(%q) = %q, %v; want %q, %v", tt.code, got.TH, ok, tt.wantTH, tt.wantOK)
		}
	}
}

func TestAllAndByCodeHandOutCopies(t *testing.T) {
	all := All()
	all[0].TH = "changed"
	all[0].Aliases[0] = "changed"
	p, _ := ByCode("TH-10")
	p.Aliases[1] = "changed"
	again, _ := ByCode("TH-10")
	if again.TH != "กรุงเทพมหานคร" || slices.Contains(again.Aliases, "changed") {
		t.Errorf("package data changed through a returned value: %+v", again)
	}
}

func TestRegionsAndValidRegion(t *testing.T) {
	rs := Regions()
	if len(rs) != 6 {
		t.Fatalf("Regions() = %v, want 6", rs)
	}
	rs[0] = "changed"
	for _, r := range Regions() {
		if !ValidRegion(r) {
			t.Errorf("ValidRegion(%q) = false", r)
		}
	}
	for _, r := range []string{"", "North", "isan", "changed", "northern"} {
		if ValidRegion(r) {
			t.Errorf("ValidRegion(%q) = true", r)
		}
	}
}

// provinceYAML writes a province file of n made-up provinces, letting edit
// change the fields of each before it is written.
func provinceYAML(n int, edit func(i int, p *Province)) []byte {
	var b strings.Builder
	b.WriteString("provinces:\n")
	for i := range n {
		p := Province{Code: fmt.Sprintf("TH-%02d", 10+i), TH: fmt.Sprintf("จังหวัด%d", i), EN: fmt.Sprintf("Province %d", i),
			Region: "central", Lat: 14, Lng: 100, Aliases: []string{fmt.Sprintf("p%d", i)}}
		if edit != nil {
			edit(i, &p)
		}
		fmt.Fprintf(&b, "  - {code: %q, th: %q, en: %q, region: %q, lat: %v, lng: %v, aliases: [%s]}\n",
			p.Code, p.TH, p.EN, p.Region, p.Lat, p.Lng, strings.Join(p.Aliases, ", "))
	}
	return []byte(b.String())
}

func TestLoadRejectsABrokenProvinceFile(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not YAML", []byte("provinces: [\n"), "yaml"},
		{"too few", provinceYAML(76, nil), "76 provinces"},
		{"duplicate code", provinceYAML(77, func(i int, p *Province) {
			if i == 5 {
				p.Code = "TH-10"
			}
		}), "duplicate code"},
		{"unknown region", provinceYAML(77, func(i int, p *Province) {
			if i == 3 {
				p.Region = "isan"
			}
		}), "unknown region"},
		{"no Thai name", provinceYAML(77, func(i int, p *Province) {
			if i == 3 {
				p.TH = ""
			}
		}), "required"},
		{"no coordinates", provinceYAML(77, func(i int, p *Province) {
			if i == 3 {
				p.Lat = 0
			}
		}), "lat and lng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load() error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := load(provinceYAML(77, nil)); err != nil {
		t.Errorf("load(valid) = %v", err)
	}
}

func TestAnAliasMayNameOnlyOneProvince(t *testing.T) {
	if _, err := buildIndex(provinces); err != nil {
		t.Fatalf("embedded data: %v", err)
	}
	ps, err := load(provinceYAML(77, func(i int, p *Province) {
		if i == 7 {
			p.Aliases = append(p.Aliases, "P 3") // normalizes to "p3", province 3's alias
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := buildIndex(ps); err == nil || !strings.Contains(err.Error(), "names both") {
		t.Errorf("buildIndex() error = %v, want a clash", err)
	}
}

func TestEveryNameAndAliasFindsItsProvinceExactly(t *testing.T) {
	for _, p := range All() {
		for _, name := range append([]string{p.TH, p.EN}, p.Aliases...) {
			got, alts, ok := Find(name)
			if !ok || !got.Exact || got.Province.Code != p.Code || len(alts) != 0 {
				t.Errorf("Find(%q) = %s exact=%v alts=%d ok=%v; want %s exact", name, got.Province.Code, got.Exact, len(alts), ok, p.Code)
			}
		}
	}
}

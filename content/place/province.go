package place

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Province is one of Thailand's 77 provinces (Bangkok counted as one).
type Province struct {
	Code    string   // ISO 3166-2 code, e.g. "TH-50"
	TH      string   // official Thai name, e.g. "เชียงใหม่"
	EN      string   // English name, e.g. "Chiang Mai"
	Region  string   // one of Regions()
	Lat     float64  // latitude of the provincial seat
	Lng     float64  // longitude of the provincial seat
	Aliases []string // other things people type for it: short forms, nicknames, spellings, big towns
}

// provinceCount is how many provinces Thailand has.
const provinceCount = 77

// regions are the six regions of the National Geographical Committee's grouping.
var regions = []string{"north", "northeast", "central", "east", "west", "south"}

//go:embed provinces.yaml
var provincesYAML []byte

// provinces holds the data in code order; it is never handed out unshared.
var provinces = mustLoad(provincesYAML)

// All returns every province in code order. The slice is the caller's own.
func All() []Province {
	out := make([]Province, len(provinces))
	for i, p := range provinces {
		out[i] = p.clone()
	}
	return out
}

// ByCode returns the province with an ISO 3166-2 code such as "TH-50"
// (case does not matter).
func ByCode(code string) (Province, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	i, ok := slices.BinarySearchFunc(provinces, code, func(p Province, c string) int {
		return strings.Compare(p.Code, c)
	})
	if !ok {
		return Province{}, false
	}
	return provinces[i].clone(), true
}

// Regions returns the region names a Province's Region is one of.
func Regions() []string { return slices.Clone(regions) }

// ValidRegion reports whether r is one of the region names.
func ValidRegion(r string) bool { return slices.Contains(regions, r) }

func (p Province) clone() Province {
	p.Aliases = slices.Clone(p.Aliases)
	return p
}

type provinceFile struct {
	Provinces []struct {
		Code    string   `yaml:"code"`
		TH      string   `yaml:"th"`
		EN      string   `yaml:"en"`
		Region  string   `yaml:"region"`
		Lat     float64  `yaml:"lat"`
		Lng     float64  `yaml:"lng"`
		Aliases []string `yaml:"aliases"`
	} `yaml:"provinces"`
}

func mustLoad(data []byte) []Province {
	ps, err := load(data)
	if err != nil {
		panic("place: provinces.yaml: " + err.Error())
	}
	return ps
}

// load parses and checks the province file and sorts it by code.
func load(data []byte) ([]Province, error) {
	var f provinceFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if len(f.Provinces) != provinceCount {
		return nil, fmt.Errorf("%d provinces, want %d", len(f.Provinces), provinceCount)
	}
	out := make([]Province, 0, len(f.Provinces))
	codes := map[string]bool{}
	for _, r := range f.Provinces {
		p := Province{Code: r.Code, TH: r.TH, EN: r.EN, Region: r.Region, Lat: r.Lat, Lng: r.Lng, Aliases: r.Aliases}
		switch {
		case !strings.HasPrefix(p.Code, "TH-") || p.TH == "" || p.EN == "":
			return nil, fmt.Errorf("%q: code, th and en are required", p.Code)
		case codes[p.Code]:
			return nil, fmt.Errorf("%s: duplicate code", p.Code)
		case !ValidRegion(p.Region):
			return nil, fmt.Errorf("%s: unknown region %q", p.Code, p.Region)
		case p.Lat == 0 || p.Lng == 0:
			return nil, fmt.Errorf("%s: lat and lng are required", p.Code)
		}
		codes[p.Code] = true
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Province) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

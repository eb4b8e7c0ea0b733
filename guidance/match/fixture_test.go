package match

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// testNow is "now" for every test: Saturday 21 November 2026, 10:00 in Thailand.
var testNow = time.Date(2026, 11, 21, 10, 0, 0, 0, thaitime.Zone)

type vocabItem struct {
	TH     string   `yaml:"th"`
	EN     string   `yaml:"en"`
	Skills []string `yaml:"skills"`
	Riasec []string `yaml:"riasec"`
}

type vocabField struct {
	Courses   []vocabItem `yaml:"courses"`
	Openings  []vocabItem `yaml:"openings"`
	Providers []string    `yaml:"providers"`
	Employers []string    `yaml:"employers"`
}

var (
	vocabOnce sync.Once
	vocab     map[string]vocabField
	vocabErr  error
)

func loadVocab(t testing.TB) map[string]vocabField {
	vocabOnce.Do(func() {
		data, err := os.ReadFile("testdata/vocab.yaml")
		if err != nil {
			vocabErr = err
			return
		}
		var f struct {
			Fields map[string]vocabField `yaml:"fields"`
		}
		vocabErr = yaml.Unmarshal(data, &f)
		vocab = f.Fields
	})
	if vocabErr != nil {
		t.Fatal(vocabErr)
	}
	return vocab
}

// hotProvinces get extra items so the personas living there have a choice.
var hotProvinces = []string{"TH-10", "TH-50", "TH-57", "TH-30", "TH-40", "TH-90", "TH-83", "TH-20", "TH-95", "TH-34", "TH-41", "TH-65", "TH-80", "TH-56"}

// genCatalog makes a deterministic catalog of n items (about 60% courses)
// spread over all provinces, with every case the rules care about: online,
// hybrid and on-site; past, current and far-future dates; day, evening,
// weekend and night hours (some night work without the Night flag); free and
// paid; allowances; age and education limits; skills.
func genCatalog(t testing.TB, n int, seed uint64) ([]content.Course, []content.Opening, []content.Occupation) {
	v := loadVocab(t)
	fieldIDs := content.Fields()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	days := func(d int) time.Time { return testNow.AddDate(0, 0, d) }
	var courses []content.Course
	var openings []content.Opening
	for i := range n {
		field := fieldIDs[rng.IntN(len(fieldIDs))]
		fv := v[field]
		var prov = provinces[rng.IntN(len(provinces))]
		if rng.IntN(3) == 0 {
			code := hotProvinces[rng.IntN(len(hotProvinces))]
			prov = provinces[provinceIndex(code)]
		}
		lat, lng := 0.0, 0.0
		if rng.IntN(10) < 7 {
			lat = prov.Lat + (rng.Float64()-0.5)*0.5
			lng = prov.Lng + (rng.Float64()-0.5)*0.5
		}
		var dayset []string
		start, end := "", ""
		switch r := rng.IntN(20); {
		case r < 9:
			dayset, start, end = []string{"mon", "tue", "wed", "thu", "fri"}, "09:00", "16:00"
		case r < 13:
			dayset, start, end = []string{"sat", "sun"}, "09:00", "15:00"
		case r < 16:
			dayset, start, end = []string{"mon", "wed", "fri"}, "18:00", "21:00"
		case r < 17:
			dayset, start, end = []string{"tue", "thu"}, "13:00", "16:00"
		}
		if rng.IntN(10) < 6 {
			// a course
			ci := fv.Courses[rng.IntN(len(fv.Courses))]
			c := content.Course{
				ID: content.CourseID("gen", fmt.Sprintf("%06d", i)), Source: "gen", ExternalID: fmt.Sprintf("%06d", i),
				TitleTH: ci.TH, TitleEN: ci.EN, DescTH: ci.TH, Skills: ci.Skills, Interests: ci.Riasec, Field: field,
				Mode: "onsite", Days: dayset, StartTime: start, EndTime: end,
			}
			switch r := rng.IntN(10); {
			case r < 3:
				c.Mode, c.Days, c.StartTime, c.EndTime = "online", nil, "", ""
				c.Provider = pick(fv.Providers)
			case r < 4:
				c.Mode = "hybrid"
			}
			if c.Mode != "online" {
				c.Province, c.Lat, c.Lng = prov.Code, lat, lng
				c.Provider = pick(fv.Providers) + " " + prov.TH
			}
			c.Hours = []int{6, 12, 18, 30, 60, 70, 120}[rng.IntN(7)]
			switch r := rng.IntN(20); {
			case r < 3: // self-paced, no dates
			case r < 4: // over
				c.StartDate, c.EndDate = days(-60), days(-5)
			case r < 5: // too far ahead
				c.StartDate, c.EndDate = days(150), days(180)
			default:
				s := rng.IntN(100) - 10
				c.StartDate, c.EndDate = days(s), days(s+7+rng.IntN(60))
				if rng.IntN(10) == 0 {
					c.ClosesAt = days(-1) // registration closed
				} else if rng.IntN(2) == 0 {
					c.ClosesAt = days(s)
				}
			}
			if rng.IntN(2) == 0 {
				c.CostBaht = []int{200, 450, 500, 900, 1500, 2000, 3500}[rng.IntN(7)]
			} else if rng.IntN(3) == 0 {
				c.Allowance = []int{300, 900, 1500, 3000}[rng.IntN(4)]
			}
			switch rng.IntN(5) {
			case 0:
				c.Earns = []string{"certificate"}
			case 1:
				c.Earns, c.Credits = []string{"certificate", "credit_bank"}, 1+rng.IntN(3)
			case 2:
				c.Earns = []string{"tpqi_level_" + fmt.Sprint(1+rng.IntN(3))}
			}
			switch rng.IntN(10) {
			case 0:
				c.MinAge = 18
			case 1:
				c.MinAge, c.MaxAge = 15, 20
			}
			if rng.IntN(8) == 0 {
				c.MinEdu = pick([]string{"m3", "m6", "pvc"})
			}
			courses = append(courses, c)
			continue
		}
		oi := fv.Openings[rng.IntN(len(fv.Openings))]
		o := content.Opening{
			ID: content.OpeningID("gen", fmt.Sprintf("%06d", i)), Source: "gen", ExternalID: fmt.Sprintf("%06d", i),
			Employer: pick(fv.Employers) + " " + prov.TH, RoleTH: oi.TH, RoleEN: oi.EN, DescTH: oi.TH,
			Kind:  pick([]string{"school_break", "part_time", "part_time", "apprenticeship", "dual_vocational"}),
			Field: field, Interests: oi.Riasec, Skills: oi.Skills,
			Province: prov.Code, Lat: lat, Lng: lng, Days: dayset, StartTime: start, EndTime: end, MinAge: 15,
			Training: rng.IntN(2) == 0,
		}
		switch r := rng.IntN(20); {
		case r < 1:
			o.Days, o.StartTime, o.EndTime, o.Night = []string{"fri", "sat"}, "22:00", "06:00", true
		case r < 2:
			o.Days, o.StartTime, o.EndTime = []string{"fri", "sat"}, "20:00", "23:00" // night hours, flag not set
		case r < 3:
			o.Days, o.StartTime, o.EndTime = []string{"sat", "sun"}, "04:00", "10:00" // early hours, flag not set
		}
		if rng.IntN(20) == 0 {
			o.Hazardous = true
		}
		switch rng.IntN(3) {
		case 0:
			o.PayBaht, o.PayUnit = 45+rng.IntN(40), "hour"
		case 1:
			o.PayBaht, o.PayUnit = 300+rng.IntN(200), "day"
		default:
			o.PayBaht, o.PayUnit = 8000+rng.IntN(7000), "month"
		}
		if o.Kind == "apprenticeship" && rng.IntN(3) == 0 {
			o.PayBaht = 0
		}
		o.HoursWeek = []int{8, 12, 20, 35, 40}[rng.IntN(5)]
		if rng.IntN(10) == 0 {
			o.ValidUntil = days(-2)
		} else if rng.IntN(2) == 0 {
			o.ValidUntil = days(10 + rng.IntN(60))
		}
		if rng.IntN(6) == 0 {
			o.MinAge = 18
		}
		if rng.IntN(6) == 0 {
			o.MinEdu = pick([]string{"m3", "m6", "pvc", "hvc"})
		}
		openings = append(openings, o)
	}
	var occ []content.Occupation
	for _, f := range fieldIDs {
		d := map[string]int{}
		for _, rg := range []string{"north", "northeast", "central", "east", "west", "south"} {
			d[rg] = rng.IntN(4)
		}
		occ = append(occ, content.Occupation{ID: f, NameTH: f, NameEN: f, Demand: d, Source: "gen"})
	}
	return courses, openings, occ
}

// genProfile makes the i-th of a set of varied profiles.
func genProfile(i int) Profile {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	fieldIDs := content.Fields()
	p := Profile{
		"age":        fmt.Sprint(14 + r.IntN(11)),
		"province":   provinces[r.IntN(len(provinces))].Code,
		"education":  pick("p6", "m3", "m6", "pvc", "hvc", "bachelor", "other"),
		"need":       pick("income", "qualification", "unsure"),
		"time":       pick("weekday", "evening", "weekend", "anytime", "little"),
		"budget":     pick("free", "500", "2000", "more"),
		"travel":     pick("5", "15", "40", "any", "online"),
		"device":     pick("phone_data", "phone_wifi", "computer", "none"),
		"care":       pick("caring", "disability", "both", "none"),
		"interests":  fieldIDs[r.IntN(len(fieldIDs))] + "," + fieldIDs[r.IntN(len(fieldIDs))],
		"riasec_top": pick("RI", "SA", "EC", "RS", "AE", "CI"),
	}
	if r.IntN(2) == 0 {
		p["strengths"] = pick("driving", "communication,cooking", "", "digital_basic,english_basic")
	}
	if r.IntN(3) == 0 {
		pr := provinces[provinceIndex(p["province"])]
		p["location"] = fmt.Sprintf("%.4f,%.4f", pr.Lat+0.05, pr.Lng-0.05)
	}
	return p
}

// catalogCache keeps generated catalogs across tests and benchmarks.
var (
	catalogMu    sync.Mutex
	catalogCache = map[int]*Catalog{}
)

func genCatalogN(t testing.TB, n int) *Catalog {
	catalogMu.Lock()
	defer catalogMu.Unlock()
	if c, ok := catalogCache[n]; ok {
		return c
	}
	cs, os, occ := genCatalog(t, n, 42)
	c := NewCatalog(cs, os, occ)
	catalogCache[n] = c
	return c
}

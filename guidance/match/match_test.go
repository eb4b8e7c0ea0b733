package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
)

// Builders for small hand-made catalogs: a course or opening in Korat
// (TH-30) at the provincial seat, weekdays 09:00–16:00, free, in trades,
// from its own provider, open now.

func course(id string, mods ...func(*content.Course)) content.Course {
	c := content.Course{
		ID: content.CourseID("t", id), Source: "t", ExternalID: id, Provider: "provider " + id,
		TitleTH: "คอร์ส " + id, TitleEN: "Course " + id, Field: "trades", Interests: []string{"R"},
		Mode: "onsite", Province: "TH-30", Days: []string{"mon", "tue", "wed", "thu", "fri"},
		StartTime: "09:00", EndTime: "16:00", Hours: 30,
		StartDate: testNow.AddDate(0, 0, 10), EndDate: testNow.AddDate(0, 0, 30),
	}
	for _, m := range mods {
		m(&c)
	}
	return c
}

func opening(id string, mods ...func(*content.Opening)) content.Opening {
	o := content.Opening{
		ID: content.OpeningID("t", id), Source: "t", ExternalID: id, Employer: "employer " + id,
		RoleTH: "งาน " + id, RoleEN: "Job " + id, Kind: "part_time", Field: "trades", Interests: []string{"R"},
		PayBaht: 400, PayUnit: "day", HoursWeek: 20, Days: []string{"mon", "tue", "wed", "thu", "fri"},
		StartTime: "09:00", EndTime: "16:00", Province: "TH-30", MinAge: 15,
	}
	for _, m := range mods {
		m(&o)
	}
	return o
}

func korat(mods ...func(Profile)) Profile {
	p := Profile{"age": "19", "province": "TH-30", "education": "m6", "need": "unsure", "time": "anytime",
		"budget": "more", "travel": "40", "device": "phone_data", "care": "none", "interests": "trades", "riasec_top": "RI"}
	for _, m := range mods {
		m(p)
	}
	return p
}

func ids(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func sortedIDs(rs []Result) []string {
	out := ids(rs)
	slices.Sort(out)
	return out
}

func rank(c *Catalog, p Profile, mods ...func(*Options)) Ranking {
	o := Options{Now: testNow}
	for _, m := range mods {
		m(&o)
	}
	return c.Rank(p, o)
}

func TestMinorIsNeverOfferedNightOrHazardousWork(t *testing.T) {
	c := NewCatalog(nil, noMinAge(
		opening("day"),
		opening("until22", func(o *content.Opening) { o.StartTime, o.EndTime = "17:00", "22:00" }),
		opening("nightflag", func(o *content.Opening) { o.StartTime, o.EndTime, o.Night = "22:00", "06:00", true }),
		opening("hazard", func(o *content.Opening) { o.Hazardous = true }),
		opening("late-no-flag", func(o *content.Opening) { o.StartTime, o.EndTime = "20:00", "23:00" }),
		opening("early-no-flag", func(o *content.Opening) { o.StartTime, o.EndTime = "04:00", "10:00" }),
		opening("overnight-no-flag", func(o *content.Opening) { o.StartTime, o.EndTime = "18:00", "02:00" }),
		opening("night-start-only", func(o *content.Opening) { o.StartTime, o.EndTime = "23:00", "" }),
	), nil)
	day := []string{"o:t:day", "o:t:until22"}
	tests := []struct {
		name   string
		age    string
		want   []string
		labour int
	}{
		{"16-year-old: day work only, not 20:00-23:00", "16", day, 6},
		{"17-year-old: same", "17", day, 6},
		{"age unknown: treated as a minor", "", day, 6},
		{"14-year-old: no work at all", "14", nil, 8},
		{"18-year-old: everything", "18", []string{"o:t:day", "o:t:early-no-flag", "o:t:hazard", "o:t:late-no-flag", "o:t:night-start-only", "o:t:nightflag", "o:t:overnight-no-flag", "o:t:until22"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := korat(func(p Profile) { p["age"] = tt.age })
			if tt.age == "" {
				delete(p, "age")
			}
			rk := rank(c, p)
			if got := sortedIDs(rk.Results); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("results %v, want %v", got, tt.want)
			}
			if rk.Excluded[ExclLabour] != tt.labour {
				t.Errorf("labour exclusions %d, want %d (%v)", rk.Excluded[ExclLabour], tt.labour, rk.Excluded)
			}
			if len(rk.Pairs) > 0 && tt.labour == 8 {
				t.Errorf("a 14-year-old got earn-while-learning pairs: %v", rk.Pairs)
			}
		})
	}
}

// noMinAge clears MinAge so only the labour-law rules stand between a minor
// and the work.
func noMinAge(os ...content.Opening) []content.Opening {
	for i := range os {
		os[i].MinAge = 0
	}
	return os
}

func TestExpiredOrFarOffItemsNeverAppear(t *testing.T) {
	c := NewCatalog([]content.Course{
		course("open"),
		course("selfpaced", func(c *content.Course) { c.StartDate, c.EndDate = time.Time{}, time.Time{} }),
		course("closed", func(c *content.Course) { c.ClosesAt = testNow.Add(-time.Hour) }),
		course("over", func(c *content.Course) { c.StartDate, c.EndDate = testNow.AddDate(0, -2, 0), testNow.AddDate(0, 0, -1) }),
		course("next-year", func(c *content.Course) {
			c.StartDate, c.EndDate = testNow.AddDate(0, 0, 121), testNow.AddDate(0, 0, 150)
		}),
		course("in-120-days", func(c *content.Course) {
			c.StartDate, c.EndDate = testNow.AddDate(0, 0, 119), testNow.AddDate(0, 0, 150)
		}),
	}, []content.Opening{
		opening("valid"),
		opening("expired", func(o *content.Opening) { o.ValidUntil = testNow.Add(-time.Minute) }),
		opening("valid-tomorrow", func(o *content.Opening) { o.ValidUntil = testNow.AddDate(0, 0, 1) }),
	}, nil)
	rk := rank(c, korat())
	want := []string{"c:t:in-120-days", "c:t:open", "c:t:selfpaced", "o:t:valid", "o:t:valid-tomorrow"}
	if got := sortedIDs(rk.Results); !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if rk.Excluded[ExclClosed] != 3 || rk.Excluded[ExclLater] != 1 {
		t.Errorf("excluded %v, want closed 3 and later 1", rk.Excluded)
	}
}

func TestNoDeviceMeansNoOnlineOnlyCourse(t *testing.T) {
	online := func(c *content.Course) {
		c.Mode, c.Province, c.Days, c.StartTime, c.EndTime = "online", "", nil, "", ""
	}
	c := NewCatalog([]content.Course{
		course("onsite"),
		course("online1", online),
		course("online2", online),
		course("hybrid", func(c *content.Course) { c.Mode = "hybrid" }),
	}, nil, nil)
	for _, dev := range []string{"none", "phone_data"} {
		rk := rank(c, korat(func(p Profile) { p["device"] = dev }))
		var online int
		for _, r := range rk.Results {
			if r.Course.Mode == "online" {
				online++
			}
		}
		switch {
		case dev == "none" && (online > 0 || rk.Excluded[ExclNoDevice] != 2):
			t.Errorf("no device: %d online results, excluded %v", online, rk.Excluded)
		case dev != "none" && online != 2:
			t.Errorf("%s: %d online results, want 2", dev, online)
		}
	}
	// Online-only learners get only online courses.
	rk := rank(c, korat(func(p Profile) { p["travel"] = "online" }))
	if got := sortedIDs(rk.Results); !slices.Equal(got, []string{"c:t:online1", "c:t:online2"}) {
		t.Errorf("travel online: %v", got)
	}
}

func TestBudgetFreeGetsOnlyFreeItems(t *testing.T) {
	var cs []content.Course
	for i, cost := range []int{0, 0, 200, 500, 501, 2000, 4500} {
		cs = append(cs, course(fmt.Sprintf("c%d", i), func(c *content.Course) { c.CostBaht = cost }))
	}
	c := NewCatalog(cs, []content.Opening{opening("job")}, nil)
	for budget, maxCost := range map[string]int{"free": 0, "500": 500, "2000": 2000, "more": 1 << 30} {
		rk := rank(c, korat(func(p Profile) { p["budget"] = budget }))
		n := 0
		for _, r := range rk.Results {
			if r.Course != nil {
				n++
				if r.Course.CostBaht > maxCost {
					t.Errorf("budget %s: %s costs %d", budget, r.ID, r.Course.CostBaht)
				}
			}
		}
		if n == 0 {
			t.Errorf("budget %s: no courses at all", budget)
		}
	}
}

func TestIncomeFirstSeesPaidOpeningsAndAllowanceCoursesFirst(t *testing.T) {
	c := NewCatalog([]content.Course{
		course("free-cert", func(c *content.Course) { c.Earns = []string{"certificate", "credit_bank"} }),
		course("free-plain"),
		course("allowance", func(c *content.Course) { c.Allowance = 1500; c.Field = "care" }),
		course("cheap", func(c *content.Course) { c.CostBaht = 300 }),
	}, []content.Opening{
		opening("paid", func(o *content.Opening) { o.Field = "retail" }),
		opening("unpaid-apprentice", func(o *content.Opening) { o.PayBaht = 0; o.Kind = "apprenticeship" }),
	}, nil)
	rk := rank(c, korat(func(p Profile) { p["need"] = "income" }))
	top := ids(rk.Results[:2])
	slices.Sort(top)
	if !slices.Equal(top, []string{"c:t:allowance", "o:t:paid"}) {
		t.Errorf("income first: top two %v, want the paid opening and the allowance course (all: %v)", top, ids(rk.Results))
	}
	if rk.Results[0].ReasonText("th") == "" || !strings.Contains(rk.Results[0].ReasonText("en")+rk.Results[1].ReasonText("en"), "baht") {
		t.Errorf("the money should be a reason: %q / %q", rk.Results[0].ReasonText("en"), rk.Results[1].ReasonText("en"))
	}
	// A qualification-first person sees the credential course first instead.
	rk = rank(c, korat(func(p Profile) { p["need"] = "qualification" }))
	if rk.Results[0].ID != "c:t:free-cert" {
		t.Errorf("qualification first: %v", ids(rk.Results))
	}
}

func TestChiangRaiIsNeverSentToSongkhla(t *testing.T) {
	cr, _ := place.ByCode("TH-57")
	sk, _ := place.ByCode("TH-90")
	var cs []content.Course
	for i := range 5 {
		cs = append(cs, course(fmt.Sprintf("songkhla%d", i), func(c *content.Course) {
			c.Province, c.Lat, c.Lng, c.Allowance = "TH-90", sk.Lat+float64(i)*0.01, sk.Lng, 3000
			c.Earns = []string{"tpqi_level_2"}
		}))
	}
	cs = append(cs,
		course("chiangrai", func(c *content.Course) { c.Province, c.Lat, c.Lng = "TH-57", cr.Lat+0.05, cr.Lng }),
		course("chiangmai", func(c *content.Course) { c.Province = "TH-50" }),
		course("songkhla-hybrid", func(c *content.Course) { c.Province, c.Mode = "TH-90", "hybrid" }),
		course("online", func(c *content.Course) { c.Mode, c.Province = "online", "" }),
	)
	c := NewCatalog(cs, nil, nil)
	for _, travel := range []string{"5", "15", "40", "any", ""} {
		p := korat(func(p Profile) { p["province"], p["travel"] = "TH-57", travel })
		rk := rank(c, p)
		for _, r := range rk.Results {
			if r.Course.Province == "TH-90" {
				t.Errorf("travel %q: Chiang Rai sent to Songkhla: %s", travel, r.ID)
			}
		}
		if !slices.Contains(ids(rk.Results), "c:t:online") {
			t.Errorf("travel %q: the online course is missing: %v", travel, ids(rk.Results))
		}
	}
	// "any" reaches the rest of the north.
	rk := rank(c, korat(func(p Profile) { p["province"], p["travel"] = "TH-57", "any" }))
	if !slices.Contains(ids(rk.Results), "c:t:chiangmai") {
		t.Errorf("travel any from Chiang Rai should reach Chiang Mai: %v", ids(rk.Results))
	}
	// 40 km does not.
	rk = rank(c, korat(func(p Profile) { p["province"], p["travel"] = "TH-57", "40" }))
	if slices.Contains(ids(rk.Results), "c:t:chiangmai") {
		t.Errorf("40 km from Chiang Rai reached Chiang Mai")
	}
}

func TestSharedLocationCountsOverProvinceSeat(t *testing.T) {
	seat, _ := place.ByCode("TH-30")
	c := NewCatalog([]content.Course{
		course("near-home", func(c *content.Course) { c.Lat, c.Lng = seat.Lat+0.30, seat.Lng }), // ~33 km north of the seat
		course("near-seat", func(c *content.Course) { c.Lat, c.Lng = seat.Lat-0.02, seat.Lng }), // ~2 km from the seat
	}, nil, nil)
	p := korat(func(p Profile) {
		p["travel"] = "5"
		p["location"] = fmt.Sprintf("%.4f,%.4f", seat.Lat+0.31, seat.Lng)
	})
	rk := rank(c, p)
	if got := ids(rk.Results); !slices.Equal(got, []string{"c:t:near-home"}) {
		t.Fatalf("results %v, want only the course near the shared location", got)
	}
	if d := rk.Results[0].DistanceKm; d < 0.5 || d > 2 {
		t.Errorf("distance %.1f km, want about 1", d)
	}
	if txt := rk.Results[0].ReasonText("th"); !strings.Contains(txt, "ใกล้บ้าน 1 กม.") {
		t.Errorf("reasons %q should say it is 1 km from home", txt)
	}
}

func TestScheduleFitsFreeTime(t *testing.T) {
	c := NewCatalog([]content.Course{
		course("weekday"),
		course("weekend", func(c *content.Course) { c.Days = []string{"sat", "sun"} }),
		course("evening", func(c *content.Course) { c.StartTime, c.EndTime = "18:00", "21:00" }),
		course("selfpaced-online", func(c *content.Course) {
			c.Mode, c.Province, c.Days, c.StartTime, c.EndTime = "online", "", nil, "", ""
		}),
		course("short-weekly", func(c *content.Course) { c.Days, c.StartTime, c.EndTime = []string{"wed"}, "13:00", "16:00" }),
	}, nil, nil)
	tests := map[string][]string{
		"weekday": {"c:t:selfpaced-online", "c:t:short-weekly", "c:t:weekday"},
		"evening": {"c:t:evening", "c:t:selfpaced-online"},
		"weekend": {"c:t:selfpaced-online", "c:t:weekend"},
		"little":  {"c:t:selfpaced-online", "c:t:short-weekly"},
		"anytime": {"c:t:evening", "c:t:selfpaced-online", "c:t:short-weekly", "c:t:weekday", "c:t:weekend"},
	}
	for tm, want := range tests {
		rk := rank(c, korat(func(p Profile) { p["time"] = tm }))
		if got := sortedIDs(rk.Results); !slices.Equal(got, want) {
			t.Errorf("time %s: %v, want %v", tm, got, want)
		}
	}
}

func TestEducationAndAge(t *testing.T) {
	c := NewCatalog([]content.Course{
		course("any"),
		course("m6", func(c *content.Course) { c.MinEdu = "m6" }),
		course("pvc", func(c *content.Course) { c.MinEdu = "pvc" }),
		course("hvc", func(c *content.Course) { c.MinEdu = "hvc" }),
		course("adults", func(c *content.Course) { c.MinAge = 18 }),
		course("teens", func(c *content.Course) { c.MinAge, c.MaxAge = 15, 17 }),
	}, nil, nil)
	tests := []struct {
		edu, age string
		want     []string
	}{
		{"m3", "19", []string{"c:t:adults", "c:t:any"}},
		{"m6", "19", []string{"c:t:adults", "c:t:any", "c:t:m6", "c:t:pvc"}},
		{"pvc", "16", []string{"c:t:any", "c:t:m6", "c:t:pvc", "c:t:teens"}},
		{"other", "19", []string{"c:t:adults", "c:t:any", "c:t:hvc", "c:t:m6", "c:t:pvc"}},
	}
	for _, tt := range tests {
		rk := rank(c, korat(func(p Profile) { p["education"], p["age"] = tt.edu, tt.age }))
		if got := sortedIDs(rk.Results); !slices.Equal(got, tt.want) {
			t.Errorf("%s, %s: %v, want %v", tt.edu, tt.age, got, tt.want)
		}
	}
}

func TestRefinements(t *testing.T) {
	seat, _ := place.ByCode("TH-30")
	c := NewCatalog([]content.Course{
		course("near-free", func(c *content.Course) { c.Lat, c.Lng = seat.Lat+0.02, seat.Lng }),
		course("far-paid", func(c *content.Course) { c.Lat, c.Lng, c.CostBaht = seat.Lat+0.3, seat.Lng, 900 }),
		course("allowance", func(c *content.Course) { c.Lat, c.Lng, c.Allowance = seat.Lat+0.3, seat.Lng, 500 }),
		course("online", func(c *content.Course) {
			c.Mode, c.Province, c.Days, c.StartTime, c.EndTime = "online", "", nil, "", ""
		}),
		course("weekend", func(c *content.Course) { c.Days = []string{"sun"}; c.Lat, c.Lng = seat.Lat+0.3, seat.Lng }),
	}, []content.Opening{opening("job", func(o *content.Opening) { o.Lat, o.Lng = seat.Lat+0.3, seat.Lng })}, nil)
	tests := []struct {
		name string
		f    Refine
		want []string
	}{
		{"near", Refine{Near: true}, []string{"c:t:near-free"}},
		{"online", Refine{Online: true}, []string{"c:t:online"}},
		{"free", Refine{Free: true}, []string{"c:t:allowance", "c:t:near-free", "c:t:online", "c:t:weekend", "o:t:job"}},
		{"paid", Refine{Paid: true}, []string{"c:t:allowance", "o:t:job"}},
		{"weekend", Refine{Weekend: true}, []string{"c:t:online", "c:t:weekend"}},
		{"typed free online", Refine{Text: "คอร์สออนไลน์ฟรี"}, []string{"c:t:online"}},
	}
	for _, tt := range tests {
		rk := rank(c, korat(), func(o *Options) { o.Filters = tt.f })
		if got := sortedIDs(rk.Results); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v (excluded %v)", tt.name, got, tt.want, rk.Excluded)
		}
	}
}

func TestKindOption(t *testing.T) {
	c := NewCatalog([]content.Course{course("a"), course("b")}, []content.Opening{opening("x")}, nil)
	rk := rank(c, korat(), func(o *Options) { o.Kind = "opening" })
	if got := ids(rk.Results); !slices.Equal(got, []string{"o:t:x"}) || rk.Excluded[ExclKind] != 2 {
		t.Errorf("openings only: %v, excluded %v", got, rk.Excluded)
	}
	rk = rank(c, korat(), func(o *Options) { o.Kind = "course" })
	if got := sortedIDs(rk.Results); !slices.Equal(got, []string{"c:t:a", "c:t:b"}) {
		t.Errorf("courses only: %v", got)
	}
}

func TestTypedSearchRanksMatchesFirst(t *testing.T) {
	c := NewCatalog([]content.Course{
		course("barista", func(c *content.Course) {
			c.TitleTH, c.TitleEN, c.Field = "บาริสต้ามืออาชีพ", "Professional barista", "hospitality_tourism"
		}),
		course("welding", func(c *content.Course) { c.TitleTH, c.TitleEN = "งานเชื่อมโลหะ", "Welding" }),
		course("bakery", func(c *content.Course) {
			c.TitleTH, c.Field = "เบเกอรี่เบื้องต้น", "food_processing"
		}),
	}, []content.Opening{
		opening("cafe", func(o *content.Opening) {
			o.RoleTH, o.RoleEN, o.Field = "พนักงานร้านกาแฟ", "Coffee shop staff", "hospitality_tourism"
		}),
	}, nil)
	rk := rank(c, korat(), func(o *Options) { o.Filters.Text = "บาริสต้า" })
	if got := sortedIDs(rk.Results); !slices.Equal(got, []string{"c:t:barista", "o:t:cafe"}) {
		t.Errorf("บาริสต้า: %v (excluded %v)", got, rk.Excluded)
	}
	rk = rank(c, korat(), func(o *Options) { o.Filters.Text = "อยากเรียนทำขนม" })
	if len(rk.Results) == 0 || rk.Results[0].ID != "c:t:bakery" {
		t.Errorf("อยากเรียนทำขนม: %v", ids(rk.Results))
	}
	rk = rank(c, korat(), func(o *Options) { o.Filters.Text = "zxqv ฟหกด" })
	if len(rk.Results) != 0 {
		t.Errorf("nonsense found %v", ids(rk.Results))
	}
}

func TestEarnWhileLearningPairs(t *testing.T) {
	seat, _ := place.ByCode("TH-30")
	c := NewCatalog([]content.Course{
		course("weekend-course", func(c *content.Course) {
			c.Days, c.Lat, c.Lng = []string{"sat", "sun"}, seat.Lat, seat.Lng
		}),
		course("clashing-course", func(c *content.Course) { c.Field = "logistics"; c.Lat, c.Lng = seat.Lat, seat.Lng }),
	}, []content.Opening{
		opening("weekday-job", func(o *content.Opening) { o.Lat, o.Lng = seat.Lat+0.05, seat.Lng }),
		opening("far-job", func(o *content.Opening) {
			o.Days = []string{"sat"}
			o.StartTime, o.EndTime = "17:00", "21:00"
			o.Lat, o.Lng = seat.Lat+0.3, seat.Lng // 33 km from the courses
		}),
		opening("unrelated", func(o *content.Opening) {
			o.Field, o.Days = "beauty", []string{"sat"}
			o.Lat, o.Lng = seat.Lat, seat.Lng
		}),
	}, nil)
	rk := rank(c, korat())
	if len(rk.Pairs) == 0 {
		t.Fatal("no pairs")
	}
	for _, pr := range rk.Pairs {
		key := pr.Course.ID + "+" + pr.Opening.ID
		switch key {
		case "c:t:weekend-course+o:t:weekday-job", "c:t:clashing-course+o:t:far-job":
		default:
			t.Errorf("unexpected pair %s", key)
		}
		if len(pr.Reasons) == 0 {
			t.Errorf("pair %s has no reason", key)
		}
	}
	first := rk.Pairs[0]
	if first.Course.ID != "c:t:weekend-course" || first.Opening.ID != "o:t:weekday-job" {
		t.Errorf("first pair %s + %s", first.Course.ID, first.Opening.ID)
	}
	if txt := joinReasons(first.Reasons, "th"); !strings.Contains(txt, "เรียนไปด้วย ทำงานไปด้วย") {
		t.Errorf("pair reasons %q", txt)
	}
}

func TestSkillGaps(t *testing.T) {
	c := NewCatalog([]content.Course{
		course("riding", func(c *content.Course) { c.Skills, c.Field = []string{"driving"}, "logistics" }),
		course("credits", func(c *content.Course) { c.Earns, c.Field = []string{"credit_bank"}, "office" }),
		course("unrelated"),
	}, []content.Opening{
		opening("rider", func(o *content.Opening) { o.Skills, o.Field, o.Training = []string{"driving"}, "logistics", false }),
		opening("clerk", func(o *content.Opening) { o.MinEdu, o.Field = "m6", "office" }),
		opening("night", func(o *content.Opening) { o.Night, o.MinEdu, o.Field = true, "m6", "office" }),
	}, nil)
	p := korat(func(p Profile) { p["education"], p["strengths"], p["age"] = "m3", "communication", "17" })
	rk := rank(c, p)
	if slices.Contains(ids(rk.Results), "o:t:rider") || slices.Contains(ids(rk.Results), "o:t:clerk") {
		t.Errorf("results %v include openings out of reach", ids(rk.Results))
	}
	got := map[string]Gap{}
	for _, g := range rk.Gaps {
		got[g.Opening.ID] = g
	}
	if g, ok := got["o:t:rider"]; !ok || g.Course.ID != "c:t:riding" || !slices.Equal(g.Missing, []string{"driving"}) {
		t.Errorf("rider gap: %+v", g)
	} else if g.Reason.TH != phrase("gap").TH {
		t.Errorf("rider gap reason %q", g.Reason.TH)
	}
	if g, ok := got["o:t:clerk"]; !ok || g.Course.ID != "c:t:credits" || !slices.Equal(g.Missing, []string{"education:m6"}) {
		t.Errorf("clerk gap: %+v", g)
	}
	if _, ok := got["o:t:night"]; ok {
		t.Errorf("a night opening was offered to a 17-year-old as a gap")
	}
	// Someone who did not answer the strengths questions is not held back by skills.
	delete(p, "strengths")
	if rk := rank(c, p); !slices.Contains(ids(rk.Results), "o:t:rider") {
		t.Errorf("without strengths the rider job should be offered: %v", ids(rk.Results))
	}
}

func TestDiversityAtMostTwoPerProvider(t *testing.T) {
	var cs []content.Course
	for i := range 12 { // one provider with twelve strong courses
		cs = append(cs, course(fmt.Sprintf("big%02d", i), func(c *content.Course) {
			c.Provider, c.Allowance, c.Earns = "ศูนย์ใหญ่", 3000, []string{"tpqi_level_2"}
		}))
	}
	for i := range 12 {
		cs = append(cs, course(fmt.Sprintf("small%02d", i), func(c *content.Course) { c.Field = "care" }))
	}
	c := NewCatalog(cs, nil, nil)
	rk := rank(c, korat(func(p Profile) { p["need"] = "income" }))
	if len(rk.Results) != 10 {
		t.Fatalf("%d results", len(rk.Results))
	}
	per := map[string]int{}
	for _, r := range rk.Results {
		per[r.Course.Provider]++
	}
	if per["ศูนย์ใหญ่"] != 2 {
		t.Errorf("provider counts %v, want the big provider twice", per)
	}
	// All from one field when another is on offer: no.
	cs = cs[:0]
	for i := range 12 {
		cs = append(cs, course(fmt.Sprintf("t%02d", i), func(c *content.Course) { c.Allowance = 2000 }))
	}
	cs = append(cs, course("other-field", func(c *content.Course) { c.Field = "care" }))
	rk = rank(NewCatalog(cs, nil, nil), korat())
	fields := map[string]bool{}
	for _, r := range rk.Results {
		fields[r.Course.Field] = true
	}
	if len(fields) < 2 {
		t.Errorf("all results from one field: %v", ids(rk.Results))
	}
}

// TestGeneratedProfiles runs many varied profiles against a generated
// catalog: no ineligible item ever, every result explained, at most two per
// provider in the top ten (when there is choice), and every item accounted
// for (eligible or excluded once).
func TestGeneratedProfiles(t *testing.T) {
	c := genCatalogN(t, 3000)
	for i := range 300 {
		p := genProfile(i)
		o := Options{Now: testNow}
		if i%5 == 0 {
			o.Filters.Text = []string{"งานพาร์ทไทม์", "ขนม", "ช่างแอร์ ขอนแก่น", "คอร์สออนไลน์ฟรี", "ดูแลคนแก่"}[i/5%5]
		}
		o.Filters.Near, o.Filters.Paid, o.Filters.Weekend, o.Filters.Free = i%7 == 0, i%11 == 0, i%13 == 0, i%17 == 0
		if i%19 == 0 {
			o.Kind = "opening"
		}
		rk := c.Rank(p, o)
		checkEligible(t, fmt.Sprintf("profile %d %v", i, p), p, o, rk)
		total := rk.Eligible
		for _, n := range rk.Excluded {
			total += n
		}
		if total != c.Len() {
			t.Errorf("profile %d: eligible %d + excluded %v = %d, want %d", i, rk.Eligible, rk.Excluded, total, c.Len())
		}
		per := map[string]int{}
		for _, r := range rk.Results {
			prov := ""
			if r.Course != nil {
				prov = r.Course.Provider
			} else {
				prov = r.Opening.Employer
			}
			per[prov]++
			if n := len(r.Reasons); n < 1 || n > 4 {
				t.Errorf("profile %d: %s has %d reasons", i, r.ID, n)
			}
		}
		if rk.Eligible >= 40 {
			for prov, n := range per {
				if n > 2 {
					t.Errorf("profile %d: %d results from %q among %d eligible", i, n, prov, rk.Eligible)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	cs, os, occ := genCatalog(t, 2000, 3)
	c1 := NewCatalog(cs, os, occ)
	// The same items in another order make the same catalog.
	r := rand.New(rand.NewPCG(1, 2))
	cs2, os2 := slices.Clone(cs), slices.Clone(os)
	r.Shuffle(len(cs2), func(i, j int) { cs2[i], cs2[j] = cs2[j], cs2[i] })
	r.Shuffle(len(os2), func(i, j int) { os2[i], os2[j] = os2[j], os2[i] })
	c2 := NewCatalog(cs2, os2, occ)
	for i := range 40 {
		p := genProfile(i)
		o := Options{Now: testNow, Feedback: map[string]int{cs[0].ID: 3, os[0].ID: -2}}
		if i%4 == 0 {
			o.Filters.Text = "งานพาร์ทไทม์ เชียงใหม่"
		}
		a, b, d := c1.Rank(p, o), c1.Rank(p, o), c2.Rank(p, o)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("profile %d: two rankings differ", i)
		}
		if !reflect.DeepEqual(a, d) {
			t.Fatalf("profile %d: ranking depends on input order", i)
		}
	}
}

func TestConcurrentRanksAgree(t *testing.T) {
	c := genCatalogN(t, 3000)
	want := make([]Ranking, 8)
	for i := range want {
		want[i] = c.Rank(genProfile(i), Options{Now: testNow})
	}
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			for range 20 {
				if got := c.Rank(genProfile(i), Options{Now: testNow}); !reflect.DeepEqual(got, want[i]) {
					done <- fmt.Errorf("profile %d: concurrent ranking differs", i)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestFeedbackNudges(t *testing.T) {
	c := NewCatalog([]content.Course{course("a"), course("b")}, nil, nil)
	rk := rank(c, korat())
	first := rk.Results[0].ID
	other := "c:t:a"
	if first == other {
		other = "c:t:b"
	}
	rk = rank(c, korat(), func(o *Options) { o.Feedback = map[string]int{other: 10, first: -10} })
	if rk.Results[0].ID != other {
		t.Errorf("feedback did not change the order: %v", ids(rk.Results))
	}
	if rk.Results[0].Breakdown["feedback"] <= 0 {
		t.Errorf("breakdown %v", rk.Results[0].Breakdown)
	}
}

func TestReasonsReadWell(t *testing.T) {
	seat, _ := place.ByCode("TH-30")
	c := NewCatalog([]content.Course{
		course("weekend", func(c *content.Course) {
			c.Days, c.Allowance, c.Lat, c.Lng = []string{"sat", "sun"}, 1500, seat.Lat+0.07, seat.Lng
		}),
	}, []content.Opening{opening("job", func(o *content.Opening) {
		o.PayBaht, o.PayUnit, o.Training, o.Days = 1200, "day", true, []string{"sat"}
	})}, nil)
	p := korat(func(p Profile) {
		p["location"] = fmt.Sprintf("%.4f,%.4f", seat.Lat, seat.Lng)
		p["time"] = "weekend"
		p["need"] = "income"
	})
	rk := rank(c, p)
	byID := map[string]Result{}
	for _, r := range rk.Results {
		byID[r.ID] = r
	}
	th := byID["c:t:weekend"].ReasonText("th")
	for _, want := range []string{"ใกล้บ้าน 8 กม.", "ฟรี มีเบี้ยเลี้ยง 1,500 บาท", "เรียนเสาร์-อาทิตย์", "ตรงกับที่คุณชอบงานช่าง"} {
		if !strings.Contains(th, want) {
			t.Errorf("course reasons %q lack %q", th, want)
		}
	}
	if en := byID["c:t:weekend"].ReasonText("en"); !strings.Contains(en, "8 km from home") || strings.ContainsFunc(en, func(r rune) bool { return r >= 0x0e00 && r <= 0x0e7f }) {
		t.Errorf("English reasons %q", en)
	}
	if th := byID["o:t:job"].ReasonText("th"); !strings.Contains(th, "ได้ค่าตอบแทน 1,200 บาท/วัน") {
		t.Errorf("opening reasons %q", th)
	}
	if n := len(byID["c:t:weekend"].Reasons); n < 2 || n > 4 {
		t.Errorf("%d reasons", n)
	}
}

func TestDataFilesLoad(t *testing.T) {
	if _, err := loadConfig(weightsYAML, reasonsYAML); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(weightsYAML), "field: 3.0", "feild: 3.0", 1)
	if _, err := loadConfig([]byte(bad), reasonsYAML); err == nil {
		t.Error("a misspelt weight loaded")
	}
	bad = strings.Replace(string(reasonsYAML), "  gap:", "  gapp:", 1)
	if _, err := loadConfig(weightsYAML, []byte(bad)); err == nil {
		t.Error("a missing reason loaded")
	}
}

func TestCrossesNight(t *testing.T) {
	for _, tt := range []struct {
		s, e string
		want bool
	}{
		{"09:00", "17:00", false}, {"17:00", "22:00", false}, {"06:00", "14:00", false},
		{"20:00", "23:00", true}, {"21:59", "22:01", true}, {"22:00", "06:00", true}, {"04:00", "10:00", true},
		{"05:59", "06:00", true}, {"18:00", "02:00", true}, {"23:00", "", true}, {"10:00", "", false}, {"", "", false},
	} {
		if got := crossesNight(clock16(tt.s), clock16(tt.e)); got != tt.want || nightWork(tt.s, tt.e) != tt.want {
			t.Errorf("%s–%s: %v (oracle %v), want %v", tt.s, tt.e, got, nightWork(tt.s, tt.e), tt.want)
		}
	}
}

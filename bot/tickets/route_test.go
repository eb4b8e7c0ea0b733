package tickets

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// Organisations and counsellors of the routing cases.
const (
	orgKKDistrict = "00000000-0000-4000-8000-00000000000a" // Mueang Khon Kaen's district office
	orgKKProvince = "00000000-0000-4000-8000-00000000000b" // Khon Kaen province-wide
	orgKKBig      = "00000000-0000-4000-8000-00000000000c" // Khon Kaen province-wide, two counsellors
	orgNational   = "00000000-0000-4000-8000-00000000000d"
	orgBangkok    = "00000000-0000-4000-8000-00000000000e" // Bang Rak district, Bangkok
)

func counsellor(id, org string, edit func(c *content.Counsellor)) content.Counsellor {
	c := content.Counsellor{ID: id, OrgID: org, Name: "ครู " + id, Role: content.CounsellorRole}
	if edit != nil {
		edit(&c)
	}
	return c
}

func TestRouteGoesToTheNarrowestAreaThatHasACounsellor(t *testing.T) {
	district := counsellor("d1", orgKKDistrict, func(c *content.Counsellor) {
		c.Provinces, c.Districts = []string{"TH-40"}, []string{"TH-40/เมืองขอนแก่น"}
	})
	province := counsellor("p1", orgKKProvince, func(c *content.Counsellor) { c.Provinces = []string{"TH-40"} })
	national := counsellor("n1", orgNational, func(c *content.Counsellor) { c.National = true })
	bangRak := counsellor("b1", orgBangkok, func(c *content.Counsellor) {
		c.Provinces, c.Districts = []string{"TH-10"}, []string{"TH-10/บางรัก"}
	})
	disabled := counsellor("x1", orgKKDistrict, func(c *content.Counsellor) {
		c.Provinces, c.Districts = []string{"TH-40"}, []string{"TH-40/บ้านไผ่"}
		c.DisabledAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	})
	all := []content.Counsellor{district, province, national, bangRak, disabled}

	for _, tc := range []struct {
		name          string
		cs            []content.Counsellor
		province, typ string // the person's province code and district as typed
		org, level    string
	}{
		{"the district's counsellors first", all, "TH-40", "เมืองขอนแก่น", orgKKDistrict, "district"},
		{"อำเภอ in front is the same district", all, "TH-40", "อำเภอเมืองขอนแก่น", orgKKDistrict, "district"},
		{"อ. in front is the same district", all, "TH-40", "อ. เมืองขอนแก่น", orgKKDistrict, "district"},
		{"spaces inside do not matter", all, "TH-40", " เมือง ขอนแก่น ", orgKKDistrict, "district"},
		{"เขต in front is the same Bangkok district", all, "TH-10", "เขตบางรัก", orgBangkok, "district"},
		{"another district goes to the province", all, "TH-40", "บ้านแฮด", orgKKProvince, "province"},
		{"a disabled district counsellor does not count", all, "TH-40", "บ้านไผ่", orgKKProvince, "province"},
		{"no district goes to the province", all, "TH-40", "", orgKKProvince, "province"},
		{"a district counsellor does not take the rest of the province", []content.Counsellor{district, national}, "TH-40", "บ้านไผ่", orgNational, "national"},
		{"the same district name in another province is not that district", all, "TH-41", "เมืองขอนแก่น", orgNational, "national"},
		{"a province nobody covers goes to the national pool", all, "TH-50", "เมืองเชียงใหม่", orgNational, "national"},
		{"no province goes to the national pool", all, "", "", orgNational, "national"},
		{"nobody at all: no organisation", []content.Counsellor{district, province}, "TH-50", "", "", ""},
		{"nobody active: no organisation", []content.Counsellor{disabled}, "TH-40", "บ้านไผ่", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := districtOf(tc.province, tc.typ)
			r, group := route(tc.cs, tc.province, d)
			if r.OrgID != tc.org || r.Level != tc.level {
				t.Fatalf("route(%q, %q) = org %q level %q, want %q %q", tc.province, d, r.OrgID, r.Level, tc.org, tc.level)
			}
			if r.Province != tc.province || r.District != d {
				t.Errorf("the route keeps the person's area as %q %q, want %q %q", r.Province, r.District, tc.province, d)
			}
			for _, c := range group {
				if c.OrgID != tc.org || !c.Active() {
					t.Errorf("the group told of it holds %s of org %s (active %v)", c.ID, c.OrgID, c.Active())
				}
			}
			if (tc.org == "") != (len(group) == 0) {
				t.Errorf("group of %d for org %q", len(group), tc.org)
			}
		})
	}
}

func TestRouteAmongOrganisationsOfOneLevelIsTheSameOnEveryInstance(t *testing.T) {
	small := counsellor("p1", orgKKProvince, func(c *content.Counsellor) { c.Provinces = []string{"TH-40"} })
	big1 := counsellor("c1", orgKKBig, func(c *content.Counsellor) { c.Provinces = []string{"TH-40"} })
	big2 := counsellor("c2", orgKKBig, func(c *content.Counsellor) { c.Provinces = []string{"TH-40"} })
	// The organisation with the most counsellors there wins, in any order.
	for _, cs := range [][]content.Counsellor{{small, big1, big2}, {big2, small, big1}, {big1, big2, small}} {
		if r, group := route(cs, "TH-40", ""); r.OrgID != orgKKBig || len(group) != 2 {
			t.Errorf("route = %s with %d counsellors, want %s with 2", r.OrgID, len(group), orgKKBig)
		}
	}
	// Equal: the first by ID.
	other := counsellor("q1", orgKKDistrict, func(c *content.Counsellor) { c.Provinces = []string{"TH-40"} })
	for _, cs := range [][]content.Counsellor{{small, other}, {other, small}} {
		if r, _ := route(cs, "TH-40", ""); r.OrgID != orgKKDistrict {
			t.Errorf("a tie went to %s, want the first by ID %s", r.OrgID, orgKKDistrict)
		}
	}
}

// The bot's own district question suggests "เมือง" (profile.district's
// retry: "เช่น เมือง ปากช่อง"), and people in Khon Kaen call Mueang Khon
// Kaen just that: with the province known, "เมือง" is the province's
// Mueang district, and its counsellors should get the ticket.
func TestMueangAloneIsTheProvincesMueangDistrict(t *testing.T) {
	district := counsellor("d1", orgKKDistrict, func(c *content.Counsellor) {
		c.Provinces, c.Districts = []string{"TH-40"}, []string{"TH-40/เมืองขอนแก่น"}
	})
	province := counsellor("p1", orgKKProvince, func(c *content.Counsellor) { c.Provinces = []string{"TH-40"} })
	for _, typed := range []string{"เมือง", "อ.เมือง", "อำเภอเมือง"} {
		r, _ := route([]content.Counsellor{district, province}, "TH-40", districtOf("TH-40", typed))
		if r.OrgID != orgKKDistrict {
			t.Errorf("a person in Khon Kaen who typed %q went to %s (%s), want the Mueang Khon Kaen district office", typed, r.OrgID, r.Level)
		}
	}
}

func TestDistrictOfNeedsAProvinceAndAName(t *testing.T) {
	for _, tc := range []struct{ province, typed, want string }{
		{"TH-40", "เมืองขอนแก่น", "TH-40/เมืองขอนแก่น"},
		{"TH-40", "กิ่งอำเภอโคกโพธิ์ไชย", "TH-40/โคกโพธิ์ไชย"},
		{"", "เมืองขอนแก่น", ""},
		{"TH-40", "", ""},
		{"TH-40", "อำเภอ", ""},
		{"TH-40", "   ", ""},
	} {
		if got := districtOf(tc.province, tc.typed); got != tc.want {
			t.Errorf("districtOf(%q, %q) = %q, want %q", tc.province, tc.typed, got, tc.want)
		}
	}
}

// newWordsOnly is a service with its words and nothing else: enough for
// what it says.
func newWordsOnly(t *testing.T, escalateAfter time.Duration) *Service {
	t.Helper()
	var w words
	if err := yaml.Unmarshal(wordsFile, &w); err != nil {
		t.Fatal(err)
	}
	return &Service{cfg: Config{EscalateAfter: escalateAfter}, words: w}
}

// bkk is a time in Thailand in the week of Monday 2026-03-09.
func bkk(day time.Weekday, hh, mm int) time.Time {
	return time.Date(2026, 3, 8+int(day), hh, mm, 0, 0, thaitime.Zone)
}

func TestWhenSaysHonestlyWhenSomeoneAnswers(t *testing.T) {
	s := newWordsOnly(t, 30*time.Minute)
	office := []content.Counsellor{{Hours: content.DefaultOfficeHours}}
	late := []content.Counsellor{{Hours: content.OfficeHours{{Day: time.Saturday, From: "18:00", To: "23:00"}}}, {Hours: content.DefaultOfficeHours}}
	for _, tc := range []struct {
		name  string
		group []content.Counsellor
		now   time.Time
		lang  string
		want  []string
		not   []string
	}{
		{"in office hours: within the escalation time", office, bkk(time.Tuesday, 10, 0), "th", []string{"ภายในประมาณ 30 นาที"}, []string{"1323"}},
		{"in office hours in English", office, bkk(time.Tuesday, 10, 0), "en", []string{"within about 30 minutes"}, nil},
		{"Saturday night: Monday", office, bkk(time.Saturday, 22, 0), "th", []string{"วันจันทร์", "08:30", "1323", "1300", "1387"}, []string{"พรุ่งนี้"}},
		{"Saturday night in English", office, bkk(time.Saturday, 22, 0), "en", []string{"on Monday", "08:30", "1323"}, nil},
		{"Sunday: tomorrow", office, bkk(time.Sunday, 23, 59), "th", []string{"พรุ่งนี้", "08:30"}, nil},
		{"Monday before the office opens: today", office, bkk(time.Monday, 6, 0), "th", []string{"วันนี้", "08:30"}, nil},
		{"Friday after the office closes: Monday", office, bkk(time.Friday, 16, 30), "th", []string{"วันจันทร์", "08:30"}, nil},
		{"the earliest of the group's next shifts", late, bkk(time.Saturday, 17, 0), "th", []string{"วันนี้", "18:00"}, nil},
		{"one of the group on duty is enough", late, bkk(time.Saturday, 19, 0), "th", []string{"ภายในประมาณ 30 นาที"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.when(tc.group, tc.now, tc.lang)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("when at %s = %q, lacks %q", tc.now.Format("Mon 15:04"), got, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("when at %s = %q, holds %q", tc.now.Format("Mon 15:04"), got, w)
				}
			}
			if strings.ContainsAny(got, "{}") {
				t.Errorf("a placeholder is left in %q", got)
			}
		})
	}
	if got := newWordsOnly(t, 45*time.Minute).when(office, bkk(time.Tuesday, 10, 0), "th"); !strings.Contains(got, "45 นาที") {
		t.Errorf("with EscalateAfter 45 min: %q", got)
	}
}

func TestAgeBandNeverShowsTheAge(t *testing.T) {
	for age, want := range map[string]string{"14": "ต่ำกว่า 15", "15": "15–17", "17": "15–17", "18": "18–19", "19": "18–19", "20": "20–24", "24": "20–24", "25": "25+", "": "", "สิบเก้า": ""} {
		if got := ageBand(age); got != want {
			t.Errorf("ageBand(%q) = %q, want %q", age, got, want)
		}
	}
}

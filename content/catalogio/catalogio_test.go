package catalogio_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/catalogio"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/thaitime"
)

func example(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clean fails the test unless the file had no rejected row and no warning.
func clean[T catalogio.Item](t *testing.T, name string, res catalogio.Result[T], err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, e := range res.Rejected {
		t.Errorf("%s: rejected: %v", name, e)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: warning: %s", name, w)
	}
	if len(res.Items) != res.Rows || len(res.Lines) != res.Rows {
		t.Errorf("%s: %d items, %d lines for %d rows", name, len(res.Items), len(res.Lines), res.Rows)
	}
}

func courseByID(t *testing.T, cs []content.Course, ext string) content.Course {
	t.Helper()
	for _, c := range cs {
		if c.ExternalID == ext {
			return c
		}
	}
	t.Fatalf("no course %s", ext)
	return content.Course{}
}

func TestExampleCoursesLoad(t *testing.T) {
	res, err := catalogio.ParseCourses("courses.csv", bytes.NewReader(example(t, "courses.csv")), "")
	clean(t, "courses.csv", res, err)
	if res.Rows != 4 || !slices.Equal(res.Lines, []int{2, 3, 4, 5}) {
		t.Fatalf("rows %d, lines %v; want 4 rows on lines 2-5", res.Rows, res.Lines)
	}
	want := content.Course{
		ID:         "c:example:KRT-2569-014",
		Source:     "example",
		ExternalID: "KRT-2569-014",
		Provider:   "ศูนย์พัฒนาฝีมือแรงงานนครราชสีมา (ตัวอย่าง)",
		TitleTH:    "ช่างซ่อมเครื่องปรับอากาศ",
		TitleEN:    "Air-conditioner repair",
		DescTH:     "ฝึกติดตั้งและล้างแอร์บ้าน 60 ชั่วโมง มีเบี้ยเลี้ยงระหว่างฝึก",
		Skills:     []string{"ติดตั้งแอร์", "ไฟฟ้าเบื้องต้น"},
		Interests:  []string{"R"},
		Field:      "trades",
		Mode:       "onsite",
		Province:   "TH-30",
		District:   "เมืองนครราชสีมา",
		Lat:        14.9799,
		Lng:        102.0978,
		StartDate:  time.Date(2026, 8, 24, 0, 0, 0, 0, thaitime.Zone), // 2569 BE
		EndDate:    time.Date(2026, 9, 4, 0, 0, 0, 0, thaitime.Zone),
		Days:       []string{"mon", "tue", "wed", "thu", "fri"},
		StartTime:  "09:00",
		EndTime:    "16:00",
		Hours:      60,
		CostBaht:   0, // ฟรี
		Allowance:  1200,
		Earns:      []string{"certificate", "tpqi_level_1"},
		MinAge:     18,
		MinEdu:     "m3",
		Seats:      20,
		URL:        "https://example.org/courses/krt-014",
		Contact:    "044-000-000",
		OpensAt:    time.Date(2026, 7, 1, 0, 0, 0, 0, thaitime.Zone),
		ClosesAt:   time.Date(2026, 8, 16, 0, 0, 0, 0, thaitime.Zone), // the end of 15 August
	}
	if got := res.Items[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("first course =\n\t%+v\nwant\n\t%+v", got, want)
	}

	online := courseByID(t, res.Items, "MOOC-DIG-101")
	if online.Mode != "online" || online.Province != "" || !slices.Equal(online.Earns, []string{"certificate", "credit_bank"}) || online.Credits != 1 {
		t.Errorf("online course = %+v", online)
	}
	hybrid := courseByID(t, res.Items, "KRT-2569-022")
	if hybrid.Mode != "hybrid" || hybrid.Province != "TH-30" || hybrid.Contact != "โทร 044-111-111, LINE @example" ||
		!hybrid.StartDate.Equal(time.Date(2026, 9, 5, 0, 0, 0, 0, thaitime.Zone)) || !hybrid.ClosesAt.Equal(time.Date(2026, 8, 31, 0, 0, 0, 0, thaitime.Zone)) {
		t.Errorf("hybrid course (DD/MM/BE dates, alias province, quoted contact) = %+v", hybrid)
	}
	care := courseByID(t, res.Items, "BKK-CARE-07")
	if care.CostBaht != 1500 || care.Province != "TH-10" || care.MaxAge != 35 || !slices.Equal(care.Earns, []string{"certificate", "tpqi_level_2"}) {
		t.Errorf("care course (1,500 baht, Bangkok) = %+v", care)
	}
}

func TestBOMThaiHeaderAndCRLF(t *testing.T) {
	data := example(t, "courses-bom.csv")
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !bytes.Contains(data, []byte("\r\n")) {
		t.Fatal("examples/courses-bom.csv should start with a BOM and use CRLF")
	}
	res, err := catalogio.ParseCourses("courses-bom.csv", bytes.NewReader(data), "")
	clean(t, "courses-bom.csv", res, err)
	if len(res.Items) != 2 {
		t.Fatalf("%d courses, want 2", len(res.Items))
	}
	c := res.Items[0]
	if c.Source != "example" || c.TitleTH != "ช่างเชื่อมโลหะเบื้องต้น" || c.Mode != "onsite" || c.Province != "TH-40" ||
		c.MinEdu != "m3" || !slices.Equal(c.Earns, []string{"certificate"}) || c.Allowance != 1800 {
		t.Errorf("first course from Thai headers = %+v", c)
	}
	c = res.Items[1]
	if c.Mode != "hybrid" || c.StartTime != "09:00" || c.EndTime != "16:00" || !c.ClosesAt.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, thaitime.Zone)) {
		t.Errorf("second course (ผสม, 09.00 น., 30 ก.ย. 2569) = %+v", c)
	}

	// A BOM changes nothing: the same file without one reads the same.
	plain, err := catalogio.ParseCourses("plain.csv", bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), "")
	clean(t, "plain.csv", plain, err)
	if !reflect.DeepEqual(plain.Items, res.Items) {
		t.Error("the file reads differently without its BOM")
	}
	withBOM, err := catalogio.ParseCourses("bom.csv", bytes.NewReader(append([]byte("\xef\xbb\xbf"), example(t, "courses.csv")...)), "")
	clean(t, "bom.csv", withBOM, err)
	english, _ := catalogio.ParseCourses("courses.csv", bytes.NewReader(example(t, "courses.csv")), "")
	if !reflect.DeepEqual(withBOM.Items, english.Items) {
		t.Error("courses.csv reads differently with a BOM")
	}
}

func TestExampleJSONMatchesCSVRules(t *testing.T) {
	res, err := catalogio.ParseCourses("courses.json", bytes.NewReader(example(t, "courses.json")), "")
	clean(t, "courses.json", res, err)
	if !slices.Equal(res.Lines, []int{2, 34}) {
		t.Errorf("lines = %v, want [2 34] (where each object starts)", res.Lines)
	}
	c := res.Items[0]
	if c.Lat != 14.9799 || c.Hours != 90 || !slices.Equal(c.Days, []string{"mon", "tue", "wed", "thu", "fri"}) ||
		!slices.Equal(c.Earns, []string{"certificate", "tpqi_level_1"}) || !c.ClosesAt.Equal(time.Date(2026, 9, 26, 0, 0, 0, 0, thaitime.Zone)) {
		t.Errorf("typed JSON course = %+v", c)
	}
	c = res.Items[1]
	if c.Mode != "online" || c.CostBaht != 0 || !slices.Equal(c.Interests, []string{"S", "E"}) || !slices.Equal(c.Earns, []string{"certificate", "credit_bank"}) {
		t.Errorf("JSON course written as in CSV = %+v", c)
	}
}

func TestExampleOpeningsLoad(t *testing.T) {
	res, err := catalogio.ParseOpenings("openings.csv", bytes.NewReader(example(t, "openings.csv")), "")
	clean(t, "openings.csv", res, err)
	if len(res.Items) != 4 {
		t.Fatalf("%d openings, want 4", len(res.Items))
	}
	byID := map[string]content.Opening{}
	for _, o := range res.Items {
		byID[o.ExternalID] = o
	}
	barista := byID["J-KRT-001"]
	if barista.ID != "o:example:J-KRT-001" || barista.Kind != "part_time" || barista.PayBaht != 50 || barista.PayUnit != "hour" ||
		!barista.Training || barista.Night || barista.MinAge != 16 || barista.Province != "TH-30" ||
		!barista.ValidUntil.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, thaitime.Zone)) {
		t.Errorf("barista = %+v", barista)
	}
	farm := byID["J-KRT-002"]
	if farm.Kind != "school_break" || farm.PayUnit != "day" || farm.MinAge != 15 || !farm.Training || farm.Night ||
		!slices.Equal(farm.Days, []string{"mon", "tue", "wed", "thu", "fri"}) {
		t.Errorf("farm (Thai values, default min_age) = %+v", farm)
	}
	if dual := byID["J-KRT-003"]; dual.Kind != "dual_vocational" || dual.PayUnit != "month" || dual.PayBaht != 6000 || !dual.ValidUntil.IsZero() {
		t.Errorf("dual vocational = %+v", dual)
	}
	night := byID["J-KRT-004"]
	if !night.Night || night.PayBaht != 55 || night.PayUnit != "hour" || night.MinAge != 18 {
		t.Errorf("night shift (derived night, 55/ชั่วโมง) = %+v", night)
	}
}

func TestExampleOccupationsLoad(t *testing.T) {
	res, err := catalogio.ParseOccupations("occupations.csv", bytes.NewReader(example(t, "occupations.csv")), "")
	clean(t, "occupations.csv", res, err)
	want := content.Occupation{
		ID: "care", NameTH: "งานดูแลผู้สูงอายุและเด็ก", NameEN: "Care work",
		Skills: []string{"ดูแลผู้สูงอายุ", "ปฐมพยาบาล", "เลี้ยงดูเด็กเล็ก"},
		Demand: map[string]int{"northeast": 3, "central": 3, "TH-30": 3}, Source: "example",
	}
	if !reflect.DeepEqual(res.Items[0], want) {
		t.Errorf("care = %+v, want %+v", res.Items[0], want)
	}
}

// TestImportIntoMemoryStore loads every example into the memory store twice:
// the second time creates nothing.
func TestImportIntoMemoryStore(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	var courses []content.Course
	for _, f := range []string{"courses.csv", "courses-bom.csv", "courses.json"} {
		res, err := catalogio.ParseCourses(f, bytes.NewReader(example(t, f)), "")
		clean(t, f, res, err)
		courses = append(courses, res.Items...)
	}
	openings, err := catalogio.ParseOpenings("openings.csv", bytes.NewReader(example(t, "openings.csv")), "")
	clean(t, "openings.csv", openings, err)
	occupations, err := catalogio.ParseOccupations("occupations.csv", bytes.NewReader(example(t, "occupations.csv")), "")
	clean(t, "occupations.csv", occupations, err)

	for round, wantNew := range []int{len(courses), 0} {
		n, err := s.UpsertCourses(ctx, courses)
		if err != nil || n != wantNew {
			t.Errorf("round %d: UpsertCourses = %d, %v; want %d new", round+1, n, err, wantNew)
		}
		n, err = s.UpsertOpenings(ctx, openings.Items)
		if err != nil || n != []int{4, 0}[round] {
			t.Errorf("round %d: UpsertOpenings = %d, %v", round+1, n, err)
		}
		if err := s.UpsertOccupations(ctx, occupations.Items); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Course(ctx, "c:example:KRT-2569-014")
	if err != nil || got.TitleTH != "ช่างซ่อมเครื่องปรับอากาศ" {
		t.Errorf("Course = %+v, %v", got, err)
	}
	var offered []string
	at := time.Date(2026, 8, 20, 12, 0, 0, 0, thaitime.Zone)
	if err := s.OfferedCourses(ctx, at, func(c content.Course) error { offered = append(offered, c.ExternalID); return nil }); err != nil {
		t.Fatal(err)
	}
	// KRT-2569-014 closed on 15 August; the rest are still open on 20 August.
	if slices.Contains(offered, "KRT-2569-014") || len(offered) != len(courses)-1 {
		t.Errorf("offered on 20 Aug 2026 = %v", offered)
	}
}

// csvFile builds a CSV file from lines.
func csvFile(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(lines, "\n") + "\n")
}

const courseHeader = "source,external_id,title_th,mode,province,start_date,end_date,start_time,end_time,cost_baht,min_age,max_age,days,interests,field,earns,url,lat,lng,min_education,opens_at,closes_at"

func TestBrokenRowsAreRejectedWithFileLineColumnReason(t *testing.T) {
	res, err := catalogio.ParseCourses("c.csv", csvFile(
		courseHeader,
		`s,good1,ช่างไฟ,onsite,โคราช,,,,,,,,,,,,,,,,,`, // 2
		`s,bad-date,ช่างไฟ,onsite,TH-30,31/02/2569,,,,,,,,,,,,,,,,`,
		`s,"multi`, // 4-5: a quoted value over two lines
		`line",ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,,,,,`,
		`s,two-problems,,onsite,เชียงไหม่,,,,,,,,,,,,,,,,,`, // 6
		`,no-source,ช่างไฟ,online,,,,,,,,,,,,,,,,,,`,
		`s,good2,ช่างไฟ,,,,,,,,,,,,,,,,,,,`, // 8: online (no province)
		`s,bad-mode,ช่างไฟ,classroom,TH-30,,,,,,,,,,,,,,,,,`,
		`s,no-province,ช่างไฟ,onsite,,,,,,,,,,,,,,,,,,`, // 10
		`s,end-first,ช่างไฟ,onsite,TH-30,2026-09-10,2026-09-01,,,,,,,,,,,,,,,`,
		`s,late-start,ช่างไฟ,onsite,TH-30,,,16:00,09:00,,,,,,,,,,,,,`, // 12
		`s,bad-cost,ช่างไฟ,onsite,TH-30,,,,,ห้าร้อย,,,,,,,,,,,,`,
		`s,ages,ช่างไฟ,onsite,TH-30,,,,,,20,18,,,,,,,,,,`, // 14
		`s,bad-day,ช่างไฟ,onsite,TH-30,,,,,,,,mon|funday,,,,,,,,,`,
		`s,bad-riasec,ช่างไฟ,onsite,TH-30,,,,,,,,,RX,,,,,,,,`, // 16
		`s,bad-field,ช่างไฟ,onsite,TH-30,,,,,,,,,,plumbing,,,,,,,`,
		`s,bad-earns,ช่างไฟ,onsite,TH-30,,,,,,,,,,,tpqi_9,,,,,,`, // 18
		`s,bad-url,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,www.example.org,,,,,`,
		`s,swapped,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,102.09,14.97,,,`, // 20
		`s,half-coord,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,14.97,,,,`,
		`s,bad-edu,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,,,ม.9,,`, // 22
		`s,closes-first,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,,,,2026-09-01,2026-08-01`,
		`s,too-many,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,,,,,,surprise`, // 24
		`s,bad"quote,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,,,,,`,
		`s,good1,ช่างไฟ,onsite,TH-30,,,,,,,,,,,,,,,,,`, // 26: a repeat of line 2
		`s:x,colon,ช่างไฟ,online,,,,,,,,,,,,,,,,,,`,
		`s,two-digit-year,ช่างไฟ,onsite,TH-30,01/09/26,,,,,,,,,,,,,,,,`, // 28
		`,,,,,,,,,,,,,,,,,,,,,`, // blank: skipped
		`s,good3,ช่างไฟ,hybrid,กทม.,2569-09-01,,9.00,12.00,,,,,,,,,,,,,`, // 30
	), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line   int
		column string
		reason string
	}{
		{3, "start_date", `"31/02/2569" is not a real date`},
		{5, "", ""}, // placeholder: replaced below
		{6, "title_th", "required"},
		{6, "province", `did you mean เชียงใหม่ (TH-50)?`},
		{7, "source", "required"},
		{9, "mode", `"classroom" is not one of onsite, online, hybrid`},
		{10, "province", "required for an onsite course"},
		{11, "end_date", "is before start_date"},
		{12, "end_time", "is not after start_time"},
		{13, "cost_baht", `"ห้าร้อย" is not a whole number`},
		{14, "max_age", "18 is below min_age 20"},
		{15, "days", `"funday" is not a day`},
		{16, "interests", `"X" is not a RIASEC letter`},
		{17, "field", `"plumbing" is not an occupation family`},
		{18, "earns", `"tpqi_9" is not one of`},
		{19, "url", `must start with https://`},
		{20, "lat", "seem swapped"},
		{21, "lng", "give both lat and lng"},
		{22, "min_education", `"ม.9" is not one of`},
		{23, "closes_at", "is not after opens_at"},
		{24, "", "the row has 23 values but the header only 22 columns"},
		{25, "", "broken CSV"},
		{26, "external_id", "the same as line 2"},
		{27, "source", "must not contain ':'"},
		{28, "start_date", "two-digit year"},
	}
	want = slices.Delete(want, 1, 2) // the multi-line row (lines 4-5) is good
	var got []string
	for _, e := range res.Rejected {
		got = append(got, e.Error())
	}
	if len(res.Rejected) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(res.Rejected), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if i >= len(res.Rejected) {
			break
		}
		e := res.Rejected[i]
		if e.File != "c.csv" || e.Line != w.line || e.Column != w.column || !strings.Contains(e.Reason, w.reason) {
			t.Errorf("problem %d = %q, want line %d, column %q, reason containing %q", i, e.Error(), w.line, w.column, w.reason)
		}
	}
	if !slices.Equal(res.Lines, []int{2, 4, 8, 30}) {
		t.Errorf("good rows on lines %v, want [2 4 8 30]", res.Lines)
	}
	if res.Rows != 27 || res.RejectedRows() != 23 {
		t.Errorf("Rows = %d, RejectedRows = %d; want 27 read (the blank one skipped), 23 rejected", res.Rows, res.RejectedRows())
	}
	if ext := res.Items[1].ExternalID; ext != "multi\nline" {
		t.Errorf("quoted multi-line external_id = %q", ext)
	}
	good3 := res.Items[3]
	if good3.Province != "TH-10" || good3.StartTime != "09:00" || good3.EndTime != "12:00" {
		t.Errorf("good3 = %+v", good3)
	}
	if msg := res.Rejected[0].Error(); !strings.HasPrefix(msg, `c.csv:3: start_date: "31/02/2569" is not a real date`) {
		t.Errorf("Error() = %q, want file:line: column: reason", msg)
	}
}

func TestOpeningRules(t *testing.T) {
	header := "source,external_id,employer,role_th,kind,pay_baht,pay_unit,start_time,end_time,night,min_age,training,hazardous"
	res, err := catalogio.ParseOpenings("o.csv", csvFile(
		header,
		`s,1,ร้าน,พนักงาน,,300,,,,,,,`,                       // 2: defaults
		`s,2,ร้าน,พนักงาน,part_time,50,,20:00,23:00,no,18,,`, // 3: night although the column says no
		`s,3,ร้าน,พนักงาน,part_time,50,,23:00,02:00,,18,,`,   // 4: past midnight
		`s,4,ร้าน,พนักงาน,part_time,50,,05:00,09:00,,18,,`,   // 5: early morning
		`s,5,ร้าน,พนักงาน,part_time,50,,06:00,22:00,,,,`,     // 6: daytime
		`s,6,ร้าน,พนักงาน,part_time,50,,,,,14,,`,             // 7: under 15
		`s,7,ร้าน,พนักงาน,part_time,0,,,,,,,`,                // 8: unpaid
		`s,8,ร้าน,พนักงาน,part_time,50/เดือน,day,,,,,,`,      // 9: two units
		`s,9,ร้าน,พนักงาน,ทวิภาคี,"8,000",,,,,,ใช่,ไม่มี`,    // 10
		`s,10,ร้าน,พนักงาน,full_time,50,week,,,maybe,,,`,     // 11
		`s,11,,,part_time,,,,,,,,`, // 12
	), "")
	if err != nil {
		t.Fatal(err)
	}
	byExt := map[string]content.Opening{}
	for _, o := range res.Items {
		byExt[o.ExternalID] = o
	}
	if o := byExt["1"]; o.Kind != "part_time" || o.PayUnit != "hour" || o.MinAge != 15 || o.Night || o.Training {
		t.Errorf("defaults = %+v", o)
	}
	for ext, night := range map[string]bool{"2": true, "3": true, "4": true, "5": false} {
		if o, ok := byExt[ext]; !ok || o.Night != night {
			t.Errorf("opening %s (%s-%s): Night = %v, want %v", ext, o.StartTime, o.EndTime, o.Night, night)
		}
	}
	if o := byExt["9"]; o.Kind != "dual_vocational" || o.PayBaht != 8000 || o.PayUnit != "month" || !o.Training || o.Hazardous {
		t.Errorf("dual vocational = %+v", o)
	}
	var got []string
	for _, e := range res.Rejected {
		got = append(got, e.Error())
	}
	for _, want := range []string{
		"o.csv:7: min_age: 14 is under 15: Thai labour law",
		"o.csv:8: pay_baht: must be more than 0",
		"o.csv:9: pay_unit: day, but pay_baht says per month",
		`o.csv:11: kind: "full_time" is not one of`,
		`o.csv:11: pay_unit: "week" is not one of`,
		`o.csv:11: night: "maybe" is not one of yes/no`,
		"o.csv:12: employer: required",
		"o.csv:12: role_th: required",
		"o.csv:12: pay_baht: required",
	} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("no problem %q among:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if len(res.Items) != 6 {
		t.Errorf("%d openings loaded, want 6", len(res.Items))
	}
}

func TestOccupationRules(t *testing.T) {
	res, err := catalogio.ParseOccupations("occ.json", strings.NewReader(`[
		{"id": "care", "name_th": "งานดูแล", "demand": {"northeast": 3, "TH-30": 2}},
		{"id": "digital", "name_th": "ดิจิทัล", "demand": "อีสาน:1|เชียงใหม่=2|ภาคใต้:0", "skills": ["a", "b", "a"]},
		{"id": "plumbing", "name_th": "ประปา"},
		{"id": "trades", "name_th": "ช่าง", "demand": "mars:3|north:5|central"},
		{"id": "care", "name_th": "ซ้ำ"}
	]`), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 {
		t.Fatalf("%d loaded: %+v; rejected %v", len(res.Items), res.Items, res.Rejected)
	}
	if d := res.Items[0].Demand; !reflect.DeepEqual(d, map[string]int{"northeast": 3, "TH-30": 2}) {
		t.Errorf("demand from a JSON object = %v", d)
	}
	if d := res.Items[1].Demand; !reflect.DeepEqual(d, map[string]int{"northeast": 1, "TH-50": 2, "south": 0}) {
		t.Errorf("demand from Thai text = %v", d)
	}
	if s := res.Items[1].Skills; !slices.Equal(s, []string{"a", "b"}) {
		t.Errorf("skills = %v", s)
	}
	var got []string
	for _, e := range res.Rejected {
		got = append(got, e.Error())
	}
	want := []string{
		`occ.json:4: id: "plumbing" is not an occupation family`,
		`occ.json:5: demand: "mars" is not a region`,
		`occ.json:5: demand: "north:5": the level must be 0, 1, 2 or 3`,
		`occ.json:5: demand: "central" is not place:level`,
		`occ.json:6: id: the same as line 2`,
	}
	if len(got) != len(want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want %q...", i, got[i], want[i])
		}
	}
}

func TestJSONRowsAndProblems(t *testing.T) {
	res, err := catalogio.ParseCourses("c.json", strings.NewReader("\ufeff"+`[
  {"source": "s", "external_id": 7, "title_th": "ก", "mode": "online", "hours": 12.0, "colour": "red"},
  "not an object",
  {"source": "s", "external_id": "8", "title_th": ["ก", "ข"], "mode": "online", "cost_baht": true},
  {"source": "s", "external_id": "9", "title_th": "ค", "mode": "online", "skills": [{"x": 1}], "colour": "blue"}
]`), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].ExternalID != "7" || res.Items[0].Hours != 12 || res.Lines[0] != 2 {
		t.Errorf("items %+v on lines %v", res.Items, res.Lines)
	}
	var got []string
	for _, e := range res.Rejected {
		got = append(got, e.Error())
	}
	want := []string{
		"c.json:3: each item of the array must be an object",
		"c.json:4: title_th: give one value, not a list",
		`c.json:4: cost_baht: "true" is not a whole number`,
		"c.json:5: skills: a list may hold only strings",
	}
	if len(got) != len(want) {
		t.Errorf("problems:\n%s", strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want %q...", i, got[i], want[i])
		}
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `"colour"`) {
		t.Errorf("warnings = %v, want one about the unknown key", res.Warnings)
	}
}

func TestUnknownColumnsWarnAndBilingualHeaders(t *testing.T) {
	res, err := catalogio.ParseCourses("c.csv", csvFile(
		"Source,External ID,ชื่อคอร์ส (title_th),หมายเหตุ,mode*,",
		"s,1,ก,ไม่ต้องอ่าน,online,",
	), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].TitleTH != "ก" {
		t.Errorf("items = %+v, rejected %v", res.Items, res.Rejected)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `"หมายเหตุ"`) {
		t.Errorf("warnings = %v", res.Warnings)
	}

	// Semicolons, as some Excel versions save.
	res, err = catalogio.ParseCourses("c.csv", csvFile("source;external_id;title_th;mode", "s;1;ก, ข;online"), "")
	if err != nil || len(res.Items) != 1 || res.Items[0].TitleTH != "ก, ข" {
		t.Errorf("semicolon file: %+v, %v", res, err)
	}
}

func TestUnreadableFiles(t *testing.T) {
	for _, tt := range []struct {
		name, format, data, want string
	}{
		{"empty.csv", "", "", "empty.csv: the file is empty"},
		{"blank.csv", "", " \n\n \r\n", "blank.csv: the file is empty"},
		{"bom-only.csv", "", "\ufeff", "bom-only.csv: the file is empty"},
		{"binary.csv", "", "\x00\x01\x02PK\x03\x04\x00\x00", "binary.csv:1: not a courses file"},
		{"notes.csv", "", "hello, world\nthis is, a letter\n", "notes.csv:1: not a courses file: the first line must be a header"},
		{"tis620.csv", "", "\xe1\xcb\xc5\xe8\xa7,\xc3\xcb\xd1\xca\n1,2\n", "tis620.csv:1: the header is not UTF-8"},
		{"utf16.csv", "", "\xff\xfes\x00o\x00", "utf16.csv: the file is UTF-16"},
		{"missing.csv", "", "source,external_id,provider\ns,1,p\n", "missing.csv:1: the header lacks required columns: title_th (ชื่อคอร์ส)"},
		{"twice.csv", "", "source,external_id,title_th,ชื่อคอร์ส\n", "twice.csv:1: columns 3 and 4 of the header are both title_th"},
		{"object.json", "", `{"courses": []}`, "object.json: not a JSON array"},
		{"broken.json", "", "[\n {\"source\": \"s\", \"external_id\": \"1\", \"title_th\": \"ก\", \"mode\": \"online\"},\n {\"source\": \n", "broken.json: the JSON ends too early"},
		{"garbage.json", "", "[\n {\"a\": 1}\n {\"b\": 2}\n]", "garbage.json:3: broken JSON"},
		{"data.bin", "xml", "<x/>", `data.bin: unknown format "xml"`},
		{"list.txt", "csv", `[{"source": "s"}]`, "list.txt:1: not a CSV file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := catalogio.ParseCourses(tt.name, strings.NewReader(tt.data), tt.format)
			if !errors.Is(err, catalogio.ErrUnreadable) {
				t.Fatalf("err = %v (%d items), want ErrUnreadable", err, len(res.Items))
			}
			var fe *catalogio.FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to start %q", err, tt.want)
			}
		})
	}

	// A header and no rows is readable: nothing to import, and a warning.
	res, err := catalogio.ParseCourses("header.csv", strings.NewReader("source,external_id,title_th\n"), "")
	if err != nil || res.Rows != 0 || len(res.Warnings) != 1 {
		t.Errorf("header only: %+v, %v", res, err)
	}
	res, err = catalogio.ParseCourses("empty.json", strings.NewReader("[]"), "")
	if err != nil || res.Rows != 0 {
		t.Errorf("empty JSON array: %+v, %v", res, err)
	}
}

func TestStreamStopsOnTheCallersError(t *testing.T) {
	stop := errors.New("store is down")
	calls := 0
	rows, err := catalogio.StreamCourses("courses.csv", bytes.NewReader(example(t, "courses.csv")), "csv",
		func(line int, c content.Course) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		}, nil)
	if err != stop || calls != 2 || rows != 2 {
		t.Errorf("StreamCourses = %d rows, %v after %d calls; want 2, the caller's error, 2", rows, err, calls)
	}
	if errors.Is(err, catalogio.ErrUnreadable) {
		t.Error("the caller's error reads as an unreadable file")
	}
}

func TestDates(t *testing.T) {
	d := func(y int, m time.Month, day, hh, mm int) time.Time {
		return time.Date(y, m, day, hh, mm, 0, 0, thaitime.Zone)
	}
	for _, tt := range []struct {
		in          string
		start, ends time.Time // as start_date; as closes_at
	}{
		{"2026-08-22", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"2569-08-22", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"2569/8/2", d(2026, 8, 2, 0, 0), d(2026, 8, 3, 0, 0)},
		{"22/08/2569", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"22/08/2026", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"1-9-2569", d(2026, 9, 1, 0, 0), d(2026, 9, 2, 0, 0)},
		{"31.12.2569", d(2026, 12, 31, 0, 0), d(2027, 1, 1, 0, 0)},
		{"22 ส.ค. 2569", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"22 สิงหาคม 69", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"๒๒/๐๘/๒๕๖๙", d(2026, 8, 22, 0, 0), d(2026, 8, 23, 0, 0)},
		{"2569-08-22 17:30", d(2026, 8, 22, 17, 30), d(2026, 8, 22, 17, 30)},
		{"22/08/2569 9.00 น.", d(2026, 8, 22, 9, 0), d(2026, 8, 22, 9, 0)},
		{"2026-08-22T10:00:00Z", d(2026, 8, 22, 17, 0), d(2026, 8, 22, 17, 0)},
		{"2028-02-29", d(2028, 2, 29, 0, 0), d(2028, 3, 1, 0, 0)},
	} {
		res, err := catalogio.ParseCourses("d.csv", csvFile("source,external_id,title_th,mode,start_date,closes_at", fmt.Sprintf("s,1,ก,online,%q,%q", tt.in, tt.in)), "")
		if err != nil || len(res.Items) != 1 {
			t.Errorf("%q: %v %v", tt.in, err, res.Rejected)
			continue
		}
		c := res.Items[0]
		if !c.StartDate.Equal(tt.start) || !c.ClosesAt.Equal(tt.ends) {
			t.Errorf("%q: start_date %v, closes_at %v; want %v, %v", tt.in, c.StartDate, c.ClosesAt, tt.start, tt.ends)
		}
	}
	for _, bad := range []string{"2026-13-01", "2027-02-29", "22/08/69", "next monday", "2569-08-22 25:00", "1999-01-01", "22 ธันวา 2569", "20260822"} {
		res, err := catalogio.ParseCourses("d.csv", csvFile("source,external_id,title_th,mode,start_date", fmt.Sprintf("s,1,ก,online,%s", bad)), "")
		if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Column != "start_date" {
			t.Errorf("%q: %v; rejected %v, want a start_date problem", bad, err, res.Rejected)
		}
	}
}

func TestDays(t *testing.T) {
	for in, want := range map[string]string{
		"mon|wed|fri":      "mon wed fri",
		"จ.|อ.|พ.|พฤ.|ศ.":  "mon tue wed thu fri",
		"จ.-ศ.":            "mon tue wed thu fri",
		"จ. - ศ.":          "mon tue wed thu fri",
		"sat-sun":          "sat sun",
		"ส.-อา.":           "sat sun",
		"ศ.-จ.":            "mon fri sat sun",
		"Sunday, Saturday": "sat sun",
		"อาทิตย์|จันทร์": "mon sun",
		"ทุกวัน":         "mon tue wed thu fri sat sun",
		"weekdays|sat":   "mon tue wed thu fri sat",
		"พฤหัสบดี":       "thu",
		"พฤ.|พฤ.":        "thu",
		"วันเสาร์ วันอาทิตย์": "sat sun",
	} {
		res, err := catalogio.ParseCourses("d.csv", csvFile("source,external_id,title_th,mode,days", fmt.Sprintf("s,1,ก,online,%q", in)), "")
		if err != nil || len(res.Items) != 1 {
			t.Errorf("%q: %v %v", in, err, res.Rejected)
			continue
		}
		if got := strings.Join(res.Items[0].Days, " "); got != want {
			t.Errorf("%q = %q, want %q", in, got, want)
		}
	}
}

func TestReadProfile(t *testing.T) {
	p, err := catalogio.ReadProfile(bytes.NewReader(example(t, "profile.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"age": "19", "province": "TH-30", "district": "เมืองนครราชสีมา", "status": "neither", "education": "m3",
		"need": "income", "time": "anytime", "hours": "30", "budget": "free", "travel": "15", "device": "phone_data",
		"care": "none", "interests": "trades,hospitality_tourism", "riasec_top": "RSE", "strengths": "communication,driving",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("profile.json =\n\t%v\nwant\n\t%v", p, want)
	}

	p, err = catalogio.ReadProfile(strings.NewReader(`{"age": 19, "province": "โคราช", "education": "ม.3", "lat": 14.97, "lng": 102.1, "interests": ["care", "trades"], "need": null, "district": ""}`))
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"age": "19", "province": "TH-30", "education": "m3", "location": "14.97,102.1", "interests": "care,trades"}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("typed profile = %v, want %v", p, want)
	}
	for _, bad := range []string{`[]`, `{"agee": 19}`, `{"province": "Atlantis"}`, `{"lat": 14}`, `{"age": {"n": 1}}`, `{"lat": 1, "lng": 2, "location": "1,2"}`} {
		if _, err := catalogio.ReadProfile(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadProfile(%s) succeeded", bad)
		}
	}
}

// coursesCSV generates n course rows, every field filled in.
func coursesCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("source,external_id,provider,title_th,title_en,desc_th,skills,interests,field,mode,province,district,lat,lng,start_date,end_date,days,start_time,end_time,hours,cost_baht,allowance_baht,earns,credits,min_age,max_age,min_education,seats,url,contact,opens_at,closes_at\n")
	for i := range n {
		fmt.Fprintf(&b, "bench,K-%06d,ศูนย์พัฒนาฝีมือแรงงานนครราชสีมา,ช่างซ่อมแอร์ รุ่น %d,Air-conditioner repair,ฝึกติดตั้งและล้างแอร์บ้าน,ติดตั้งแอร์|ไฟฟ้าเบื้องต้น,R|I,trades,onsite,นครราชสีมา,เมืองนครราชสีมา,14.9799,102.0978,2569-08-24,2569-09-04,จ.-ศ.,09:00,16:00,60,\"1,500\",1200,certificate|tpqi_1,0,18,24,ม.3,20,https://example.org/c/%d,044-000-000,2569-07-01,2569-08-15\n", i, i, i)
	}
	return b.Bytes()
}

func BenchmarkStreamCourses(b *testing.B) {
	data := coursesCSV(10_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rows, err := catalogio.StreamCourses("bench.csv", bytes.NewReader(data), "", func(int, content.Course) error { return nil },
			func(e catalogio.RowError) { b.Fatal(e) })
		if err != nil || rows != 10_000 {
			b.Fatal(rows, err)
		}
	}
	b.ReportMetric(float64(b.N)*10_000/b.Elapsed().Seconds(), "rows/s")
}

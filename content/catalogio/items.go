package catalogio

import (
	"strings"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
)

var courseKind = kind[content.Course]{name: "courses", columns: courseColumns, build: buildCourse, keyColumn: "external_id"}

var openingKind = kind[content.Opening]{name: "openings", columns: openingColumns, build: buildOpening, keyColumn: "external_id"}

var occupationKind = kind[content.Occupation]{name: "occupations", columns: occupationColumns, build: buildOccupation, keyColumn: "id"}

func buildCourse(r *row) (content.Course, string) {
	c := content.Course{
		Source:     r.source("source"),
		ExternalID: r.required("external_id", "the course's own ID at its source"),
		Provider:   r.text("provider"),
		TitleTH:    r.required("title_th", "the course name in Thai"),
		TitleEN:    r.text("title_en"),
		DescTH:     r.text("desc_th"),
		DescEN:     r.text("desc_en"),
		Skills:     r.items("skills", "|"),
		Interests:  r.interests("interests"),
		Field:      r.field("field"),
		District:   r.text("district"),
		Days:       r.days("days"),
		Hours:      r.integer("hours", 0, 10_000),
		CostBaht:   r.money("cost_baht"),
		Allowance:  r.money("allowance_baht"),
		Earns:      r.earns("earns"),
		Credits:    r.integer("credits", 0, 1_000),
		MinAge:     r.integer("min_age", 0, 99),
		MaxAge:     r.integer("max_age", 0, 99),
		MinEdu:     r.education("min_education"),
		Seats:      r.integer("seats", 0, 1_000_000),
		URL:        r.link("url"),
		Contact:    r.text("contact"),
	}
	c.Mode = r.oneOf("mode", modes, "onsite, online, hybrid (ในสถานที่, ออนไลน์, ผสม)")
	c.Province = r.province("province")
	c.Lat, c.Lng = r.coordinates()
	switch {
	case c.Mode == "" && r.text("mode") == "":
		// No mode: a course with a place is onsite, one without is online.
		c.Mode = "online"
		if r.text("province") != "" {
			c.Mode = "onsite"
		}
	case c.Mode == "":
		c.Mode = "onsite" // a bad mode is reported already
	}
	if c.Mode == "online" {
		c.Province, c.District, c.Lat, c.Lng = "", "", 0, 0
	} else if r.text("province") == "" {
		r.fail("province", "required for an %s course (or set mode to online)", c.Mode)
	}

	c.StartDate = r.date("start_date", false)
	c.EndDate = r.date("end_date", false)
	if !c.StartDate.IsZero() && !c.EndDate.IsZero() && c.EndDate.Before(c.StartDate) {
		r.fail("end_date", "%s is before start_date %s", r.text("end_date"), r.text("start_date"))
	}
	var start, end int
	c.StartTime, start = r.clock("start_time")
	c.EndTime, end = r.clock("end_time")
	if start >= 0 && end >= 0 && end <= start {
		r.fail("end_time", "%s is not after start_time %s", c.EndTime, c.StartTime)
	}
	if c.MaxAge > 0 && c.MaxAge < c.MinAge {
		r.fail("max_age", "%d is below min_age %d", c.MaxAge, c.MinAge)
	}
	c.OpensAt = r.date("opens_at", false)
	c.ClosesAt = r.date("closes_at", true)
	if !c.OpensAt.IsZero() && !c.ClosesAt.IsZero() && !c.ClosesAt.After(c.OpensAt) {
		r.fail("closes_at", "%s is not after opens_at %s", r.text("closes_at"), r.text("opens_at"))
	}
	c.ID = content.CourseID(c.Source, c.ExternalID)
	return c, c.ID
}

// defaultPayUnit is the pay unit of a kind of opening that gives none.
var defaultPayUnit = map[string]string{
	"part_time":       "hour",
	"school_break":    "day",
	"apprenticeship":  "month",
	"dual_vocational": "month",
}

// minWorkAge is the youngest age Thai labour law allows anyone to be employed.
const minWorkAge = 15

func buildOpening(r *row) (content.Opening, string) {
	o := content.Opening{
		Source:       r.source("source"),
		ExternalID:   r.required("external_id", "the opening's own ID at its source"),
		Employer:     r.required("employer", "who employs"),
		RoleTH:       r.required("role_th", "the job title in Thai"),
		RoleEN:       r.text("role_en"),
		DescTH:       r.text("desc_th"),
		DescEN:       r.text("desc_en"),
		Kind:         r.oneOf("kind", kinds, "school_break, part_time, apprenticeship, dual_vocational (ปิดเทอม, พาร์ทไทม์, ฝึกงาน, ทวิภาคี)"),
		Field:        r.field("field"),
		Interests:    r.interests("interests"),
		Skills:       r.items("skills", "|"),
		HoursWeek:    r.integer("hours_week", 0, 168),
		Days:         r.days("days"),
		Training:     r.boolean("training"),
		Province:     r.province("province"),
		District:     r.text("district"),
		MinEdu:       r.education("min_education"),
		Night:        r.boolean("night"),
		Hazardous:    r.boolean("hazardous"),
		Requirements: r.text("requirements"),
		URL:          r.link("url"),
		Contact:      r.text("contact"),
		ValidUntil:   r.date("valid_until", true),
	}
	if o.Kind == "" {
		o.Kind = "part_time"
	}
	o.Lat, o.Lng = r.coordinates()

	// Pay: "350" with pay_unit, or "350/วัน" alone.
	pay, unitInPay, _ := strings.Cut(r.text("pay_baht"), "/")
	o.PayUnit = r.oneOf("pay_unit", payUnits, "hour, day, month (ชั่วโมง, วัน, เดือน)")
	if unitInPay != "" {
		u, ok := payUnits[key(strings.TrimPrefix(strings.TrimSpace(unitInPay), "ต่อ"))]
		switch {
		case !ok:
			r.fail("pay_baht", "%q: the unit after / is not hour, day or month (ชั่วโมง, วัน, เดือน)", r.text("pay_baht"))
		case o.PayUnit != "" && o.PayUnit != u:
			r.fail("pay_unit", "%s, but pay_baht says per %s", o.PayUnit, u)
		default:
			o.PayUnit = u
		}
	}
	if o.PayUnit == "" && r.text("pay_unit") == "" {
		o.PayUnit = defaultPayUnit[o.Kind]
	}
	switch n, ok := parseWhole(pay); {
	case strings.TrimSpace(pay) == "":
		r.fail("pay_baht", "required: the pay in baht (per pay_unit)")
	case !ok:
		r.fail("pay_baht", "%q is not a whole number of baht", r.text("pay_baht"))
	case n <= 0:
		r.fail("pay_baht", "must be more than 0: Pai Tor lists paid work only")
	case n > 1_000_000:
		r.fail("pay_baht", "%d baht looks wrong", n)
	default:
		o.PayBaht = n
	}

	var start, end int
	o.StartTime, start = r.clock("start_time")
	o.EndTime, end = r.clock("end_time")
	if nightHours(start, end) {
		o.Night = true // whatever the night column says
	}

	o.MinAge = minWorkAge
	if r.text("min_age") != "" {
		switch n, ok := parseWhole(r.text("min_age")); {
		case !ok:
			r.fail("min_age", "%q is not a whole number", r.text("min_age"))
		case n < minWorkAge:
			r.fail("min_age", "%d is under %d: Thai labour law does not allow employing anyone under %d", n, minWorkAge, minWorkAge)
		case n > 99:
			r.fail("min_age", "%d is not an age", n)
		default:
			o.MinAge = n
		}
	}
	o.ID = content.OpeningID(o.Source, o.ExternalID)
	return o, o.ID
}

// nightHours reports whether work from start to end (minutes since
// midnight, -1 when not given) falls anywhere between 22:00 and 06:00. A shift
// ending at or before its start runs past midnight.
func nightHours(start, end int) bool {
	switch {
	case start < 0 && end < 0:
		return false
	case start < 0:
		return end > 22*60 || end <= 6*60 && end > 0
	case end < 0:
		return start >= 22*60 || start < 6*60
	case end <= start:
		return true
	}
	return start < 6*60 || end > 22*60
}

func buildOccupation(r *row) (content.Occupation, string) {
	o := content.Occupation{
		ID:     r.field("id"),
		NameTH: r.required("name_th", "the family's name in Thai"),
		NameEN: r.text("name_en"),
		Skills: r.items("skills", "|"),
		Source: r.text("source"),
	}
	if r.text("id") == "" {
		r.fail("id", "required: one of %s", strings.Join(fieldIDs, ", "))
	}
	for _, part := range r.items("demand", "|,") {
		k, v, ok := strings.Cut(strings.ReplaceAll(part, "=", ":"), ":")
		if !ok {
			r.fail("demand", "%q is not place:level, such as northeast:3 or TH-30:2", part)
			continue
		}
		where := demandPlace(k)
		if where == "" {
			r.fail("demand", "%q is not a region (%s) or a province", strings.TrimSpace(k), strings.Join(place.Regions(), ", "))
			continue
		}
		level, ok := parseWhole(v)
		if !ok || level < 0 || level > 3 {
			r.fail("demand", "%q: the level must be 0, 1, 2 or 3", part)
			continue
		}
		if o.Demand == nil {
			o.Demand = map[string]int{}
		}
		if _, dup := o.Demand[where]; dup {
			r.fail("demand", "%s is given twice", where)
			continue
		}
		o.Demand[where] = level
	}
	return o, o.ID
}

// demandPlace reads a region name (English or Thai) or a province, as
// Occupation.Demand keys it: the region name or the province code.
func demandPlace(s string) string {
	s = strings.TrimSpace(s)
	if r := strings.ToLower(s); place.ValidRegion(r) {
		return r
	}
	if r, ok := regionWords[key(s)]; ok {
		return r
	}
	if code, ok := provinceCode(s); ok {
		return code
	}
	return ""
}

package catalogio

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/thaitime"
)

// row is one data row being checked: its values by column, and its problems.
type row struct {
	file  string
	line  int
	cells map[string]cell
	errs  []RowError
}

func (r *row) fail(col, format string, args ...any) {
	r.errs = append(r.errs, RowError{File: r.file, Line: r.line, Column: col, Reason: fmt.Sprintf(format, args...)})
}

// text returns the column's value, "" when it is empty or absent.
func (r *row) text(col string) string {
	c := r.cells[col]
	if c.isList {
		if len(c.list) > 1 {
			r.fail(col, "give one value, not a list")
			return ""
		}
		if len(c.list) == 1 {
			return c.list[0]
		}
		return ""
	}
	return c.text
}

// required returns the column's value, recording a problem when it is empty.
func (r *row) required(col, what string) string {
	v := r.text(col)
	if v == "" && !r.failed(col) {
		r.fail(col, "required: %s", what)
	}
	return v
}

// failed reports whether the column has a problem already.
func (r *row) failed(col string) bool {
	return slices.ContainsFunc(r.errs, func(e RowError) bool { return e.Column == col })
}

// items returns a list column: a JSON list as it is, or the text split at any
// of seps; items are trimmed, empty ones dropped, repeats removed.
func (r *row) items(col, seps string) []string {
	c := r.cells[col]
	parts := c.list
	if !c.isList {
		parts = strings.FieldsFunc(c.text, func(r rune) bool { return strings.ContainsRune(seps, r) })
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// thaiDigits turns Thai numerals (๐–๙) into Arabic ones.
var thaiDigits = strings.NewReplacer("๐", "0", "๑", "1", "๒", "2", "๓", "3", "๔", "4", "๕", "5", "๖", "6", "๗", "7", "๘", "8", "๙", "9")

// number is a whole number with thousands separators and an optional unit
// word after it: "1,500", "1500.00", "60 ชั่วโมง", "฿350 บาท".
var number = regexp.MustCompile(`^([+-]?[0-9][0-9,]*)(?:\.([0-9]+))?\s*[\p{L}\p{M}.\s/]*$`)

// parseWhole reads a whole number; ok is false for anything else.
func parseWhole(s string) (n int, ok bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(thaiDigits.Replace(s)), "฿"))
	m := number.FindStringSubmatch(s)
	if m == nil || strings.Trim(m[2], "0") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n, err == nil
}

// integer reads a whole number from lo to hi; 0 when empty.
func (r *row) integer(col string, lo, hi int) int {
	s := r.text(col)
	if s == "" {
		return 0
	}
	n, ok := parseWhole(s)
	switch {
	case !ok:
		r.fail(col, "%q is not a whole number", s)
	case n < lo || n > hi:
		r.fail(col, "%d is not from %d to %d", n, lo, hi)
	default:
		return n
	}
	return 0
}

// money reads baht: 0 for empty, "ฟรี", "free", "ไม่มี", "none" or "-".
func (r *row) money(col string) int {
	switch strings.ToLower(r.text(col)) {
	case "", "ฟรี", "free", "ไม่มี", "none", "-", "ไม่เสียค่าใช้จ่าย":
		return 0
	}
	return r.integer(col, 0, 10_000_000)
}

// coordinates reads lat and lng: both or neither, inside Thailand.
func (r *row) coordinates() (lat, lng float64) {
	ls, gs := r.text("lat"), r.text("lng")
	if ls == "" && gs == "" {
		return 0, 0
	}
	if ls == "" || gs == "" {
		r.fail(map[bool]string{true: "lat", false: "lng"}[ls == ""], "give both lat and lng, or neither")
		return 0, 0
	}
	lat, err1 := strconv.ParseFloat(thaiDigits.Replace(ls), 64)
	lng, err2 := strconv.ParseFloat(thaiDigits.Replace(gs), 64)
	switch {
	case err1 != nil:
		r.fail("lat", "%q is not a number such as 14.9799", ls)
	case err2 != nil:
		r.fail("lng", "%q is not a number such as 102.0978", gs)
	case lat >= 97 && lat <= 106 && lng >= 5 && lng <= 21:
		r.fail("lat", "%s,%s is in the sea: lat and lng seem swapped (Thailand is at lat 5–21, lng 97–106)", ls, gs)
	case lat < 5 || lat > 21:
		r.fail("lat", "%s is outside Thailand (lat 5–21)", ls)
	case lng < 97 || lng > 106:
		r.fail("lng", "%s is outside Thailand (lng 97–106)", gs)
	default:
		return lat, lng
	}
	return 0, 0
}

// ---- Dates and times ----

var (
	isoDate    = regexp.MustCompile(`^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[ T]+(.+))?$`)
	dmyDate    = regexp.MustCompile(`^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{2,4})(?:[ T]+(.+))?$`)
	thaiDate   = regexp.MustCompile(`^([0-9]{1,2})\s*([\p{Thai}.\s]+?)\s*([0-9]{2,4})(?:\s+(.+))?$`)
	dashSpaces = regexp.MustCompile(`\s*-\s*`)
	clockRe    = regexp.MustCompile(`^([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?\s*(?:น\.?|นาฬิกา)?$`)
)

// thaiMonths maps Thai month names and abbreviations, without dots or spaces.
var thaiMonths = map[string]time.Month{
	"มกราคม": 1, "มค": 1, "กุมภาพันธ์": 2, "กพ": 2, "มีนาคม": 3, "มีค": 3,
	"เมษายน": 4, "เมย": 4, "พฤษภาคม": 5, "พค": 5, "มิถุนายน": 6, "มิย": 6,
	"กรกฎาคม": 7, "กค": 7, "สิงหาคม": 8, "สค": 8, "กันยายน": 9, "กย": 9,
	"ตุลาคม": 10, "ตค": 10, "พฤศจิกายน": 11, "พย": 11, "ธันวาคม": 12, "ธค": 12,
}

const dateHelp = "use YYYY-MM-DD such as 2026-08-22 (a Buddhist-era year works too: 2569-08-22) or DD/MM/YYYY such as 22/08/2569"

// parseDate reads a date, with an optional time of day, in Bangkok time. A
// year above 2400 is Buddhist era. hasTime is false for a date alone. A
// timestamp with its own zone (2026-08-22T09:00:00Z) keeps it.
func parseDate(s string) (t time.Time, hasTime bool, reason string) {
	s = strings.TrimSpace(thaiDigits.Replace(s))
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true, ""
	}
	var (
		y, m, d int
		rest    string
		twoBE   bool // a two-digit year is Buddhist era (Thai month names only)
	)
	if g := isoDate.FindStringSubmatch(s); g != nil {
		y, m, d, rest = atoi(g[1]), atoi(g[2]), atoi(g[3]), g[4]
	} else if g := dmyDate.FindStringSubmatch(s); g != nil {
		if len(g[3]) != 4 {
			return time.Time{}, false, fmt.Sprintf("%q has a two-digit year: write all four digits (2569 or 2026)", s)
		}
		d, m, y, rest = atoi(g[1]), atoi(g[2]), atoi(g[3]), g[4]
	} else if g := thaiDate.FindStringSubmatch(s); g != nil {
		mon, ok := thaiMonths[strings.NewReplacer(".", "", " ", "").Replace(g[2])]
		if !ok {
			return time.Time{}, false, fmt.Sprintf("%q is not a date: %s", s, dateHelp)
		}
		d, m, y, rest, twoBE = atoi(g[1]), int(mon), atoi(g[3]), g[4], len(g[3]) == 2
	} else {
		return time.Time{}, false, fmt.Sprintf("%q is not a date: %s", s, dateHelp)
	}
	switch {
	case twoBE:
		y += 2500 - 543
	case y > 2400:
		y -= 543
	}
	if y < 2000 || y > 2200 {
		return time.Time{}, false, fmt.Sprintf("%q: the year %d looks wrong", s, y)
	}
	hh, mm := 0, 0
	if rest = strings.TrimSpace(rest); rest != "" {
		g := clockRe.FindStringSubmatch(rest)
		if g == nil {
			return time.Time{}, false, fmt.Sprintf("%q: the time of day %q is not HH:MM", s, rest)
		}
		hh, mm, hasTime = atoi(g[1]), atoi(g[2]), true
		if hh > 23 || mm > 59 {
			return time.Time{}, false, fmt.Sprintf("%q: %s is not a time of day", s, rest)
		}
	}
	t = time.Date(y, time.Month(m), d, hh, mm, 0, 0, thaitime.Zone)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false, fmt.Sprintf("%q is not a real date (month %d has no day %d)", s, m, d)
	}
	return t, hasTime, ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// date reads a date column; zero when empty. With endOfDay, a date without a
// time means the end of that day (registration closing on the 31st is still
// open all of the 31st).
func (r *row) date(col string, endOfDay bool) time.Time {
	s := r.text(col)
	if s == "" {
		return time.Time{}
	}
	t, hasTime, reason := parseDate(s)
	if reason != "" {
		r.fail(col, "%s", reason)
		return time.Time{}
	}
	if endOfDay && !hasTime {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// clock reads a time of day as "HH:MM" and its minutes since midnight (-1
// when empty): "9:00", "09.00", "9.00 น." are all "09:00".
func (r *row) clock(col string) (string, int) {
	s := strings.TrimSpace(thaiDigits.Replace(r.text(col)))
	if s == "" {
		return "", -1
	}
	g := clockRe.FindStringSubmatch(s)
	if g == nil {
		r.fail(col, "%q is not a time of day: use HH:MM such as 09:00 or 17:30", s)
		return "", -1
	}
	hh, mm := atoi(g[1]), atoi(g[2])
	if hh > 23 || mm > 59 {
		r.fail(col, "%q is not a time of day (00:00 to 23:59)", s)
		return "", -1
	}
	return fmt.Sprintf("%02d:%02d", hh, mm), hh*60 + mm
}

// ---- Words ----

// key is a word as compared with a list of accepted words: lower case, with
// spaces, dots, hyphens and underscores removed.
func key(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '_', '\u00a0':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// words maps accepted spellings (as key gives them) to values.
type words map[string]string

func newWords(pairs ...string) words {
	w := words{}
	for i := 0; i+1 < len(pairs); i += 2 {
		w[key(pairs[i])] = pairs[i+1]
	}
	return w
}

var (
	yes = newWords("yes", "true", "y", "true", "true", "true", "1", "true", "ใช่", "true", "มี", "true", "✓", "true",
		"no", "false", "n", "false", "false", "false", "0", "false", "ไม่ใช่", "false", "ไม่มี", "false", "ไม่", "false")
	modes = newWords("onsite", "onsite", "on site", "onsite", "ในสถานที่", "onsite", "ออนไซต์", "onsite",
		"online", "online", "ออนไลน์", "online",
		"hybrid", "hybrid", "ผสม", "hybrid", "ผสมผสาน", "hybrid", "ไฮบริด", "hybrid")
	kinds = newWords("school_break", "school_break", "ปิดเทอม", "school_break", "งานปิดเทอม", "school_break",
		"part_time", "part_time", "parttime", "part_time", "พาร์ทไทม์", "part_time", "พาร์ตไทม์", "part_time", "งานพิเศษ", "part_time",
		"apprenticeship", "apprenticeship", "ฝึกงาน", "apprenticeship", "การฝึกงาน", "apprenticeship",
		"dual_vocational", "dual_vocational", "ทวิภาคี", "dual_vocational", "อาชีวะทวิภาคี", "dual_vocational")
	payUnits = newWords("hour", "hour", "hourly", "hour", "hr", "hour", "ชั่วโมง", "hour", "ชม", "hour",
		"day", "day", "daily", "day", "วัน", "day",
		"month", "month", "monthly", "month", "เดือน", "month")
	educations = newWords("p6", "p6", "ป.6", "p6", "ประถม", "p6", "ประถมศึกษา", "p6",
		"m3", "m3", "ม.3", "m3", "ม.ต้น", "m3",
		"m6", "m6", "ม.6", "m6", "ม.ปลาย", "m6",
		"pvc", "pvc", "ปวช.", "pvc", "hvc", "hvc", "ปวส.", "hvc",
		"bachelor", "bachelor", "ปริญญาตรี", "bachelor", "ป.ตรี", "bachelor")
	noEducation = newWords("none", "", "ไม่จำกัด", "", "ไม่กำหนด", "", "-", "")
	earnWords   = newWords("certificate", "certificate", "ใบรับรอง", "certificate", "ใบประกาศ", "certificate", "วุฒิบัตร", "certificate", "ใบประกาศนียบัตร", "certificate",
		"credit_bank", "credit_bank", "ธนาคารหน่วยกิต", "credit_bank", "เครดิตแบงก์", "credit_bank")
	dayWords = newWords("mon", "mon", "monday", "mon", "จ", "mon", "จันทร์", "mon", "วันจันทร์", "mon",
		"tue", "tue", "tuesday", "tue", "อ", "tue", "อังคาร", "tue", "วันอังคาร", "tue",
		"wed", "wed", "wednesday", "wed", "พ", "wed", "พุธ", "wed", "วันพุธ", "wed",
		"thu", "thu", "thursday", "thu", "พฤ", "thu", "พฤหัส", "thu", "พฤหัสบดี", "thu", "วันพฤหัสบดี", "thu",
		"fri", "fri", "friday", "fri", "ศ", "fri", "ศุกร์", "fri", "วันศุกร์", "fri",
		"sat", "sat", "saturday", "sat", "ส", "sat", "เสาร์", "sat", "วันเสาร์", "sat",
		"sun", "sun", "sunday", "sun", "อา", "sun", "อาทิตย์", "sun", "วันอาทิตย์", "sun")
	regionWords = newWords("เหนือ", "north", "ภาคเหนือ", "north",
		"อีสาน", "northeast", "ภาคอีสาน", "northeast", "ตะวันออกเฉียงเหนือ", "northeast", "ภาคตะวันออกเฉียงเหนือ", "northeast",
		"กลาง", "central", "ภาคกลาง", "central",
		"ตะวันออก", "east", "ภาคตะวันออก", "east",
		"ตะวันตก", "west", "ภาคตะวันตก", "west",
		"ใต้", "south", "ภาคใต้", "south")
)

var weekDays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// oneOf reads a word from ws, "" when empty; help lists what is accepted.
func (r *row) oneOf(col string, ws words, help string) string {
	s := r.text(col)
	if s == "" {
		return ""
	}
	v, ok := ws[key(s)]
	if !ok {
		r.fail(col, "%q is not one of %s", s, help)
	}
	return v
}

// boolean reads yes/no; false when empty.
func (r *row) boolean(col string) bool {
	return r.oneOf(col, yes, "yes/no (ใช่/ไม่ใช่, มี/ไม่มี, true/false)") == "true"
}

var fieldIDs = content.Fields()

// field reads an occupation family ID; "" when empty.
func (r *row) field(col string) string {
	s := strings.ToLower(r.text(col))
	if s == "" || slices.Contains(fieldIDs, s) {
		return s
	}
	r.fail(col, "%q is not an occupation family: use one of %s", r.text(col), strings.Join(fieldIDs, ", "))
	return ""
}

// interests reads RIASEC letters: "RS", "R|S", "r, s".
func (r *row) interests(col string) []string {
	var out []string
	for _, part := range r.items(col, "|,/ ") {
		for _, ch := range strings.ToUpper(part) {
			l := string(ch)
			if !slices.Contains(content.InterestCodes, l) {
				r.fail(col, "%q is not a RIASEC letter: use R, I, A, S, E and C, such as RS or R|S", string(ch))
				return nil
			}
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// days reads week days, in week order: "mon|wed", "จ.|พ.", "จ.-ศ.", "sat-sun".
func (r *row) days(col string) []string {
	set := map[string]bool{}
	if c := r.cells[col]; !c.isList {
		r.cells[col] = cell{text: dashSpaces.ReplaceAllString(c.text, "-")} // "จ. - ศ." is one range
	}
	for _, part := range r.items(col, "|,/ ") {
		switch key(part) {
		case "ทุกวัน", "everyday", "daily", "all":
			part = "mon-sun"
		case "weekdays", "วันธรรมดา":
			part = "mon-fri"
		case "weekend", "weekends", "เสาร์อาทิตย์":
			part = "sat-sun"
		}
		from, to, isRange := strings.Cut(part, "-")
		a, okA := dayWords[key(from)]
		b, okB := a, okA
		if isRange {
			b, okB = dayWords[key(to)]
		}
		if !okA || !okB {
			r.fail(col, "%q is not a day: use mon|tue|wed|thu|fri|sat|sun or จ.|อ.|พ.|พฤ.|ศ.|ส.|อา. (a range such as จ.-ศ. works too)", part)
			return nil
		}
		i, j := slices.Index(weekDays, a), slices.Index(weekDays, b)
		for k := i; ; k = (k + 1) % 7 {
			set[weekDays[k]] = true
			if k == j {
				break
			}
		}
	}
	var out []string
	for _, d := range weekDays {
		if set[d] {
			out = append(out, d)
		}
	}
	return out
}

// education reads a minimum education level; "" for none.
func (r *row) education(col string) string {
	s := r.text(col)
	if s == "" {
		return ""
	}
	if v, ok := noEducation[key(s)]; ok {
		return v
	}
	return r.oneOf(col, educations, "p6, m3, m6, pvc, hvc, bachelor (ป.6, ม.3, ม.6, ปวช., ปวส., ปริญญาตรี), or empty for none")
}

// earns reads what a course gives: certificate, credit_bank, tpqi_1..tpqi_5,
// stored as content.Course says ("tpqi_level_N").
func (r *row) earns(col string) []string {
	var out []string
	for _, part := range r.items(col, "|,/") {
		k := key(part)
		v, ok := earnWords[k]
		if !ok {
			level := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(k, "tpqi"), "level"), "คุณวุฒิวิชาชีพ")
			level = strings.TrimPrefix(level, "ระดับ")
			if (strings.HasPrefix(k, "tpqi") || strings.HasPrefix(k, "คุณวุฒิวิชาชีพ")) && len(level) == 1 && level[0] >= '1' && level[0] <= '5' {
				v, ok = "tpqi_level_"+level, true
			}
		}
		if !ok {
			r.fail(col, "%q is not one of certificate, credit_bank, tpqi_1 … tpqi_5 (ใบรับรอง, ธนาคารหน่วยกิต, คุณวุฒิวิชาชีพ ระดับ 1–5)", part)
			return nil
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// province reads a province as its ISO code ("TH-30"): a code, or any name or
// alias place.Find knows exactly ("นครราชสีมา", "โคราช", "Korat").
func (r *row) province(col string) string {
	s := r.text(col)
	if s == "" {
		return ""
	}
	if code, ok := provinceCode(s); ok {
		return code
	}
	best, alts, ok := place.Find(s)
	switch {
	case ok:
		r.fail(col, "%q is not a province name: did you mean %s (%s)?", s, best.Province.TH, best.Province.Code)
	case len(alts) > 0:
		r.fail(col, "%q is not a province name: did you mean %s (%s)?", s, alts[0].Province.TH, alts[0].Province.Code)
	default:
		r.fail(col, "%q is not a province: use its Thai name (นครราชสีมา) or ISO code (TH-30)", s)
	}
	return ""
}

// provinceCode resolves a code or an exact name or alias.
func provinceCode(s string) (string, bool) {
	if p, ok := place.ByCode(s); ok {
		return p.Code, true
	}
	if best, _, ok := place.Find(s); ok && best.Exact {
		return best.Province.Code, true
	}
	return "", false
}

// link reads an http(s) URL.
func (r *row) link(col string) string {
	s := r.text(col)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t") {
		r.fail(col, "%q is not a web link: it must start with https:// (or http://)", s)
		return ""
	}
	return s
}

// source reads the source, which names where the rows come from.
func (r *row) source(col string) string {
	s := r.required(col, "who the data comes from, such as dsd or thaimooc")
	if strings.Contains(s, ":") {
		r.fail(col, "%q must not contain ':'", s)
	}
	return s
}

package content

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/content/thaitime"
)

// Shift is one stretch of office hours on a weekday, in Thailand.
type Shift struct {
	Day  time.Weekday // Sunday = 0
	From string       // "08:30"
	To   string       // "16:30" (after From, same day)
}

// OfficeHours are the hours a counsellor answers, in Thailand.
type OfficeHours []Shift

// DefaultOfficeHours are Monday to Friday, 08:30–16:30 (Thai government hours).
var DefaultOfficeHours = OfficeHours{
	{time.Monday, "08:30", "16:30"}, {time.Tuesday, "08:30", "16:30"}, {time.Wednesday, "08:30", "16:30"},
	{time.Thursday, "08:30", "16:30"}, {time.Friday, "08:30", "16:30"},
}

// Validate reports the first shift that is not a day with From before To.
func (h OfficeHours) Validate() error {
	for _, s := range h {
		from, err1 := minutes(s.From)
		to, err2 := minutes(s.To)
		if s.Day < time.Sunday || s.Day > time.Saturday || err1 != nil || err2 != nil || from >= to {
			return fmt.Errorf("office hours: %v %s–%s is not a day with a start before its end (HH:MM)", s.Day, s.From, s.To)
		}
	}
	return nil
}

// Open reports whether t falls in the office hours.
func (h OfficeHours) Open(t time.Time) bool {
	l := t.In(thaitime.Zone)
	now := l.Hour()*60 + l.Minute()
	for _, s := range h {
		from, err1 := minutes(s.From)
		to, err2 := minutes(s.To)
		if err1 == nil && err2 == nil && s.Day == l.Weekday() && now >= from && now < to {
			return true
		}
	}
	return false
}

// Next returns t when the office is open, else the start of the next shift
// (within a week); ok is false when there are no office hours at all.
func (h OfficeHours) Next(t time.Time) (time.Time, bool) {
	if h.Open(t) {
		return t, true
	}
	l := t.In(thaitime.Zone)
	var best time.Time
	for d := 0; d <= 7; d++ {
		day := thaitime.Midnight(l).AddDate(0, 0, d)
		for _, s := range h {
			from, err := minutes(s.From)
			if err != nil || s.Day != day.Weekday() {
				continue
			}
			start := day.Add(time.Duration(from) * time.Minute)
			if start.After(l) && (best.IsZero() || start.Before(best)) {
				best = start
			}
		}
		if !best.IsZero() {
			return best, true
		}
	}
	return time.Time{}, false
}

func minutes(hhmm string) (int, error) {
	h, m, ok := strings.Cut(hhmm, ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hi < 0 || hi > 24 || mi < 0 || mi > 59 || hi*60+mi > 24*60 {
		return 0, fmt.Errorf("office hours: %q is not HH:MM", hhmm)
	}
	return hi*60 + mi, nil
}

// ShiftStart returns the start of the shift t falls in; ok is false outside
// the office hours.
func (h OfficeHours) ShiftStart(t time.Time) (time.Time, bool) {
	l := t.In(thaitime.Zone)
	now := l.Hour()*60 + l.Minute()
	var best time.Time
	for _, s := range h {
		from, err1 := minutes(s.From)
		to, err2 := minutes(s.To)
		if err1 != nil || err2 != nil || s.Day != l.Weekday() || now < from || now >= to {
			continue
		}
		start := thaitime.Midnight(l).Add(time.Duration(from) * time.Minute)
		if best.IsZero() || start.Before(best) {
			best = start
		}
	}
	return best, !best.IsZero()
}

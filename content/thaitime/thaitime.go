// Package thaitime is Thailand's clock as Pai Tor keeps it: the one definition
// of the time zone (UTC+7 all year, no daylight saving), the quiet hours in
// which nothing is pushed to anyone, and "that day at 10:00", the hour
// reminders and check-ins go out. It is reference data: it imports nothing of
// the project's, and everything that reads or writes a Thai date uses it.
package thaitime

import "time"

// Zone is Thailand's time zone.
var Zone = time.FixedZone("ICT", 7*60*60)

// QuietHours is a daily window in which no push is sent: from From:00 until
// To:00 in Thailand, across midnight when From > To. From == To means never
// quiet.
type QuietHours struct {
	From, To int // hours 0–23
}

// Quiet are Pai Tor's quiet hours: 21:00–08:00 in Thailand.
var Quiet = QuietHours{From: 21, To: 8}

// ReminderHour is when reminders and check-ins go out (10:00 in Thailand).
const ReminderHour = 10

// Contains reports whether t falls in the quiet hours.
func (q QuietHours) Contains(t time.Time) bool {
	if q.From == q.To {
		return false
	}
	h := t.In(Zone).Hour()
	if q.From > q.To {
		return h >= q.From || h < q.To
	}
	return h >= q.From && h < q.To
}

// NextAllowed returns t, or the end of the quiet hours t falls in.
func (q QuietHours) NextAllowed(t time.Time) time.Time {
	if !q.Contains(t) {
		return t
	}
	l := t.In(Zone)
	day := l
	if q.From > q.To && l.Hour() >= q.From {
		day = l.AddDate(0, 0, 1)
	}
	return At(day, q.To)
}

// At returns hour:00 in Thailand on the Thai calendar day of t.
func At(t time.Time, hour int) time.Time {
	l := t.In(Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, Zone)
}

// Midnight returns the start of the Thai calendar day of t.
func Midnight(t time.Time) time.Time { return At(t, 0) }

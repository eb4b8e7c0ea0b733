package delivery

import "time"

// Bangkok is Thailand's time zone (UTC+7 all year, no daylight saving).
var Bangkok = time.FixedZone("ICT", 7*60*60)

// QuietHours is a daily window in which no push is sent: from From:00 until
// To:00 in Zone, across midnight when From > To. From == To means never quiet.
type QuietHours struct {
	From, To int // hours 0–23
	Zone     *time.Location
}

// DefaultQuietHours are Pai Tor's: 21:00–08:00 in Thailand.
var DefaultQuietHours = QuietHours{From: 21, To: 8, Zone: Bangkok}

func (q QuietHours) zone() *time.Location {
	if q.Zone == nil {
		return Bangkok
	}
	return q.Zone
}

// Contains reports whether t falls in the quiet hours.
func (q QuietHours) Contains(t time.Time) bool {
	if q.From == q.To {
		return false
	}
	h := t.In(q.zone()).Hour()
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
	l := t.In(q.zone())
	day := l
	if q.From > q.To && l.Hour() >= q.From {
		day = l.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), q.To, 0, 0, 0, q.zone())
}

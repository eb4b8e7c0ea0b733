package thaitime

import (
	"testing"
	"time"
)

func TestQuietHours(t *testing.T) {
	day := func(h, m int) time.Time { return time.Date(2026, 8, 20, h, m, 0, 0, Zone) }
	for _, tc := range []struct {
		at    time.Time
		quiet bool
		next  time.Time
	}{
		{day(20, 59), false, day(20, 59)},
		{day(21, 0), true, day(8, 0).AddDate(0, 0, 1)},
		{day(23, 30), true, day(8, 0).AddDate(0, 0, 1)},
		{day(0, 15), true, day(8, 0)},
		{day(7, 59), true, day(8, 0)},
		{day(8, 0), false, day(8, 0)},
		// 14:30 UTC is 21:30 in Thailand: quiet, whatever zone t is in.
		{time.Date(2026, 8, 20, 14, 30, 0, 0, time.UTC), true, day(8, 0).AddDate(0, 0, 1)},
	} {
		if got := Quiet.Contains(tc.at); got != tc.quiet {
			t.Errorf("Contains(%s) = %v, want %v", tc.at, got, tc.quiet)
		}
		if got := Quiet.NextAllowed(tc.at); !got.Equal(tc.next) {
			t.Errorf("NextAllowed(%s) = %s, want %s", tc.at, got, tc.next)
		}
	}
	if (QuietHours{}).Contains(day(23, 0)) {
		t.Error("zero QuietHours should never be quiet")
	}
	office := QuietHours{From: 9, To: 17}
	if !office.Contains(day(12, 0)) || office.Contains(day(18, 0)) {
		t.Error("a window that does not cross midnight is wrong")
	}
	if got := office.NextAllowed(day(12, 0)); !got.Equal(day(17, 0)) {
		t.Errorf("NextAllowed inside 09–17 = %s, want 17:00 the same day", got)
	}
}

func TestAtUsesTheThaiDay(t *testing.T) {
	// 20:00 UTC on the 19th is 03:00 on the 20th in Thailand.
	got := At(time.Date(2026, 8, 19, 20, 0, 0, 0, time.UTC), ReminderHour)
	if want := time.Date(2026, 8, 20, 10, 0, 0, 0, Zone); !got.Equal(want) {
		t.Errorf("At = %s, want %s", got, want)
	}
}

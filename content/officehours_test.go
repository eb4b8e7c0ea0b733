package content

import (
	"testing"
	"time"

	"github.com/paitor/paitor/content/thaitime"
)

func TestOfficeHoursOpenAndNext(t *testing.T) {
	h := DefaultOfficeHours
	at := func(d, hh, mm int) time.Time { return time.Date(2026, 12, d, hh, mm, 0, 0, thaitime.Zone) } // 7 Dec 2026 is a Monday
	for _, tc := range []struct {
		now  time.Time
		open bool
		next time.Time
	}{
		{at(7, 9, 0), true, at(7, 9, 0)},
		{at(7, 8, 29), false, at(7, 8, 30)},
		{at(7, 16, 30), false, at(8, 8, 30)},
		{at(11, 17, 0), false, at(14, 8, 30)}, // Friday evening → Monday
		{at(12, 10, 0), false, at(14, 8, 30)}, // Saturday
		{at(7, 2, 0).UTC(), false, at(7, 8, 30)},
	} {
		if got := h.Open(tc.now); got != tc.open {
			t.Errorf("Open(%s) = %v", tc.now, got)
		}
		if got, ok := h.Next(tc.now); !ok || !got.Equal(tc.next) {
			t.Errorf("Next(%s) = %s, want %s", tc.now, got, tc.next)
		}
	}
	if _, ok := (OfficeHours{}).Next(at(7, 9, 0)); ok {
		t.Error("no office hours should have no next opening")
	}
	if err := (OfficeHours{{time.Monday, "17:00", "09:00"}}).Validate(); err == nil {
		t.Error("a shift ending before it starts was accepted")
	}
}

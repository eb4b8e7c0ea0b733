package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres/pgtest"
	"github.com/paitor/paitor/content/thaitime"
)

// benchCourses makes n courses of source, every field set.
func benchCourses(source string, n int) []content.Course {
	cs := make([]content.Course, n)
	for i := range cs {
		cs[i] = content.Course{
			Source: source, ExternalID: fmt.Sprintf("K-%06d", i), Provider: "ศูนย์พัฒนาฝีมือแรงงานนครราชสีมา",
			TitleTH: fmt.Sprintf("ช่างซ่อมแอร์ รุ่น %d", i), TitleEN: "Air-conditioner repair", DescTH: "ฝึกติดตั้งและล้างแอร์บ้าน 60 ชั่วโมง",
			Skills: []string{"ติดตั้งแอร์", "ไฟฟ้าเบื้องต้น"}, Interests: []string{"R", "I"}, Field: "trades", Mode: "onsite",
			Province: "TH-30", District: "เมืองนครราชสีมา", Lat: 14.9799, Lng: 102.0978,
			StartDate: time.Date(2026, 8, 24, 0, 0, 0, 0, thaitime.Zone), EndDate: time.Date(2026, 9, 4, 0, 0, 0, 0, thaitime.Zone),
			Days: []string{"mon", "tue", "wed", "thu", "fri"}, StartTime: "09:00", EndTime: "16:00", Hours: 60,
			CostBaht: 1500, Allowance: 1200, Earns: []string{"certificate", "tpqi_level_1"}, MinAge: 18, MaxAge: 24,
			MinEdu: "m3", Seats: 20, URL: fmt.Sprintf("https://example.org/c/%d", i), Contact: "044-000-000",
			OpensAt: time.Date(2026, 7, 1, 0, 0, 0, 0, thaitime.Zone), ClosesAt: time.Date(2026, 8, 16, 0, 0, 0, 0, thaitime.Zone),
		}
	}
	return cs
}

// BenchmarkUpsertCourses100k upserts 100,000 new courses (chunks of 1,000),
// then the same again (all unchanged), and streams them back.
func BenchmarkUpsertCourses100k(b *testing.B) {
	const n = 100_000
	s := pgtest.Open(b)
	ctx := context.Background()
	var insert, again, stream time.Duration
	for i := 0; i < b.N; i++ {
		cs := benchCourses(fmt.Sprintf("bench%d", i), n)
		start := time.Now()
		created, err := s.UpsertCourses(ctx, cs)
		if err != nil || created != n {
			b.Fatalf("UpsertCourses: %d, %v", created, err)
		}
		insert += time.Since(start)
		start = time.Now()
		if created, err := s.UpsertCourses(ctx, cs); err != nil || created != 0 {
			b.Fatalf("UpsertCourses again: %d, %v", created, err)
		}
		again += time.Since(start)
		start = time.Now()
		seen := 0
		if err := s.OfferedCourses(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), func(content.Course) error { seen++; return nil }); err != nil || seen < n {
			b.Fatalf("OfferedCourses: %d, %v", seen, err)
		}
		stream += time.Since(start)
	}
	rate := func(d time.Duration) float64 { return float64(n*b.N) / d.Seconds() }
	b.ReportMetric(rate(insert), "new-rows/s")
	b.ReportMetric(rate(again), "unchanged-rows/s")
	b.ReportMetric(rate(stream), "streamed-rows/s")
}

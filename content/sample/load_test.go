package sample_test

import (
	"context"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/sample"
)

func TestTheEmbeddedDefaultGetsTheSamplePack(t *testing.T) {
	s := memory.New()
	if err := sample.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	n := 0
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	s.OfferedCourses(context.Background(), at, func(content.Course) error { n++; return nil })
	if n < 200 {
		t.Fatalf("%d courses on offer from the sample pack", n)
	}
}

func TestTheEmbeddedDefaultHasSampleFestivals(t *testing.T) {
	s := memory.New()
	now := time.Now()
	if err := sample.LoadFestivals(context.Background(), s, now); err != nil {
		t.Fatal(err)
	}
	fs, err := s.UpcomingFestivals(context.Background(), now, 100)
	if err != nil || len(fs) < 4 {
		t.Fatalf("%d upcoming sample festivals, %v", len(fs), err)
	}
}

package intent

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkPlaceTestSet places each test set whole per iteration and reports
// the share placed right (correct_%), the share of phrases with an intent not
// understood (not_understood_%) and the time per message (ns/msg). It prints
// figures and asserts nothing.
func BenchmarkPlaceTestSet(b *testing.B) {
	s := mustLoad(b)
	for _, set := range testSets {
		b.Run(set.name, func(b *testing.B) {
			ps := loadPhrases(b, set.file)
			tl, _ := placeAll(s, ps)
			b.ReportAllocs()
			n := 0
			start := time.Now()
			for b.Loop() {
				for _, p := range ps {
					s.Place(p.text)
				}
				n++
			}
			perMsg := float64(time.Since(start).Nanoseconds()) / float64(n*len(ps))
			b.ReportMetric(tl.rightShare(), "correct_%")
			b.ReportMetric(tl.notUnderstoodShare(), "not_understood_%")
			b.ReportMetric(perMsg, "ns/msg")
			fmt.Printf("%-8s %s; %.0f ns per message\n", set.name, tl, perMsg)
		})
	}
}

// BenchmarkLoad measures loading and checking the embedded intents.yaml.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

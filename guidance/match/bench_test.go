package match

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// benchProfile is a typical person: Korat, travels up to 40 km, any time,
// likes trades, needs income soon.
var benchProfile = Profile{
	"age": "19", "province": "TH-30", "education": "m3", "need": "income", "time": "anytime",
	"budget": "500", "travel": "40", "device": "phone_data", "care": "none", "interests": "trades,logistics",
	"riasec_top": "RI", "strengths": "driving",
}

// percentiles runs rank until the benchmark stops and reports the p50 and
// p99 of single calls.
func percentiles(b *testing.B, name string, rank func()) {
	b.ReportAllocs()
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		rank()
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	p50 := ds[len(ds)*50/100]
	p99 := ds[min(len(ds)-1, len(ds)*99/100)]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	fmt.Printf("%-40s calls=%-6d p50=%-10v p99=%v\n", name, len(ds), p50.Round(time.Microsecond), p99.Round(time.Microsecond))
}

// BenchmarkRank measures one Rank call over generated catalogs of 1,000,
// 10,000 and 100,000 items: for the typical profile, for varied profiles
// (all travel and time answers), and with a typed search.
func BenchmarkRank(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		c := genCatalogN(b, n)
		b.Run(fmt.Sprintf("items=%d/profile=typical", n), func(b *testing.B) {
			percentiles(b, fmt.Sprintf("rank %d items, typical profile", n), func() {
				c.Rank(benchProfile, Options{Now: testNow})
			})
		})
		profiles := make([]Profile, 64)
		for i := range profiles {
			profiles[i] = genProfile(i)
		}
		b.Run(fmt.Sprintf("items=%d/profile=varied", n), func(b *testing.B) {
			i := 0
			percentiles(b, fmt.Sprintf("rank %d items, varied profiles", n), func() {
				c.Rank(profiles[i%len(profiles)], Options{Now: testNow})
				i++
			})
		})
		b.Run(fmt.Sprintf("items=%d/profile=typical+search", n), func(b *testing.B) {
			percentiles(b, fmt.Sprintf("rank %d items, typed search", n), func() {
				c.Rank(benchProfile, Options{Now: testNow, Filters: Refine{Text: "อยากเป็นช่างแอร์"}})
			})
		})
	}
}

// BenchmarkCatalogMemory reports the heap a catalog of 100,000 items holds
// beyond the items themselves, and how long building it takes.
func BenchmarkCatalogMemory(b *testing.B) {
	cs, os, occ := genCatalog(b, 100_000, 42)
	var c *Catalog
	var before, after runtime.MemStats
	for b.Loop() {
		c = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		c = NewCatalog(cs, os, occ)
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	mb := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	b.ReportMetric(mb, "MB/100k-items")
	fmt.Printf("catalog of %d items: %.1f MB of heap (%.0f bytes an item)\n", c.Len(), mb, mb*(1<<20)/float64(c.Len()))
	runtime.KeepAlive(c)
}

// BenchmarkQualityPersonas prints precision@3 of the labelled personas on
// the generated catalog and on the sample pack.
func BenchmarkQualityPersonas(b *testing.B) {
	cs, os, occ := genCatalog(b, 500, 7)
	for _, cat := range []struct {
		name string
		c    *Catalog
	}{{"generated", NewCatalog(cs, os, occ)}, {"sample", samplePack(b)}} {
		b.Run("catalog="+cat.name, func(b *testing.B) {
			var p3 float64
			for b.Loop() {
				_, p3 = runQuality(b, cat.c)
			}
			b.ReportMetric(p3, "precision@3")
			fmt.Printf("precision@3 over the labelled personas, %s catalog (%d items): %.3f\n", cat.name, cat.c.Len(), p3)
		})
	}
}

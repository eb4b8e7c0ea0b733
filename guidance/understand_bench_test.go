package guidance_test

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/guidance"
)

// BenchmarkUnderstandTestSets places the intent layer's test sets through all
// of the engine's layers without a model (Script.Place: crisis, commands,
// intents, close intents, search), as a message typed at the menu would be,
// and prints the share placed where it was meant to go and the share answered
// "not understood" (left to a model or to the likely things). The blind set
// was written after the intents data was settled: its figure is the honest one.
func BenchmarkUnderstandTestSets(b *testing.B) {
	s, err := guidance.LoadScript()
	if err != nil {
		b.Fatal(err)
	}
	for _, set := range []string{"phrases", "holdout", "blind"} {
		b.Run(set, func(b *testing.B) {
			raw, err := os.ReadFile("intent/testdata/" + set + ".yaml")
			if err != nil {
				b.Fatal(err)
			}
			var groups []struct {
				Want string   `yaml:"want"`
				Say  []string `yaml:"say"`
			}
			if err := yaml.Unmarshal(raw, &groups); err != nil {
				b.Fatal(err)
			}
			var all, right, meant, none int
			for range b.N {
				all, right, meant, none = 0, 0, 0, 0
				for _, g := range groups {
					for _, text := range g.Say {
						p := s.Place(text)
						all++
						if g.Want != "none" {
							meant++
							if p.Layer == "none" {
								none++
							}
						}
						switch {
						case p.Layer == "intent" && p.Intent == g.Want,
							p.Layer == "clarify" && slices.Contains(p.Offer, g.Want),
							p.Layer == "none" && g.Want == "none",
							(p.Layer == "command" || p.Layer == "search") && s.IntentLeadsTo(g.Want, p.Goto):
							right++
						}
					}
				}
			}
			b.ReportMetric(100*float64(right)/float64(all), "placed-right-%")
			b.ReportMetric(100*float64(none)/float64(meant), "not-understood-%")
			b.ReportMetric(float64(all), "phrases")
		})
	}
}

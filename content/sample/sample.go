// Package sample is Pai Tor's sample data pack: sample data for demos and
// tests: invented, modelled on real kinds of programme; not real offers.
//
// It holds three CSV files in the import format (content/catalogio's
// FORMATS.md): courses.csv, openings.csv and occupations.csv. The records are
// composed by the generator in ./gen from templates modelled on the kinds of
// programme young Thai people can reach (DSD skill development centres with
// allowances, สกร. district learning centres, Thai MOOC, vocational colleges,
// Young Smart Farmer, Learn to Earn, school-break work, ทวิภาคี). Every
// provider and employer is marked "(ตัวอย่าง)", every link is on example.org
// and every phone number starts 000, which no Thai number does. The pack is
// built around 2026-11-21: most courses start in the months after it, and
// about one in twelve closed its registration before it, so that expired
// items can be seen to stop being offered.
//
// This package only embeds the files; it does not parse them.
package sample

//go:generate go run ./gen

import "embed"

//go:embed *.csv
var files embed.FS

// Names are the pack's files.
var names = []string{"courses.csv", "openings.csv", "occupations.csv"}

// Files returns the pack's files by name: "courses.csv", "openings.csv" and
// "occupations.csv" (UTF-8 CSV, English header, "|" between list values).
// The map and the slices are the caller's own.
func Files() map[string][]byte {
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			panic("sample: " + err.Error()) // embedded at build time: cannot happen
		}
		out[n] = b
	}
	return out
}

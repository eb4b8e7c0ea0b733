// Package place knows Thailand's 77 provinces: their codes, Thai and English
// names, regions and seats (provinces.yaml, embedded in the binary). It reads
// what people type when asked where they live ("โคราช", "กทม.", "จ.เชียงใหม่ค่ะ",
// "chiang mai", typos such as "เชียงไหม่") as a province, and finds the
// province nearest to a shared LINE location.
//
// It does no I/O at run time and is safe for concurrent use: the data are
// parsed and indexed once, at package initialisation.
package place

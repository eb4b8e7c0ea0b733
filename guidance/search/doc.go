// Package search is Pai Tor's Thai-aware free-text search over the catalog:
// what a young person types ("อยากเรียนทำขนม", "งานพาททาม เชียงใหม่",
// "คอร์สออนไลน์ฟรี") against course and opening titles, skills and
// descriptions.
//
// Thai is written without spaces between words and no word segmenter is
// available here, so the package works without one:
//
//   - Text is normalised first (Normalize): lower case, Thai tone marks,
//     maitaikhu and thanthakhat dropped, punctuation turned into spaces, runs
//     of a repeated letter ("ครับบบบ") shortened.
//   - A dictionary (synonyms.yaml) is matched into the query by forward
//     longest match: stop words and filler (อยาก, หา, ครับ...) are dropped,
//     intent words say what kind of item is wanted (งาน → an opening, ฟรี →
//     free, ออนไลน์ → online, พาร์ทไทม์ → part-time work) and synonym groups
//     say what it is about (ขนม = ขนมไทย = เบเกอรี่; คนแก่ = ผู้สูงอายุ =
//     caregiver). Each document is scanned with the same dictionary when the
//     index is built, so a group finds every document with any of its words.
//   - Province names and aliases in the query ("เชียงใหม่", "กทม.", "โคราช",
//     via package place) limit on-site items to those provinces.
//   - Whatever is left is compared by character bigrams, which tolerates
//     typos and words the dictionary does not know.
//
// The package does no I/O at run time (the dictionary is embedded and checked
// when the package loads) and an Index is immutable and safe for concurrent
// use.
package search

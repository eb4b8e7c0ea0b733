package place

import (
	"strings"
	"unicode"

	"github.com/paitor/paitor/content/thai"
)

// normalize turns typed text into the form names are compared in: lower case,
// only letters, combining marks and digits (no spaces, dots or ฯ), Thai marks
// in one canonical order, "ํา" spelled as "ำ", runs of three or more of the
// same character collapsed to one ("โคราชชชช").
func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "\u0e4d\u0e32", "\u0e33") // nikhahit + sara aa = sara am
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		if r == 'ฯ' || r == 'ๆ' {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	thai.ReorderMarks(rs)
	return string(thai.CollapseRuns(rs, false))
}

// Words around a province name that say nothing about which one it is,
// compared after normalize. Prefixes: "province", "(I) live/work/study (at)",
// "from", "around", "in", "that is", "district", "town". Suffixes: polite
// particles, "province", "Thailand".
var (
	fillerPrefixes = []string{
		"จังหวัด", "จว", "changwat", "jangwat", "province",
		"ตอนนี้", "บ้าน", "อาศัย", "ทำงาน", "เรียน", "อยู่", "ที่", "มาจาก", "จาก", "แถว", "ใน", "คือ",
		"อำเภอ", "เมือง",
	}
	fillerSuffixes = []string{
		"ค่ะ", "คะ", "ค่า", "ครับ", "คับ", "ค้าบ", "คร้าบ", "ฮะ", "ฮับ", "งับ", "ผม",
		"นะ", "จ้า", "จ้ะ", "จ๊ะ", "จ๋า",
		"จังหวัด", "province", "changwat", "city", "thailand", "ประเทศไทย",
	}
	// rawPrefixes are abbreviations whose dot normalize would remove.
	rawPrefixes = []string{"จ.", "จว.", "อ.", "ต."}
	// provinceMarkers introduce a province inside longer text ("อ.หาดใหญ่ จ.สงขลา").
	provinceMarkers = []string{"จังหวัด", "จ.", "จว."}
)

// queryForm is the part of typed text that names the province: the text after
// the last "จ."/"จังหวัด" if there is one, normalized, without filler words.
func queryForm(text string) string {
	text = strings.TrimSpace(text)
	for _, m := range provinceMarkers {
		if i := strings.LastIndex(text, m); i > 0 {
			if rest := strings.TrimSpace(text[i+len(m):]); rest != "" {
				text = rest
			}
		}
	}
	for _, p := range rawPrefixes {
		text = strings.TrimPrefix(text, p)
	}
	return stripFillers(normalize(text))
}

// stripFillers removes filler prefixes and suffixes until none is left.
func stripFillers(s string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range fillerPrefixes {
			if strings.HasPrefix(s, p) {
				s, changed = s[len(p):], true
			}
		}
		for _, p := range fillerSuffixes {
			if strings.HasSuffix(s, p) {
				s, changed = s[:len(s)-len(p)], true
			}
		}
	}
	return s
}

// thaiSound maps Thai letters to one letter per sound, so that spellings
// that sound alike compare equal in the loose form.
var thaiSound = map[rune]rune{
	'ข': 'ค', 'ฃ': 'ค', 'ฅ': 'ค', 'ฆ': 'ค',
	'ฉ': 'ช', 'ฌ': 'ช',
	'ซ': 'ส', 'ศ': 'ส', 'ษ': 'ส',
	'ญ': 'ย',
	'ฎ': 'ด', 'ฏ': 'ต',
	'ฐ': 'ท', 'ฑ': 'ท', 'ฒ': 'ท', 'ถ': 'ท', 'ธ': 'ท',
	'ณ': 'น',
	'ผ': 'พ', 'ภ': 'พ',
	'ฝ': 'ฟ',
	'ฬ': 'ล',
	'ฮ': 'ห',
	'ใ': 'ไ',
}

// loose is a sounds-alike form of a normalized string, for fuzzy matching:
// Thai without tone marks, without silent letters (the letter under ์ and the
// vowel it carries) and with one letter per sound; romanised Thai without the
// h of aspiration, doubled letters and a few spelling habits ("nakorn" =
// "nakhon", "chieng" ≈ "chiang").
func loose(s string) string {
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	for _, r := range rs {
		switch {
		case r >= '\u0e47' && r <= '\u0e4b': // maitaikhu and tone marks
			continue
		case r == '\u0e4c': // thanthakhat: drop it and the silent letter (with its vowel)
			for len(out) > 0 && thai.MarkClass(out[len(out)-1]) == 1 {
				out = out[:len(out)-1]
			}
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			continue
		}
		if m, ok := thaiSound[r]; ok {
			r = m
		}
		out = append(out, r)
	}
	return looseLatin(string(out))
}

// latinHabits are romanisation variants folded together, in order.
var latinHabits = strings.NewReplacer("oo", "u", "ee", "i", "orn", "on", "ieng", "iang", "ph", "p", "th", "t", "kh", "k", "ch", "c")

// looseLatin folds romanisation variants and doubled letters.
func looseLatin(s string) string {
	s = latinHabits.Replace(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || i == 0 || c != s[i-1] {
			b.WriteByte(c)
		}
	}
	return b.String()
}

package guidance

import (
	"strings"

	"github.com/paitor/paitor/guidance/search"
)

// requestWords mark typed text as a request ("อยากได้งาน", "หาคอร์สฟรี"),
// not a remark that happens to contain a word like งาน ("ทำงานไม่ไหวแล้ว").
var requestWords = []string{"หา", "อยาก", "สนใจ", "แนะนำ", "มีไหม", "มีมั้ย", "ที่ไหน", "find", "want", "looking", "any "}

// looksLikeSearch reports whether typed text asks for courses or work in words
// the search dictionary knows ("อยากเรียนทำขนม", "งานพาร์ทไทม์ เชียงใหม่"),
// rather than being something else Pai Tor did not understand.
func looksLikeSearch(text string) bool {
	q := search.Parse(text)
	if len(q.Groups) > 0 || q.OpeningKind != "" {
		return true
	}
	if q.Kind == "" && !q.Free && !q.Online {
		return false
	}
	lower := strings.ToLower(text)
	for _, w := range requestWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

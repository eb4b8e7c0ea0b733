package sender_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paitor/paitor/bot/sender"
)

// checkSplit checks what a reader of the pieces sees: each piece fits in one
// LINE text message, no character is lost, reordered or cut in half, and only
// the spaces and line breaks at the cuts are dropped.
func checkSplit(t testing.TB, s string, max int, pieces []string) {
	t.Helper()
	if len(pieces) == 0 {
		t.Fatalf("SplitText(%q, %d) gave no pieces", s, max)
	}
	for i, p := range pieces {
		if n := sender.UTF16Len(p); n > max && utf8.RuneCountInString(p) > 1 {
			t.Errorf("piece %d has %d UTF-16 units, max %d: %q", i, n, max, p)
		}
		if utf8.ValidString(s) && !utf8.ValidString(p) {
			t.Errorf("piece %d cuts a character in half: %q", i, p)
		}
		if p == "" && len(pieces) > 1 {
			t.Errorf("piece %d is empty", i)
		}
	}
	// Walk s: each piece comes next, separated only by the trimmed spaces and
	// line breaks; only whitespace may follow the last.
	rest := s
	for i, p := range pieces {
		j := strings.Index(rest, p)
		if j < 0 || strings.Trim(rest[:j], " \n") != "" {
			t.Fatalf("piece %d %q is not what follows in the text (%q…)", i, p, head(rest))
		}
		rest = rest[j+len(p):]
	}
	if strings.TrimSpace(rest) != "" {
		t.Fatalf("text after the last piece is lost: %q", head(rest))
	}
	// (Only for valid UTF-8: joining stray bytes could make a new character.)
	if got, want := noSpace(strings.Join(pieces, "")), noSpace(s); utf8.ValidString(s) && got != want {
		t.Fatalf("joined pieces without whitespace differ from the text without whitespace")
	}
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func head(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

func TestLongTextIsCutWhereAReaderExpects(t *testing.T) {
	thai := "ขอให้มีความสุขมากๆนะครับวันนี้อากาศดีไปเที่ยวที่ไหนดีน้ำตกหรือทะเล" // no spaces, many marks
	cases := []struct {
		name      string
		text      string
		max       int
		wantFirst string // "" = only the properties
		noLeadMn  bool   // no piece may start with a combining mark
	}{
		{"short text is sent as it is", "สวัสดีครับ 🌱", sender.MaxTextUnits, "สวัสดีครับ 🌱", false},
		{"text of exactly the limit is one piece", strings.Repeat("ก", 50), 50, strings.Repeat("ก", 50), false},
		{"cut after a blank line first", "ย่อหน้าแรก บรรทัดหนึ่ง\nบรรทัดสอง\n\nย่อหน้าสอง จบ", 40, "ย่อหน้าแรก บรรทัดหนึ่ง\nบรรทัดสอง", false},
		{"then after a line break", "บรรทัดหนึ่ง ยาวหน่อย\nบรรทัดสอง ยาวหน่อย", 30, "บรรทัดหนึ่ง ยาวหน่อย", false},
		{"then after a space", "ประโยคแรกจบแล้ว ประโยคที่สองยาวกว่านิดหน่อย", 30, "ประโยคแรกจบแล้ว", false},
		{"English words stay whole", strings.Repeat("hello world ", 40), 25, "hello world hello world", false},
		{"Thai without spaces keeps marks with their letter", strings.Repeat(thai, 30), 37, "", true},
		{"Thai without spaces at the real limit", strings.Repeat(thai, 200), sender.MaxTextUnits, "", true},
		{"emoji are never cut in half (odd limit)", strings.Repeat("😀", 40), 7, "😀😀😀", false},
		{"emoji and Thai without spaces", strings.Repeat("🌱ต้นไม้👍🏽", 60), 11, "", true},
		{"stacked Thai marks stay together", strings.Repeat("กี่", 100), 8, "กี่กี่", true},
		{"line breaks only", strings.Repeat("\n", 30) + "จบ", 10, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pieces := sender.SplitText(tc.text, tc.max)
			checkSplit(t, tc.text, tc.max, pieces)
			if tc.wantFirst != "" && pieces[0] != tc.wantFirst {
				t.Errorf("first piece %q, want %q", pieces[0], tc.wantFirst)
			}
			if tc.noLeadMn {
				for i, p := range pieces {
					if r, _ := utf8.DecodeRuneInString(p); unicode.Is(unicode.Mn, r) {
						t.Errorf("piece %d starts with combining mark %U: %q", i, r, head(p))
					}
				}
			}
		})
	}
}

func TestThaiTextSplitsCleanlyAtEveryLimit(t *testing.T) {
	text := strings.Repeat("น้ำใจไมตรีที่นี่มีแต่รอยยิ้ม", 20) // no spaces
	for max := 3; max <= 80; max++ {
		pieces := sender.SplitText(text, max)
		checkSplit(t, text, max, pieces)
		for i, p := range pieces {
			if r, _ := utf8.DecodeRuneInString(p); unicode.Is(unicode.Mn, r) {
				t.Fatalf("max %d: piece %d starts with combining mark %U", max, i, r)
			}
		}
	}
}

func TestSplitTextEndsOnLimitsSmallerThanACharacter(t *testing.T) {
	for _, tc := range []struct {
		text string
		max  int
		want []string
	}{
		{"😀😀", 1, []string{"😀", "😀"}},
		{"ab", 0, []string{"a", "b"}},
	} {
		done := make(chan []string, 1)
		go func() { done <- sender.SplitText(tc.text, tc.max) }()
		select {
		case got := <-done:
			if !slices.Equal(got, tc.want) {
				t.Errorf("SplitText(%q, %d) = %q, want %q", tc.text, tc.max, got, tc.want)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("SplitText(%q, %d) never returns", tc.text, tc.max)
		}
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("", 10)
	f.Add("hello world", 5)
	f.Add("สวัสดีครับ ยินดีต้อนรับ", 4)
	f.Add("กี่กี่กี่", 2)
	f.Add("😀😀😀", 3)
	f.Add("😀", 1)
	f.Add("a\n\nb\nc d  e", 2)
	f.Add("   \t\n ", 1)
	f.Add(strings.Repeat("ab ", 100), 7)
	f.Add("\xff\xfe invalid", 3)
	f.Add("😀\xf0 \x98\x80\x8000000000", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = 1 + (max%100+100)%100 // 1 … 100
		if len(s) > 4000 {
			s = s[:4000]
		}
		checkSplit(t, s, max, sender.SplitText(s, max))
	})
}

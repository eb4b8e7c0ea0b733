package place

import "testing"

func TestNormalizeKeepsOnlyWhatTellsNamesApart(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Chiang Mai ", "chiangmai"},
		{"กทม.", "กทม"},
		{"กรุงเทพฯ", "กรุงเทพ"},
		{"Phang-Nga", "phangnga"},
		{"เชียง ใหม่!!", "เชียงใหม่"},
		{"นครศรีธรรมราช", "นครศรีธรรมราช"},
		{"\u0e19\u0e49\u0e33", "\u0e19\u0e49\u0e33"},                   // น้ำ
		{"\u0e19\u0e49\u0e4d\u0e32", "\u0e19\u0e49\u0e33"},             // น้ํา: nikhahit + aa typed for am
		{"\u0e17\u0e35\u0e48", "\u0e17\u0e35\u0e48"},                   // ที่
		{"\u0e17\u0e48\u0e35", "\u0e17\u0e35\u0e48"},                   // ที่ typed tone first
		{"\u0e41\u0e01\u0e48\u0e48\u0e19", "\u0e41\u0e01\u0e48\u0e19"}, // แก่่น: tone mark twice
		{"โคราชชชช", "โคราช"},
		{"pattani", "pattani"},
		{"55555", "5"},
		{"ๆๆ", ""},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQueryFormDropsTheWordsAroundAName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"จังหวัดเชียงใหม่", "เชียงใหม่"},
		{"จ.จันทบุรี", "จันทบุรี"},
		{"จันทบุรี", "จันทบุรี"},
		{"อยู่ที่โคราชค่ะ", "โคราช"},
		{"เชียงใหม่นะคะ", "เชียงใหม่"},
		{"ภูเก็ตครับผม", "ภูเก็ต"},
		{"เชียงใหม่จ้าาา", "เชียงใหม่"},
		{"อ.หาดใหญ่ จ.สงขลา", "สงขลา"},
		{"changwat Chiang Mai province", "chiangmai"},
		{"ค่ะ", ""},
	}
	for _, tt := range tests {
		if got := queryForm(tt.in); got != tt.want {
			t.Errorf("queryForm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLooseMakesSpellingsThatSoundAlikeEqual(t *testing.T) {
	tests := []struct{ a, b string }{
		{"ขอนแก่น", "ขอนแกน"},
		{"เชียงใหม่", "เชียงไหม"},
		{"พิษณุโลก", "พิศณุโลก"},
		{"ปทุมธานี", "ปทุมทานี"},
		{"กาฬสินธุ์", "กาฬสิน"},
		{"nakhonpathom", "nakornpathom"},
		{"phatthalung", "patalung"},
		{"chiengrai", "chiangrai"},
	}
	for _, tt := range tests {
		if la, lb := loose(normalize(tt.a)), loose(normalize(tt.b)); la != lb {
			t.Errorf("loose(%q) = %q, loose(%q) = %q; want equal", tt.a, la, tt.b, lb)
		}
	}
	if loose("เชียงใหม่") == loose("เชียงราย") {
		t.Error("loose makes different names equal")
	}
}

func TestEditSimilarityCountsOneEditPerTypo(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"โคราช", "โคราช", 1},
		{"abcd", "abdc", 0.75}, // a swap is one edit
		{"abcd", "abc", 0.75},
		{"abcd", "wxyz", 0},
		{"", "", 1},
	}
	for _, tt := range tests {
		if got := editSimilarity([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("editSimilarity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	long := []rune("กรุงเทพมหานครอมรรัตนโกสินทร์มหินทรายุธยามหาดิลกภพนพรัตน์ราชธานีบุรีรมย์")
	if got := editSimilarity(long, long[1:]); got <= 0.98 {
		t.Errorf("editSimilarity of a long name = %v", got)
	}
}

package place

import (
	"slices"
	"testing"
)

func TestFindReadsWhatPeopleTypeAsAProvince(t *testing.T) {
	tests := []struct {
		in        string
		wantCode  string
		wantExact bool
	}{
		// official Thai names
		{"กรุงเทพมหานคร", "TH-10", true},
		{"นครราชสีมา", "TH-30", true},
		{"พระนครศรีอยุธยา", "TH-14", true},
		{"ประจวบคีรีขันธ์", "TH-77", true},
		{"ยะลา", "TH-95", true},
		// Thai short forms and nicknames
		{"กทม", "TH-10", true},
		{"กทม.", "TH-10", true},
		{"กรุงเทพ", "TH-10", true},
		{"กรุงเทพฯ", "TH-10", true},
		{"โคราช", "TH-30", true},
		{"อยุธยา", "TH-14", true},
		{"สุราษ", "TH-84", true},
		{"สุราษฎร์", "TH-84", true},
		{"นครศรี", "TH-80", true},
		{"นครศรีฯ", "TH-80", true},
		{"คอน", "TH-80", true},
		{"อุบล", "TH-34", true},
		{"อุดร", "TH-41", true},
		{"ปากน้ำ", "TH-11", true},
		{"ปากน้ำโพ", "TH-60", true},
		{"แปดริ้ว", "TH-24", true},
		{"พิดโลก", "TH-65", true},
		{"มหาชัย", "TH-74", true},
		// big towns that are not the seat
		{"หาดใหญ่", "TH-90", true},
		{"พัทยา", "TH-20", true},
		{"ศรีราชา", "TH-20", true},
		{"หัวหิน", "TH-77", true},
		{"เกาะสมุย", "TH-84", true},
		// English and romanised
		{"Bangkok", "TH-10", true},
		{"BKK", "TH-10", true},
		{"korat", "TH-30", true},
		{"chiang mai", "TH-50", true},
		{"Chiangmai", "TH-50", true},
		{"cm", "TH-50", true},
		{"kk", "TH-40", true},
		{"nakhonratchasima", "TH-30", true},
		{"ubon", "TH-34", true},
		{"Hat Yai", "TH-90", true},
		{"Pattaya City", "TH-20", true},
		{"Chiang Mai, Thailand", "TH-50", true},
		// wrapped in the words people add
		{"จังหวัดเชียงใหม่", "TH-50", true},
		{"จ.เชียงใหม่", "TH-50", true},
		{"จ. ขอนแก่น", "TH-40", true},
		{"จว.ยะลา", "TH-95", true},
		{"เชียงใหม่ค่ะ", "TH-50", true},
		{"โคราชครับ", "TH-30", true},
		{"อยู่ที่ กทม ค่ะ", "TH-10", true},
		{"ภูเก็ตจ้า", "TH-83", true},
		{"Chiang Mai province", "TH-50", true},
		{"changwat Phuket", "TH-83", true},
		{"  เชียง ใหม่  ", "TH-50", true},
		{"โคราชชชช", "TH-30", true},
		{"อ.หาดใหญ่ จ.สงขลา", "TH-90", true},
		// typos and partial names
		{"เชียงใม่", "TH-50", false},
		{"เชียงไหม่", "TH-50", false},
		{"นครราชสีมาา", "TH-30", false},
		{"ขอนแกน", "TH-40", false},
		{"สุราษฎ", "TH-84", false},
		{"นครศรีทำมะราช", "TH-80", false},
		{"ศรีสะเกด", "TH-33", false},
		{"พิศณุโลก", "TH-65", false},
		{"ปทุมทานี", "TH-13", false},
		{"อุบลราชธานิ", "TH-34", false},
		{"เชียงร", "TH-57", false},
		{"chaingmai", "TH-50", false},
		{"pukhet", "TH-83", false},
		{"ayutaya", "TH-14", false},
		// inside longer text
		{"ขอนแก่นบ้านเกิดค่ะ", "TH-40", false},
		{"I live in Chiang Mai", "TH-50", false},
		{"123 ม.4 ต.บ้านเป็ด อ.เมือง จ.ขอนแก่น 40000", "TH-40", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, _, ok := Find(tt.in)
			if !ok || got.Province.Code != tt.wantCode || got.Exact != tt.wantExact {
				t.Errorf("Find(%q) = %s %s exact=%v score=%.2f ok=%v; want %s exact=%v",
					tt.in, got.Province.Code, got.Province.TH, got.Exact, got.Score, ok, tt.wantCode, tt.wantExact)
			}
			if (got.Score == 1) != got.Exact {
				t.Errorf("Find(%q) score %.2f with exact=%v", tt.in, got.Score, got.Exact)
			}
		})
	}
}

func TestFindRejectsTextThatIsNoProvince(t *testing.T) {
	for _, in := range []string{
		"", " ", "asdf", "55555", "555", "ok", "hello", "thailand", "ไม่รู้", "ไม่รู้เลย", "ไม่ทราบ",
		"สวัสดีค่ะ", "ครับ", "ค่ะ", "อิอิ", "หางาน", "งานพาททาม", "ต่างประเทศ", "ญี่ปุ่น", "ภาคเหนือ", "?!", "🙂",
	} {
		if got, alts, ok := Find(in); ok || len(alts) != 0 {
			t.Errorf("Find(%q) = %s ok=%v alternatives=%v; want nothing", in, got.Province.Code, ok, codes(alts))
		}
	}
}

func TestFindOffersAlternativesForATypo(t *testing.T) {
	got, alts, ok := Find("เชียงใม่")
	if !ok || got.Exact || got.Province.Code != "TH-50" {
		t.Fatalf("Find = %s exact=%v ok=%v; want TH-50 not exact", got.Province.Code, got.Exact, ok)
	}
	if !slices.Contains(codes(alts), "TH-57") {
		t.Errorf("alternatives = %v; want Chiang Rai (TH-57) among them", codes(alts))
	}
	for i, a := range alts {
		if a.Exact || a.Score > got.Score || (i > 0 && a.Score > alts[i-1].Score) || a.Province.Code == got.Province.Code {
			t.Errorf("alternative %d = %+v; want inexact, after the best and in score order", i, a)
		}
	}
}

func TestFindOnlyOffersWhenTextCouldBeSeveralProvinces(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"เชียง", []string{"TH-50", "TH-57"}},
		{"สมุทร", []string{"TH-11", "TH-74", "TH-75"}},
		{"แม่", []string{"TH-58", "TH-63", "TH-75"}},
		{"เกาะ", []string{"TH-84"}}, // too little of เกาะสมุย to say
	}
	for _, tt := range tests {
		got, alts, ok := Find(tt.in)
		if ok {
			t.Errorf("Find(%q) = %s ok; want only offers", tt.in, got.Province.Code)
		}
		for _, c := range tt.want {
			if !slices.Contains(codes(alts), c) {
				t.Errorf("Find(%q) offers %v; want %s among them", tt.in, codes(alts), c)
			}
		}
		if len(alts) > 3 {
			t.Errorf("Find(%q) offers %d alternatives; want at most 3", tt.in, len(alts))
		}
	}
}

func TestFindNamesBothProvincesInTextThatMentionsTwo(t *testing.T) {
	got, alts, ok := Find("เชียงใหม่กับเชียงราย")
	if !ok || got.Exact || got.Province.Code != "TH-50" || !slices.Contains(codes(alts), "TH-57") {
		t.Errorf("Find = %s exact=%v alts=%v ok=%v; want TH-50 then TH-57", got.Province.Code, got.Exact, codes(alts), ok)
	}
}

func codes(ms []Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Province.Code
	}
	return out
}

func BenchmarkFind(b *testing.B) {
	inputs := []string{"เชียงไหม่", "นครศรีทำมะราช", "ขอนแกน", "chaingmai", "ไม่รู้เลย"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Find(inputs[i%len(inputs)])
	}
}

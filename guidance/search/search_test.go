package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// fixture is a small catalog in the words real course and job listings use.
var fixture = []Doc{
	{ID: "c:thai-dessert", Kind: "course", Title: "ทำขนมไทยเพื่อขาย Thai desserts to sell", Skills: []string{"baking"}, Field: "food_processing", Mode: "onsite", Province: "TH-30", Free: true},
	{ID: "c:bakery", Kind: "course", Title: "เบเกอรี่เบื้องต้น ขนมปังและคุกกี้", Field: "food_processing", Mode: "onsite", Province: "TH-50"},
	{ID: "c:food-processing", Kind: "course", Title: "แปรรูปผลไม้อบแห้ง", Field: "food_processing", Mode: "onsite", Province: "TH-57", Free: true},
	{ID: "o:bakery-parttime", Kind: "opening", Title: "ผู้ช่วยร้านเบเกอรี่ พาร์ทไทม์", Field: "food_processing", OpeningKind: "part_time", Mode: "onsite", Province: "TH-50", Free: true},
	{ID: "o:cm-cafe-parttime", Kind: "opening", Title: "พนักงานร้านกาแฟ part-time", Text: "ชงเครื่องดื่ม ต้อนรับลูกค้า", Field: "hospitality_tourism", OpeningKind: "part_time", Mode: "onsite", Province: "TH-50", Free: true},
	{ID: "o:cm-hotel-break", Kind: "opening", Title: "พนักงานโรงแรมช่วงปิดเทอม", Field: "hospitality_tourism", OpeningKind: "school_break", Mode: "onsite", Province: "TH-50", Free: true},
	{ID: "o:bkk-parttime-shop", Kind: "opening", Title: "พนักงานขายหน้าร้าน พาร์ทไทม์", Field: "retail", OpeningKind: "part_time", Mode: "onsite", Province: "TH-10", Free: true},
	{ID: "o:bkk-school-break", Kind: "opening", Title: "งานช่วงปิดเทอมในสำนักงานเขต 300 บาท/วัน", Field: "office", OpeningKind: "school_break", Mode: "onsite", Province: "TH-10", Free: true},
	{ID: "o:phuket-hotel", Kind: "opening", Title: "พนักงานต้อนรับโรงแรม Hotel receptionist", Field: "hospitality_tourism", OpeningKind: "part_time", Mode: "onsite", Province: "TH-83", Free: true},
	{ID: "o:phuket-housekeeping", Kind: "opening", Title: "แม่บ้านรีสอร์ท ป่าตอง", Field: "hospitality_tourism", OpeningKind: "apprenticeship", Mode: "onsite", Province: "TH-83", Free: true},
	{ID: "o:krabi-hotel", Kind: "opening", Title: "พนักงานโรงแรมริมทะเล", Field: "hospitality_tourism", OpeningKind: "part_time", Mode: "onsite", Province: "TH-81", Free: true},
	{ID: "c:hotel-english", Kind: "course", Title: "ภาษาอังกฤษสำหรับงานโรงแรม", Field: "hospitality_tourism", Mode: "online", Free: true},
	{ID: "c:motorcycle", Kind: "course", Title: "ช่างซ่อมรถจักรยานยนต์", Text: "ซ่อมมอเตอร์ไซค์ เปลี่ยนถ่ายน้ำมันเครื่อง", Field: "trades", Mode: "onsite", Province: "TH-41", Free: true},
	{ID: "o:motorcycle-shop", Kind: "opening", Title: "ผู้ช่วยช่างร้านมอเตอร์ไซค์", Field: "trades", OpeningKind: "apprenticeship", Mode: "onsite", Province: "TH-41", Free: true},
	{ID: "c:aircon", Kind: "course", Title: "ช่างเครื่องปรับอากาศในบ้าน", Text: "ล้างแอร์ ติดตั้งแอร์", Field: "trades", Mode: "onsite", Province: "TH-10"},
	{ID: "c:electric", Kind: "course", Title: "ช่างไฟฟ้าภายในอาคาร", Field: "trades", Mode: "hybrid", Province: "TH-10", Free: true},
	{ID: "c:welding", Kind: "course", Title: "งานเชื่อมโลหะ", Field: "trades", Mode: "onsite", Province: "TH-20"},
	{ID: "c:excel-online", Kind: "course", Title: "Excel สำหรับทำงาน", Skills: []string{"excel"}, Field: "digital", Mode: "online", Free: true},
	{ID: "c:canva-online-paid", Kind: "course", Title: "ออกแบบกราฟิกด้วย Canva", Field: "creative_media", Mode: "online"},
	{ID: "c:live-selling", Kind: "course", Title: "ขายของออนไลน์ ไลฟ์สดให้ปัง", Field: "retail", Mode: "online", Free: true},
	{ID: "c:shop-owner", Kind: "course", Title: "เปิดร้านเล็ก ๆ ผู้ประกอบการรุ่นใหม่", Field: "retail", Mode: "onsite", Province: "TH-30"},
	{ID: "c:caregiver", Kind: "course", Title: "ผู้ช่วยดูแลผู้สูงอายุ 70 ชั่วโมง", Skills: []string{"caregiving"}, Field: "care", Mode: "onsite", Province: "TH-57", Free: true},
	{ID: "o:care-home", Kind: "opening", Title: "ผู้ดูแลผู้สูงวัยในศูนย์ดูแล", Field: "care", OpeningKind: "part_time", Mode: "onsite", Province: "TH-57", Free: true},
	{ID: "c:childminder", Kind: "course", Title: "พี่เลี้ยงเด็กเล็ก", Field: "care", Mode: "onsite", Province: "TH-57", Free: true},
	{ID: "c:barista", Kind: "course", Title: "บาริสต้ามืออาชีพ", Text: "ชงกาแฟ ลาเต้อาร์ต", Field: "hospitality_tourism", Mode: "onsite", Province: "TH-20"},
	{ID: "c:farming", Kind: "course", Title: "Young Smart Farmer เกษตรอัจฉริยะ", Field: "agriculture", Mode: "onsite", Province: "TH-56", Free: true},
	{ID: "c:massage", Kind: "course", Title: "นวดแผนไทยเพื่อสุขภาพ", Field: "health_support", Mode: "onsite", Province: "TH-90", Free: true},
	{ID: "o:rider", Kind: "opening", Title: "ไรเดอร์ส่งอาหาร", Field: "logistics", OpeningKind: "part_time", Mode: "onsite", Province: "TH-10", Free: true},
}

func fixtureIndex() *Index { return NewIndex(fixture) }

func hitIDs(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// TestRealQueries: phrases young people type find the relevant items first.
// want lists items that must all rank above every item not in want or maybe;
// maybe lists items that may appear anywhere.
func TestRealQueries(t *testing.T) {
	ix := fixtureIndex()
	tests := []struct {
		query string
		want  []string
		maybe []string
	}{
		{"อยากเรียนทำขนม", []string{"c:thai-dessert", "c:bakery", "o:bakery-parttime"}, []string{"c:food-processing"}},
		{"งานพาร์ทไทม์ เชียงใหม่", []string{"o:bakery-parttime", "o:cm-cafe-parttime"}, []string{"o:cm-hotel-break"}},
		{"งานพาททาม", []string{"o:bakery-parttime", "o:cm-cafe-parttime", "o:bkk-parttime-shop", "o:phuket-hotel", "o:krabi-hotel", "o:care-home", "o:rider"}, []string{"o:cm-hotel-break", "o:bkk-school-break", "o:phuket-housekeeping", "o:motorcycle-shop"}},
		{"part time jobs", []string{"o:bakery-parttime", "o:cm-cafe-parttime", "o:bkk-parttime-shop", "o:phuket-hotel", "o:krabi-hotel", "o:care-home", "o:rider"}, []string{"o:cm-hotel-break", "o:bkk-school-break", "o:phuket-housekeeping", "o:motorcycle-shop"}},
		{"เรียนซ่อมมอไซ", []string{"c:motorcycle", "o:motorcycle-shop"}, []string{"c:aircon", "c:electric", "c:welding"}},
		{"อยากเป็นช่างแอร์", []string{"c:aircon"}, []string{"c:electric", "c:welding", "c:motorcycle", "o:motorcycle-shop"}},
		{"คอร์สออนไลน์ฟรี", []string{"c:excel-online", "c:live-selling", "c:hotel-english"}, nil},
		{"ดูแลคนแก่", []string{"c:caregiver", "o:care-home"}, []string{"c:childminder"}},
		{"บาริสต้า", []string{"c:barista", "o:cm-cafe-parttime"}, []string{"c:hotel-english", "o:cm-hotel-break", "o:krabi-hotel", "o:phuket-hotel", "o:phuket-housekeeping"}},
		{"barista", []string{"c:barista", "o:cm-cafe-parttime"}, []string{"c:hotel-english", "o:cm-hotel-break", "o:krabi-hotel", "o:phuket-hotel", "o:phuket-housekeeping"}},
		{"ขายของออนไลน์", []string{"c:live-selling"}, []string{"c:shop-owner", "o:bkk-parttime-shop"}},
		{"ทำงานโรงแรม ภูเก็ต", []string{"o:phuket-hotel", "o:phuket-housekeeping"}, []string{"c:hotel-english"}},
		{"กทม. งานช่วงปิดเทอม", []string{"o:bkk-school-break"}, []string{"o:bkk-parttime-shop", "o:rider", "c:aircon", "c:electric"}},
		{"หางานแถวโคราชครับ", nil, []string{"c:thai-dessert", "c:shop-owner", "c:hotel-english", "c:excel-online", "c:canva-online-paid", "c:live-selling"}},
		{"เชียงไหม่ งานร้านกาแฟ", []string{"o:cm-cafe-parttime"}, []string{"o:cm-hotel-break", "c:barista", "o:bakery-parttime"}},
		{"excell", []string{"c:excel-online"}, nil}, // a typo: bigrams
		{"เกษตร", []string{"c:farming"}, []string{"c:food-processing"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits := ix.Search(tt.query, 50)
			got := hitIDs(hits)
			for i, id := range got {
				if i < len(tt.want) {
					if !slices.Contains(tt.want, id) {
						t.Errorf("rank %d is %s, want one of %v (all: %s)", i+1, id, tt.want, dump(hits))
					}
				} else if !slices.Contains(tt.maybe, id) && !slices.Contains(tt.want, id) {
					t.Errorf("%s should not be found (all: %s)", id, dump(hits))
				}
			}
			for _, id := range tt.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s not found (all: %s)", id, dump(hits))
				}
			}
		})
	}
}

func dump(hs []Hit) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "%s=%.2f ", h.ID, h.Score)
	}
	return b.String()
}

func TestNonsenseFindsNothing(t *testing.T) {
	ix := fixtureIndex()
	for _, q := range []string{"", "   ", "asdfgh", "ฟหกดเสวง", "zzzz qqqq", "ครับ", "อยากหาอะไรสักอย่าง", "!!!", "ๆๆๆ", "\xff\xfe"} {
		if hits := ix.Search(q, 10); len(hits) > 0 {
			t.Errorf("%q found %s", q, dump(hits))
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		q         string
		groups    []string
		kind      string
		okind     string
		free, onl bool
		provinces []string
	}{
		{q: "อยากเรียนทำขนม", groups: []string{"dessert"}},
		{q: "งานพาร์ทไทม์ เชียงใหม่", kind: "opening", okind: "part_time", provinces: []string{"TH-50"}},
		{q: "งานพาททาม", kind: "opening", okind: "part_time"},
		{q: "คอร์สออนไลน์ฟรี", kind: "course", free: true, onl: true},
		{q: "ทำงานโรงแรม ภูเก็ต", groups: []string{"hotel"}, kind: "opening", provinces: []string{"TH-83"}},
		{q: "กทม. งานช่วงปิดเทอม", kind: "opening", okind: "school_break", provinces: []string{"TH-10"}},
		{q: "หางานแถวโคราชครับ", kind: "opening", provinces: []string{"TH-30"}},
		{q: "เชียงไหม่", provinces: []string{"TH-50"}},                // a typo of a province
		{q: "งานน่าน", kind: "opening", provinces: []string{"TH-55"}}, // with its tone mark, a province
		{q: "เรียนนาน", groups: nil},                                  // "a long time": not Nan
		{q: "คอนเทนต์", groups: []string{"video"}},                    // "คอน" is not Nakhon Si Thammarat here
		{q: "ไม่รู้เลย"},                                              // "เลย" is not Loei
		{q: "part time jobs chiang mai", kind: "opening", okind: "part_time", provinces: []string{"TH-50"}},
		{q: "เรียนซ่อมมอไซ", groups: []string{"repair", "motorcycle"}},
		{q: "ช่างแอร์ ขอนแก่น", groups: []string{"aircon"}, provinces: []string{"TH-40"}},
	}
	for _, tt := range tests {
		q := Parse(tt.q)
		if !slices.Equal(q.Groups, tt.groups) || q.Kind != tt.kind || q.OpeningKind != tt.okind ||
			q.Free != tt.free || q.Online != tt.onl || !slices.Equal(q.Provinces, tt.provinces) {
			t.Errorf("Parse(%q) = %+v", tt.q, q)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"พาร์ทไทม์":      "พารทไทม",
		"  Part-Time!! ": "part time",
		"ครับบบบบ":       "ครับ",
		"เสาร์-อาทิตย์":  "เสาร อาทิตย",
		"กทม.":           "กทม",
		"ก\u0e4d\u0e32":  "กำ",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDictionaryLoads(t *testing.T) {
	if _, err := loadDictionary(synonymsYAML); err != nil {
		t.Fatal(err)
	}
	dup := strings.Replace(string(synonymsYAML), "terms: [กาแฟ,", "terms: [กาแฟ, ขนม,", 1)
	if _, err := loadDictionary([]byte(dup)); err == nil {
		t.Error("a term in two groups loaded")
	}
	if len(Groups()) < 30 {
		t.Errorf("%d groups", len(Groups()))
	}
}

func TestLimitAndOrder(t *testing.T) {
	ix := fixtureIndex()
	a := ix.Search("งานพาททาม", 3)
	b := ix.Search("งานพาททาม", 50)
	if len(a) != 3 || !slices.Equal(hitIDs(a), hitIDs(b[:3])) {
		t.Errorf("limit 3 = %v, first 3 of all = %v", hitIDs(a), hitIDs(b[:3]))
	}
	for i := 1; i < len(b); i++ {
		if b[i-1].Score < b[i].Score || b[i-1].Score == b[i].Score && b[i-1].ID > b[i].ID {
			t.Errorf("not ordered at %d: %s", i, dump(b))
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	var docs []Doc
	for i := range 100_000 {
		d := fixture[i%len(fixture)]
		d.ID = fmt.Sprintf("%s-%d", d.ID, i)
		docs = append(docs, d)
	}
	ix := NewIndex(docs)
	for _, q := range []string{"อยากเรียนทำขนม", "งานพาร์ทไทม์ เชียงใหม่", "excell"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				ix.Search(q, 10)
			}
		})
	}
}

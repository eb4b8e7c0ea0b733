package guidance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
	"github.com/paitor/paitor/guidance"
)

func TestDatesReadTheThaiWayWithTheBuddhistEraYear(t *testing.T) {
	d := time.Date(2026, 8, 22, 9, 0, 0, 0, thaitime.Zone)
	if got := guidance.ThaiDate(d, "th"); got != "ส. 22 ส.ค. 2569" {
		t.Fatalf("got %q", got)
	}
	if got := guidance.ThaiDate(d, "en"); got != "Sat 22 Aug 2026" {
		t.Fatalf("got %q", got)
	}
}

func TestACourseCardSaysWhereWhenCostAndWhatItEarns(t *testing.T) {
	c := content.Course{TitleTH: "ทำขนมไทย", Provider: "สกร.ปากช่อง (ตัวอย่าง)", Mode: "onsite", Province: "TH-30", District: "ปากช่อง",
		StartDate: time.Date(2026, 8, 22, 0, 0, 0, 0, time.UTC), Days: []string{"sat", "sun"}, StartTime: "09:00", EndTime: "15:00",
		Allowance: 1800, Earns: []string{"certificate", "credit_bank"}, Credits: 2}
	text := strings.Join(guidance.DescribeCourse(c, "th", false).Lines, "\n")
	for _, want := range []string{"ปากช่อง นครราชสีมา", "ส. 22 ส.ค. 2569", "ส. อา. 09:00-15:00", "ฟรี", "เบี้ยเลี้ยง 1,800 บาท", "ได้ใบรับรอง", "2 หน่วยกิต"} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
	o := content.Opening{RoleTH: "พนักงานร้านกาแฟ", Employer: "ร้าน (ตัวอย่าง)", Province: "TH-50", District: "เมืองเชียงใหม่", PayBaht: 50, PayUnit: "hour", Training: true, MinAge: 18}
	text = strings.Join(guidance.DescribeOpening(o, "th", false).Lines, "\n")
	for _, want := range []string{"50 บาท/ชม.", "มีสอนงาน", "อายุ 18 ปีขึ้นไป", "เชียงใหม่"} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
}

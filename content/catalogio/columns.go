package catalogio

// The columns of each file, in the order FORMATS.md lists them. The first Thai
// alias is the one FORMATS.md and messages show.

func col(name string, thai ...string) column { return column{name: name, thai: thai} }

func req(name string, thai ...string) column { return column{name: name, thai: thai, required: true} }

var courseColumns = []column{
	req("source", "แหล่งข้อมูล"),
	req("external_id", "รหัส"),
	col("provider", "ผู้จัด"),
	req("title_th", "ชื่อคอร์ส"),
	col("title_en", "ชื่อคอร์สภาษาอังกฤษ"),
	col("desc_th", "รายละเอียด"),
	col("desc_en", "รายละเอียดภาษาอังกฤษ"),
	col("skills", "ทักษะ"),
	col("interests", "ความสนใจ"),
	col("field", "สายงาน"),
	col("mode", "รูปแบบ"),
	col("province", "จังหวัด"),
	col("district", "อำเภอ", "เขต"),
	col("lat", "ละติจูด"),
	col("lng", "ลองจิจูด", "lon", "long"),
	col("start_date", "วันเริ่ม"),
	col("end_date", "วันสิ้นสุด"),
	col("days", "วันเรียน"),
	col("start_time", "เวลาเริ่ม"),
	col("end_time", "เวลาเลิก"),
	col("hours", "ชั่วโมง"),
	col("cost_baht", "ค่าเรียน"),
	col("allowance_baht", "เบี้ยเลี้ยง"),
	col("earns", "ได้รับ"),
	col("credits", "หน่วยกิต"),
	col("min_age", "อายุขั้นต่ำ"),
	col("max_age", "อายุสูงสุด"),
	col("min_education", "วุฒิขั้นต่ำ"),
	col("seats", "ที่นั่ง"),
	col("url", "ลิงก์สมัคร"),
	col("contact", "ติดต่อ"),
	col("opens_at", "เปิดรับสมัคร"),
	col("closes_at", "ปิดรับสมัคร"),
}

var openingColumns = []column{
	req("source", "แหล่งข้อมูล"),
	req("external_id", "รหัส"),
	req("employer", "นายจ้าง"),
	req("role_th", "ตำแหน่ง"),
	col("role_en", "ตำแหน่งภาษาอังกฤษ"),
	col("desc_th", "รายละเอียด"),
	col("desc_en", "รายละเอียดภาษาอังกฤษ"),
	col("kind", "ประเภท"),
	col("field", "สายงาน"),
	col("interests", "ความสนใจ"),
	col("skills", "ทักษะ"),
	req("pay_baht", "ค่าตอบแทน"),
	col("pay_unit", "ต่อ"),
	col("hours_week", "ชั่วโมงต่อสัปดาห์"),
	col("days", "วันทำงาน"),
	col("start_time", "เวลาเริ่ม"),
	col("end_time", "เวลาเลิก"),
	col("training", "มีสอนงาน"),
	col("province", "จังหวัด"),
	col("district", "อำเภอ", "เขต"),
	col("lat", "ละติจูด"),
	col("lng", "ลองจิจูด", "lon", "long"),
	col("min_age", "อายุขั้นต่ำ"),
	col("min_education", "วุฒิขั้นต่ำ"),
	col("night", "กะกลางคืน"),
	col("hazardous", "งานอันตราย"),
	col("requirements", "คุณสมบัติ"),
	col("url", "ลิงก์สมัคร"),
	col("contact", "ติดต่อ"),
	col("valid_until", "หมดเขต"),
}

var occupationColumns = []column{
	req("id", "รหัสสายงาน"),
	req("name_th", "ชื่อสายงาน"),
	col("name_en", "ชื่อสายงานภาษาอังกฤษ"),
	col("skills", "ทักษะ"),
	col("demand", "ความต้องการ"),
	col("source", "แหล่งข้อมูล"),
}

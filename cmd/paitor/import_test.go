package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

const examples = "../../content/catalogio/examples/"

// importDB points DATABASE_URL at a fresh schema and returns a store on it,
// for looking at what the command wrote. Tests using it must not run in
// parallel (they set the environment).
func importDB(t *testing.T) *postgres.Store {
	t.Helper()
	databaseURL, schema := pgtest.Schema(t)
	withEnv(t, map[string]string{"DATABASE_URL": databaseURL})
	s, err := postgres.Open(t.Context(), databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// paitorImport runs `paitor import args...`.
func paitorImport(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err = runImport(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// wantExit checks the exit status an error asks for (0 for nil).
func wantExit(t *testing.T, err error, code int, output ...string) {
	t.Helper()
	got := 0
	if err != nil {
		c, ok := exitCode(err)
		if !ok {
			t.Fatalf("error %v asks for no exit status; want %d\n%s", err, code, strings.Join(output, "\n"))
		}
		got = c
	}
	if got != code {
		t.Fatalf("exit status %d (err %v), want %d\n%s", got, err, code, strings.Join(output, "\n"))
	}
}

func wantContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s does not say %q:\n%s", what, p, text)
		}
	}
}

func offeredIDs(t *testing.T, s content.CatalogStore, source string) []string {
	t.Helper()
	var ids []string
	err := s.OfferedCourses(t.Context(), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), func(c content.Course) error {
		if c.Source == source {
			ids = append(ids, c.ExternalID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestImportCoursesAndImportAgain(t *testing.T) {
	s := importDB(t)
	out, errOut, err := paitorImport(t, "courses", examples+"courses.csv")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "summary", out, "courses.csv: 4 rows read: 4 new, 0 updated, 0 unchanged, 0 rejected", "rows/s")
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	c, err := s.Course(t.Context(), "c:example:KRT-2569-014")
	if err != nil || c.TitleTH != "ช่างซ่อมเครื่องปรับอากาศ" || c.Province != "TH-30" || c.Allowance != 1200 {
		t.Errorf("stored course = %+v, %v", c, err)
	}
	v1, _ := s.CatalogVersion(t.Context())

	// Again: nothing new, nothing changed, no duplicates.
	out, errOut, err = paitorImport(t, "courses", examples+"courses.csv")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "second summary", out, "4 rows read: 0 new, 0 updated, 4 unchanged, 0 rejected")
	if ids := offeredIDs(t, s, "example"); len(ids) != 4 {
		t.Errorf("courses after importing twice: %v", ids)
	}
	if v2, _ := s.CatalogVersion(t.Context()); v2 != v1 {
		t.Errorf("CatalogVersion moved from %s to %s on an unchanged import", v1, v2)
	}

	// The same courses as JSON, with a flag after the arguments: two more.
	out, errOut, err = paitorImport(t, "courses", examples+"courses.json", "--format", "json")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "JSON summary", out, "courses.json: 2 rows read: 2 new")
	if ids := offeredIDs(t, s, "example"); len(ids) != 6 {
		t.Errorf("courses after the JSON file: %v", ids)
	}
}

func TestImportBOMFileWithThaiHeader(t *testing.T) {
	s := importDB(t)
	out, errOut, err := paitorImport(t, "courses", examples+"courses-bom.csv")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "summary", out, "courses-bom.csv: 2 rows read: 2 new")
	c, err := s.Course(t.Context(), "c:example:CNX-2569-010")
	if err != nil || c.Mode != "hybrid" || c.Province != "TH-50" || c.StartTime != "09:00" {
		t.Errorf("course from the Thai header = %+v, %v", c, err)
	}
}

func TestImportOpeningsAndOccupations(t *testing.T) {
	s := importDB(t)
	out, errOut, err := paitorImport(t, "occupations", examples+"occupations.csv")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "occupations summary", out, "occupations.csv: 4 rows read: 4 loaded, 0 rejected")
	out, errOut, err = paitorImport(t, "openings", examples+"openings.csv")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "openings summary", out, "openings.csv: 4 rows read: 4 new")

	o, err := s.Opening(t.Context(), "o:example:J-KRT-004")
	if err != nil || !o.Night || o.PayBaht != 55 || o.PayUnit != "hour" {
		t.Errorf("night-shift opening = %+v, %v", o, err)
	}
	occ, err := s.Occupations(t.Context())
	if err != nil || len(occ) != 4 || occ[0].ID != "care" || occ[0].Demand["TH-30"] != 3 {
		t.Errorf("occupations = %+v, %v", occ, err)
	}
}

func TestImportBrokenRowsLoadTheGoodOnes(t *testing.T) {
	s := importDB(t)
	file := filepath.Join(t.TempDir(), "mixed.csv")
	writeFile(t, file, strings.Join([]string{
		"source,external_id,title_th,mode,province,start_date,cost_baht",
		"t,1,ช่างไฟ,onsite,โคราช,2569-08-22,ฟรี",
		"t,2,ช่างไฟ,onsite,Atlantis,2569-08-22,0",
		"t,3,ช่างไฟ,onsite,TH-30,31/02/2569,0",
		"t,4,,online,,,ห้าร้อย",
		"t,5,ช่างไฟ,online,,,500",
		"t,1,ช่างไฟซ้ำ,onsite,TH-30,,",
	}, "\n")+"\n")
	out, errOut, err := paitorImport(t, "courses", file)
	wantExit(t, err, 1, out, errOut)
	wantContains(t, "stderr", errOut,
		file+`:3: province: "Atlantis" is not a province`,
		file+`:4: start_date: "31/02/2569" is not a real date`,
		file+":5: title_th: required",
		file+`:5: cost_baht: "ห้าร้อย" is not a whole number`,
		file+":7: external_id: the same as line 2",
	)
	wantContains(t, "summary", out, "6 rows read: 2 new, 0 updated, 0 unchanged, 4 rejected")
	if ids := offeredIDs(t, s, "t"); strings.Join(ids, ",") != "1,5" {
		t.Errorf("loaded %v, want the good rows 1 and 5", ids)
	}
}

func TestImportUnreadableFile(t *testing.T) {
	s := importDB(t)
	dir := t.TempDir()
	for name, data := range map[string]string{
		"empty.csv":   "",
		"letter.csv":  "Dear Sir,\nplease find attached\n",
		"missing.csv": "source,external_id\nt,1\n",
		"thai.json":   `{"courses": []}`,
	} {
		writeFile(t, filepath.Join(dir, name), data)
		out, errOut, err := paitorImport(t, "courses", filepath.Join(dir, name))
		wantExit(t, err, 2, out, errOut)
		wantContains(t, name+" stderr", errOut, "paitor import: "+filepath.Join(dir, name))
	}
	out, errOut, err := paitorImport(t, "courses", filepath.Join(dir, "no-such-file.csv"))
	wantExit(t, err, 2, out, errOut)
	wantContains(t, "stderr", errOut, "no-such-file.csv")

	// A JSON file broken half-way: what came before loads, the status is 2.
	broken := filepath.Join(dir, "broken.json")
	writeFile(t, broken, `[{"source": "t", "external_id": "1", "title_th": "ก", "mode": "online"}, {"source": `)
	out, errOut, err = paitorImport(t, "courses", broken)
	wantExit(t, err, 2, out, errOut)
	wantContains(t, "stderr", errOut, "the JSON ends too early", "the 1 rows before that were loaded")
	if ids := offeredIDs(t, s, "t"); len(ids) != 1 {
		t.Errorf("loaded %v before the break, want 1", ids)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	s := importDB(t)
	out, errOut, err := paitorImport(t, "courses", examples+"courses.csv", "--dry-run")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "summary", out, "4 rows read: 4 would load (dry run: nothing written), 0 rejected")
	if ids := offeredIDs(t, s, "example"); len(ids) != 0 {
		t.Errorf("a dry run wrote %v", ids)
	}
	if _, err := s.Course(t.Context(), "c:example:KRT-2569-014"); !content.IsNotFound(err) {
		t.Errorf("Course after a dry run: %v", err)
	}

	// A dry run needs no database; rejected rows still make it exit 1.
	withEnv(t, map[string]string{})
	file := filepath.Join(t.TempDir(), "bad.csv")
	writeFile(t, file, "source,external_id,title_th\nt,1,\n")
	out, errOut, err = paitorImport(t, "--dry-run", "courses", file)
	wantExit(t, err, 1, out, errOut)
	wantContains(t, "stderr", errOut, file+":2: title_th: required")
}

func TestImportNeedsDatabaseURL(t *testing.T) {
	withEnv(t, map[string]string{})
	_, _, err := paitorImport(t, "courses", examples+"courses.csv")
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL is not set") || !strings.Contains(err.Error(), "embedded in-memory store lives only inside a running service") {
		t.Errorf("err = %v, want one saying DATABASE_URL is needed and why", err)
	}
	if _, ok := exitCode(err); ok {
		t.Error("a missing DATABASE_URL asks for a special exit status; want the plain 1")
	}
}

func TestImportSamplePack(t *testing.T) {
	s := importDB(t)
	out, errOut, err := paitorImport(t, "--sample")
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "summary", out, "sample/occupations.csv:", "sample/courses.csv:", "sample/openings.csv:", ", 0 rejected")
	occ, _ := s.Occupations(t.Context())
	if len(occ) < 10 {
		t.Errorf("%d occupations from the sample pack", len(occ))
	}
	out, errOut, err = paitorImport(t, "--sample")
	wantExit(t, err, 0, out, errOut)
	if strings.Count(out, " 0 new, 0 updated,") != 2 {
		t.Errorf("importing the sample pack again changed something:\n%s", out)
	}
}

func TestImportUsage(t *testing.T) {
	withEnv(t, map[string]string{})
	for _, args := range [][]string{nil, {"courses"}, {"lessons", "x.csv"}, {"courses", "a.csv", "b.csv"}, {"--sample", "courses", "x.csv"}, {"--nope"}} {
		_, _, err := paitorImport(t, args...)
		if err != errUsage {
			t.Errorf("import %v: err = %v, want the usage", args, err)
		}
	}
	out, _, err := paitorImport(t, "-h")
	if err != nil || !strings.Contains(out, "paitor import courses|openings|occupations FILE") || !strings.Contains(out, "Exit status") {
		t.Errorf("import -h = %v:\n%s", err, out)
	}
}

func TestImportProgressLines(t *testing.T) {
	importDB(t)
	file := filepath.Join(t.TempDir(), "many.csv")
	writeFile(t, file, string(generatedCourses("prog", 25_000)))
	out, errOut, err := paitorImport(t, "courses", file)
	wantExit(t, err, 0, out, errOut)
	wantContains(t, "progress", errOut, "many.csv: 10,000 rows (", "many.csv: 20,000 rows (")
	if strings.Contains(errOut, "\r") {
		t.Error("progress to a file draws a bar")
	}
	wantContains(t, "summary", out, "25,000 rows read: 25,000 new")
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func writeFile(t testing.TB, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// generatedCourses makes a courses CSV of n rows, every column filled in.
func generatedCourses(source string, n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 450)
	b.WriteString("source,external_id,provider,title_th,title_en,desc_th,skills,interests,field,mode,province,district,lat,lng,start_date,end_date,days,start_time,end_time,hours,cost_baht,allowance_baht,earns,credits,min_age,max_age,min_education,seats,url,contact,opens_at,closes_at\n")
	provinces := []string{"นครราชสีมา", "TH-40", "เชียงใหม่", "กทม.", "สงขลา", "TH-34"}
	for i := range n {
		fmt.Fprintf(&b, "%s,K-%06d,ศูนย์พัฒนาฝีมือแรงงาน (ตัวอย่าง),ช่างซ่อมแอร์ รุ่น %d,Air-conditioner repair,ฝึกติดตั้งและล้างแอร์บ้าน 60 ชั่วโมง,ติดตั้งแอร์|ไฟฟ้าเบื้องต้น,R|I,trades,onsite,%s,เมือง,,,2569-08-24,2569-09-04,จ.-ศ.,09:00,16:00,60,\"1,500\",1200,certificate|tpqi_1,0,18,24,ม.3,20,https://example.org/c/%d,044-000-000,2569-07-01,2569-08-15\n",
			source, i, i, provinces[i%len(provinces)], i)
	}
	return b.Bytes()
}

// BenchmarkImportCourses100k imports a generated 100,000-row courses file into
// PostgreSQL through the command's own pipeline (parse, check, upsert in
// chunks of 1,000) and reports rows per second.
func BenchmarkImportCourses100k(b *testing.B) {
	const rows = 100_000
	s := pgtest.Open(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := generatedCourses(fmt.Sprintf("bench%d", i), rows) // every row new
		im := &importer{store: s, stdout: new(bytes.Buffer), stderr: new(bytes.Buffer)}
		b.StartTimer()
		start := time.Now()
		st, err := im.importFile(context.Background(), "courses", "bench.csv", bytes.NewReader(data), int64(len(data)), "")
		total += time.Since(start)
		if err != nil || st.created != rows || st.rejected != 0 {
			b.Fatalf("import: %+v, %v", st, err)
		}
	}
	rate := float64(rows*b.N) / total.Seconds()
	b.ReportMetric(rate, "rows/s")
	b.Logf("%d rows in %.2f s per import: %.0f rows/s", rows, total.Seconds()/float64(b.N), rate)
}

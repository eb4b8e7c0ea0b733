package adminapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	revoked, revokedID := e.token(e.A, content.RoleEditor)
	if err := e.store.RevokeToken(context.Background(), revokedID, t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header string
	}{
		{"no token", ""},
		{"wrong token", "Bearer sk_not-a-real-secret"},
		{"revoked token", "Bearer " + revoked},
		{"not bearer", "Basic " + e.aEditor},
		{"empty bearer", "Bearer "},
		{"hash instead of secret", "Bearer " + hash(e.aEditor)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/city", "/festivals", "/announcements"} {
				req, _ := http.NewRequest("GET", "/api/v1"+path, nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				rec := newRecorder()
				e.server.ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized {
					t.Fatalf("%s: status %d, want 401: %s", path, rec.Code, rec.Body)
				}
				if !strings.Contains(rec.Body.String(), `"code":"unauthorized"`) {
					t.Errorf("%s: body %s", path, rec.Body)
				}
			}
		})
	}
	// A write without a token changes nothing.
	e.must(http.StatusUnauthorized, "", "POST", "/festivals", festivalBody())
	if r := e.must(http.StatusOK, e.aEditor, "GET", "/festivals", nil); len(r.Body["festivals"].([]any)) != 0 {
		t.Errorf("festival created without a token: %s", r.Raw)
	}

	// Revoked in the future: still valid now.
	later, laterID := e.token(e.A, content.RoleEditor)
	if err := e.store.RevokeToken(context.Background(), laterID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.must(http.StatusOK, later, "GET", "/city", nil)
	e.clock.Set(t0.Add(2 * time.Hour))
	e.must(http.StatusUnauthorized, later, "GET", "/city", nil)

	// The OpenAPI document needs no token.
	e.must(http.StatusOK, "", "GET", "/openapi.json", nil)
}

func TestCity(t *testing.T) {
	e := newEnv(t)
	r := e.must(http.StatusOK, e.aEditor, "GET", "/city", nil)
	if r.str("id") != e.A.ID || r.str("name") != "เทศบาลนครขอนแก่น" || r.Body["requires_approval"] != false {
		t.Errorf("city = %s", r.Raw)
	}
	provs := r.Body["provinces"].([]any)
	if len(provs) != 2 || provs[0].(map[string]any)["code"] != "TH-40" || provs[0].(map[string]any)["name_th"] != "ขอนแก่น" {
		t.Errorf("provinces = %v", provs)
	}
	if tok := r.Body["token"].(map[string]any); tok["role"] != "editor" || tok["id"] != e.aEditorID {
		t.Errorf("token = %v", tok)
	}
	if r := e.must(http.StatusOK, e.bApprover, "GET", "/city", nil); r.str("id") != e.B.ID || r.Body["requires_approval"] != true {
		t.Errorf("B's city = %s", r.Raw)
	}
}

// TestTenantIsolation: city A's tokens cannot see or touch anything of city
// B, nor publish outside A's area.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	bFest := e.festival(e.bEditor, udonFestival())
	bAnn := e.announcement(e.bEditor, bFest, nil)
	bPending := e.announcement(e.bEditor, bFest, nil)
	e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+bPending+"/schedule", map[string]any{"at": "now"})
	bSent := e.announcement(e.bEditor, bFest, nil)
	e.setStatus(e.B.ID, bSent, content.AnnSent)
	bAnnouncementsBefore := e.must(http.StatusOK, e.bEditor, "GET", "/announcements", nil).Raw
	bFestBefore := e.must(http.StatusOK, e.bEditor, "GET", "/festivals/"+bFest, nil).Raw

	type call struct {
		method, path string
		body         any
	}
	calls := []call{
		{"GET", "/festivals/" + bFest, nil},
		{"PATCH", "/festivals/" + bFest, map[string]any{"title_th": "ของเรา"}},
		{"POST", "/festivals/" + bFest + "/cancel", nil},
	}
	for _, id := range []string{bAnn, bPending, bSent} {
		calls = append(calls,
			call{"GET", "/announcements/" + id, nil},
			call{"POST", "/announcements/" + id + "/preview", nil},
			call{"POST", "/announcements/" + id + "/schedule", map[string]any{"at": "now"}},
			call{"POST", "/announcements/" + id + "/approve", nil},
			call{"POST", "/announcements/" + id + "/cancel", nil},
			call{"GET", "/announcements/" + id + "/stats", nil},
		)
	}
	// Unknown and malformed IDs answer the same.
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		calls = append(calls, call{"GET", "/festivals/" + id, nil}, call{"GET", "/announcements/" + id, nil})
	}
	for _, secret := range []string{e.aEditor, e.aApprover} {
		for _, c := range calls {
			if c.path == "" || (secret == e.aEditor && strings.HasSuffix(c.path, "/approve")) {
				continue // an editor's approve is refused for its role first (TestRoles)
			}
			r := e.do(secret, c.method, c.path, c.body)
			if r.Status != http.StatusNotFound || r.code() != "not_found" {
				t.Errorf("A %s %s: status %d, want 404: %s", c.method, c.path, r.Status, r.Raw)
			}
			if strings.Contains(string(r.Raw), "อุดร") {
				t.Errorf("A %s %s leaks B's content: %s", c.method, c.path, r.Raw)
			}
		}
	}
	e.mu.Lock()
	if len(e.previewCalls) != 0 {
		t.Errorf("Preview was called for another city's announcement: %v", e.previewCalls)
	}
	e.mu.Unlock()

	// Lists hold only A's objects.
	aFest := e.festival(e.aEditor, festivalBody())
	e.announcement(e.aEditor, aFest, nil)
	for _, p := range []struct{ path, key string }{{"/festivals", "festivals"}, {"/announcements", "announcements"}} {
		r := e.must(http.StatusOK, e.aEditor, "GET", p.path, nil)
		if n := len(r.Body[p.key].([]any)); n != 1 || strings.Contains(string(r.Raw), bFest) {
			t.Errorf("A's %s: %d items: %s", p.key, n, r.Raw)
		}
	}

	// Nothing of B changed.
	if after := e.must(http.StatusOK, e.bEditor, "GET", "/announcements", nil).Raw; string(after) != string(bAnnouncementsBefore) {
		t.Errorf("B's announcements changed:\nbefore %s\nafter  %s", bAnnouncementsBefore, after)
	}
	if after := e.must(http.StatusOK, e.bEditor, "GET", "/festivals/"+bFest, nil).Raw; string(after) != string(bFestBefore) {
		t.Errorf("B's festival changed:\nbefore %s\nafter  %s", bFestBefore, after)
	}

	// A cannot publish in B's area, nor address B's residents.
	outside := []struct {
		name, method, path string
		body               map[string]any
		field              string
	}{
		{"festival in B's province", "POST", "/festivals", udonFestival(), "province"},
		{"festival in B's province by name", "POST", "/festivals", with(festivalBody(), "province", "อุดรธานี"), "province"},
		{"festival moved to B's province", "PATCH", "/festivals/" + aFest, map[string]any{"province": "TH-41"}, "province"},
		{"announcement of B's festival", "POST", "/announcements", map[string]any{"festival_id": bFest}, "festival_id"},
		{"audience in B's province", "POST", "/announcements",
			map[string]any{"festival_id": aFest, "audience": map[string]any{"provinces": []string{"TH-40", "TH-41"}}}, "audience.provinces"},
		{"audience in B's district", "POST", "/announcements",
			map[string]any{"festival_id": aFest, "audience": map[string]any{"districts": []string{"TH-41/เมืองอุดรธานี"}}}, "audience.districts"},
		{"audience in Bangkok", "POST", "/announcements",
			map[string]any{"festival_id": aFest, "audience": map[string]any{"provinces": []string{"กรุงเทพฯ"}}}, "audience.provinces"},
	}
	for _, c := range outside {
		r := e.do(e.aEditor, c.method, c.path, c.body)
		if r.Status != http.StatusBadRequest || r.code() != "invalid" || r.fields()[c.field] == nil {
			t.Errorf("%s: status %d, want 400 naming %s: %s", c.name, r.Status, c.field, r.Raw)
		}
	}
	if r := e.must(http.StatusOK, e.bEditor, "GET", "/announcements", nil); len(r.Body["announcements"].([]any)) != 3 {
		t.Errorf("B has %d announcements, want 3", len(r.Body["announcements"].([]any)))
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

func TestCreateFestival(t *testing.T) {
	e := newEnv(t)
	r := e.must(http.StatusCreated, e.aEditor, "POST", "/festivals", with(festivalBody(),
		"province", "ขอนแก่น", "starts_at", "2026-11-20T09:00", "ends_at", "2026-11-22 18:00"))
	want := map[string]any{
		"title_th": "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น 2569", "province": "TH-40", "province_name_th": "ขอนแก่น",
		"starts_at": "2026-11-20T09:00:00+07:00", "ends_at": "2026-11-22T18:00:00+07:00",
		"status": "active", "lat": 16.47, "lng": 102.82,
	}
	for k, v := range want {
		if r.Body[k] != v {
			t.Errorf("%s = %v, want %v", k, r.Body[k], v)
		}
	}
	id := r.str("id")
	if g := e.must(http.StatusOK, e.aEditor, "GET", "/festivals/"+id, nil); string(g.Raw) != string(r.Raw) {
		t.Errorf("GET differs from the created festival:\n%s\n%s", g.Raw, r.Raw)
	}
	// A UTC time is written back in +07:00.
	r = e.must(http.StatusCreated, e.aEditor, "POST", "/festivals", with(festivalBody(),
		"starts_at", "2026-11-20T02:00:00Z", "lat", nil, "lng", nil, "image_url", nil))
	if r.str("starts_at") != "2026-11-20T09:00:00+07:00" || r.Body["lat"] != nil || r.str("image_url") != "" {
		t.Errorf("festival = %s", r.Raw)
	}
	// English province name, Maha Sarakham (A's second province).
	r = e.must(http.StatusCreated, e.aEditor, "POST", "/festivals", with(festivalBody(), "province", "Maha Sarakham", "district", "เมืองมหาสารคาม"))
	if r.str("province") != "TH-44" {
		t.Errorf("province = %q", r.str("province"))
	}
}

func TestFestivalValidation(t *testing.T) {
	e := newEnv(t)
	long := func(n int) string { return strings.Repeat("ก", n) }
	many := make([]string, 31)
	for i := range many {
		many[i] = fmt.Sprintf("กิจกรรม %d", i)
	}
	cases := []struct {
		name  string
		body  any
		field string
		msg   string
	}{
		{"missing title", with(festivalBody(), "title_th", nil), "title_th", "required"},
		{"blank title", with(festivalBody(), "title_th", "   "), "title_th", "required"},
		{"title too long", with(festivalBody(), "title_th", long(201)), "title_th", "at most 200"},
		{"english title too long", with(festivalBody(), "title_en", strings.Repeat("a", 201)), "title_en", "at most 200"},
		{"description too long", with(festivalBody(), "description_th", long(2001)), "description_th", "at most 2000"},
		{"english description too long", with(festivalBody(), "description_en", long(2001)), "description_en", "at most 2000"},
		{"ends before starts", with(festivalBody(), "ends_at", "2026-11-19T09:00:00+07:00"), "starts_at", "must be before ends_at"},
		{"ends when it starts", with(festivalBody(), "ends_at", "2026-11-20T09:00:00+07:00"), "starts_at", "must be before ends_at"},
		{"missing starts", with(festivalBody(), "starts_at", nil), "starts_at", "required"},
		{"missing ends", with(festivalBody(), "ends_at", nil), "ends_at", "required"},
		{"not a time", with(festivalBody(), "starts_at", "20 พ.ย. 2569"), "starts_at", "RFC 3339"},
		{"http image", with(festivalBody(), "image_url", "http://learningcity.khonkaen.go.th/cover.jpg"), "image_url", "https"},
		{"not a URL", with(festivalBody(), "info_url", "learningcity.khonkaen.go.th"), "info_url", "https"},
		{"javascript URL", with(festivalBody(), "info_url", "javascript:alert(1)"), "info_url", "https"},
		{"province outside the area", with(festivalBody(), "province", "TH-50"), "province", "outside the city's area"},
		{"unknown province", with(festivalBody(), "province", "แอตแลนติส"), "province", "unknown province"},
		{"missing province", with(festivalBody(), "province", nil), "province", "required"},
		{"latitude outside Thailand", with(festivalBody(), "lat", 35.68, "lng", 139.69), "lat", "within Thailand"},
		{"longitude outside Thailand", with(festivalBody(), "lng", 106.5), "lng", "within Thailand"},
		{"only a latitude", with(festivalBody(), "lng", nil), "lng", "within Thailand"},
		{"too many activities", with(festivalBody(), "activities", many), "activities", "at most 30"},
		{"activity too long", with(festivalBody(), "activities", []string{"ok", long(201)}), "activities[1]", "at most 200"},
		{"tag too long", with(festivalBody(), "tags", []string{long(51)}), "tags[0]", "at most 50"},
		{"unknown field", with(festivalBody(), "colour", "red"), "colour", "unknown field"},
		{"wrong type", with(festivalBody(), "lat", "16.4"), "lat", "must be a number"},
		{"activities not an array", with(festivalBody(), "activities", "เวิร์กช็อป"), "activities", "must be an array"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(e.aEditor, "POST", "/festivals", c.body)
			if r.Status != http.StatusBadRequest || r.code() != "invalid" {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Raw)
			}
			got, _ := r.fields()[c.field].(string)
			if !strings.Contains(got, c.msg) {
				t.Errorf("fields[%s] = %q, want %q; all: %v", c.field, got, c.msg, r.fields())
			}
		})
	}
	// Several problems at once are all named.
	r := e.do(e.aEditor, "POST", "/festivals", with(festivalBody(), "title_th", nil, "image_url", "ftp://x", "lat", 1.0))
	if f := r.fields(); len(f) != 2+1 || f["title_th"] == nil || f["image_url"] == nil || f["lat"] == nil {
		t.Errorf("fields = %v", f)
	}
	// Malformed bodies.
	for _, body := range []string{"", "{", "[]", `{"title_th":"a"} {"title_th":"b"}`, "null x"} {
		if r := e.do(e.aEditor, "POST", "/festivals", body); r.Status != http.StatusBadRequest || r.code() != "invalid" {
			t.Errorf("body %q: status %d: %s", body, r.Status, r.Raw)
		}
	}
	if r := e.must(http.StatusOK, e.aEditor, "GET", "/festivals", nil); len(r.Body["festivals"].([]any)) != 0 {
		t.Errorf("invalid festivals were stored: %s", r.Raw)
	}
}

// TestDistrictLimitedCity: a city that covers some districts only.
func TestDistrictLimitedCity(t *testing.T) {
	e := newEnv(t)
	c, err := e.store.CreateCity(context.Background(), content.City{
		ID: uuid.NewString(), Name: "เทศบาลนครหาดใหญ่", Provinces: []string{"TH-90"},
		Districts: []string{"TH-90/หาดใหญ่"}, CreatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := e.token(c, content.RoleEditor)
	body := func(district any) map[string]any {
		return with(festivalBody(), "province", "สงขลา", "district", district, "lat", 7.0, "lng", 100.47)
	}
	if r := e.do(secret, "POST", "/festivals", body("สะเดา")); r.Status != 400 || r.fields()["district"] == nil {
		t.Errorf("district outside: %d %s", r.Status, r.Raw)
	}
	if r := e.do(secret, "POST", "/festivals", body(nil)); r.Status != 400 || !strings.Contains(fmt.Sprint(r.fields()["district"]), "required") {
		t.Errorf("no district: %d %s", r.Status, r.Raw)
	}
	id := e.festival(secret, body("หาดใหญ่"))
	r := e.must(http.StatusCreated, secret, "POST", "/announcements", map[string]any{"festival_id": id})
	aud := r.Body["audience"].(map[string]any)
	if fmt.Sprint(aud["provinces"]) != "[TH-90]" || fmt.Sprint(aud["districts"]) != "[TH-90/หาดใหญ่]" {
		t.Errorf("audience filled in = %v", aud)
	}
	if r := e.do(secret, "POST", "/announcements", map[string]any{"festival_id": id,
		"audience": map[string]any{"districts": []string{"TH-90/สะเดา"}}}); r.Status != 400 || r.fields()["audience.districts"] == nil {
		t.Errorf("audience district outside: %d %s", r.Status, r.Raw)
	}
}

func TestUpdateFestival(t *testing.T) {
	e := newEnv(t)
	id := e.festival(e.aEditor, festivalBody())
	before := e.must(http.StatusOK, e.aEditor, "GET", "/festivals/"+id, nil)
	r := e.must(http.StatusOK, e.aEditor, "PATCH", "/festivals/"+id, map[string]any{"venue": "บึงแก่นนคร", "tags": []string{}})
	if r.str("venue") != "บึงแก่นนคร" || r.str("title_th") != "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น 2569" ||
		len(r.Body["tags"].([]any)) != 0 || r.str("created_at") != before.str("created_at") ||
		r.str("starts_at") != before.str("starts_at") || r.Body["lat"] != before.Body["lat"] {
		t.Errorf("patched = %s", r.Raw)
	}
	if _, err := time.Parse(time.RFC3339, r.str("updated_at")); err != nil || !strings.HasSuffix(r.str("updated_at"), "+07:00") {
		t.Errorf("updated_at = %q", r.str("updated_at"))
	}
	// The merged festival is validated: an end before the stored start.
	if r := e.do(e.aEditor, "PATCH", "/festivals/"+id, map[string]any{"ends_at": "2026-11-01T00:00:00+07:00"}); r.Status != 400 || r.fields()["starts_at"] == nil {
		t.Errorf("ends before starts: %d %s", r.Status, r.Raw)
	}
	for _, body := range []map[string]any{
		{"title_th": ""}, {"image_url": "http://x.example"}, {"lat": 50.0}, {"province": "TH-41"}, {"status": "cancelled"},
	} {
		if r := e.do(e.aEditor, "PATCH", "/festivals/"+id, body); r.Status != 400 {
			t.Errorf("PATCH %v: status %d: %s", body, r.Status, r.Raw)
		}
	}
	if r := e.must(http.StatusOK, e.aEditor, "GET", "/festivals/"+id, nil); r.str("venue") != "บึงแก่นนคร" || r.str("status") != "active" {
		t.Errorf("refused patches changed the festival: %s", r.Raw)
	}
	e.must(http.StatusOK, e.aEditor, "POST", "/festivals/"+id+"/cancel", nil)
	if r := e.do(e.aEditor, "PATCH", "/festivals/"+id, map[string]any{"venue": "x"}); r.Status != http.StatusConflict {
		t.Errorf("PATCH of a cancelled festival: %d", r.Status)
	}
}

func TestAnnouncementValidation(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.aEditor, festivalBody())
	body := func(aud map[string]any) map[string]any { return map[string]any{"festival_id": fest, "audience": aud} }
	cases := []struct {
		name  string
		body  any
		field string
		msg   string
	}{
		{"no festival", map[string]any{}, "festival_id", "required"},
		{"unknown festival", map[string]any{"festival_id": uuid.NewString()}, "festival_id", "no such festival"},
		{"malformed festival ID", map[string]any{"festival_id": "42"}, "festival_id", "no such festival"},
		{"unknown interest", body(map[string]any{"interests": []string{"digital", "gaming"}}), "audience.interests", `"gaming"`},
		{"age_min > age_max", body(map[string]any{"age_min": 30, "age_max": 20}), "audience.age_min", "greater than"},
		{"too young", body(map[string]any{"age_min": 9}), "audience.age_min", "between 10 and 99"},
		{"too old", body(map[string]any{"age_max": 100}), "audience.age_max", "between 10 and 99"},
		{"unknown role", body(map[string]any{"roles": []string{"teacher"}}), "audience.roles", `"teacher"`},
		{"province outside", body(map[string]any{"provinces": []string{"TH-50"}}), "audience.provinces", "outside"},
		{"unknown province", body(map[string]any{"provinces": []string{"XX"}}), "audience.provinces", "unknown"},
		{"malformed district", body(map[string]any{"districts": []string{"เมืองขอนแก่น"}}), "audience.districts", "TH-40/"},
		{"district not in the provinces", body(map[string]any{"provinces": []string{"TH-44"}, "districts": []string{"TH-40/เมืองขอนแก่น"}}), "audience.districts", "not in one of audience.provinces"},
		{"unknown field", map[string]any{"festival_id": fest, "priority": "high"}, "priority", "unknown field"},
		{"unknown audience field", body(map[string]any{"gender": "f"}), "gender", "unknown field"},
		{"age not a number", body(map[string]any{"age_min": "15"}), "audience.age_min", "must be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(e.aEditor, "POST", "/announcements", c.body)
			if r.Status != http.StatusBadRequest || r.code() != "invalid" {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Raw)
			}
			got, _ := r.fields()[c.field].(string)
			if !strings.Contains(got, c.msg) {
				t.Errorf("fields[%s] = %q, want %q; all: %v", c.field, got, c.msg, r.fields())
			}
		})
	}

	// A festival that has ended or is cancelled cannot be announced.
	past := e.festival(e.aEditor, with(festivalBody(), "starts_at", "2026-09-01T09:00:00+07:00", "ends_at", "2026-09-02T09:00:00+07:00"))
	if r := e.do(e.aEditor, "POST", "/announcements", map[string]any{"festival_id": past}); r.Status != 400 || r.fields()["festival_id"] == nil {
		t.Errorf("ended festival: %d %s", r.Status, r.Raw)
	}
	gone := e.festival(e.aEditor, festivalBody())
	e.must(http.StatusOK, e.aEditor, "POST", "/festivals/"+gone+"/cancel", nil)
	if r := e.do(e.aEditor, "POST", "/announcements", map[string]any{"festival_id": gone}); r.Status != 400 || r.fields()["festival_id"] == nil {
		t.Errorf("cancelled festival: %d %s", r.Status, r.Raw)
	}

	// A valid audience is normalized; an empty one is the whole area.
	r := e.must(http.StatusCreated, e.aEditor, "POST", "/announcements", body(map[string]any{
		"provinces": []string{"ขอนแก่น"}, "districts": []string{"ขอนแก่น/เมืองขอนแก่น", "TH-40/บ้านฝาง"},
		"age_min": 15, "age_max": 24, "roles": []string{"youth", "youth"}, "interests": []string{"digital"},
	}))
	aud := r.Body["audience"].(map[string]any)
	if fmt.Sprint(aud["provinces"]) != "[TH-40]" || fmt.Sprint(aud["districts"]) != "[TH-40/เมืองขอนแก่น TH-40/บ้านฝาง]" ||
		aud["age_min"] != 15.0 || aud["age_max"] != 24.0 || fmt.Sprint(aud["roles"]) != "[youth]" || r.str("status") != "draft" ||
		r.str("created_by") != e.aEditorID || r.Body["scheduled_at"] != nil {
		t.Errorf("announcement = %s", r.Raw)
	}
	r = e.must(http.StatusCreated, e.aEditor, "POST", "/announcements", map[string]any{"festival_id": fest})
	aud = r.Body["audience"].(map[string]any)
	if fmt.Sprint(aud["provinces"]) != "[TH-40 TH-44]" || aud["age_min"] != nil || len(aud["districts"].([]any)) != 0 {
		t.Errorf("whole-area audience = %v", aud)
	}
	// Districts alone: the provinces are theirs.
	r = e.must(http.StatusCreated, e.aEditor, "POST", "/announcements", body(map[string]any{"districts": []string{"TH-44/เมืองมหาสารคาม"}}))
	if aud := r.Body["audience"].(map[string]any); fmt.Sprint(aud["provinces"]) != "[TH-44]" {
		t.Errorf("districts-only audience = %v", aud)
	}
	stored, err := e.store.Announcement(context.Background(), e.A.ID, r.str("id"))
	if err != nil || !slices.Equal(stored.Audience.Provinces, []string{"TH-44"}) {
		t.Errorf("stored audience = %+v, %v", stored.Audience, err)
	}
}

// TestRoles: only approvers approve; approval-required cities hold
// announcements until one does.
func TestRoles(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.bEditor, udonFestival())
	ann := e.announcement(e.bEditor, fest, map[string]any{"age_min": 15, "age_max": 24})

	// B requires approval: scheduling waits for an approver.
	r := e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+ann+"/schedule", map[string]any{"at": "2026-11-13T10:00:00+07:00"})
	if r.str("status") != content.AnnPending || r.str("scheduled_at") != "2026-11-13T10:00:00+07:00" {
		t.Fatalf("scheduled = %s", r.Raw)
	}
	// An editor cannot approve.
	if r := e.do(e.bEditor, "POST", "/announcements/"+ann+"/approve", nil); r.Status != http.StatusForbidden || r.code() != "forbidden" {
		t.Errorf("editor approve: %d %s", r.Status, r.Raw)
	}
	if r := e.do(e.bEditor, "POST", "/announcements/"+uuid.NewString()+"/approve", nil); r.Status != http.StatusForbidden {
		t.Errorf("editor approve of nothing: %d %s", r.Status, r.Raw)
	}
	// Rescheduling while pending keeps it pending.
	r = e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+ann+"/schedule", map[string]any{"at": "2026-11-14T10:00:00+07:00"})
	if r.str("status") != content.AnnPending || r.str("scheduled_at") != "2026-11-14T10:00:00+07:00" {
		t.Fatalf("rescheduled = %s", r.Raw)
	}
	// An approver approves: scheduled at the time asked for.
	e.clock.Set(t0.Add(24 * time.Hour))
	r = e.must(http.StatusOK, e.bApprover, "POST", "/announcements/"+ann+"/approve", nil)
	if r.str("status") != content.AnnScheduled || r.str("scheduled_at") != "2026-11-14T10:00:00+07:00" || r.str("approved_by") != e.bApproverID {
		t.Errorf("approved = %s", r.Raw)
	}
	// Approving twice is a conflict; rescheduling an approved one keeps it scheduled.
	if r := e.do(e.bApprover, "POST", "/announcements/"+ann+"/approve", nil); r.Status != http.StatusConflict {
		t.Errorf("second approve: %d", r.Status)
	}
	r = e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+ann+"/schedule", map[string]any{"at": "2026-11-15T10:00:00+07:00"})
	if r.str("status") != content.AnnScheduled || r.str("approved_by") != e.bApproverID {
		t.Errorf("rescheduled after approval = %s", r.Raw)
	}

	// A draft cannot be approved.
	draft := e.announcement(e.bEditor, fest, nil)
	if r := e.do(e.bApprover, "POST", "/announcements/"+draft+"/approve", nil); r.Status != http.StatusConflict {
		t.Errorf("approve a draft: %d", r.Status)
	}

	// An approver may approve their own announcement; the log says so.
	own := e.announcement(e.bApprover, fest, nil)
	e.must(http.StatusOK, e.bApprover, "POST", "/announcements/"+own+"/schedule", map[string]any{"at": "now"})
	e.clock.Set(t0.Add(48 * time.Hour))
	r = e.must(http.StatusOK, e.bApprover, "POST", "/announcements/"+own+"/approve", nil)
	// Its asked-for time ("now" a day ago) has passed: now.
	if r.str("status") != content.AnnScheduled || r.str("approved_by") != e.bApproverID || r.str("scheduled_at") != "2026-10-03T10:00:00+07:00" {
		t.Errorf("own approved = %s", r.Raw)
	}

	// A pending announcement whose festival has ended by approval time is a conflict.
	late := e.announcement(e.bEditor, fest, nil)
	e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+late+"/schedule", map[string]any{"at": "now"})
	e.clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, thaitime.Zone))
	if r := e.do(e.bApprover, "POST", "/announcements/"+late+"/approve", nil); r.Status != http.StatusConflict {
		t.Errorf("approve after the festival: %d %s", r.Status, r.Raw)
	}
	e.clock.Set(t0.Add(48 * time.Hour))

	// Approvers can do what editors do.
	e.festival(e.bApprover, udonFestival())
	e.must(http.StatusOK, e.bApprover, "POST", "/announcements/"+draft+"/cancel", nil)

	// A city without approval schedules directly, also with an editor token.
	aFest := e.festival(e.aEditor, festivalBody())
	aAnn := e.announcement(e.aEditor, aFest, nil)
	r = e.must(http.StatusOK, e.aEditor, "POST", "/announcements/"+aAnn+"/schedule", map[string]any{"at": "2026-11-13T10:00"})
	if r.str("status") != content.AnnScheduled || r.str("scheduled_at") != "2026-11-13T10:00:00+07:00" || r.str("approved_by") != "" {
		t.Errorf("A scheduled = %s", r.Raw)
	}
}

// TestStateMachine: schedule and cancel by status.
func TestStateMachine(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.aEditor, festivalBody())
	schedule := func(id string, at any) response {
		return e.do(e.aEditor, "POST", "/announcements/"+id+"/schedule", map[string]any{"at": at})
	}

	ann := e.announcement(e.aEditor, fest, nil)
	// A time in the past means now.
	if r := schedule(ann, "2020-01-01T00:00:00+07:00"); r.Status != 200 || r.str("scheduled_at") != "2026-10-01T10:00:00+07:00" {
		t.Errorf("past time: %d %s", r.Status, r.Raw)
	}
	if r := schedule(ann, "now"); r.Status != 200 || r.str("scheduled_at") != "2026-10-01T10:00:00+07:00" {
		t.Errorf("now: %d %s", r.Status, r.Raw)
	}
	// Bad times.
	for _, at := range []any{nil, "", "tomorrow", 12} {
		if r := schedule(ann, at); r.Status != 400 || r.fields()["at"] == nil {
			t.Errorf("at %v: %d %s", at, r.Status, r.Raw)
		}
	}
	if r := schedule(ann, "2026-11-23T10:00:00+07:00"); r.Status != 400 || !strings.Contains(fmt.Sprint(r.fields()["at"]), "before the festival ends") {
		t.Errorf("after the festival: %d %s", r.Status, r.Raw)
	}
	if r := e.do(e.aEditor, "POST", "/announcements/"+ann+"/schedule", `{"at":"now","when":"x"}`); r.Status != 400 || r.fields()["when"] == nil {
		t.Errorf("unknown field: %d %s", r.Status, r.Raw)
	}
	if r := e.do(e.aEditor, "POST", "/announcements/"+ann+"/schedule", nil); r.Status != 400 {
		t.Errorf("no body: %d %s", r.Status, r.Raw)
	}

	// Cancel: draft, pending and scheduled can be; sending, sent and cancelled cannot.
	for _, from := range []string{content.AnnDraft, content.AnnPending, content.AnnScheduled} {
		id := e.announcement(e.aEditor, fest, nil)
		e.setStatus(e.A.ID, id, from)
		r := e.must(http.StatusOK, e.aEditor, "POST", "/announcements/"+id+"/cancel", nil)
		if r.str("status") != content.AnnCancelled {
			t.Errorf("cancel from %s = %s", from, r.Raw)
		}
		// Cancelled cannot be scheduled, approved or cancelled again.
		if r := schedule(id, "now"); r.Status != http.StatusConflict || r.code() != "conflict" {
			t.Errorf("schedule after cancel: %d", r.Status)
		}
		if r := e.do(e.aApprover, "POST", "/announcements/"+id+"/approve", nil); r.Status != http.StatusConflict {
			t.Errorf("approve after cancel: %d", r.Status)
		}
		if r := e.do(e.aEditor, "POST", "/announcements/"+id+"/cancel", nil); r.Status != http.StatusConflict {
			t.Errorf("cancel twice: %d", r.Status)
		}
	}
	for _, st := range []string{content.AnnSending, content.AnnSent} {
		id := e.announcement(e.aEditor, fest, nil)
		e.setStatus(e.A.ID, id, st)
		if r := e.do(e.aEditor, "POST", "/announcements/"+id+"/cancel", nil); r.Status != http.StatusConflict || r.code() != "conflict" {
			t.Errorf("cancel when %s: %d %s", st, r.Status, r.Raw)
		}
		if r := schedule(id, "now"); r.Status != http.StatusConflict {
			t.Errorf("schedule when %s: %d", st, r.Status)
		}
		if r := e.must(http.StatusOK, e.aEditor, "GET", "/announcements/"+id, nil); r.str("status") != st {
			t.Errorf("status changed to %s", r.str("status"))
		}
	}
}

// TestCancelFestival cancels the festival's unsent announcements, no others.
func TestCancelFestival(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.aEditor, festivalBody())
	other := e.festival(e.aEditor, festivalBody())
	draft := e.announcement(e.aEditor, fest, nil)
	scheduled := e.announcement(e.aEditor, fest, nil)
	e.must(http.StatusOK, e.aEditor, "POST", "/announcements/"+scheduled+"/schedule", map[string]any{"at": "now"})
	sent := e.announcement(e.aEditor, fest, nil)
	e.setStatus(e.A.ID, sent, content.AnnSent)
	otherAnn := e.announcement(e.aEditor, other, nil)

	r := e.must(http.StatusOK, e.aEditor, "POST", "/festivals/"+fest+"/cancel", nil)
	if r.str("status") != "cancelled" {
		t.Errorf("festival = %s", r.Raw)
	}
	got := fmt.Sprint(r.Body["cancelled_announcements"])
	if !strings.Contains(got, draft) || !strings.Contains(got, scheduled) || strings.Contains(got, sent) {
		t.Errorf("cancelled_announcements = %s", got)
	}
	for id, want := range map[string]string{draft: "cancelled", scheduled: "cancelled", sent: "sent", otherAnn: "draft"} {
		if r := e.must(http.StatusOK, e.aEditor, "GET", "/announcements/"+id, nil); r.str("status") != want {
			t.Errorf("announcement %s: %s, want %s", id, r.str("status"), want)
		}
	}
	if r := e.do(e.aEditor, "POST", "/festivals/"+fest+"/cancel", nil); r.Status != http.StatusConflict {
		t.Errorf("cancel twice: %d", r.Status)
	}
	if r := e.must(http.StatusOK, e.aEditor, "GET", "/festivals?status=active", nil); len(r.Body["festivals"].([]any)) != 1 {
		t.Errorf("active festivals: %s", r.Raw)
	}
}

func TestPreviewAndStats(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.aEditor, festivalBody())
	ann := e.announcement(e.aEditor, fest, map[string]any{"interests": []string{"digital"}})
	r := e.must(http.StatusOK, e.aEditor, "POST", "/announcements/"+ann+"/preview", nil)
	if r.str("announcement_id") != ann || r.Body["would_send"] != 8.0 || r.Body["quota_cost"] != 8.0 ||
		r.Body["skipped_blocked"] != 1.0 || r.Body["messages_per_recipient"] != 1.0 {
		t.Errorf("preview = %s", r.Raw)
	}
	msgs := r.Body["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["altText"] != "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น 2569" {
		t.Errorf("messages = %v", msgs)
	}
	e.mu.Lock()
	if len(e.previewCalls) != 1 || e.previewCalls[0].ID != ann || !slices.Equal(e.previewCalls[0].Audience.Interests, []string{"digital"}) {
		t.Errorf("Preview called with %+v", e.previewCalls)
	}
	e.mu.Unlock()
	// Preview changes nothing and writes no audit entry.
	if r := e.must(http.StatusOK, e.aEditor, "GET", "/announcements/"+ann, nil); r.str("status") != "draft" {
		t.Errorf("status after preview = %s", r.str("status"))
	}

	r = e.must(http.StatusOK, e.aEditor, "GET", "/announcements/"+ann+"/stats", nil)
	for _, k := range []string{"targeted", "sent", "failed", "pending", "skipped_blocked", "skipped_opted_out", "skipped_capped", "taps"} {
		if r.Body[k] != 0.0 {
			t.Errorf("stats[%s] = %v", k, r.Body[k])
		}
	}
	if r.str("announcement_id") != ann || r.str("status") != "draft" {
		t.Errorf("stats = %s", r.Raw)
	}

	// After a broadcast: the store's figures, snake_case.
	ctx := context.Background()
	e.setStatus(e.A.ID, ann, content.AnnSent)
	err := e.store.SaveChunks(ctx, []content.Chunk{
		{AnnouncementID: ann, Seq: 0, Recipients: []string{"U1", "U2", "U3"}},
		{AnnouncementID: ann, Seq: 1, Recipients: []string{"U4"}},
		{AnnouncementID: ann, Seq: 2, Recipients: []string{"U5", "U6"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.FinishChunk(ctx, ann, 0, "sent", "", t0); err != nil {
		t.Fatal(err)
	}
	if err := e.store.FinishChunk(ctx, ann, 1, "failed", "500", t0); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetSkipped(ctx, ann, 4, 5, 6); err != nil {
		t.Fatal(err)
	}
	r = e.must(http.StatusOK, e.aEditor, "GET", "/announcements/"+ann+"/stats", nil)
	want := map[string]float64{"targeted": 6, "sent": 3, "failed": 1, "pending": 2,
		"skipped_blocked": 4, "skipped_opted_out": 5, "skipped_capped": 6, "taps": 0}
	for k, v := range want {
		if r.Body[k] != v {
			t.Errorf("stats[%s] = %v, want %v", k, r.Body[k], v)
		}
	}
	if r.str("status") != "sent" {
		t.Errorf("stats status = %q", r.str("status"))
	}
	// B cannot read them.
	e.must(http.StatusNotFound, e.bEditor, "GET", "/announcements/"+ann+"/stats", nil)
}

func TestAudit(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.aEditor, festivalBody())
	e.must(http.StatusOK, e.aEditor, "PATCH", "/festivals/"+fest, map[string]any{"venue": "บึงแก่นนคร"})
	ann := e.announcement(e.aEditor, fest, nil)
	e.must(http.StatusOK, e.aEditor, "POST", "/announcements/"+ann+"/preview", nil)
	e.must(http.StatusOK, e.aEditor, "POST", "/announcements/"+ann+"/schedule", map[string]any{"at": "now"})
	e.must(http.StatusOK, e.aApprover, "POST", "/announcements/"+ann+"/cancel", nil)
	// Refused changes are not logged.
	e.do(e.aEditor, "POST", "/festivals", with(festivalBody(), "title_th", nil))
	e.do(e.aEditor, "POST", "/announcements/"+ann+"/cancel", nil)
	e.must(http.StatusOK, e.aEditor, "POST", "/festivals/"+fest+"/cancel", nil)

	bFest := e.festival(e.bEditor, udonFestival())
	bAnn := e.announcement(e.bEditor, bFest, nil)
	e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+bAnn+"/schedule", map[string]any{"at": "now"})
	e.must(http.StatusOK, e.bApprover, "POST", "/announcements/"+bAnn+"/approve", nil)

	log, err := e.store.AuditLog(context.Background(), e.A.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(log)
	want := []struct{ action, object, token string }{
		{"festival.create", fest, e.aEditorID},
		{"festival.update", fest, e.aEditorID},
		{"announcement.create", ann, e.aEditorID},
		{"announcement.schedule", ann, e.aEditorID},
		{"announcement.cancel", ann, e.aApproverID},
		{"festival.cancel", fest, e.aEditorID},
	}
	if len(log) != len(want) {
		t.Fatalf("A's audit log has %d entries, want %d: %+v", len(log), len(want), log)
	}
	for i, w := range want {
		g := log[i]
		if g.Action != w.action || g.Object != w.object || g.TokenID != w.token || g.CityID != e.A.ID || g.At.IsZero() {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	if !strings.Contains(log[0].Detail, "ขอนแก่น") || !strings.Contains(log[1].Detail, "venue") {
		t.Errorf("details: %q, %q", log[0].Detail, log[1].Detail)
	}

	blog, err := e.store.AuditLog(context.Background(), e.B.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(blog) != 4 || blog[0].Action != "announcement.approve" || blog[0].TokenID != e.bApproverID {
		t.Errorf("B's audit log = %+v", blog)
	}
}

// TestConcurrentChanges: racing cancels and approvals leave one winner.
func TestConcurrentChanges(t *testing.T) {
	e := newEnv(t)
	fest := e.festival(e.bEditor, udonFestival())
	ann := e.announcement(e.bEditor, fest, nil)
	e.must(http.StatusOK, e.bEditor, "POST", "/announcements/"+ann+"/schedule", map[string]any{"at": "now"})
	var wg sync.WaitGroup
	statuses := make([]int, 16)
	for i := range statuses {
		wg.Go(func() {
			path := "/announcements/" + ann + "/cancel"
			if i%2 == 0 {
				path = "/announcements/" + ann + "/approve"
			}
			req, _ := http.NewRequest("POST", "/api/v1"+path, nil)
			req.Header.Set("Authorization", "Bearer "+e.bApprover)
			rec := newRecorder()
			e.server.ServeHTTP(rec, req)
			statuses[i] = rec.Code
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		} else if s != http.StatusConflict {
			t.Errorf("status %d", s)
		}
	}
	// Either a cancel wins (then nothing else), or an approve and then one cancel.
	if ok < 1 || ok > 2 {
		t.Errorf("%d changes succeeded: %v", ok, statuses)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	if r := e.do(e.aEditor, "GET", "/nothing", nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown path: %d", r.Status)
	}
	if r := e.do(e.aEditor, "DELETE", "/festivals", nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("wrong method: %d", r.Status)
	}
}

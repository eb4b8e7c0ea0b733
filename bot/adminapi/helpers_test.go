package adminapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/adminapi"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// t0 is the tests' "now": a month before the festivals.
var t0 = time.Date(2026, 10, 1, 10, 0, 0, 0, thaitime.Zone)

// hash is how tokens are stored: hex SHA-256 of the secret.
func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// env is an API over a store with two cities:
//   - A, "เทศบาลนครขอนแก่น": Khon Kaen (TH-40) and Maha Sarakham (TH-44), no approval;
//   - B, "เทศบาลนครอุดรธานี": Udon Thani (TH-41), approval required.
type env struct {
	t      *testing.T
	store  content.CityStore
	clock  *clock
	server http.Handler

	A, B                   content.City
	aEditor, aApprover     string // secrets
	bEditor, bApprover     string
	aEditorID, aApproverID string // token IDs
	bEditorID, bApproverID string

	previewCalls []content.Announcement
	mu           sync.Mutex
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, store: newStore(), clock: &clock{t: t0}}
	var err error
	e.A, err = e.store.CreateCity(ctx, content.City{
		ID: uuid.NewString(), Name: "เทศบาลนครขอนแก่น", Provinces: []string{"TH-40", "TH-44"}, CreatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.B, err = e.store.CreateCity(ctx, content.City{
		ID: uuid.NewString(), Name: "เทศบาลนครอุดรธานี", Provinces: []string{"TH-41"},
		RequiresApproval: true, CreatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.aEditor, e.aEditorID = e.token(e.A, content.RoleEditor)
	e.aApprover, e.aApproverID = e.token(e.A, content.RoleApprover)
	e.bEditor, e.bEditorID = e.token(e.B, content.RoleEditor)
	e.bApprover, e.bApproverID = e.token(e.B, content.RoleApprover)

	api := adminapi.New(adminapi.Config{
		Store: e.store,
		Preview: func(_ context.Context, a content.Announcement) (any, error) {
			e.mu.Lock()
			e.previewCalls = append(e.previewCalls, a)
			e.mu.Unlock()
			return adminapi.Preview{Targeted: 10, WouldSend: 8, SkippedBlocked: 1, SkippedOptedOut: 1,
				Messages: 1, Multicasts: 1, QuotaCost: 8}, nil
		},
		Messages: func(_ context.Context, a content.Announcement, f content.Festival) ([]json.RawMessage, error) {
			msg, _ := json.Marshal(map[string]any{"type": "flex", "altText": f.TitleTH, "contents": map[string]any{"type": "bubble"}})
			return []json.RawMessage{msg}, nil
		},
		Now: e.clock.Now,
	})
	r := chi.NewRouter()
	r.Mount("/api/v1", api)
	e.server = r
	return e
}

// token makes a token for a city and returns its secret and ID.
func (e *env) token(c content.City, role string) (secret, id string) {
	e.t.Helper()
	secret = "sk_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	id = uuid.NewString()
	err := e.store.CreateToken(context.Background(), content.Token{
		ID: id, CityID: c.ID, Role: role, Label: role + " of " + c.Name, Hash: hash(secret), CreatedAt: t0,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret, id
}

// response is an answer: its status and its body decoded.
type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

// fields is the error's fields.
func (r response) fields() map[string]any {
	errDoc, _ := r.Body["error"].(map[string]any)
	f, _ := errDoc["fields"].(map[string]any)
	return f
}

func (r response) code() string {
	errDoc, _ := r.Body["error"].(map[string]any)
	c, _ := errDoc["code"].(string)
	return c
}

func (r response) str(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// do sends a request as a token's holder ("" sends no Authorization). A
// string body is sent as is; anything else as JSON.
func (e *env) do(secret, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, "/api/v1"+path, rd)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	res := response{Status: rec.Code, Raw: rec.Body.Bytes()}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Fatalf("%s %s: Content-Type %q, body %s", method, path, ct, rec.Body)
	}
	if err := json.Unmarshal(res.Raw, &res.Body); err != nil {
		e.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, res.Raw)
	}
	return res
}

// must sends a request and fails unless the status is want.
func (e *env) must(want int, secret, method, path string, body any) response {
	e.t.Helper()
	r := e.do(secret, method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.Status, want, r.Raw)
	}
	return r
}

// festivalBody is a valid festival in Khon Kaen (city A), as a map so cases
// can change or drop fields.
func festivalBody() map[string]any {
	return map[string]any{
		"title_th":       "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น 2569",
		"title_en":       "Khon Kaen Learning City Festival 2026",
		"description_th": "สามวันของเวิร์กช็อปฟรีสำหรับเยาวชนและครอบครัว",
		"starts_at":      "2026-11-20T09:00:00+07:00",
		"ends_at":        "2026-11-22T18:00:00+07:00",
		"venue":          "ศูนย์ประชุมและแสดงสินค้านานาชาติขอนแก่น (KICE)",
		"address":        "ถนนมะลิวัลย์ อำเภอเมืองขอนแก่น",
		"province":       "TH-40",
		"district":       "เมืองขอนแก่น",
		"lat":            16.47,
		"lng":            102.82,
		"activities":     []string{"เวิร์กช็อปอาหารพื้นถิ่น", "ลองเขียนโค้ดครั้งแรก"},
		"image_url":      "https://learningcity.khonkaen.go.th/festival/2026/cover.jpg",
		"info_url":       "https://learningcity.khonkaen.go.th/festival/2026",
		"tags":           []string{"digital", "crafts"},
	}
}

// udonFestival is a valid festival of city B.
func udonFestival() map[string]any {
	b := festivalBody()
	b["title_th"] = "เทศกาลการเรียนรู้อุดรธานี"
	b["province"] = "TH-41"
	b["district"] = "เมืองอุดรธานี"
	b["lat"], b["lng"] = 17.41, 102.79
	return b
}

// festival creates a festival and returns its ID.
func (e *env) festival(secret string, body map[string]any) string {
	e.t.Helper()
	return e.must(http.StatusCreated, secret, "POST", "/festivals", body).str("id")
}

// announcement drafts an announcement of a festival and returns its ID.
func (e *env) announcement(secret, festivalID string, audience map[string]any) string {
	e.t.Helper()
	body := map[string]any{"festival_id": festivalID}
	if audience != nil {
		body["audience"] = audience
	}
	return e.must(http.StatusCreated, secret, "POST", "/announcements", body).str("id")
}

// setStatus changes an announcement's status behind the API's back (as the
// delivery engine does).
func (e *env) setStatus(cityID, id, status string) {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.store.Announcement(ctx, cityID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	a.Status = status
	if status != content.AnnDraft && a.ScheduledAt.IsZero() {
		a.ScheduledAt = e.clock.Now()
	}
	if err := e.store.SaveAnnouncement(ctx, a); err != nil {
		e.t.Fatal(err)
	}
}

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/citytoken"
)

// api calls the admin API as a city's publisher.
func api(t *testing.T, h *apptest.Harness, secret, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, h.Server.URL+"/api/v1"+path, &buf)
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// khonKaen makes the city of Khon Kaen with an editor token and returns the
// token's secret.
func khonKaen(t *testing.T, h *apptest.Harness) string {
	t.Helper()
	ctx := context.Background()
	city, err := h.Store.CreateCity(ctx, content.City{ID: uuid.NewString(), Name: "เทศบาลนครขอนแก่น", Provinces: []string{"TH-40"}})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := citytoken.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Store.CreateToken(ctx, content.Token{ID: uuid.NewString(), CityID: city.ID, Role: content.RoleApprover, Label: "test", Hash: citytoken.HashSecret(secret), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// A city announces its festival; young people in the area get it once, can
// ask for a reminder or opt out, and the city sees the figures.
func TestACityAnnouncesAFestivalToItsResidents(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		secret := khonKaen(t, h)
		resident, other := h.Chat(), h.Chat()
		for _, c := range []struct {
			chat     *apptest.Chat
			province string
		}{{resident, "ขอนแก่น"}, {other, "เชียงใหม่"}} {
			c.chat.Follow()
			c.chat.Tap("ฉันกำลังหาทางไปต่อ")
			c.chat.Tap("ยอมรับ")
			c.chat.Tap("24")
			youthProfile(t, c.chat, c.province)
		}
		start := nextDaytime().AddDate(0, 0, 14)
		status, fest := api(t, h, secret, "POST", "/festivals", map[string]any{
			"title_th": "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น", "description_th": "ลองเรียนฟรีกว่า 50 กิจกรรม",
			"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
			"venue": "ศูนย์ประชุมกาญจนาภิเษก", "province": "TH-40", "district": "เมืองขอนแก่น",
			"lat": 16.44, "lng": 102.83, "info_url": "https://example.org/kkfest", "image_url": "https://example.org/kkfest.jpg",
		})
		if status != 201 {
			t.Fatalf("create festival: %d %v", status, fest)
		}
		status, ann := api(t, h, secret, "POST", "/announcements", map[string]any{"festival_id": fest["id"], "audience": map[string]any{"roles": []string{"youth"}}})
		if status != 201 {
			t.Fatalf("create announcement: %d %v", status, ann)
		}
		id := ann["id"].(string)
		status, preview := api(t, h, secret, "POST", "/announcements/"+id+"/preview", nil)
		if status != 200 || !strings.Contains(mustJSON(preview), "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น") {
			t.Fatalf("preview: %d %v", status, preview)
		}
		h.Clock.Set(nextDaytime())
		if status, _ := api(t, h, secret, "POST", "/announcements/"+id+"/schedule", map[string]any{"at": "now"}); status != 200 {
			t.Fatalf("schedule: %d", status)
		}
		if err := h.App.Delivery.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got := resident.Collect()
		if len(got) != 1 || got[0].Via != "multicast" || !strings.Contains(string(got[0].Message), "เทศกาลเมืองแห่งการเรียนรู้ขอนแก่น") {
			t.Fatalf("resident received %d: %s", len(got), apptest.Text(got))
		}
		if got := other.Collect(); len(got) != 0 {
			t.Fatalf("someone outside the city's area received it: %q", apptest.Text(got))
		}
		cards := apptest.Cards(got[0])
		if len(cards) != 1 || !strings.Contains(strings.Join(cards[0].Texts, " "), "2569") {
			t.Fatalf("bubble: %+v", cards)
		}
		var remind apptest.QuickReply
		for _, b := range cards[0].Buttons {
			if b.Label == "เตือนฉัน" {
				remind = b
			}
		}
		if r := resident.TapButton(remind); !strings.Contains(apptest.Text(r), "จะเตือนก่อนวันงาน") {
			t.Fatalf("remind me: %q", apptest.Text(r))
		}
		// The reminder arrives the day before, at 10:00.
		h.Clock.Set(start.AddDate(0, 0, -1).Truncate(24 * time.Hour).Add(3*time.Hour + time.Minute)) // 10:01 in Thailand
		h.App.Worker.SendDue(ctx)
		if r := resident.Collect(); !strings.Contains(apptest.Text(r), "พรุ่งนี้มีงาน") {
			t.Fatalf("festival reminder: %q", apptest.Text(r))
		}
		status, stats := api(t, h, secret, "GET", "/announcements/"+id+"/stats", nil)
		if status != 200 || stats["sent"].(float64) != 1 || stats["taps"].(float64) != 1 {
			t.Fatalf("stats: %d %v", status, stats)
		}
		// "เทศกาลใกล้ฉัน" lists it for the resident.
		resident.Type("เมนู")
		if list := apptest.Text(resident.Type("เทศกาลใกล้ฉัน")); !strings.Contains(list, "เตือนฉัน") {
			t.Fatalf("festivals near me: %q", list)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

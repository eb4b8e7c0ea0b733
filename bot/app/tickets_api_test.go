package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/content"
)

// The tickets API under /api/v1/tickets: what a counsellor's own tools do
// with their sign-in secret, seen from outside, through the real service.

// ticketAPI calls the tickets API with a bearer secret ("" = none) and
// returns the status and the raw body.
func ticketAPI(t *testing.T, h *apptest.Harness, secret, method, path string, body any) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, h.Server.URL+"/api/v1/tickets"+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := h.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func is2xx(status int) bool { return status >= 200 && status < 300 }

func TestTheTicketsAPIActsAsTheCounsellorWithinTheirOrganisation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		me, secret := h.Counsellor(content.OrgNational, content.Counsellor{Name: "ครูเอพีไอ ทดสอบ", National: true})
		_, otherSecret := h.Counsellor(content.OrgNGO, content.Counsellor{Name: "คนนอก องค์กรบี", Provinces: []string{"TH-50"}})
		c := adultAtMenu(t, h)
		askForPerson(t, c)
		const typed = "อยากรู้ว่ามีทุนเรียนช่างไหมคะ"
		c.Type(typed)
		tk := openTicketOf(t, h, c.User)

		// Who may call.
		for _, tc := range []struct{ name, secret string }{
			{"no Authorization header", ""},
			{"a secret nobody has", "pt_not-a-real-secret-0000000000000000"},
			{"garbage", "x"},
		} {
			if status, body := ticketAPI(t, h, tc.secret, http.MethodGet, "?status=open", nil); status != http.StatusUnauthorized {
				t.Errorf("%s: %d %s, want 401", tc.name, status, body)
			}
		}

		// The list and the ticket.
		status, body := ticketAPI(t, h, secret, http.MethodGet, "?status=open", nil)
		if status != http.StatusOK || !strings.Contains(body, tk.ID) {
			t.Fatalf("GET ?status=open: %d %s, want 200 listing %s", status, body, tk.ID)
		}
		if status, body := ticketAPI(t, h, secret, http.MethodGet, "?status=closed", nil); status != http.StatusOK || strings.Contains(body, tk.ID) {
			t.Errorf("GET ?status=closed: %d, lists the open ticket: %v", status, strings.Contains(body, tk.ID))
		}
		status, body = ticketAPI(t, h, secret, http.MethodGet, "/"+tk.ID, nil)
		if status != http.StatusOK || !strings.Contains(body, typed) {
			t.Fatalf("GET /%s: %d %s, want 200 with the person's message", tk.ID, status, body)
		}
		if !json.Valid([]byte(body)) {
			t.Errorf("GET /%s is not JSON: %s", tk.ID, body)
		}
		if strings.Contains(body, c.User) {
			t.Errorf("the API shows the person's LINE user ID: %s", body)
		}

		// Another organisation never learns the ticket exists.
		if _, body := ticketAPI(t, h, otherSecret, http.MethodGet, "?status=open", nil); strings.Contains(body, tk.ID) {
			t.Errorf("another organisation's list holds the ticket")
		}
		for _, tc := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/" + tk.ID, nil},
			{http.MethodPost, "/" + tk.ID + "/reply", map[string]string{"text": "จากองค์กรอื่น", "request_id": uuid.NewString()}},
			{http.MethodPost, "/" + tk.ID + "/assign", nil},
			{http.MethodPost, "/" + tk.ID + "/close", nil},
		} {
			if status, body := ticketAPI(t, h, otherSecret, tc.method, tc.path, tc.body); status != http.StatusNotFound || strings.Contains(body, typed) {
				t.Errorf("another organisation %s %s: %d %s, want 404", tc.method, tc.path, status, body)
			}
		}
		if got := pushesOf(h, c.User, "จากองค์กรอื่น"); len(got) != 0 {
			t.Errorf("another organisation's reply reached the person")
		}

		// Reply, once per request ID.
		const reply = "มีค่ะ ครูจะส่งรายละเอียดทุนให้นะคะ"
		req := uuid.NewString()
		for range 2 {
			status, body := ticketAPI(t, h, secret, http.MethodPost, "/"+tk.ID+"/reply", map[string]string{"text": reply, "request_id": req})
			if !is2xx(status) {
				t.Fatalf("POST reply: %d %s", status, body)
			}
		}
		if got := pushesOf(h, c.User, reply); len(got) != 1 {
			t.Errorf("the API reply reached the person %d times, want once", len(got))
		}
		for _, bad := range []map[string]string{
			{"text": "", "request_id": uuid.NewString()},
			{"text": "ไม่มีรหัสคำขอ", "request_id": "not-a-uuid"},
		} {
			if status, body := ticketAPI(t, h, secret, http.MethodPost, "/"+tk.ID+"/reply", bad); status != http.StatusBadRequest {
				t.Errorf("POST reply %v: %d %s, want 400", bad, status, body)
			}
		}

		// Assign, close; a closed ticket takes no more replies.
		if status, body := ticketAPI(t, h, secret, http.MethodPost, "/"+tk.ID+"/assign", nil); !is2xx(status) {
			t.Fatalf("POST assign: %d %s", status, body)
		}
		if got, _ := h.Store.Handoff(ctx, tk.ID); got.AssigneeID != me.ID {
			t.Errorf("after assign the ticket's assignee is %q, want %s", got.AssigneeID, me.ID)
		}
		if status, body := ticketAPI(t, h, secret, http.MethodPost, "/"+tk.ID+"/close", nil); !is2xx(status) {
			t.Fatalf("POST close: %d %s", status, body)
		}
		if got, _ := h.Store.Handoff(ctx, tk.ID); got.Status != "closed" || got.ClosedBy != me.ID {
			t.Errorf("after close: %+v", got)
		}
		if status, _ := ticketAPI(t, h, secret, http.MethodPost, "/"+tk.ID+"/close", nil); status != http.StatusConflict {
			t.Errorf("closing again: %d, want 409", status)
		}
		if status, _ := ticketAPI(t, h, secret, http.MethodPost, "/"+tk.ID+"/reply", map[string]string{"text": "อีกข้อความ", "request_id": uuid.NewString()}); status != http.StatusConflict {
			t.Errorf("replying to a closed ticket: %d, want 409", status)
		}
		if status, body := ticketAPI(t, h, secret, http.MethodGet, "?status=closed", nil); status != http.StatusOK || !strings.Contains(body, tk.ID) {
			t.Errorf("GET ?status=closed after closing: %d, lists it: %v", status, strings.Contains(body, tk.ID))
		}
		if status, _ := ticketAPI(t, h, secret, http.MethodGet, "/"+uuid.NewString(), nil); status != http.StatusNotFound {
			t.Errorf("GET an unknown ticket: %d, want 404", status)
		}
	})
}

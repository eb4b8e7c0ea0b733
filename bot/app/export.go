package app

import (
	"context"
	"net/http"
	"time"

	"github.com/paitor/paitor/content"
)

// export serves GET /me/export?token=...: everything held about the person the
// short-lived token was made for, as a JSON download.
func (a *App) export(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	userID, ok, err := a.state.ExportTokenUser(ctx, r.URL.Query().Get("token"))
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "ลองใหม่อีกครั้งภายหลัง / try again later"})
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "ลิงก์หมดอายุแล้ว ขอลิงก์ใหม่ได้ในแชต / this link has expired; ask for a new one in the chat"})
		return
	}
	doc, err := Export(ctx, a.cfg.Store, userID)
	if content.IsNotFound(err) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "ไม่มีข้อมูลแล้ว / no data"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "ลองใหม่อีกครั้งภายหลัง / try again later"})
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="paitor-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, doc)
}

// Export gathers one person's data as exported (to them, or by an operator
// with `paitor export-user`): everything the store holds about them, with the
// items they saved and tapped through to.
func Export(ctx context.Context, s content.Store, userID string) (map[string]any, error) {
	data, err := s.Export(ctx, userID)
	if err != nil {
		return nil, err
	}
	saved, err := s.SavedItems(ctx, userID)
	if err != nil {
		return nil, err
	}
	clicks, err := s.Clicks(ctx, userID)
	if err != nil {
		return nil, err
	}
	doc := exportDocument(data)
	doc["saved_items"], doc["applied_to"] = saved, clicks
	return doc, nil
}

func exportDocument(d content.UserData) map[string]any {
	return map[string]any{
		"exported_by":      "Pai Tor (ไปต่อ)",
		"user":             d.User,
		"consent":          d.Consent,
		"guardian":         d.Guardian,
		"profile":          d.Profile,
		"plan":             d.Plan,
		"outcomes":         d.Outcomes,
		"scheduled":        d.Scheduled,
		"handoffs":         d.Handoffs,
		"handoff_messages": d.HandoffMessages,
	}
}

package app

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// goLink serves GET /go/{token}: the apply/contact button of a card. It
// records the tap (an outcome the next check-in asks about) and sends the
// person on to the provider, without telling the provider where they came
// from.
func (a *App) goLink(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	l, ok, err := a.state.Link(ctx, chi.URLParam(r, "token"))
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "ลองใหม่อีกครั้งภายหลัง / try again later"})
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "ลิงก์นี้หมดอายุแล้ว เปิดรายการใหม่ในแชตได้เลย / this link has expired"})
		return
	}
	if err := a.cfg.Store.RecordClick(ctx, l.UserID, l.ItemID, a.now()); err != nil {
		a.cfg.Log.Warn("go link: cannot record the tap", "err", err) // the person still goes on
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, l.URL, http.StatusFound)
}

func (a *App) now() time.Time {
	if a.cfg.Now != nil {
		return a.cfg.Now()
	}
	return time.Now()
}

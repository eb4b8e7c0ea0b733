package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
)

// Cookies the console sets, all with Path = the base path.
const (
	sessionCookie = "paitor_console"     // the session ID
	preCookie     = "paitor_console_pre" // the sign-in form's CSRF token, before there is a session
	langCookie    = "lang"               // "th" or "en"
	csrfField     = "csrf"               // the form field of the session's CSRF token
	csrfHeader    = "X-CSRF-Token"       // or this header
	maxForm       = 64 << 10             // the largest form read
)

// auth is who is signed in: the session and its counsellor.
type auth struct {
	sess session
	who  content.Counsellor
}

type authKey struct{}

func authOf(ctx context.Context) (auth, bool) {
	a, ok := ctx.Value(authKey{}).(auth)
	return a, ok
}

// langFrom is the language of the lang cookie, Thai by default.
func langFrom(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		return langOf(ck.Value)
	}
	return langTH
}

// currentAuth resolves the session cookie to a live session of an active
// counsellor. A disabled (or deleted) counsellor's sessions all end here.
func (c *Console) currentAuth(ctx context.Context, r *http.Request) (auth, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return auth{}, errNoSession
	}
	ss, err := c.sessions.get(ctx, ck.Value)
	if err != nil {
		return auth{}, err
	}
	who, err := c.cfg.Counsellors.Counsellor(ctx, ss.CounsellorID)
	if content.IsNotFound(err) || (err == nil && !who.Active()) {
		if err := c.sessions.revokeAll(ctx, ss.CounsellorID); err != nil {
			c.log.ErrorContext(ctx, "console: sessions of a disabled counsellor not revoked", "err", err)
		}
		return auth{}, content.Errorf(content.EFORBIDDEN, "the counsellor is disabled")
	}
	if err != nil {
		return auth{}, err
	}
	return auth{sess: ss, who: who}, nil
}

// requireSession lets through requests of a signed-in, active counsellor.
// Others are sent to the sign-in page, or for what scripts fetch (api),
// answered 401 so the script reloads the page.
func (c *Console) requireSession(api bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, err := c.currentAuth(r.Context(), r)
			code := content.ErrorCode(err)
			if code == content.EINTERNAL {
				c.serverError(w, r, err)
				return
			}
			if err != nil {
				c.clearCookie(w, sessionCookie)
				if api {
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				q := url.Values{}
				if r.Method == http.MethodGet {
					q.Set("next", hereOf(r, c.base))
				}
				if code == content.EFORBIDDEN {
					q.Set("why", "disabled")
				}
				target := c.base + "/signin"
				if len(q) > 0 {
					target += "?" + q.Encode()
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authKey{}, a)))
		})
	}
}

// checkCSRF refuses (403) a state-changing request that does not carry the
// session's CSRF token, before anything is changed.
func (c *Console) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		a, _ := authOf(r.Context())
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		tok := r.Header.Get(csrfHeader)
		if tok == "" {
			tok = r.PostFormValue(csrfField)
		}
		if !sameSecret(tok, a.sess.CSRF) {
			c.showError(w, r, http.StatusForbidden, "error.csrf")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func sameSecret(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, expires time.Time, httpOnly bool) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: c.base, Expires: expires,
		MaxAge:   max(1, int(expires.Sub(c.now()).Seconds())),
		HttpOnly: httpOnly, Secure: c.cfg.Secure, SameSite: http.SameSiteLaxMode,
	})
}

func (c *Console) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: c.base, MaxAge: -1,
		HttpOnly: true, Secure: c.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

// safeNext is where to go after signing in or switching language: a path
// under the console, or the inbox.
func (c *Console) safeNext(next string) string {
	lower := strings.ToLower(next)
	ok := (next == c.base || strings.HasPrefix(next, c.base+"/")) &&
		!strings.Contains(next, "//") && !strings.ContainsAny(next, "\\\r\n") &&
		!strings.Contains(lower, "..") && !strings.Contains(lower, "%2e")
	if !ok {
		return c.base + "/"
	}
	return next
}

// signinView is what the sign-in page shows.
type signinView struct {
	Link  string // the one-time link's token, when signing in with a link
	Pre   string // the form's CSRF token (the pre-session cookie's value)
	Next  string
	Error string // a message in the page's language
}

// signinForm shows the sign-in page: with ?t= a button that uses the
// one-time link (a GET never uses it up: link previews and scanners fetch
// links too), otherwise a form to paste a sign-in secret.
func (c *Console) signinForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("t") == "" && q.Get("why") == "" {
		if _, err := c.currentAuth(r.Context(), r); err == nil {
			http.Redirect(w, r, c.safeNext(q.Get("next")), http.StatusSeeOther)
			return
		}
	}
	p := c.newPage(r, "signin.title", "")
	v := signinView{Link: q.Get("t"), Next: q.Get("next")}
	if q.Get("why") == "disabled" {
		v.Error = c.words.say(p.Lang, "signin.disabled")
	}
	c.renderSignin(w, r, http.StatusOK, p, v)
}

func (c *Console) renderSignin(w http.ResponseWriter, r *http.Request, status int, p *page, v signinView) {
	pre := ""
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) >= 32 {
		pre = ck.Value
	} else {
		var err error
		if pre, err = randomToken(32); err != nil {
			c.serverError(w, r, err)
			return
		}
		c.setCookie(w, preCookie, pre, c.now().Add(LinkTTL), true)
	}
	v.Pre = pre
	w.Header().Set("Cache-Control", "no-store")
	p.Data = v
	c.render(w, r, status, "signin", "layout", p)
}

// signin exchanges a one-time link (field t) or a pasted secret (field
// token) for a session.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	ctx := r.Context()
	ck, err := r.Cookie(preCookie)
	if err != nil || !sameSecret(r.PostFormValue("pre"), ck.Value) {
		c.showError(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	p := c.newPage(r, "signin.title", "")
	v := signinView{Next: r.PostFormValue("next")}
	var who content.Counsellor
	if link := r.PostFormValue("t"); link != "" {
		id, err := c.sessions.useLink(ctx, link)
		if err == nil {
			who, err = c.cfg.Counsellors.Counsellor(ctx, id)
		}
		switch {
		case errors.Is(err, errNoSession) || content.IsNotFound(err):
			v.Error = c.words.say(p.Lang, "signin.link_used")
			c.renderSignin(w, r, http.StatusUnauthorized, p, v)
			return
		case err != nil:
			c.serverError(w, r, err)
			return
		}
	} else {
		secret := strings.TrimSpace(r.PostFormValue("token"))
		if secret == "" {
			v.Error = c.words.say(p.Lang, "signin.token_required")
			c.renderSignin(w, r, http.StatusUnprocessableEntity, p, v)
			return
		}
		sum := sha256.Sum256([]byte(secret))
		who, err = c.cfg.Counsellors.CounsellorByTokenHash(ctx, hex.EncodeToString(sum[:]))
		switch {
		case content.IsNotFound(err):
			v.Error = c.words.say(p.Lang, "signin.token_wrong")
			c.renderSignin(w, r, http.StatusUnauthorized, p, v)
			return
		case err != nil:
			c.serverError(w, r, err)
			return
		}
	}
	if !who.Active() {
		v.Error = c.words.say(p.Lang, "signin.disabled")
		c.renderSignin(w, r, http.StatusForbidden, p, v)
		return
	}
	// A sign-in always starts a new session (never reuses one it was given).
	if old, err := r.Cookie(sessionCookie); err == nil {
		if ss, err := c.sessions.get(ctx, old.Value); err == nil {
			_ = c.sessions.end(ctx, ss)
		}
	}
	ss, err := c.sessions.create(ctx, who.ID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.setCookie(w, sessionCookie, ss.ID, ss.Expires, true)
	c.clearCookie(w, preCookie)
	c.log.InfoContext(ctx, "console: signed in", "counsellor", who.ID)
	http.Redirect(w, r, c.safeNext(v.Next), http.StatusSeeOther)
}

// signout ends the session.
func (c *Console) signout(w http.ResponseWriter, r *http.Request) {
	a, _ := authOf(r.Context())
	if err := c.sessions.end(r.Context(), a.sess); err != nil {
		c.serverError(w, r, err)
		return
	}
	c.clearCookie(w, sessionCookie)
	http.Redirect(w, r, c.base+"/signin", http.StatusSeeOther)
}

// setLang switches the language cookie and goes back. It needs no CSRF
// token: it changes nothing on the server, only the browser's own
// preference, and works signed out too.
func (c *Console) setLang(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	c.setCookie(w, langCookie, langOf(r.PostFormValue("lang")), c.now().AddDate(1, 0, 0), false)
	http.Redirect(w, r, c.safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

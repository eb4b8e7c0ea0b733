package console

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// routes lays out the console. Paths are relative to the mount point.
//
//	GET  /signin                  sign-in page (?t= one-time link: a button that uses it)
//	POST /signin                  exchange a one-time link or a pasted secret for a session
//	POST /lang                    switch the language cookie
//	GET  /static/{name}           embedded CSS and JavaScript
//	GET  /                        inbox (?status=open|closed)
//	GET  /inbox.html              the inbox list alone, for the page's script
//	GET  /events                  server-sent events: "inbox" when the inbox may have changed
//	GET  /tickets/{id}            one ticket
//	GET  /tickets/{id}/conversation.html  its conversation alone, for the page's script
//	POST /tickets/{id}/reply      send a reply (text, request_id)
//	POST /tickets/{id}/assign     take the ticket
//	POST /tickets/{id}/close      close it
//	GET  /hours, POST /hours      my office hours
//	POST /line                    a one-time code to link my LINE account (shown on the hours page)
//	POST /signout                 end the session
func (c *Console) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(c.secureHeaders)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		c.showError(w, r, http.StatusNotFound, "error.not_found")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		c.showError(w, r, http.StatusMethodNotAllowed, "error.method")
	})
	r.Get("/static/{name}", c.serveStatic)
	r.Get("/signin", c.signinForm)
	r.Post("/signin", c.signin)
	r.Post("/lang", c.setLang)
	r.Group(func(r chi.Router) {
		r.Use(c.requireSession(true))
		r.Get("/events", c.events)
		r.Get("/inbox.html", c.inboxFragment)
		r.Get("/tickets/{id}/conversation.html", c.conversationFragment)
	})
	r.Group(func(r chi.Router) {
		r.Use(c.requireSession(false), c.checkCSRF)
		r.Get("/", c.inbox)
		r.Get("/tickets/{id}", c.ticket)
		r.Post("/tickets/{id}/reply", c.reply)
		r.Post("/tickets/{id}/assign", c.assign)
		r.Post("/tickets/{id}/close", c.closeTicket)
		r.Get("/hours", c.hours)
		r.Post("/hours", c.saveHours)
		r.Post("/line", c.lineCode)
		r.Post("/signout", c.signout)
	})
	return r
}

// contentSecurityPolicy allows only the console's own script and styles: no
// inline script, nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets what every answer carries. Pages hold personal data:
// nothing is cached, and no Referer carries a one-time link elsewhere.
func (c *Console) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

package apptest

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ConsoleSession is a counsellor's browser without JavaScript on the
// harness's console: it keeps cookies (the session) and does not follow
// redirects, so tests see them.
type ConsoleSession struct {
	h      *Harness
	Client *http.Client
	// CSRF is the session's token, as the inbox renders it in its forms.
	CSRF string
}

// ConsoleAnswer is a console response, read.
type ConsoleAnswer struct {
	Status   int
	Body     string
	Location string
}

// hiddenField finds a form's hidden fields in a rendered page.
var hiddenField = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)

// FormFields returns the hidden fields of a page (the last of each name: the
// header's forms come first, the page's own after).
func FormFields(body string) map[string]string {
	out := map[string]string{}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// SignIn signs a counsellor in to the console as a person does with a
// one-time link: it opens the link's page, submits the page's form (with
// the form's own CSRF field) and reads the session's CSRF token off the
// inbox. The test fails when any step does.
func (h *Harness) SignIn(counsellorID string) *ConsoleSession {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &ConsoleSession{h: h, Client: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	link, err := h.App.Console.SignInLink(context.Background(), counsellorID, h.Server.URL)
	if err != nil {
		h.t.Fatalf("sign-in link: %v", err)
	}
	u, err := url.Parse(link)
	if err != nil {
		h.t.Fatal(err)
	}
	page := s.Get(u.RequestURI())
	f := FormFields(page.Body)
	if page.Status != http.StatusOK || f["t"] == "" || f["pre"] == "" {
		h.t.Fatalf("sign-in page: %d %s", page.Status, page.Body)
	}
	res := s.Post("/console/signin", url.Values{"pre": {f["pre"]}, "t": {f["t"]}, "next": {f["next"]}})
	if res.Status != http.StatusSeeOther {
		h.t.Fatalf("sign-in: %d %s", res.Status, res.Body)
	}
	inbox := s.Get("/console/")
	s.CSRF = FormFields(inbox.Body)["csrf"]
	if inbox.Status != http.StatusOK || s.CSRF == "" {
		h.t.Fatalf("inbox after sign-in without a CSRF token: %d %s", inbox.Status, inbox.Body)
	}
	return s
}

// Cookie is the request header that carries the session (to use the
// session outside Client, e.g. on App.Handler directly).
func (s *ConsoleSession) Cookie() string {
	u, _ := url.Parse(s.h.Server.URL + "/console/")
	var parts []string
	for _, c := range s.Client.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// Get fetches a console path ("/console/...").
func (s *ConsoleSession) Get(path string) ConsoleAnswer {
	s.h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.h.Server.URL+path, nil)
	return s.do(req)
}

// Post submits a form to a console path, as it is given (the test adds
// the csrf field, or leaves it out).
func (s *ConsoleSession) Post(path string, form url.Values) ConsoleAnswer {
	s.h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.h.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

func (s *ConsoleSession) do(req *http.Request) ConsoleAnswer {
	s.h.t.Helper()
	res, err := s.Client.Do(req)
	if err != nil {
		s.h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return ConsoleAnswer{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location")}
}

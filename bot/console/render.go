package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/paitor/paitor/content"
)

// pageNames are the templates in templates/, each rendered inside layout.html.
var pageNames = []string{"signin", "inbox", "ticket", "hours", "error"}

// page is what every template gets.
type page struct {
	Lang   string // "th" or "en"
	Other  string // the language the toggle switches to
	Base   string // the mount point, "/console"
	Title  string
	Nav    string // the nav item of this page ("inbox", "hours")
	Me     *meView
	CSRF   string // the session's token, for every form that POSTs
	Here   string // this page's path and query, for the language toggle to come back to
	Notice string // a one-line message above the content (already in the page's language)
	Data   any
}

// meView is the signed-in counsellor as the header shows them.
type meView struct {
	Name string
}

// asset is one embedded static file.
type asset struct {
	body    []byte
	version string // the first hex digits of its SHA-256
	ctype   string
}

func loadAssets() (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out[path.Base(p)] = asset{body: b, version: hex.EncodeToString(sum[:5]), ctype: ctype}
		return nil
	})
	return out, err
}

// parsePages parses every page once per language, with that language's t.
func (c *Console) parsePages() (map[string]map[string]*template.Template, error) {
	out := map[string]map[string]*template.Template{}
	for _, lang := range languages {
		out[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(c.funcs(lang)).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("console: template %s: %w", name, err)
			}
			out[lang][name] = t
		}
	}
	return out, nil
}

func (c *Console) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		// t is a word of words.yaml in the page's language.
		"t": func(key string) (string, error) { return c.words.get(lang, key) },
		// tf is a word with arguments (fmt verbs in words.yaml).
		"tf": func(key string, args ...any) (string, error) {
			s, err := c.words.get(lang, key)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf(s, args...), nil
		},
		// asset is the versioned URL of a static file.
		"asset": func(name string) (string, error) {
			a, ok := c.assets[name]
			if !ok {
				return "", fmt.Errorf("console: no static file %q", name)
			}
			return c.base + "/static/" + name + "?v=" + a.version, nil
		},
		"inc": func(i int) int { return i + 1 },
	}
}

// newPage starts a page for this request (language, session and counsellor
// from the context).
func (c *Console) newPage(r *http.Request, title, nav string) *page {
	lang := langFrom(r)
	p := &page{Lang: lang, Other: langEN, Base: c.base, Nav: nav, Here: hereOf(r, c.base)}
	if lang == langEN {
		p.Other = langTH
	}
	p.Title = c.words.say(lang, title)
	if a, ok := authOf(r.Context()); ok {
		p.Me = &meView{Name: a.who.Name}
		p.CSRF = a.sess.CSRF
	}
	return p
}

// hereOf is the request's path and query, when it is under the console.
func hereOf(r *http.Request, base string) string {
	u := r.URL.EscapedPath()
	if u != base && !strings.HasPrefix(u, base+"/") {
		u = base + u // mounted with http.StripPrefix
	}
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return u
}

// lineUserID is the shape of a LINE user ID; none may reach a page.
var lineUserID = regexp.MustCompile(`\bU[0-9a-f]{32}\b`)

// render writes a page (template "layout") or a fragment (another template
// name) with status. The output is checked for LINE user IDs: any found is
// masked and logged (without it) as a bug.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, tmpl string, p *page) {
	t := c.pages[p.Lang][name]
	var buf bytes.Buffer
	if t == nil {
		c.serverError(w, r, fmt.Errorf("console: no page %q", name))
		return
	}
	if err := t.ExecuteTemplate(&buf, tmpl, p); err != nil {
		c.serverError(w, r, fmt.Errorf("console: render %s/%s: %w", name, tmpl, err))
		return
	}
	out := buf.Bytes()
	if lineUserID.Match(out) {
		c.log.ErrorContext(r.Context(), "console: a LINE user ID reached a page; masked", "page", name, "path", r.URL.Path)
		out = lineUserID.ReplaceAll(out, []byte("U…"))
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// serverError answers 500 with a plain page (a template may be what failed)
// and logs the error.
func (c *Console) serverError(w http.ResponseWriter, r *http.Request, err error) {
	c.log.ErrorContext(r.Context(), "console: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	lang := langFrom(r)
	msg := c.words.say(lang, "error.internal")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "<!doctype html><html lang=%q><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>500</title><p>%s</p></html>",
		lang, template.HTMLEscapeString(msg))
}

// statusOf maps a domain error code to its HTTP status. It is the only place
// that does.
func statusOf(code string) int {
	switch code {
	case content.ENOTFOUND:
		return http.StatusNotFound
	case content.EINVALID:
		return http.StatusUnprocessableEntity
	case content.ECONFLICT:
		return http.StatusConflict
	case content.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case content.EFORBIDDEN:
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Heading string
	Message string
	Back    bool // offer a link back to the inbox
}

// errorPage answers err's status with a page saying, in the page's
// language, what happened (never err's own text, which may be English or
// internal).
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	code := content.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		c.serverError(w, r, err)
		return
	}
	c.showError(w, r, status, "error."+code)
}

// showError renders the error page with a status and the words key of its
// message ("error.not_found", "error.csrf", ...).
func (c *Console) showError(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := c.newPage(r, "error.title", "")
	p.Data = errorView{Status: status, Heading: c.words.say(p.Lang, key+".heading"), Message: c.words.say(p.Lang, key), Back: p.Me != nil}
	c.render(w, r, status, "error", "layout", p)
}

// serveStatic serves an embedded static file; with the right ?v= it may be
// cached for a year.
func (c *Console) serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := c.assets[chi.URLParam(r, "name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", `"`+a.version+`"`)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match == `"`+a.version+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	_, _ = w.Write(a.body)
}

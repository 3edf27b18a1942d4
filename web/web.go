package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// files holds the templates and static assets; nothing is read from disk at run time.
//
//go:embed templates/*.html static/*
var files embed.FS

// DefaultStaticPrefix is the URL path under which Static is mounted and asset URLs point.
const DefaultStaticPrefix = "/u/static/"

// Page names accepted by Render; each has a typed method of the same meaning.
const (
	PageLogin             = "login"
	PageSignup            = "signup"
	PageOTPEnroll         = "otp-enroll"
	PageRecoveryCodeShown = "recovery-code-shown"
	PageOTPChallenge      = "otp-challenge"
	PageRecoveryCode      = "recovery-code"
	PagePasskeyOffer      = "passkey-offer"
	PageAccount           = "account"
	PageLoggedOut         = "logged-out"
	PageError             = "error"
	PageTest              = "test"
)

// requiredPages are checked by New so a missing template fails at startup, not on the
// first request that needs it.
func requiredPages() []string {
	return []string{
		PageLogin, PageSignup, PageOTPEnroll, PageRecoveryCodeShown, PageOTPChallenge,
		PageRecoveryCode, PagePasskeyOffer, PageAccount, PageLoggedOut, PageError, PageTest,
	}
}

// Renderer renders the login pages and serves their static assets. It is immutable
// after New and safe for concurrent use.
type Renderer struct {
	pages        map[string]*template.Template
	assets       map[string]asset
	staticPrefix string
}

// Option adjusts a Renderer built by New.
type Option func(*Renderer)

// WithStaticPrefix makes asset URLs start with prefix instead of DefaultStaticPrefix,
// for an issuer served under a path (https://example.com/auth/ → "/auth/u/static/").
// Static itself looks files up by base name, so it works under any mount point.
func WithStaticPrefix(prefix string) Option {
	return func(r *Renderer) {
		if !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		r.staticPrefix = prefix
	}
}

// New loads the embedded static files and parses every page template once.
func New(opts ...Option) (*Renderer, error) {
	r := &Renderer{staticPrefix: DefaultStaticPrefix}
	for _, o := range opts {
		o(r)
	}
	var err error
	if r.assets, err = loadAssets(files); err != nil {
		return nil, err
	}
	if r.pages, err = parsePages(files, r.funcs()); err != nil {
		return nil, err
	}
	for _, p := range requiredPages() {
		if r.pages[p] == nil {
			return nil, fmt.Errorf("web: template for page %q is missing", p)
		}
	}
	return r, nil
}

// parsePages builds one template set per page file. Files whose names start with "_"
// (layout, partials) are shared and go into every set, the layout first, so a page's
// {{define}} overrides the layout's {{block}} defaults.
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	shared := []string{"templates/_layout.html", "templates/_partials.html"}
	pages := make(map[string]*template.Template)
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(fsys, append(shared, name)...)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		if t.Lookup("layout") == nil || t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: %s must define \"content\" (and the layout \"layout\")", name)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// ErrUnknownPage is returned by Render for a page name that has no template.
var ErrUnknownPage = errors.New("web: unknown page")

// Render executes page with data into a buffer and, only if that succeeds, writes the
// headers, status and body. On failure it writes a generic 500 page instead and returns
// the error for the caller to log; the caller must not write to w afterwards.
//
// data is normally one of the page structs of this package; its embedded Base supplies
// the title, CSRF token and messages shown by the layout.
func (r *Renderer) Render(w http.ResponseWriter, status int, page string, data any) error {
	body, err := r.execute(page, data)
	if err != nil {
		r.fail(w)
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	writePage(w, status, body)
	return nil
}

func (r *Renderer) execute(page string, data any) ([]byte, error) {
	t := r.pages[page]
	if t == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownPage, page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fail writes the error page for an internal error, or plain text if even that fails.
func (r *Renderer) fail(w http.ResponseWriter) {
	const status = http.StatusInternalServerError
	body, err := r.execute(PageError, ErrorPage{
		Status:  status,
		Heading: "Something went wrong",
		Message: "We could not show this page. Please try again.",
	})
	if err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	writePage(w, status, body)
}

func writePage(w http.ResponseWriter, status int, body []byte) {
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	// Pages carry CSRF tokens and per-login state: never store them.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

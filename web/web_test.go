package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func TestPagesRender(t *testing.T) {
	r := newRenderer(t)
	for _, pc := range samplePages("Ada Lovelace") {
		t.Run(pc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := pc.render(r, rec); err != nil {
				t.Fatalf("render: %v", err)
			}
			if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d", rec.Code)
			}
			if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q", got)
			}
			doc := parseHTML(t, rec.Body.String())
			checkRequired(t, doc, pc)
			checkAccessible(t, doc)
			checkCSPSafe(t, doc)
			checkCSRF(t, doc, "csrf-Ada Lovelace")
			checkAssets(t, r, doc)
		})
	}
}

// checkRequired asserts the page's fixed names: h1, labelled inputs, buttons, links, ids.
func checkRequired(t *testing.T, doc *node, pc pageCase) {
	t.Helper()
	h1s := doc.byTag("h1")
	if len(h1s) != 1 {
		t.Fatalf("want exactly one <h1>, got %d", len(h1s))
	}
	if got := h1s[0].textContent(); got != pc.h1 {
		t.Errorf("h1 = %q, want %q", got, pc.h1)
	}
	for label, want := range pc.inputs {
		in := doc.inputByLabel(label)
		if in == nil {
			t.Errorf("no control labelled %q", label)
			continue
		}
		for k, v := range want {
			if got := in.attrs[k]; got != v {
				t.Errorf("%q: %s=%q, want %q", label, k, got, v)
			}
		}
	}
	for _, name := range pc.buttons {
		bs := doc.buttons(name)
		if len(bs) == 0 {
			t.Errorf("no button %q", name)
		}
		for _, b := range bs {
			if typ := b.attrs["type"]; typ != "submit" && typ != "button" {
				t.Errorf("button %q has type %q", name, typ)
			}
			if b.attrs["type"] == "submit" && b.ancestor("form") == nil {
				t.Errorf("submit button %q is outside a form", name)
			}
		}
	}
	for text, href := range pc.links {
		a := doc.link(text)
		if a == nil {
			t.Errorf("no link %q", text)
		} else if a.attrs["href"] != href {
			t.Errorf("link %q href=%q, want %q", text, a.attrs["href"], href)
		}
	}
	for _, id := range pc.ids {
		if doc.byID(id) == nil {
			t.Errorf("no element #%s", id)
		}
	}
	if len(doc.byTag("title")) != 1 || doc.byTag("title")[0].textContent() == "" {
		t.Error("want one non-empty <title>")
	}
	if alerts := doc.all(func(n *node) bool { return n.attrs["role"] == "alert" }); len(alerts) != 1 {
		t.Errorf("want exactly one role=alert element, got %d", len(alerts))
	}
}

// checkAccessible: every visible control has a <label for>, ids are unique, and the
// page declares its language.
func checkAccessible(t *testing.T, doc *node) {
	t.Helper()
	if html := doc.byTag("html"); len(html) != 1 || html[0].attrs["lang"] == "" {
		t.Error("<html lang> missing")
	}
	labelled := map[string]bool{}
	for _, l := range doc.byTag("label") {
		if doc.byID(l.attrs["for"]) == nil {
			t.Errorf("label %q points at missing #%s", l.textContent(), l.attrs["for"])
		}
		labelled[l.attrs["for"]] = true
	}
	for _, in := range doc.all(func(n *node) bool { return n.tag == "input" || n.tag == "select" || n.tag == "textarea" }) {
		if in.attrs["type"] == "hidden" {
			continue
		}
		if id := in.attrs["id"]; id == "" || !labelled[id] {
			t.Errorf("input name=%q has no <label for>", in.attrs["name"])
		}
	}
	seen := map[string]bool{}
	for _, n := range doc.all(func(n *node) bool { return n.attrs["id"] != "" }) {
		if seen[n.attrs["id"]] {
			t.Errorf("duplicate id %q", n.attrs["id"])
		}
		seen[n.attrs["id"]] = true
	}
	for _, img := range doc.byTag("img") {
		if img.attrs["alt"] == "" {
			t.Errorf("img %q without alt", img.attrs["src"])
		}
	}
}

// checkCSPSafe: nothing the strict CSP would block, and no injected handlers.
func checkCSPSafe(t *testing.T, doc *node) {
	t.Helper()
	for _, n := range doc.all(func(*node) bool { return true }) {
		for k := range n.attrs {
			if strings.HasPrefix(k, "on") {
				t.Errorf("<%s> has event handler attribute %s", n.tag, k)
			}
			if k == "style" {
				t.Errorf("<%s> has a style attribute", n.tag)
			}
		}
		if n.tag == "style" {
			t.Error("inline <style> element")
		}
		if n.tag == "script" {
			if n.attrs["src"] == "" || strings.TrimSpace(n.textContent()) != "" {
				t.Error("inline <script>")
			}
		}
		for _, k := range []string{"href", "src", "action"} {
			if v := strings.ToLower(strings.TrimSpace(n.attrs[k])); strings.HasPrefix(v, "javascript:") {
				t.Errorf("<%s %s=%q>", n.tag, k, v)
			}
		}
	}
}

// checkCSRF: every POST form carries the token, and the page has the meta tag for JS.
func checkCSRF(t *testing.T, doc *node, token string) {
	t.Helper()
	metas := doc.all(func(n *node) bool { return n.tag == "meta" && n.attrs["name"] == "csrf-token" })
	if len(metas) != 1 || metas[0].attrs["content"] != token {
		t.Errorf("meta csrf-token missing or wrong: %v", metas)
	}
	for _, f := range doc.byTag("form") {
		if strings.ToLower(f.attrs["method"]) != "post" {
			continue
		}
		ins := f.all(func(n *node) bool { return n.tag == "input" && n.attrs["name"] == "csrf_token" })
		if len(ins) != 1 || ins[0].attrs["type"] != "hidden" || ins[0].attrs["value"] != token {
			t.Errorf("form action=%q lacks csrf_token", f.attrs["action"])
		}
	}
}

// checkAssets: every stylesheet, script and icon URL is served by Static, cacheably.
func checkAssets(t *testing.T, r *Renderer, doc *node) {
	t.Helper()
	var urls []string
	for _, l := range doc.byTag("link") {
		urls = append(urls, l.attrs["href"])
	}
	for _, s := range doc.byTag("script") {
		urls = append(urls, s.attrs["src"])
	}
	if len(urls) < 2 {
		t.Fatalf("want stylesheet and icon links, got %v", urls)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, DefaultStaticPrefix) {
			t.Errorf("asset %q not under %s", u, DefaultStaticPrefix)
			continue
		}
		rec := httptest.NewRecorder()
		r.Static().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, Cache-Control %q", u, rec.Code, rec.Header().Get("Cache-Control"))
		}
	}
}

func TestPagesEscapeHostileValues(t *testing.T) {
	const hostile = `"><svg onload=alert(1)>`
	r := newRenderer(t)
	for _, pc := range samplePages(hostile) {
		t.Run(pc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := pc.render(r, rec); err != nil {
				t.Fatalf("render: %v", err)
			}
			body := rec.Body.String()
			if strings.Contains(body, hostile) || strings.Contains(body, "<svg onload") {
				t.Fatalf("hostile value reached the page unescaped:\n%s", body)
			}
			doc := parseHTML(t, body)
			checkCSPSafe(t, doc)
			checkCSRF(t, doc, "csrf-"+hostile)
			// The value must still be there, as text.
			if !strings.Contains(doc.textContent(), hostile) && !strings.Contains(body, "&#34;&gt;&lt;svg") {
				t.Errorf("hostile value vanished instead of being escaped")
			}
		})
	}
}

func TestURLFieldsAreSanitized(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	err := r.Login(rec, http.StatusOK, LoginPage{Action: "javascript:alert(1)", Signup: true, SignupURL: "javascript:alert(2)"})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, rec.Body.String())
	checkCSPSafe(t, doc)
	if a := doc.link("Sign up"); a == nil || a.attrs["href"] != "#ZgotmplZ" {
		t.Errorf("Sign up link not neutralised: %v", a)
	}
}

// recorder counts WriteHeader calls to prove a failed render writes exactly once.
type recorder struct {
	*httptest.ResponseRecorder
	headers int
}

func (r *recorder) WriteHeader(code int) {
	r.headers++
	r.ResponseRecorder.WriteHeader(code)
}

func TestTemplateErrorIsClean500(t *testing.T) {
	r := newRenderer(t)
	cases := []struct {
		name string
		page string
		data any
		is   error
	}{
		// struct{} has none of the fields login.html reads: execution fails midway.
		{"execution error", PageLogin, struct{ Base }{Base{Title: "x"}}, nil},
		{"unknown page", "nope", LoginPage{}, ErrUnknownPage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{ResponseRecorder: httptest.NewRecorder()}
			err := r.Render(rec, http.StatusOK, tc.page, tc.data)
			if err == nil {
				t.Fatal("want an error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
			if rec.Code != http.StatusInternalServerError || rec.headers != 1 {
				t.Fatalf("status %d after %d WriteHeader calls, want one 500", rec.Code, rec.headers)
			}
			doc := parseHTML(t, rec.Body.String())
			if h1 := doc.byTag("h1"); len(h1) != 1 || h1[0].textContent() != "Something went wrong" {
				t.Errorf("want the generic error page, got %q", rec.Body.String())
			}
			if strings.Contains(rec.Body.String(), "email") || strings.Contains(rec.Body.String(), "<form") {
				t.Error("half of the failed page was written")
			}
		})
	}
}

func TestErrorDefaults(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	if err := r.Error(rec, http.StatusNotFound, ErrorPage{RequestID: "req-1"}); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, rec.Body.String())
	if rec.Code != http.StatusNotFound || doc.byTag("h1")[0].textContent() != "Not Found" {
		t.Errorf("status %d, h1 %q", rec.Code, doc.byTag("h1")[0].textContent())
	}
	if !strings.Contains(doc.textContent(), "req-1") {
		t.Error("request id not shown")
	}
}

func TestOptionalControlsHidden(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	if err := r.Login(rec, http.StatusOK, LoginPage{Action: "/u/login"}); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, rec.Body.String())
	if doc.byID("passkey-login") != nil || doc.link("Sign up") != nil || len(doc.byTag("script")) != 0 {
		t.Error("passkey button, script or sign-up link shown though disabled")
	}
	if doc.byID("alert").attrs["hidden"] == "" {
		t.Error("empty alert box should be hidden")
	}

	rec = httptest.NewRecorder()
	if err := r.OTPChallenge(rec, http.StatusOK, OTPChallengePage{Action: "/x"}); err != nil {
		t.Fatal(err)
	}
	doc = parseHTML(t, rec.Body.String())
	if doc.inputByLabel("Remember this browser for 30 days") != nil || doc.byID("passkey-mfa") != nil {
		t.Error("remember checkbox or passkey MFA shown though disabled")
	}
}

func TestErrorAndInfoMessages(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	err := r.Login(rec, http.StatusUnauthorized, LoginPage{Base: Base{Error: "Wrong email or password.", Info: "Passkey added."}})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, rec.Body.String())
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("status %d", rec.Code)
	}
	if a := doc.byID("alert"); a.textContent() != "Wrong email or password." || a.attrs["hidden"] != "" {
		t.Errorf("alert %q", a.textContent())
	}
	st := doc.all(func(n *node) bool { return n.attrs["role"] == "status" })
	if len(st) != 1 || st[0].textContent() != "Passkey added." {
		t.Error("info message missing")
	}
}

func TestTOTPSetupKeepsQuery(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	err := r.Account(rec, http.StatusOK, AccountPage{TOTPSetupURL: "/u/mfa-otp-enrollment?state=a%26b&x=1"})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, rec.Body.String())
	b := doc.buttons("Set up authenticator app")
	if len(b) != 1 {
		t.Fatal("no setup button")
	}
	form := b[0].ancestor("form")
	if form.attrs["method"] != "get" || form.attrs["action"] != "/u/mfa-otp-enrollment" {
		t.Errorf("form %v", form.attrs)
	}
	got := map[string]string{}
	for _, in := range form.byTag("input") {
		got[in.attrs["name"]] = in.attrs["value"]
	}
	if got["state"] != "a&b" || got["x"] != "1" {
		t.Errorf("hidden fields %v", got)
	}
}

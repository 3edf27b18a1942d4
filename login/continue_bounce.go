package login

import (
	"html/template"
	"net/http"
	"net/url"
)

// The return to /continue from another site. The browser id cookie is
// SameSite=Lax, so browsers leave it off a cross-site POST — the way spec
// §6.2 recommends the external site come back. Such a POST arrives
// without our cookie, its state (bound to the browser) would be unknown,
// and the login would be lost. Instead of loosening the cookie we bounce:
// a page of ours re-posts the same fields to /continue from our own
// origin, where the cookie goes along.

// crossSiteReturn reports a POST that came from another site without the
// browser cookie (the middleware had to mint a fresh id for it). The
// bounced POST is same-origin, so it never bounces twice; a browser that
// refuses cookies then gets the ordinary unknown-state error.
func (h *Handler) crossSiteReturn(r *http.Request) bool {
	if r.Method != http.MethodPost || browserOf(r).raw == h.ck.get(r, "authd_bid") {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	case "":
		// Browsers without Fetch Metadata still send Origin on a POST.
		o := r.Header.Get("Origin")
		return o != "" && o != h.origin
	}
	return false
}

// bounce answers with a self-posting copy of the request.
func (h *Handler) bounce(w http.ResponseWriter, r *http.Request) {
	// The id the middleware minted for this cookieless request must not
	// replace the browser's real one.
	w.Header().Del("Set-Cookie")
	action := "/continue"
	if r.URL.RawQuery != "" {
		action += "?" + r.URL.RawQuery
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := bounceTmpl.Execute(w, struct {
		Action string
		Fields url.Values
	}{action, r.PostForm}); err != nil {
		h.Logger.ErrorContext(r.Context(), "render continue bounce", "err", err)
	}
}

// The script is a static file of ours (the CSP allows no inline script).
var bounceTmpl = template.Must(template.New("bounce").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Continue</title>
<script src="/u/static/formpost.js" defer></script></head>
<body><h1>Continue</h1><form method="post" action="{{.Action}}" data-autosubmit>
{{range $k, $vs := .Fields}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>`))

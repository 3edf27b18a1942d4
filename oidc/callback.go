package oidc

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"

	"github.com/authd/authd/login"
	"github.com/authd/authd/store"
)

// callback is /authorize/callback?id=…: the login pipeline sends every
// finished (or failed) login here, and only here is a code issued.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.st.GetAuthRequest(ctx, r.URL.Query().Get("id"))
	if err != nil || !ar.ExpiresAt.After(s.now()) {
		s.login.Fail(w, r, http.StatusBadRequest, "Login expired", "This login has expired or is unknown. Start again from the application.")
		return
	}
	// The auth request id travels in URLs: only the browser that started
	// the login may finish it (login CSRF, RFC 9700 §4.7).
	if ar.BrowserID != login.BrowserID(ctx) {
		s.login.Fail(w, r, http.StatusForbidden, "Invalid request", "This login was started in another browser.")
		return
	}
	params := url.Values{}
	switch {
	case ar.ErrorCode != "":
		params.Set("error", ar.ErrorCode)
		if ar.ErrorDescription != "" {
			params.Set("error_description", ar.ErrorDescription)
		}
	case ar.Done:
		code := newSecret()
		err := s.st.SaveAuthCode(ctx, &store.AuthCode{
			Hash: hashCode(code), AuthRequestID: ar.ID, ExpiresAt: s.now().UTC().Add(codeTTL),
		})
		if err != nil {
			s.log.ErrorContext(ctx, "save auth code", "err", err)
			s.login.Fail(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
			return
		}
		params.Set("code", code)
	default:
		// MFA or a redirect still pending: no code, back to the login.
		http.Redirect(w, r, "/u/login?state="+url.QueryEscape(ar.ID), http.StatusSeeOther)
		return
	}
	if ar.State != "" {
		params.Set("state", ar.State)
	}
	// RFC 9207: tell the client which issuer answered (mix-up defence).
	params.Set("iss", s.cfg.Issuer)
	s.respond(w, ar, params)
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// respond delivers an authorization response with the request's
// response_mode: a 303 redirect with a query, or an auto-posted form.
func (s *Server) respond(w http.ResponseWriter, ar *store.AuthRequest, params url.Values) {
	if ar.ResponseMode == "form_post" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		// The form posts to the client's own origin; the auto-submit script
		// is a static file of ours, so the CSP needs no inline script.
		u, _ := url.Parse(ar.RedirectURI)
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; form-action "+u.Scheme+"://"+u.Host+"; frame-ancestors 'none'")
		_ = formPostTmpl.Execute(w, struct {
			Action string
			Params url.Values
		}{ar.RedirectURI, params})
		return
	}
	u, _ := url.Parse(ar.RedirectURI)
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusSeeOther)
}

var formPostTmpl = template.Must(template.New("form_post").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Continue</title>
<script src="/u/static/formpost.js" defer></script></head>
<body><form method="post" action="{{.Action}}" id="form-post">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>`))

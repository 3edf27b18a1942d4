package web

import (
	"net/http"
	"strings"
)

// ContentSecurityPolicy returns the policy the pages are written for: no inline script
// or style, images only from us or data: URIs (the TOTP QR code), never framed.
// formActionOrigins are added to form-action because browsers also apply it to the
// redirect that follows a form POST, which for a finished login goes to the client's
// redirect_uri (give origins such as "https://app.example.com").
func ContentSecurityPolicy(formActionOrigins ...string) string {
	var b strings.Builder
	b.WriteString("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	for _, o := range formActionOrigins {
		// An origin never contains these; refuse anything that could add a directive.
		if o == "" || strings.ContainsAny(o, "; ,'\"\r\n") {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(o)
	}
	return b.String()
}

// SetSecurityHeaders sets the response headers every HTML page should carry
// (security checklist E.57). HSTS is left to the server, which knows whether it
// speaks TLS.
//
// Referrer-Policy is "same-origin" rather than "no-referrer": both keep our URLs (with
// their state parameters) out of the Referer sent to other sites, but under
// "no-referrer" browsers send "Origin: null" on our own form POSTs and fetches, which
// would defeat an Origin-based CSRF check.
func SetSecurityHeaders(h http.Header, formActionOrigins ...string) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy(formActionOrigins...))
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestContentSecurityPolicy(t *testing.T) {
	csp := ContentSecurityPolicy("https://app.example.com", "http://localhost:*", "evil; script-src *", "")
	for _, want := range []string{
		"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"frame-ancestors 'none'", "form-action 'self' https://app.example.com http://localhost:*",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "evil") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q took a bad origin or allows unsafe sources", csp)
	}
}

func TestSetSecurityHeaders(t *testing.T) {
	h := http.Header{}
	SetSecurityHeaders(h)
	for k, v := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
	} {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP missing")
	}
}

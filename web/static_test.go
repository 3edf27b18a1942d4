package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStatic(t *testing.T) {
	r := newRenderer(t)
	cssURL, err := r.AssetURL("app.css")
	if err != nil {
		t.Fatal(err)
	}
	etag := `"` + cssURL[strings.Index(cssURL, "?v=")+3:] + `"`
	cases := []struct {
		name, method, target string
		header               map[string]string
		code                 int
		cache, ctype         string
	}{
		{"hashed", "GET", cssURL, nil, 200, "public, max-age=31536000, immutable", "text/css; charset=utf-8"},
		{"no hash", "GET", "/u/static/app.css", nil, 200, "no-cache", "text/css; charset=utf-8"},
		{"stale hash", "GET", "/u/static/app.css?v=0000", nil, 200, "no-cache", ""},
		{"prefix stripped", "GET", "/app.css", nil, 200, "no-cache", ""},
		{"script", "GET", "/u/static/passkey.js", nil, 200, "no-cache", "text/javascript; charset=utf-8"},
		{"head", "HEAD", cssURL, nil, 200, "", ""},
		{"revalidate", "GET", "/u/static/app.css", map[string]string{"If-None-Match": etag}, 304, "", ""},
		{"missing", "GET", "/u/static/nope.css", nil, 404, "", ""},
		{"directory", "GET", "/u/static/", nil, 404, "", ""},
		{"traversal", "GET", "/u/static/../templates/_layout.html", nil, 404, "", ""},
		{"post", "POST", cssURL, nil, 405, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			r.Static().ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d", rec.Code, tc.code)
			}
			if tc.cache != "" && rec.Header().Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), tc.cache)
			}
			if tc.ctype != "" && rec.Header().Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), tc.ctype)
			}
			if tc.code == http.StatusOK && rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("nosniff missing")
			}
		})
	}
}

func TestAssetURL(t *testing.T) {
	r, err := New(WithStaticPrefix("/auth/u/static"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := r.AssetURL("passkey.js")
	if err != nil || !strings.HasPrefix(u, "/auth/u/static/passkey.js?v=") || len(u) != len("/auth/u/static/passkey.js?v=")+16 {
		t.Errorf("AssetURL = %q, %v", u, err)
	}
	if _, err := r.AssetURL("missing.css"); err == nil {
		t.Error("want an error for a missing asset")
	}
}

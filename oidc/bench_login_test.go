package oidc_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
	authdlogin "github.com/authd/authd/login"
)

var (
	csrfRe  = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	stateRe = regexp.MustCompile(`name="state" value="([^"]+)"`)
)

// BenchmarkLoginPost measures POST /u/login (password check, session,
// pipeline, redirect to the callback) through the full handler, against
// the rate of argon2id alone with the same parameters (kdf_share: 100 =
// the login costs exactly one KDF). Each iteration uses a fresh auth
// request, prepared before the timer starts.
func BenchmarkLoginPost(b *testing.B) {
	e := authdtest.New(b)
	e.CreateUser("bench@example.org", pw)
	h := e.Server.Handler()
	rp := e.SPA()

	// One browser id cookie for all requests.
	var cookie string
	get := func(u string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, u, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	states := make([]string, b.N)
	var csrf string
	for i := range states {
		rec := get(strings.TrimPrefix(rp.AuthURL().URL, e.URL))
		if cookie == "" {
			for _, c := range rec.Result().Cookies() {
				if c.Name == "authd_bid" {
					cookie = c.Name + "=" + c.Value
				}
			}
		}
		loc, _ := url.Parse(rec.Header().Get("Location"))
		page := get(loc.RequestURI())
		csrf = csrfRe.FindStringSubmatch(page.Body.String())[1]
		states[i] = stateRe.FindStringSubmatch(page.Body.String())[1]
	}
	// The KDF alone, same parameters, measured in this run.
	hash, _ := authdlogin.HashPassword(pw)
	const kdfRounds = 10
	start := time.Now()
	for i := 0; i < kdfRounds; i++ {
		authdlogin.CheckPassword(hash, pw)
	}
	kdf := time.Since(start) / kdfRounds

	b.ResetTimer()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		form := url.Values{"csrf_token": {csrf}, "state": {states[i]}, "email": {"bench@example.org"}, "password": {pw}}
		req := httptest.NewRequest(http.MethodPost, "/u/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/authorize/callback") {
			b.Fatalf("login POST: %d %s", rec.Code, rec.Header().Get("Location"))
		}
	}
	perOp := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(100*float64(kdf)/float64(perOp), "kdf_share")
}

package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

// Benchmarks of the token endpoint through the full HTTP handler in
// process (no network): run with -cpu 1. Each reports, next to ns/op,
// the share of the bound that the signatures alone allow, measured in the
// same run (pct_of_sign_bound: 100 = as fast as signing).

func benchEnv(b *testing.B, alg string) *authdtest.Env {
	return authdtest.New(b, authdtest.Configure(func(c *config.Config) { c.Signing.Algorithm = alg }))
}

// signCost measures the active key's time for n signatures of a token.
func signCost(b *testing.B, e *authdtest.Env, n int) time.Duration {
	claims := map[string]any{"iss": e.Issuer, "sub": "auth0|0123456789abcdef01234567", "aud": "spa", "iat": 1, "exp": 2}
	const rounds = 200
	start := time.Now()
	for i := 0; i < rounds*n; i++ {
		if _, err := e.Server.Keys().Sign(claims); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / rounds
}

func tokenRequest(h http.Handler, form url.Values, user, pass string) (int, map[string]any) {
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	req.RemoteAddr = "127.0.0.1:40000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Code, body
}

// refreshChains logs in n times and returns n independent refresh tokens.
func refreshChains(b *testing.B, e *authdtest.Env, n int) []string {
	e.CreateUser("bench@example.org", pw)
	rp := e.SPA("openid", "profile", "email", "offline_access", "read:xyz")
	out := make([]string, n)
	for i := range out {
		a, cb := e.Login(e.Browser(), rp, "bench@example.org", pw, authdtest.Param("audience", authdtest.API))
		tok, err := rp.Exchange(a, authdtest.Code(b, a, cb))
		if err != nil {
			b.Fatal(err)
		}
		out[i] = tok.RefreshToken
	}
	return out
}

func benchRefresh(b *testing.B, alg string) {
	e := benchEnv(b, alg)
	const chains = 16
	tokens := refreshChains(b, e, chains)
	h := e.Server.Handler()
	bound := signCost(b, e, 2)
	var mu sync.Mutex
	next := 0
	b.SetParallelism(chains) // with -cpu 1: 16 goroutines, so the SQLite writer can group commits
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		rt := tokens[next]
		next++
		mu.Unlock()
		for pb.Next() {
			code, body := tokenRequest(h, url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {rt}}, "", "")
			if code != http.StatusOK {
				b.Errorf("refresh: %d %v", code, body)
				return
			}
			rt = body["refresh_token"].(string)
		}
	})
	perOp := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(100*float64(bound)/float64(perOp), "pct_of_sign_bound")
	b.ReportMetric(float64(time.Second)/float64(perOp), "grants/s")
}

func BenchmarkRefreshGrantRS256(b *testing.B) { benchRefresh(b, "RS256") }
func BenchmarkRefreshGrantES256(b *testing.B) { benchRefresh(b, "ES256") }

func BenchmarkClientCredentials(b *testing.B) {
	e := benchEnv(b, "RS256")
	h := e.Server.Handler()
	bound := signCost(b, e, 1)
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if code, body := tokenRequest(h, form, "worker", "worker-secret-0123456789abcdef"); code != http.StatusOK {
			b.Fatalf("client credentials: %d %v", code, body)
		}
	}
	perOp := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(100*float64(bound)/float64(perOp), "pct_of_sign_bound")
}

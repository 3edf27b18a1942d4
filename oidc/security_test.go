package oidc_test

// Negative tests of the protocol endpoints through the real server
// (security checklist group A, and F for bad input). Each invariant has
// its own test so a failure names what broke.

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

const (
	spaRedirect   = "http://127.0.0.1:5555/callback"
	webRedirect   = "http://127.0.0.1:5556/callback"
	webappSecret  = "webapp-secret-0123456789abcdef"
	testVerifier  = "verifier-0123456789-0123456789-0123456789-0123456789"
	hostileString = "\"><svg onload=alert(1)>&code=evil\r\nSet-Cookie: pwned=1"
)

// rawClient never follows redirects and keeps its own cookies.
func rawClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func (r response) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(r.Body), &m)
	return m
}

// send makes one request; it returns an error instead of failing, so it
// can run in goroutines.
func send(c *http.Client, req *http.Request) (response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}, err
}

func mustSend(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	r, err := send(c, req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return r
}

// newTokenRequest builds a POST to the token endpoint; user != "" adds HTTP
// basic client authentication.
func newTokenRequest(e *authdtest.Env, form url.Values, user, pass string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return req
}

func token(t *testing.T, e *authdtest.Env, form url.Values, user, pass string) response {
	t.Helper()
	return mustSend(t, http.DefaultClient, newTokenRequest(e, form, user, pass))
}

// spaQuery is a valid authorization request of the public client.
func spaQuery() url.Values {
	return url.Values{
		"client_id": {"spa"}, "redirect_uri": {spaRedirect}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st-123"}, "nonce": {"n-123"},
		"code_challenge": {authdtest.S256(testVerifier)}, "code_challenge_method": {"S256"},
	}
}

// webQuery is a valid authorization request of the confidential client,
// without PKCE.
func webQuery() url.Values {
	return url.Values{
		"client_id": {"webapp"}, "redirect_uri": {webRedirect}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st-456"}, "nonce": {"n-456"},
	}
}

func authorize(t *testing.T, e *authdtest.Env, rawQuery string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/authorize?"+rawQuery, nil)
	return mustSend(t, rawClient(), req)
}

// wantErrorPage: our own 4xx page, and nothing sent to any client.
func wantErrorPage(t *testing.T, r response) {
	t.Helper()
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("status %d, want a 4xx error page", r.Status)
	}
	if loc := r.Header.Get("Location"); loc != "" {
		t.Errorf("redirected to %s, want no redirect", loc)
	}
	if strings.Contains(r.Body, "127.0.0.1:555") {
		t.Errorf("error page links to a client URI:\n%s", r.Body)
	}
}

// wantClientError: a redirect to the registered redirect_uri carrying
// error=code and the state.
func wantClientError(t *testing.T, r response, redirect, code, state string) {
	t.Helper()
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || r.Status/100 != 3 || !strings.HasPrefix(loc.String(), redirect+"?") {
		t.Fatalf("status %d Location %q, want a redirect to %s", r.Status, r.Header.Get("Location"), redirect)
	}
	q := loc.Query()
	if q.Get("error") != code || q.Get("state") != state || q.Get("code") != "" {
		t.Errorf("callback %s: want error=%s state=%s and no code", loc, code, state)
	}
}

// codeFor runs an authorization request in b (logging in with the form
// when needed) and returns the code.
func codeFor(t *testing.T, b *authdtest.Browser, e *authdtest.Env, q url.Values) string {
	t.Helper()
	p := b.Get(e.URL + "/authorize?" + q.Encode())
	if p.Status == http.StatusOK && p.H1() == "Log in" {
		p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": pw})
	}
	cb := p.Location()
	if c := cb.Query().Get("code"); c != "" {
		return c
	}
	t.Fatalf("no code: %s", cb)
	return ""
}

func spaExchange(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {code},
		"redirect_uri": {spaRedirect}, "code_verifier": {verifier}}
}

func wantTokenError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.Status != status || r.json()["error"] != code {
		t.Errorf("token endpoint: %d %s, want %d %s", r.Status, r.Body, status, code)
	}
	if r.json()["access_token"] != nil {
		t.Errorf("an error response carried an access token")
	}
}

// --- redirect_uri and client validation (checklist A1, A2) ---

func TestAuthorizeRedirectURIMustMatchExactly(t *testing.T) {
	e := authdtest.New(t)
	for name, uri := range map[string]string{
		"unregistered":   "http://127.0.0.1:5555/elsewhere",
		"trailing slash": spaRedirect + "/",
		"query added":    spaRedirect + "?foo=bar",
		"fragment":       spaRedirect + "#frag",
		"https not http": "https://127.0.0.1:5555/callback",
		"other port":     "http://127.0.0.1:5556/callback",
		"dot segments":   "http://127.0.0.1:5555/callback/%2e%2e/callback",
		"other host":     "http://evil.example/callback",
		"missing":        "",
	} {
		t.Run(name, func(t *testing.T) {
			q := spaQuery()
			if uri == "" {
				q.Del("redirect_uri")
			} else {
				q.Set("redirect_uri", uri)
			}
			wantErrorPage(t, authorize(t, e, q.Encode()))
		})
	}
}

func TestAuthorizeUnknownClientShowsErrorPage(t *testing.T) {
	e := authdtest.New(t)
	q := spaQuery()
	q.Set("client_id", "nope")
	wantErrorPage(t, authorize(t, e, q.Encode()))
	q.Del("client_id")
	wantErrorPage(t, authorize(t, e, q.Encode()))
}

// A machine client has no redirect URIs: it can never start a browser flow.
func TestAuthorizeMachineClientRefused(t *testing.T) {
	e := authdtest.New(t)
	q := spaQuery()
	q.Set("client_id", "worker")
	wantErrorPage(t, authorize(t, e, q.Encode()))
}

func TestAuthorizeRepeatedParameterIsInvalidRequest(t *testing.T) {
	e := authdtest.New(t)
	for _, param := range []string{"scope", "state", "code_challenge", "client_id", "response_type"} {
		t.Run(param, func(t *testing.T) {
			q := spaQuery()
			raw := q.Encode() + "&" + url.Values{param: {q.Get(param)}}.Encode()
			r := authorize(t, e, raw)
			if r.Header.Get("Location") == "" {
				// Acceptable only as our error page, never a login.
				wantErrorPage(t, r)
				return
			}
			loc, _ := url.Parse(r.Header.Get("Location"))
			if loc.Query().Get("error") != "invalid_request" || !strings.HasPrefix(loc.String(), spaRedirect) {
				t.Errorf("repeated %s: %d %s, want invalid_request", param, r.Status, loc)
			}
		})
	}
}

func TestAuthorizeResponseTypeMissingOrToken(t *testing.T) {
	e := authdtest.New(t)
	for name, rt := range map[string]string{"missing": "", "token": "token", "id_token": "id_token", "code token": "code token"} {
		t.Run(name, func(t *testing.T) {
			q := spaQuery()
			if rt == "" {
				q.Del("response_type")
			} else {
				q.Set("response_type", rt)
			}
			r := authorize(t, e, q.Encode())
			loc, _ := url.Parse(r.Header.Get("Location"))
			if loc == nil || !strings.HasPrefix(loc.String(), spaRedirect) {
				t.Fatalf("status %d Location %q: want the error at the client", r.Status, r.Header.Get("Location"))
			}
			// The error travels in the response type's default mode: the
			// fragment for id_token (OAuth 2.0 Multiple Response Types §5).
			params := loc.Query()
			if loc.Fragment != "" {
				params, _ = url.ParseQuery(loc.Fragment)
			}
			// unauthorized_client is the library's answer for a type the
			// client may not use (RFC 6749 §4.1.2.1 allows it).
			if e := params.Get("error"); e != "unsupported_response_type" && e != "invalid_request" && e != "unauthorized_client" {
				t.Errorf("error %q", e)
			}
			if params.Get("state") != "st-123" || params.Get("code") != "" || params.Get("access_token") != "" || params.Get("id_token") != "" {
				t.Errorf("callback %s", loc)
			}
		})
	}
}

// --- PKCE (checklist A5, A6, A7) ---

func TestPKCERequiredForPublicClient(t *testing.T) {
	e := authdtest.New(t)
	q := spaQuery()
	q.Del("code_challenge")
	q.Del("code_challenge_method")
	wantClientError(t, authorize(t, e, q.Encode()), spaRedirect, "invalid_request", "st-123")
}

func TestPKCEPlainRefused(t *testing.T) {
	e := authdtest.New(t)
	q := spaQuery()
	q.Set("code_challenge", testVerifier)
	q.Set("code_challenge_method", "plain")
	wantClientError(t, authorize(t, e, q.Encode()), spaRedirect, "invalid_request", "st-123")
}

func TestPKCEChallengeWithoutMethodRefused(t *testing.T) {
	e := authdtest.New(t)
	q := spaQuery()
	q.Del("code_challenge_method")
	wantClientError(t, authorize(t, e, q.Encode()), spaRedirect, "invalid_request", "st-123")
}

// RFC 9700 §4.8.2: a verifier for a code issued without a challenge.
func TestPKCEDowngradeRefused(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	code := codeFor(t, e.Browser(), e, webQuery())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedirect}, "code_verifier": {testVerifier}}
	wantTokenError(t, token(t, e, form, "webapp", webappSecret), http.StatusBadRequest, "invalid_grant")
}

// The confidential client may omit PKCE (OAuth 2.1 allows it with nonce);
// the same code flow then succeeds, which shows the refusal above is about
// the verifier.
func TestConfidentialClientWithoutPKCESucceeds(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	code := codeFor(t, e.Browser(), e, webQuery())
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedirect}}
	if r := token(t, e, form, "webapp", webappSecret); r.Status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.Status, r.Body)
	}
}

func TestPKCEWrongOrMalformedVerifier(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	b := e.Browser()
	for name, verifier := range map[string]string{
		"wrong":    strings.Repeat("w", 43),
		"42 chars": testVerifier[:42],
		"129":      strings.Repeat("a", 129),
		"missing":  "",
	} {
		t.Run(name, func(t *testing.T) {
			q := spaQuery()
			if name == "42 chars" || name == "129" {
				// The challenge matches the verifier: only its length is wrong.
				q.Set("code_challenge", authdtest.S256(verifier))
			}
			code := codeFor(t, b, e, q)
			wantTokenError(t, token(t, e, spaExchange(code, verifier), "", ""), http.StatusBadRequest, "invalid_grant")
		})
	}
}

// --- authorization codes (checklist A8, A9, A10, A17) ---

func TestCodeReplayRevokesFirstTokens(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA("openid", "offline_access")
	a, cb := e.Login(e.Browser(), rp, "ada@example.org", pw)
	code := authdtest.Code(t, a, cb)
	tok, err := rp.Exchange(a, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Exchange(a, code); !isOAuthError(err, "invalid_grant") {
		t.Fatalf("replayed code: %v", err)
	}
	if _, status := rp.Userinfo(tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token of a replayed code: userinfo %d, want 401", status)
	}
	if _, err := rp.Refresh(tok.RefreshToken); !isOAuthError(err, "invalid_grant") {
		t.Errorf("refresh token of a replayed code: %v", err)
	}
}

// OAuth 2.1 §4.1.3: a replay that is not otherwise valid (a thief without
// the verifier) must not cut off the legitimate client.
func TestCodeReplayWithWrongVerifierKeepsTokens(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	a, cb := e.Login(e.Browser(), rp, "ada@example.org", pw)
	code := authdtest.Code(t, a, cb)
	tok, err := rp.Exchange(a, code)
	if err != nil {
		t.Fatal(err)
	}
	wantTokenError(t, token(t, e, spaExchange(code, strings.Repeat("x", 43)), "", ""), http.StatusBadRequest, "invalid_grant")
	if _, status := rp.Userinfo(tok.AccessToken); status != http.StatusOK {
		t.Errorf("garbage replay revoked the real tokens: userinfo %d", status)
	}
}

func TestCodeParallelRedemptionExactlyOnce(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	code := codeFor(t, e.Browser(), e, spaQuery())
	const n = 20
	var wg sync.WaitGroup
	results := make([]response, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = send(http.DefaultClient, newTokenRequest(e, spaExchange(code, testVerifier), "", ""))
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	var access string
	for i, r := range results {
		switch {
		case errs[i] != nil:
			t.Errorf("request %d: %v", i, errs[i])
		case r.Status == http.StatusOK:
			ok++
			access, _ = r.json()["access_token"].(string)
		case r.Status == http.StatusBadRequest && r.json()["error"] == "invalid_grant":
		default:
			t.Errorf("request %d: %d %s", i, r.Status, r.Body)
		}
	}
	if ok != 1 {
		t.Fatalf("%d successful redemptions of one code, want exactly 1", ok)
	}
	// The 19 replays (valid client and verifier) revoked what the one
	// redemption issued, whichever order they raced in.
	if _, status := e.SPA().Userinfo(access); status != http.StatusUnauthorized {
		t.Errorf("access token of a replayed code: userinfo %d, want 401", status)
	}
}

func TestCodeExpiresAfter60Seconds(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	code := codeFor(t, e.Browser(), e, spaQuery())
	e.Clock.Advance(61 * time.Second)
	wantTokenError(t, token(t, e, spaExchange(code, testVerifier), "", ""), http.StatusBadRequest, "invalid_grant")
}

func TestCodeBoundToClient(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	code := codeFor(t, e.Browser(), e, spaQuery())
	form := spaExchange(code, testVerifier)
	form.Del("client_id")
	wantTokenError(t, token(t, e, form, "webapp", webappSecret), http.StatusBadRequest, "invalid_grant")
}

func TestCodeBoundToRedirectURI(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	b := e.Browser()
	for _, uri := range []string{"http://127.0.0.1:5555/other", spaRedirect + "/", ""} {
		code := codeFor(t, b, e, spaQuery())
		form := spaExchange(code, testVerifier)
		form.Set("redirect_uri", uri)
		want := "invalid_grant"
		if uri == "" {
			want = "invalid_request" // RFC 6749 §4.1.3: required when it was in the request
		}
		wantTokenError(t, token(t, e, form, "", ""), http.StatusBadRequest, want)
	}
}

func TestCodeAndRefreshTokenEntropy(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	q := spaQuery()
	q.Set("scope", "openid offline_access")
	code := codeFor(t, e.Browser(), e, q)
	r := token(t, e, spaExchange(code, testVerifier), "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.Status, r.Body)
	}
	rt, _ := r.json()["refresh_token"].(string)
	for name, v := range map[string]string{"code": code, "refresh token": rt} {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw)*8 < 128 {
			t.Errorf("%s %q: %d bits (%v), want ≥ 128 random bits", name, v, len(raw)*8, err)
		}
	}
}

func TestTokenResponsesAreNotCached(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	q := spaQuery()
	q.Set("scope", "openid offline_access")
	code := codeFor(t, e.Browser(), e, q)
	responses := map[string]response{}
	responses["code"] = token(t, e, spaExchange(code, testVerifier), "", "")
	rt, _ := responses["code"].json()["refresh_token"].(string)
	responses["refresh"] = token(t, e, url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {rt}}, "", "")
	responses["client_credentials"] = token(t, e, url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}, "worker", "worker-secret-0123456789abcdef")
	for name, r := range responses {
		if r.Status != http.StatusOK {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s: Cache-Control %q, want no-store", name, cc)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
	}
}

// --- refresh tokens (checklist A12, A13) ---

func TestRefreshParallelAtMostOneSuccess(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	tok := login(t, e, e.SPA("openid", "offline_access"), e.Browser())
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {tok.RefreshToken}}
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		results := make([]response, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = send(http.DefaultClient, newTokenRequest(e, form, "", ""))
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		var next string
		for i, r := range results {
			switch {
			case errs[i] != nil:
				t.Fatalf("request: %v", errs[i])
			case r.Status == http.StatusOK:
				ok++
				next, _ = r.json()["refresh_token"].(string)
			case r.Status == http.StatusBadRequest && r.json()["error"] == "invalid_grant":
			default:
				t.Errorf("round %d: %d %s", round, r.Status, r.Body)
			}
		}
		if ok > 1 {
			t.Fatalf("round %d: %d successful refreshes with one refresh token", round, ok)
		}
		if ok == 0 {
			return // both lost (reuse detection revoked the grant): acceptable
		}
		form.Set("refresh_token", next)
	}
}

func TestRefreshWithWiderScopeIsInvalidScope(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	tok := login(t, e, e.SPA("openid", "offline_access"), e.Browser())
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {tok.RefreshToken},
		"scope": {"openid offline_access email"}}
	wantTokenError(t, token(t, e, form, "", ""), http.StatusBadRequest, "invalid_scope")
}

// --- client authentication (checklist A18) ---

func TestWrongClientSecretIsInvalidClient(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	b := e.Browser()
	for _, method := range []string{"basic", "post"} {
		t.Run(method, func(t *testing.T) {
			code := codeFor(t, b, e, webQuery())
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedirect}}
			var r response
			if method == "basic" {
				r = token(t, e, form, "webapp", "wrong-secret")
			} else {
				form.Set("client_id", "webapp")
				form.Set("client_secret", "wrong-secret")
				r = token(t, e, form, "", "")
			}
			wantTokenError(t, r, http.StatusUnauthorized, "invalid_client")
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestConfidentialClientWithoutSecretIsInvalidClient(t *testing.T) {
	e := authdtest.New(t)
	r := token(t, e, url.Values{"grant_type": {"client_credentials"}, "client_id": {"worker"}, "audience": {authdtest.API}}, "", "")
	wantTokenError(t, r, http.StatusUnauthorized, "invalid_client")
}

func TestUnknownClientAtTokenEndpoint(t *testing.T) {
	e := authdtest.New(t)
	for name, r := range map[string]response{
		"basic": token(t, e, url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}, "nobody", "secret"),
		"post":  token(t, e, url.Values{"grant_type": {"authorization_code"}, "client_id": {"nobody"}, "code": {"x"}, "redirect_uri": {spaRedirect}}, "", ""),
	} {
		t.Run(name, func(t *testing.T) {
			wantTokenError(t, r, http.StatusUnauthorized, "invalid_client")
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// --- userinfo (checklist A22) ---

func TestUserinfoBearerOnlyInHeader(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	tok := login(t, e, e.SPA(), e.Browser())
	at := tok.AccessToken
	call := func(method, query string, header bool) int {
		req, _ := http.NewRequest(method, e.URL+"/userinfo"+query, nil)
		if header {
			req.Header.Set("Authorization", "Bearer "+at)
		}
		return mustSend(t, http.DefaultClient, req).Status
	}
	if s := call(http.MethodGet, "", true); s != http.StatusOK {
		t.Errorf("GET with bearer header: %d", s)
	}
	if s := call(http.MethodPost, "", true); s != http.StatusOK {
		t.Errorf("POST with bearer header: %d", s)
	}
	if s := call(http.MethodGet, "?access_token="+url.QueryEscape(at), false); s != http.StatusUnauthorized {
		t.Errorf("token in the query string: %d, want 401", s)
	}
	if s := call(http.MethodGet, "?access_token="+url.QueryEscape(at), true); s != http.StatusUnauthorized {
		t.Errorf("token in the query string and the header: %d, want 401", s)
	}
	if s := call(http.MethodGet, "", false); s != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", s)
	}
}

func TestUserinfoRefusesIDToken(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	tok := login(t, e, rp, e.Browser())
	if _, status := rp.Userinfo(tok.Extra("id_token").(string)); status != http.StatusUnauthorized {
		t.Errorf("ID token at /userinfo: %d, want 401", status)
	}
}

func TestUserinfoRefusesClientCredentialsToken(t *testing.T) {
	e := authdtest.New(t)
	r := token(t, e, url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}, "worker", "worker-secret-0123456789abcdef")
	at, _ := r.json()["access_token"].(string)
	if _, status := e.SPA().Userinfo(at); status != http.StatusUnauthorized {
		t.Errorf("API-only token at /userinfo: %d, want 401", status)
	}
}

// --- CORS (checklist A23) ---

func preflight(t *testing.T, e *authdtest.Env, path, origin string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, e.URL+path, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "auth0-client, content-type")
	return mustSend(t, rawClient(), req)
}

func TestCORSTokenEndpointAllowedOrigin(t *testing.T) {
	e := authdtest.New(t)
	r := preflight(t, e, "/oauth/token", "http://127.0.0.1:5555")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "http://127.0.0.1:5555" {
		t.Errorf("Access-Control-Allow-Origin %q", got)
	}
	if got := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "auth0-client") {
		t.Errorf("Access-Control-Allow-Headers %q, want Auth0-Client", got)
	}
}

func TestCORSTokenEndpointOtherOrigin(t *testing.T) {
	e := authdtest.New(t)
	for _, origin := range []string{"https://evil.example", "http://127.0.0.1:5556", "null"} {
		if got := preflight(t, e, "/oauth/token", origin).Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q", origin, got)
		}
	}
}

func TestCORSNeverOnAuthorize(t *testing.T) {
	e := authdtest.New(t)
	if got := preflight(t, e, "/authorize", "http://127.0.0.1:5555").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("preflight /authorize: Access-Control-Allow-Origin %q", got)
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/authorize?"+spaQuery().Encode(), nil)
	req.Header.Set("Origin", "http://127.0.0.1:5555")
	if got := mustSend(t, rawClient(), req).Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("GET /authorize: Access-Control-Allow-Origin %q", got)
	}
}

// --- hostile input (checklist F59, F60) ---

func TestHostileStateIsURLEncodedInLocation(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	b := e.Browser()
	q := spaQuery()
	q.Set("state", hostileString)
	p := b.Get(e.URL + "/authorize?" + q.Encode())
	if p.H1() != "Log in" {
		t.Fatalf("login page: %d %q", p.Status, p.H1())
	}
	if strings.Contains(p.Body, "<svg onload") || strings.Contains(p.Body, "pwned") {
		t.Errorf("state reflected unescaped on the login page")
	}
	p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": pw})
	raw := p.Header.Get("Location")
	if strings.ContainsAny(raw, "\r\n<>\" ") || strings.Contains(p.Header.Get("Set-Cookie"), "pwned") {
		t.Errorf("Location not encoded: %q", raw)
	}
	cb := p.Location()
	if cb.Query().Get("state") != hostileString || len(cb.Query()["code"]) != 1 {
		t.Errorf("callback query %v", cb.Query())
	}
	// The error path (prompt=none without a session) encodes it too.
	q.Set("prompt", "none")
	p = e.Browser().Get(e.URL + "/authorize?" + q.Encode())
	if raw := p.Header.Get("Location"); strings.ContainsAny(raw, "\r\n<>\" ") {
		t.Errorf("Location not encoded: %q", raw)
	}
	if q := p.Location().Query(); q.Get("error") != "login_required" || q.Get("state") != hostileString || len(q["code"]) != 0 {
		t.Errorf("prompt=none callback %v", q)
	}
}

func TestHostileErrorRedirectEncoded(t *testing.T) {
	e := authdtest.New(t)
	q := spaQuery()
	q.Set("state", hostileString)
	q.Set("code_challenge_method", "plain")
	r := authorize(t, e, q.Encode())
	raw := r.Header.Get("Location")
	if strings.ContainsAny(raw, "\r\n<>\" ") {
		t.Errorf("Location not encoded: %q", raw)
	}
	loc, err := url.Parse(raw)
	if err != nil || loc.Query().Get("state") != hostileString || len(loc.Query()["code"]) != 0 {
		t.Errorf("error redirect %q", raw)
	}
}

func TestSQLMetacharactersAreOrdinaryInput(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	evil := []string{"' OR 1=1--", "spa' OR '1'='1", "spa\"; DROP TABLE users;--", "spa\x00", "%27%20OR%201%3D1"}
	for _, v := range evil {
		q := spaQuery()
		q.Set("client_id", v)
		if r := authorize(t, e, q.Encode()); r.Status >= 500 || r.Header.Get("Location") != "" {
			t.Errorf("client_id %q at /authorize: %d %s", v, r.Status, r.Header.Get("Location"))
		}
		q = spaQuery()
		q.Set("scope", "openid "+v)
		if r := authorize(t, e, q.Encode()); r.Status >= 500 {
			t.Errorf("scope %q at /authorize: %d", v, r.Status)
		}
		q = spaQuery()
		q.Set("redirect_uri", spaRedirect+v)
		if r := authorize(t, e, q.Encode()); r.Status >= 500 || r.Header.Get("Location") != "" {
			t.Errorf("redirect_uri %q at /authorize: %d", v, r.Status)
		}
		r := token(t, e, url.Values{"grant_type": {"authorization_code"}, "client_id": {v}, "code": {v}, "redirect_uri": {spaRedirect}}, "", "")
		if r.Status != http.StatusUnauthorized {
			t.Errorf("client_id %q at /oauth/token: %d %s", v, r.Status, r.Body)
		}
		r = token(t, e, spaExchange(v, testVerifier), "", "")
		if r.Status != http.StatusBadRequest {
			t.Errorf("code %q at /oauth/token: %d %s", v, r.Status, r.Body)
		}
		r = token(t, e, url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {v}}, "", "")
		if r.Status != http.StatusBadRequest {
			t.Errorf("refresh_token %q at /oauth/token: %d %s", v, r.Status, r.Body)
		}
	}
	// Still working afterwards: nothing was dropped or matched.
	tok := login(t, e, e.SPA(), e.Browser())
	if _, status := e.SPA().Userinfo(tok.AccessToken); status != http.StatusOK {
		t.Errorf("after the injection attempts: userinfo %d", status)
	}
}

// RFC 6749 §3.1: unknown parameters are ignored; OIDC Core §3.1.2.1: the
// request may be a POST.
func TestAuthorizeUnknownParameterAndPOSTSucceed(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	q := spaQuery()
	q.Set("extra", "foobar")
	q.Set("scope", "email openid profile")
	b := e.Browser()
	p := b.Post(e.URL+"/authorize", q)
	if p.H1() != "Log in" {
		t.Fatalf("POST /authorize: %d %q", p.Status, p.H1())
	}
	code := p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": pw}).Location().Query().Get("code")
	if r := token(t, e, spaExchange(code, testVerifier), "", ""); r.Status != http.StatusOK {
		t.Errorf("exchange: %d %s", r.Status, r.Body)
	}
}

// A client with two redirect URIs must name one: authd cannot guess.
func TestAuthorizeRedirectURIRequiredWithSeveral(t *testing.T) {
	e := authdtest.New(t, authdtest.Configure(func(c *config.Config) {
		for i := range c.Clients {
			if c.Clients[i].ClientID == "spa" {
				c.Clients[i].RedirectURIs = append(c.Clients[i].RedirectURIs, "http://127.0.0.1:5555/other")
			}
		}
	}))
	q := spaQuery()
	q.Del("redirect_uri")
	wantErrorPage(t, authorize(t, e, q.Encode()))
}

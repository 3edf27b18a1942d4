package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/authdtest"
)

const pw = "correct horse battery"

func login(t *testing.T, e *authdtest.Env, rp *authdtest.RP, b *authdtest.Browser, extra ...oauth2.AuthCodeOption) *authdtest.Tokens {
	t.Helper()
	a, cb := e.Login(b, rp, "ada@example.org", pw, extra...)
	tok, err := rp.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func TestCodeFlowWithPKCE(t *testing.T) {
	e := authdtest.New(t)
	u := e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	tok := login(t, e, rp, e.Browser())

	c := tok.Claims
	if c["sub"] != u.ID || !strings.HasPrefix(u.ID, "auth0|") || len(u.ID) != len("auth0|")+24 {
		t.Errorf("sub = %v, user %s", c["sub"], u.ID)
	}
	if c["aud"] != "spa" {
		t.Errorf("ID token aud = %v, want the client id as a string", c["aud"])
	}
	if c["email"] != "ada@example.org" || c["auth_time"] == nil {
		t.Errorf("claims: %v", c)
	}
	if amr, _ := c["amr"].([]any); !slices.Contains(amr, any("pwd")) {
		t.Errorf("amr = %v, want pwd", c["amr"])
	}
	at := tok.Access
	if at["aud"] != e.Issuer+"userinfo" || at["azp"] != "spa" || at["scope"] != "openid profile email" {
		t.Errorf("access token: %v", at)
	}
	if tok.RefreshToken != "" {
		t.Error("refresh token issued without offline_access")
	}
	info, status := rp.Userinfo(tok.AccessToken)
	if status != http.StatusOK || info["sub"] != u.ID || info["email"] != "ada@example.org" {
		t.Errorf("userinfo %d: %v", status, info)
	}
	if got := e.User(u.ID); got.LoginsCount != 1 || got.LastLogin.IsZero() {
		t.Errorf("logins_count %d last_login %v", got.LoginsCount, got.LastLogin)
	}
}

func TestAccessTokenForAPI(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA("openid", "read:xyz", "delete:everything")
	tok := login(t, e, rp, e.Browser(), authdtest.Param("audience", authdtest.API))
	aud, _ := tok.Access["aud"].([]any)
	if len(aud) != 2 || aud[0] != authdtest.API || aud[1] != e.Issuer+"userinfo" {
		t.Errorf("aud = %v", tok.Access["aud"])
	}
	// A scope the API does not define is not granted.
	if tok.Access["scope"] != "openid read:xyz" {
		t.Errorf("scope = %v", tok.Access["scope"])
	}
	if exp, iat := tok.Access["exp"].(float64), tok.Access["iat"].(float64); exp-iat != 3600 {
		t.Errorf("API token_lifetime 1h not applied: %v", exp-iat)
	}
}

func TestUnknownAudienceIsDenied(t *testing.T) {
	e := authdtest.New(t)
	rp := e.SPA()
	a := rp.AuthURL(authdtest.Param("audience", "https://nope.example/"))
	cb := e.Browser().Get(a.URL).Location()
	if q := cb.Query(); q.Get("error") != "access_denied" || q.Get("state") != a.State {
		t.Errorf("callback %s", cb)
	}
}

func TestRefreshRotationAndReuseDetection(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA("openid", "offline_access", "read:xyz")
	tok := login(t, e, rp, e.Browser(), authdtest.Param("audience", authdtest.API))
	rt1 := tok.RefreshToken
	if rt1 == "" {
		t.Fatal("no refresh token")
	}
	tok2, err := rp.Refresh(rt1)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok2.RefreshToken == "" || tok2.RefreshToken == rt1 {
		t.Fatal("refresh token not rotated")
	}
	if tok2.Claims["sub"] != tok.Claims["sub"] || tok2.Access["scope"] != "openid offline_access read:xyz" {
		t.Errorf("refreshed tokens: %v %v", tok2.Claims, tok2.Access)
	}
	// The old token is refused, and presenting it revokes the family: the
	// new refresh token and its access token die too.
	if _, err := rp.Refresh(rt1); !isOAuthError(err, "invalid_grant") {
		t.Fatalf("reused refresh token: %v", err)
	}
	if _, err := rp.Refresh(tok2.RefreshToken); !isOAuthError(err, "invalid_grant") {
		t.Fatalf("sibling after reuse: %v", err)
	}
	if _, status := rp.Userinfo(tok2.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token of a revoked grant: userinfo %d", status)
	}
}

func TestRefreshTokenOfAnotherClient(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	tok := login(t, e, e.SPA("openid", "offline_access"), e.Browser())
	web := e.RP("webapp", "webapp-secret-0123456789abcdef", "http://127.0.0.1:5556/callback")
	if _, err := web.Refresh(tok.RefreshToken); !isOAuthError(err, "invalid_grant") {
		t.Fatalf("refresh with another client: %v", err)
	}
}

func TestClientCredentials(t *testing.T) {
	e := authdtest.New(t)
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}
	status, body := postToken(t, e, form, "worker", "worker-secret-0123456789abcdef")
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	at := authdtest.DecodeJWT(t, body["access_token"].(string))
	if at["sub"] != "worker@clients" || at["aud"] != authdtest.API || at["gty"] != "client-credentials" || at["scope"] != "read:xyz" {
		t.Errorf("claims %v", at)
	}
	if _, ok := body["refresh_token"]; ok {
		t.Error("client credentials issued a refresh token")
	}
	if _, ok := body["id_token"]; ok {
		t.Error("client credentials issued an ID token")
	}
	// Wrong secret → 401 invalid_client; an API without a client grant → 403.
	if status, body := postToken(t, e, form, "worker", "wrong"); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", status, body)
	}
	form.Set("audience", "https://other.example/")
	if status, body := postToken(t, e, form, "worker", "worker-secret-0123456789abcdef"); status != http.StatusForbidden || body["error"] != "access_denied" {
		t.Errorf("no client grant: %d %v", status, body)
	}
}

func TestSSOSecondLoginSkipsTheForm(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	b := e.Browser()
	first := login(t, e, rp, b)
	a := rp.AuthURL()
	cb := b.Get(a.URL).Location() // no form: straight back to the client
	second, err := rp.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatal(err)
	}
	if second.Claims["sub"] != first.Claims["sub"] || second.Claims["auth_time"] != first.Claims["auth_time"] {
		t.Errorf("SSO login changed the subject or auth_time")
	}
	// prompt=login forces the form again.
	a = rp.AuthURL(authdtest.Param("prompt", "login"))
	if p := b.Get(a.URL); p.H1() != "Log in" {
		t.Errorf("prompt=login: %d %q", p.Status, p.H1())
	}
}

func TestPromptNone(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	b := e.Browser()
	a := rp.AuthURL(authdtest.Param("prompt", "none"))
	cb := b.Get(a.URL).Location()
	if q := cb.Query(); q.Get("error") != "login_required" || q.Get("state") != a.State {
		t.Fatalf("prompt=none without a session: %s", cb)
	}
	login(t, e, rp, b)
	a = rp.AuthURL(authdtest.Param("prompt", "none"))
	if _, err := rp.Exchange(a, authdtest.Code(t, a, b.Get(a.URL).Location())); err != nil {
		t.Fatalf("prompt=none with a session: %v", err)
	}
}

func TestMaxAge(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	b := e.Browser()
	login(t, e, rp, b)
	e.Clock.Advance(2 * time.Minute)
	a := rp.AuthURL(authdtest.Param("max_age", "60"))
	if p := b.Get(a.URL); p.H1() != "Log in" {
		t.Errorf("max_age exceeded but no login form: %d %q", p.Status, p.H1())
	}
	a = rp.AuthURL(authdtest.Param("max_age", "3600"))
	if p := b.Get(a.URL); p.Status != http.StatusSeeOther && p.Header.Get("Location") == "" {
		t.Errorf("max_age within bounds showed the form")
	}
}

func TestFormPost(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	a := rp.AuthURL(authdtest.Param("response_mode", "form_post"))
	b := e.Browser()
	p := b.Get(a.URL).Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": pw})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `action="http://127.0.0.1:5555/callback"`) || !strings.Contains(p.Body, `name="code"`) || !strings.Contains(p.Body, a.State) {
		t.Fatalf("form_post page: %d\n%s", p.Status, p.Body)
	}
}

func TestRevokeAndLogout(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA("openid", "offline_access")
	b := e.Browser()
	tok := login(t, e, rp, b)
	resp, err := http.PostForm(e.URL+"/oauth/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {"spa"}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	if _, err := rp.Refresh(tok.RefreshToken); !isOAuthError(err, "invalid_grant") {
		t.Errorf("refresh after revoke: %v", err)
	}
	// Auth0 logout: back to returnTo, session gone, prompt=none fails.
	p := b.Get(e.URL + "/v2/logout?client_id=spa&returnTo=" + url.QueryEscape("http://127.0.0.1:5555/"))
	if loc := p.Location(); loc.String() != "http://127.0.0.1:5555/" {
		t.Errorf("logout went to %s", loc)
	}
	a := rp.AuthURL(authdtest.Param("prompt", "none"))
	if q := b.Get(a.URL).Location().Query(); q.Get("error") != "login_required" {
		t.Errorf("after logout prompt=none: %v", q)
	}
	// A returnTo that is not an allowed logout URL is not followed.
	p = b.Get(e.URL + "/v2/logout?client_id=spa&returnTo=" + url.QueryEscape("https://evil.example/"))
	if p.Header.Get("Location") != "" {
		t.Errorf("open redirect on logout: %s", p.Header.Get("Location"))
	}
}

func TestOIDCLogoutWithIDTokenHint(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA()
	b := e.Browser()
	tok := login(t, e, rp, b)
	raw := tok.Extra("id_token").(string)
	p := b.Get(e.URL + "/oidc/logout?id_token_hint=" + raw + "&post_logout_redirect_uri=" + url.QueryEscape("http://127.0.0.1:5555/") + "&state=xyz")
	if loc := p.Location(); loc.String() != "http://127.0.0.1:5555/?state=xyz" {
		t.Errorf("logout redirect %s", loc)
	}
}

func TestTokensSurviveRestart(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", pw)
	rp := e.SPA("openid", "offline_access")
	tok := login(t, e, rp, e.Browser())
	e.Restart()
	rp2 := e.SPA("openid", "offline_access")
	if _, err := rp2.Verifier.Verify(context.Background(), tok.Extra("id_token").(string)); err != nil {
		t.Fatalf("ID token from before the restart: %v", err)
	}
	if _, status := rp2.Userinfo(tok.AccessToken); status != http.StatusOK {
		t.Errorf("access token from before the restart: %d", status)
	}
	if _, err := rp2.Refresh(tok.RefreshToken); err != nil {
		t.Errorf("refresh after restart: %v", err)
	}
}

func TestDiscoveryWithIndependentClient(t *testing.T) {
	e := authdtest.New(t)
	p, err := gooidc.NewProvider(context.Background(), e.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Methods []string `json:"code_challenge_methods_supported"`
		Token   string   `json:"token_endpoint"`
		JWKS    string   `json:"jwks_uri"`
	}
	if err := p.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Methods, []string{"S256"}) || d.Token != e.URL+"/oauth/token" || d.JWKS != e.URL+"/.well-known/jwks.json" {
		t.Errorf("discovery: %+v", d)
	}
}

// TestClientSecretGuessingIsThrottled: 50 wrong secrets for one client
// from one address, then even the right secret gets 429 until the block
// expires; other clients are unaffected.
func TestClientSecretGuessingIsThrottled(t *testing.T) {
	e := authdtest.New(t)
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}
	for i := 0; i < 50; i++ {
		if status, body := postToken(t, e, form, "worker", "guess"); status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %v", i, status, body)
		}
	}
	status, body := postToken(t, e, form, "worker", "worker-secret-0123456789abcdef")
	if status != http.StatusTooManyRequests || body["error"] != "too_many_attempts" {
		t.Fatalf("right secret after 50 guesses: %d %v", status, body)
	}
	web := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}
	if status, body := postToken(t, e, web, "webapp", "webapp-secret-0123456789abcdef"); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("another client is blocked too: %d %v", status, body)
	}
	e.Clock.Advance(16 * time.Minute)
	if status, body := postToken(t, e, form, "worker", "worker-secret-0123456789abcdef"); status != http.StatusOK {
		t.Errorf("after the block: %d %v", status, body)
	}
}

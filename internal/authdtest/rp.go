package authdtest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// RP is an independent relying party: coreos/go-oidc for discovery and
// ID token verification, x/oauth2 for the code exchange.
type RP struct {
	T        testing.TB
	Provider *gooidc.Provider
	OAuth2   oauth2.Config
	Verifier *gooidc.IDTokenVerifier
	HTTP     *http.Client
}

// RP builds a relying party for a configured client.
func (e *Env) RP(clientID, secret, redirect string, scopes ...string) *RP {
	e.T.Helper()
	ctx := context.Background()
	p, err := gooidc.NewProvider(ctx, e.Issuer)
	if err != nil {
		e.T.Fatalf("discovery: %v", err)
	}
	if len(scopes) == 0 {
		scopes = []string{gooidc.ScopeOpenID, "profile", "email"}
	}
	return &RP{T: e.T, Provider: p, HTTP: http.DefaultClient,
		OAuth2:   oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirect, Endpoint: p.Endpoint(), Scopes: scopes},
		Verifier: p.Verifier(&gooidc.Config{ClientID: clientID}),
	}
}

// SPA is the RP of the public test client.
func (e *Env) SPA(scopes ...string) *RP {
	return e.RP("spa", "", "http://127.0.0.1:5555/callback", scopes...)
}

// Auth is one authorization request's client-side secrets.
type Auth struct {
	URL      string
	State    string
	Nonce    string
	Verifier string
}

// AuthURL builds an /authorize URL with state, nonce and PKCE S256.
func (rp *RP) AuthURL(extra ...oauth2.AuthCodeOption) Auth {
	a := Auth{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{gooidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)}, extra...)
	a.URL = rp.OAuth2.AuthCodeURL(a.State, opts...)
	return a
}

// Param is an extra authorize parameter.
func Param(k, v string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam(k, v) }

// Tokens is a verified token response.
type Tokens struct {
	*oauth2.Token
	IDToken *gooidc.IDToken
	Claims  map[string]any // ID token claims
	Access  map[string]any // access token claims (unverified decode; verify with VerifyAccess)
}

// Exchange redeems a code and verifies the ID token (signature against
// the JWKS, iss, aud, exp, nonce).
func (rp *RP) Exchange(a Auth, code string) (*Tokens, error) {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, rp.HTTP)
	tok, err := rp.OAuth2.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, err
	}
	return rp.verify(tok, a.Nonce)
}

func (rp *RP) verify(tok *oauth2.Token, nonce string) (*Tokens, error) {
	t := &Tokens{Token: tok, Access: DecodeJWT(rp.T, tok.AccessToken)}
	if raw, ok := tok.Extra("id_token").(string); ok && raw != "" {
		idt, err := rp.Verifier.Verify(context.Background(), raw)
		if err != nil {
			return nil, err
		}
		if nonce != "" && idt.Nonce != nonce {
			rp.T.Fatalf("nonce mismatch: %q != %q", idt.Nonce, nonce)
		}
		t.IDToken = idt
		if err := idt.Claims(&t.Claims); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Refresh runs a refresh_token grant.
func (rp *RP) Refresh(refresh string) (*Tokens, error) {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, rp.HTTP)
	src := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh})
	tok, err := src.Token()
	if err != nil {
		return nil, err
	}
	return rp.verify(tok, "")
}

// Userinfo calls /userinfo with the access token.
func (rp *RP) Userinfo(access string) (map[string]any, int) {
	req, _ := http.NewRequest(http.MethodGet, rp.Provider.UserInfoEndpoint(), nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := rp.HTTP.Do(req)
	if err != nil {
		rp.T.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out, resp.StatusCode
}

// Login drives a whole password login in b and returns the code (or
// fails the test).
func (e *Env) Login(b *Browser, rp *RP, email, password string, extra ...oauth2.AuthCodeOption) (Auth, *url.URL) {
	e.T.Helper()
	a := rp.AuthURL(extra...)
	page := b.Get(a.URL)
	if page.Status == http.StatusOK && page.H1() == "Log in" {
		page = page.Submit("Continue", map[string]string{"Email": email, "Password": password})
	}
	return a, page.Location()
}

// Code extracts and checks the code of a successful callback.
func Code(t testing.TB, a Auth, cb *url.URL) string {
	t.Helper()
	q := cb.Query()
	if q.Get("error") != "" {
		t.Fatalf("authorization failed: %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != a.State {
		t.Fatalf("state %q, want %q", q.Get("state"), a.State)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in %s", cb)
	}
	return q.Get("code")
}

// DecodeJWT decodes a JWT payload without verifying it.
func DecodeJWT(t testing.TB, jwt string) map[string]any {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("jwt payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("jwt payload: %v", err)
	}
	return m
}

func randomString() string {
	return oauth2.GenerateVerifier()[:32]
}

// S256 computes a PKCE challenge.
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var _ = url.Values{}

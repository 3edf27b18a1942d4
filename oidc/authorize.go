package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/login"
	"github.com/authd/authd/store"
)

// oidcScopes are granted whenever they are asked for; everything else must
// be a scope of the requested API.
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

// Authorize runs after the library has validated the client, the
// redirect_uri (exact match), prompt, response_type and the PKCE method
// syntax; every error returned here is redirected to the client.
func (s *Server) Authorize(ctx context.Context, r *op.ClientRequest[oidc.AuthRequest]) (*op.Redirect, error) {
	req := r.Data
	cl := r.Client.(*client).c
	// RFC 6749 §3.1: parameters must not be repeated.
	for k, v := range r.Form {
		if len(v) > 1 {
			return nil, oidc.ErrInvalidRequest().WithDescription("parameter %s is repeated", k)
		}
	}
	if mode := req.ResponseMode; mode != "" && mode != oidc.ResponseModeQuery && mode != oidc.ResponseModeFormPost {
		return nil, oidc.ErrInvalidRequest().WithDescription("unsupported response_mode")
	}
	// PKCE (RFC 9700 §2.1.1): S256 only; required for public clients.
	switch {
	case req.CodeChallenge == "" && cl.Public():
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge is required (PKCE S256)")
	case req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	case req.CodeChallenge != "" && (len(req.CodeChallenge) != 43):
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge must be a base64url SHA-256")
	}
	if !slices.Contains(cl.GrantTypes, "authorization_code") {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client may not use the authorization code flow")
	}
	if req.IDTokenHint != "" {
		if _, err := op.ValidateAuthReqIDTokenHint(ctx, req.IDTokenHint, s.Provider().IDTokenHintVerifier(ctx)); err != nil {
			return nil, err
		}
	}
	audience := r.Form.Get("audience")
	var apiScopes []string
	offline := slices.Contains(cl.GrantTypes, "refresh_token")
	if audience != "" {
		api, ok := s.cfg.API(audience)
		if !ok {
			// Auth0's wording for an unknown audience.
			return nil, oidc.ErrAccessDenied().WithDescription("Service not found: %s", audience)
		}
		apiScopes = api.Scopes
		offline = offline && api.AllowOfflineAccess
	}
	var scopes []string
	for _, sc := range req.Scopes {
		ok := slices.Contains(oidcScopes, sc) || slices.Contains(apiScopes, sc)
		if sc == "offline_access" && !offline {
			ok = false
		}
		if ok && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	maxAge := int64(-1)
	if req.MaxAge != nil {
		maxAge = int64(*req.MaxAge)
	}
	query := map[string]string{}
	for k, v := range r.Form {
		query[k] = v[0]
	}
	now := s.now().UTC()
	ar := &store.AuthRequest{
		ID: newID(), ClientID: cl.ClientID, RedirectURI: req.RedirectURI, Scopes: scopes,
		State: req.State, Nonce: req.Nonce, ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod), Prompt: req.Prompt, MaxAge: maxAge,
		ACRValues: req.ACRValues, UILocales: localeStrings(req.UILocales), LoginHint: req.LoginHint,
		Audience: audience, Query: query, BrowserID: login.BrowserID(ctx),
		CreatedAt: now, ExpiresAt: now.Add(AuthRequestTTL),
	}
	if err := s.st.CreateAuthRequest(ctx, ar); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	next := "/u/login?state=" + ar.ID
	if r.Form.Get("screen_hint") == "signup" && s.cfg.Login.Signup {
		next = "/u/signup?state=" + ar.ID
	}
	return &op.Redirect{Header: http.Header{}, URL: s.cfg.Issuer + next[1:]}, nil
}

// newID returns 128 random bits, base64url: auth request ids, codes,
// grant ids and refresh tokens are all bearer handles.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func localeStrings(l oidc.Locales) []string {
	var out []string
	for _, t := range l {
		out = append(out, t.String())
	}
	return out
}

package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/config"
	"github.com/authd/authd/login"
	"github.com/authd/authd/store"
)

// mint is everything one token response is built from.
type mint struct {
	client   *config.Client
	user     *store.User // nil for client credentials
	subject  string
	audience string // API identifier, "" for userinfo-only
	scopes   []string
	grantID  string
	nonce    string
	authTime time.Time
	amr      []string
	idClaims map[string]any
	atClaims map[string]any
	gty      string
	refresh  string // the refresh token to return, if any
}

// tokenResponse is the JSON of a successful token request.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

func (s *Server) accessTTL(audience string) time.Duration {
	if api, ok := s.cfg.API(audience); ok && api.TokenLifetime > 0 {
		return api.TokenLifetime
	}
	return s.cfg.Tokens.AccessTokenTTL
}

// issue signs the access token (and the ID token when openid was granted)
// and builds the response.
func (s *Server) issue(m mint) (*op.Response, error) {
	now := s.now()
	ttl := s.accessTTL(m.audience)
	exp := now.Add(ttl)
	userinfoAud := s.cfg.Issuer + "userinfo"
	openid := slices.Contains(m.scopes, "openid")

	// Access token (Auth0 shape). Custom claims first, then the registered
	// claims over them: an action can never change iss/sub/aud/exp.
	at := map[string]any{}
	maps.Copy(at, m.atClaims)
	at["iss"] = s.cfg.Issuer
	at["sub"] = m.subject
	switch {
	case m.audience == "":
		at["aud"] = userinfoAud
	case openid:
		at["aud"] = []string{m.audience, userinfoAud}
	default:
		at["aud"] = m.audience
	}
	at["iat"] = now.Unix()
	at["exp"] = exp.Unix()
	at["scope"] = strings.Join(m.scopes, " ")
	at["azp"] = m.client.ClientID
	at["jti"] = m.grantID + "." + newID()
	if m.gty != "" {
		at["gty"] = m.gty
	}
	accessToken, err := s.keys.Sign(at)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	resp := tokenResponse{AccessToken: accessToken, TokenType: "Bearer", ExpiresIn: int64(ttl.Seconds()),
		RefreshToken: m.refresh, Scope: strings.Join(m.scopes, " ")}

	if openid && m.user != nil {
		id := map[string]any{}
		maps.Copy(id, m.idClaims)
		maps.Copy(id, profileClaims(m.user, m.scopes))
		id["iss"] = s.cfg.Issuer
		id["sub"] = m.subject
		id["aud"] = m.client.ClientID
		id["azp"] = m.client.ClientID
		id["iat"] = now.Unix()
		id["exp"] = now.Add(s.cfg.Tokens.IDTokenTTL).Unix()
		if !m.authTime.IsZero() {
			id["auth_time"] = m.authTime.Unix()
		}
		if m.nonce != "" {
			id["nonce"] = m.nonce
		} else {
			delete(id, "nonce")
		}
		if len(m.amr) > 0 {
			id["amr"] = m.amr
		}
		if resp.IDToken, err = s.keys.Sign(id); err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
	}
	r := op.NewResponse(resp)
	r.Header.Set("Cache-Control", "no-store")
	r.Header.Set("Pragma", "no-cache")
	return r, nil
}

// profileClaims are the standard claims the granted scopes allow.
func profileClaims(u *store.User, scopes []string) map[string]any {
	c := map[string]any{}
	if slices.Contains(scopes, "profile") {
		for k, v := range map[string]string{"name": u.Name, "nickname": u.Nickname, "given_name": u.GivenName, "family_name": u.FamilyName, "picture": u.Picture} {
			if v != "" {
				c[k] = v
			}
		}
		c["updated_at"] = u.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	if slices.Contains(scopes, "email") {
		c["email"] = u.Email
		c["email_verified"] = u.EmailVerified
	}
	return c
}

// CodeExchange redeems an authorization code (RFC 6749 §4.1.3 with PKCE,
// RFC 7636): single use, short-lived, bound to client, redirect_uri and
// code challenge. A replayed code revokes the grant it produced.
func (s *Server) CodeExchange(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*op.Response, error) {
	cl := r.Client.(*client).c
	now := s.now().UTC()
	hash := hashCode(r.Data.Code)
	_, ar, err := s.st.ConsumeAuthCode(ctx, hash, now)
	switch {
	case errors.Is(err, store.ErrConsumed):
		// Revoke only when the replay is otherwise valid (right client and
		// verifier): a thief's garbage must not cut off the real client
		// (OAuth 2.1 §4.1.3).
		if ar != nil && ar.ClientID == cl.ClientID && pkceOK(ar, r.Data.CodeVerifier) {
			s.revokeCodeGrant(ctx, hash, ar, now)
		}
		return nil, oidc.ErrInvalidGrant().WithDescription("code already used")
	case errors.Is(err, store.ErrNotFound):
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid or expired code")
	case err != nil:
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if ar.ClientID != cl.ClientID || !ar.Done {
		return nil, oidc.ErrInvalidGrant()
	}
	if r.Data.RedirectURI != ar.RedirectURI {
		return nil, oidc.ErrInvalidGrant().WithDescription("redirect_uri does not match")
	}
	if ar.CodeChallenge == "" && r.Data.CodeVerifier != "" {
		// PKCE downgrade (RFC 9700 §4.8.2).
		return nil, oidc.ErrInvalidGrant().WithDescription("code_verifier unexpected")
	}
	if !pkceOK(ar, r.Data.CodeVerifier) {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid code_verifier")
	}
	u, err := s.st.GetUser(ctx, ar.UserID)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("user not found")
	}
	m := mint{
		client: cl, user: u, subject: u.ID, audience: ar.Audience, scopes: ar.GrantedScopes,
		grantID: codeGrantID(hash), nonce: ar.Nonce, authTime: ar.AuthTime, amr: ar.AMR,
		idClaims: ar.IDClaims, atClaims: ar.AccessClaims,
	}
	grant := &store.Grant{ID: m.grantID, ClientID: cl.ClientID, UserID: u.ID, CreatedAt: now,
		ExpiresAt: now.Add(max(s.accessTTL(ar.Audience), s.cfg.Tokens.IDTokenTTL))}
	var rt *store.RefreshToken
	if slices.Contains(ar.Scopes, "offline_access") && slices.Contains(cl.GrantTypes, "refresh_token") {
		m.refresh = newSecret()
		rt = &store.RefreshToken{
			Hash: hashCode(m.refresh), ID: newID(), GrantID: m.grantID, ClientID: cl.ClientID,
			UserID: u.ID, SessionID: ar.SessionID, Audience: ar.Audience, Scopes: ar.Scopes,
			AuthTime: ar.AuthTime, AMR: ar.AMR, Methods: s.sessionMethods(ctx, ar.SessionID),
			CreatedAt: now, ExpiresAt: now.Add(s.cfg.Tokens.RefreshTokenTTL),
		}
		grant.ExpiresAt = rt.ExpiresAt
	}
	if err := s.st.CreateGrant(ctx, grant, rt); err != nil {
		if !errors.Is(err, store.ErrConflict) {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		// A replay of this code got here first and left a revoked
		// tombstone under the grant id: this (the one successful)
		// redemption still answers, but with tokens of a revoked grant
		// and no refresh token — what a replay must leave behind.
		m.refresh = ""
		return s.issue(m)
	}
	if err := s.st.SetAuthCodeGrant(ctx, hash, m.grantID); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if len(ar.IDClaims) > 0 {
		if err := s.st.SetGrantClaims(ctx, m.grantID, ar.IDClaims); err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
	}
	return s.issue(m)
}

func (s *Server) sessionMethods(ctx context.Context, id string) []store.AuthMethod {
	if sess, err := s.st.GetSession(ctx, id); err == nil {
		return sess.Methods
	}
	return nil
}

// codeGrantID derives the id of the grant a code produces from the code
// itself, so a replay knows which grant to revoke even while the first
// exchange is still minting (no window where the link is missing).
func codeGrantID(codeHash string) string {
	sum := sha256.Sum256([]byte("authd-grant\x00" + codeHash))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// revokeCodeGrant revokes what a replayed code issued (RFC 6749 §4.1.2).
// If the first exchange has not created its grant yet, a revoked
// tombstone takes the id, and that exchange then fails on the conflict.
func (s *Server) revokeCodeGrant(ctx context.Context, codeHash string, ar *store.AuthRequest, now time.Time) {
	id := codeGrantID(codeHash)
	tomb := &store.Grant{ID: id, ClientID: ar.ClientID, UserID: ar.UserID, CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.Tokens.RefreshTokenTTL), RevokedAt: now}
	if err := s.st.CreateGrant(ctx, tomb, nil); err == nil {
		return
	}
	if err := s.st.RevokeGrant(ctx, id, now); err != nil {
		s.log.ErrorContext(ctx, "revoke grant after code replay", "err", err)
	}
}

// pkceOK checks the S256 verifier in constant time.
func pkceOK(ar *store.AuthRequest, verifier string) bool {
	if ar.CodeChallenge == "" {
		return verifier == ""
	}
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(ar.CodeChallenge)) == 1
}

// RefreshToken rotates a refresh token (reuse revokes the grant, RFC 9700
// §4.14.2) and runs the post-login actions for the new tokens.
func (s *Server) RefreshToken(ctx context.Context, r *op.ClientRequest[oidc.RefreshTokenRequest]) (*op.Response, error) {
	cl := r.Client.(*client).c
	if !slices.Contains(cl.GrantTypes, "refresh_token") {
		return nil, oidc.ErrUnauthorizedClient()
	}
	now := s.now().UTC()
	hash := hashCode(r.Data.RefreshToken)
	rt, err := s.st.GetRefreshToken(ctx, hash)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	}
	if rt.ClientID != cl.ClientID {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	}
	if !rt.RevokedAt.IsZero() || !rt.ExpiresAt.After(now) {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	}
	if !rt.UsedAt.IsZero() {
		if err := s.st.RevokeGrant(ctx, rt.GrantID, now); err != nil {
			s.log.ErrorContext(ctx, "revoke grant after refresh token reuse", "err", err)
		}
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	scopes := rt.Scopes
	if len(r.Data.Scopes) > 0 {
		for _, sc := range r.Data.Scopes {
			if !slices.Contains(rt.Scopes, sc) {
				return nil, oidc.ErrInvalidScope().WithDescription("scope %q was not granted", sc)
			}
		}
		scopes = r.Data.Scopes
	}
	u, err := s.st.GetUser(ctx, rt.UserID)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("user not found")
	}
	httpReq := &http.Request{Method: r.Method, URL: r.URL, Header: r.Header, Form: r.Form, PostForm: r.PostForm, RemoteAddr: remoteAddr(ctx)}
	res, err := s.login.Refresh(ctx, login.RefreshInput{Request: httpReq, Token: rt, User: u, Client: cl, Scopes: scopes})
	if err != nil {
		if oe, ok := login.AsOAuthError(err); ok {
			if oe.RevokeGrant {
				if err := s.st.RevokeGrant(ctx, rt.GrantID, now); err != nil {
					s.log.ErrorContext(ctx, "revoke grant", "err", err)
				}
			}
			return nil, op.NewStatusError(oauthError(oe.Code, oe.Description), oe.Status)
		}
		return nil, oidc.ErrServerError().WithParent(err)
	}
	m := mint{
		client: cl, user: u, subject: u.ID, audience: rt.Audience, scopes: res.Scopes,
		grantID: rt.GrantID, authTime: rt.AuthTime, amr: rt.AMR,
		idClaims: res.IDClaims, atClaims: res.AccessClaims,
	}
	m.refresh = r.Data.RefreshToken
	if s.cfg.Tokens.RefreshTokenRotation {
		m.refresh = newSecret()
		next := *rt
		next.Hash = hashCode(m.refresh)
		next.ID = newID()
		next.CreatedAt = now
		next.UsedAt, next.RevokedAt = time.Time{}, time.Time{}
		next.LastExchangedAt = now
		if err := s.st.RotateRefreshToken(ctx, hash, &next, now); err != nil {
			if errors.Is(err, store.ErrConsumed) {
				return nil, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
			}
			return nil, oidc.ErrServerError().WithParent(err)
		}
	}
	// /userinfo serves what this refresh decided; write only on change
	// (the common case is none, and a write costs an fsync).
	if old, err := s.st.GrantClaims(ctx, rt.GrantID); err != nil || !sameJSON(old, nilIfEmpty(res.IDClaims)) {
		if err := s.st.SetGrantClaims(ctx, rt.GrantID, res.IDClaims); err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
	}
	return s.issue(m)
}

// ClientCredentialsExchange issues a machine token for an API the client
// has a client grant for (Auth0 requires the audience).
func (s *Server) ClientCredentialsExchange(ctx context.Context, r *op.ClientRequest[oidc.ClientCredentialsRequest]) (*op.Response, error) {
	cl := r.Client.(*client).c
	audience := r.Form.Get("audience")
	if audience == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("audience is required")
	}
	var grant *config.ClientGrant
	for i := range s.cfg.ClientGrants {
		g := &s.cfg.ClientGrants[i]
		if g.ClientID == cl.ClientID && g.Audience == audience {
			grant = g
		}
	}
	if grant == nil {
		return nil, op.NewStatusError(oidc.ErrAccessDenied().WithDescription("Client is not authorized to access %q. You need to create a client grant.", audience), http.StatusForbidden)
	}
	scopes := grant.Scope
	if len(r.Data.Scope) > 0 {
		scopes = nil
		for _, sc := range r.Data.Scope {
			if !slices.Contains(grant.Scope, sc) {
				return nil, op.NewStatusError(oidc.ErrAccessDenied().WithDescription("Client has not been granted scopes: %s", sc), http.StatusForbidden)
			}
			scopes = append(scopes, sc)
		}
	}
	return s.issue(mint{client: cl, subject: cl.ClientID + "@clients", audience: audience,
		scopes: slices.Clone(scopes), grantID: "cc", gty: "client-credentials"})
}

// sameJSON compares claim sets as JSON: the stored set comes back decoded
// ([]any, float64) while the engine's may hold other Go types.
func sameJSON(a, b map[string]any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func nilIfEmpty(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

func remoteAddr(ctx context.Context) string {
	s, _ := ctx.Value(remoteAddrKey{}).(string)
	return s
}

type remoteAddrKey struct{}

// oauthError builds an *oidc.Error with any error code (the library only
// has constructors for the RFC 6749 codes, not Auth0's mfa_required).
func oauthError(code, desc string) *oidc.Error {
	e := new(oidc.Error)
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	if err := json.Unmarshal(b, e); err != nil || string(e.ErrorType) != code {
		return oidc.ErrServerError().WithDescription("%s", fmt.Sprintf("%s: %s", code, desc))
	}
	return e
}

package oidc

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// atClaims is what authd reads back from its own access tokens.
type atClaims struct {
	Iss   string          `json:"iss"`
	Sub   string          `json:"sub"`
	Aud   json.RawMessage `json:"aud"`
	Exp   int64           `json:"exp"`
	Scope string          `json:"scope"`
	JTI   string          `json:"jti"`
	Azp   string          `json:"azp"`
}

func (c atClaims) audiences() []string {
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(c.Aud, &many)
	return many
}

var errBadToken = op.NewStatusError(oidc.ErrAccessDenied().WithDescription("access token invalid"), http.StatusUnauthorized)

// verifyAccessToken checks signature, issuer, expiry, audience and that
// its grant has not been revoked (code replay, refresh reuse, logout).
func (s *Server) verifyAccessToken(ctx context.Context, token, audience string) (*atClaims, error) {
	payload, err := s.keys.Verify(token)
	if err != nil {
		return nil, errBadToken
	}
	var c atClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, errBadToken
	}
	if c.Iss != s.cfg.Issuer || c.Exp <= s.now().Unix() || !slices.Contains(c.audiences(), audience) || c.JTI == "" {
		return nil, errBadToken
	}
	grantID, _, _ := strings.Cut(c.JTI, ".")
	g, err := s.st.GetGrant(ctx, grantID)
	if err != nil || !g.RevokedAt.IsZero() {
		return nil, errBadToken
	}
	return &c, nil
}

// UserInfo answers for user access tokens whose audience includes
// <issuer>userinfo. Only the Authorization header is accepted: a bearer
// token in the query string is refused (OAuth 2.1).
func (s *Server) UserInfo(ctx context.Context, r *op.Request[oidc.UserInfoRequest]) (*op.Response, error) {
	if r.URL.Query().Has("access_token") {
		return nil, errBadToken
	}
	c, err := s.verifyAccessToken(ctx, r.Data.AccessToken, s.cfg.Issuer+"userinfo")
	if err != nil {
		return nil, err
	}
	u, err := s.st.GetUser(ctx, c.Sub)
	if err != nil {
		return nil, errBadToken
	}
	scopes := strings.Fields(c.Scope)
	info := map[string]any{}
	grantID, _, _ := strings.Cut(c.JTI, ".")
	if claims, err := s.st.GrantClaims(ctx, grantID); err == nil {
		// Claims an action added to the ID token are served here too
		// (spec §7), filtered by scope like the ID token's.
		maps.Copy(info, claims)
	}
	maps.Copy(info, profileClaims(u, scopes))
	info["sub"] = u.ID
	resp := op.NewResponse(info)
	resp.Header.Set("Cache-Control", "no-store")
	return resp, nil
}

// Revocation revokes a refresh token's whole grant (RFC 7009). Unknown
// tokens and access tokens are answered 200 as the RFC asks.
func (s *Server) Revocation(ctx context.Context, r *op.ClientRequest[oidc.RevocationRequest]) (*op.Response, error) {
	rt, err := s.st.GetRefreshToken(ctx, hashCode(r.Data.Token))
	if err == nil && rt.ClientID == r.Client.GetID() {
		if err := s.st.RevokeGrant(ctx, rt.GrantID, s.now().UTC()); err != nil {
			return nil, op.RevocationError(oidc.ErrServerError().WithParent(err))
		}
	}
	return op.NewResponse(nil), nil
}

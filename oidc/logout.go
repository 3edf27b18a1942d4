package oidc

import (
	"context"
	"net/http"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// EndSession serves /oidc/logout (RP-initiated logout 1.0) and, through a
// path rewrite, Auth0's /v2/logout?client_id=&returnTo=. The library
// validates id_token_hint and post_logout_redirect_uri; authd maps
// returnTo, ends the SSO session and clears its cookie.
func (s *Server) EndSession(ctx context.Context, r *op.Request[oidc.EndSessionRequest]) (*op.Redirect, error) {
	if rt := r.Form.Get("returnTo"); rt != "" && r.Data.PostLogoutRedirectURI == "" {
		cid := r.Data.ClientID
		c, ok := s.cfg.Client(cid)
		if !ok || !(slices.Contains(c.AllowedLogoutURLs, rt) || (c.DevLocalhost && isLocalhostURL(rt))) {
			return nil, oidc.ErrInvalidRequest().WithDescription("returnTo is not an allowed logout URL of the client")
		}
		r.Data.PostLogoutRedirectURI = rt
	}
	session, err := op.ValidateEndSessionRequest(ctx, r.Data, s.Provider())
	if err != nil {
		return nil, err
	}
	// End the browser session through the login layer, capturing the
	// Set-Cookie it writes.
	hw := headerWriter{h: http.Header{}}
	req := (&http.Request{Header: r.Header, URL: r.URL}).WithContext(ctx)
	s.login.EndSession(hw, req)
	red := op.NewRedirect(session.RedirectURI)
	red.Header = hw.h
	return red, nil
}

type headerWriter struct{ h http.Header }

func (w headerWriter) Header() http.Header         { return w.h }
func (w headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w headerWriter) WriteHeader(int)             {}

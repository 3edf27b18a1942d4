package oidc

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/config"
)

// client adapts a configured client to op.Client. It is built per request
// (GetClientByClientID is never cached by the library), so the dev
// client's "any localhost redirect" rule can look at the request.
type client struct {
	c        *config.Client
	redirect string // the redirect_uri of this request, for DevLocalhost
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string { return c.c.ClientID }

func (c *client) RedirectURIs() []string {
	if c.c.DevLocalhost && isLocalhostURL(c.redirect) {
		return append(slices.Clone(c.c.RedirectURIs), c.redirect)
	}
	return c.c.RedirectURIs
}

// PostLogoutRedirectURIs: the dev client may return to any localhost URL
// after logout, as it may for a login (its /test page returns to itself).
func (c *client) PostLogoutRedirectURIs() []string {
	if c.c.DevLocalhost && isLocalhostURL(c.redirect) {
		return append(slices.Clone(c.c.AllowedLogoutURLs), c.redirect)
	}
	return c.c.AllowedLogoutURLs
}

func (c *client) ApplicationType() op.ApplicationType {
	switch c.c.AppType {
	case "spa":
		return op.ApplicationTypeUserAgent
	case "native":
		return op.ApplicationTypeNative
	default:
		return op.ApplicationTypeWeb
	}
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.c.Public() {
		return oidc.AuthMethodNone
	}
	// Basic and post are both accepted for confidential clients.
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) GrantTypes() []oidc.GrantType {
	var out []oidc.GrantType
	for _, g := range c.c.GrantTypes {
		out = append(out, oidc.GrantType(g))
	}
	return out
}

func (c *client) LoginURL(id string) string { return "/u/login?state=" + url.QueryEscape(id) }

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration      { return 0 }

// DevMode lets http redirect URIs through the library's check; our own
// config validation already allows http only for loopback hosts.
func (c *client) DevMode() bool { return true }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed keeps every scope at the library level; authd filters
// against the API's scopes itself once it knows the audience.
func (c *client) IsScopeAllowed(string) bool           { return true }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }

func isLocalhostURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Fragment != "" || u.User != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

func isLocalhostOrigin(origin string) bool {
	return isLocalhostURL(origin) && !strings.Contains(strings.TrimPrefix(origin, "http://"), "/")
}

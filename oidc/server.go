package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/config"
	"github.com/authd/authd/login"
	"github.com/authd/authd/store"
)

// Deps are the collaborators of the protocol layer.
type Deps struct {
	Config *config.Config
	Store  store.Store
	Keys   *Keys
	Login  *login.Handler
	Logger *slog.Logger
	Now    func() time.Time
}

// Server embeds the library's LegacyServer and overrides the endpoints
// authd handles itself (see doc.go).
type Server struct {
	*op.LegacyServer
	cfg          *config.Config
	st           store.Store
	keys         *Keys
	login        *login.Handler
	log          *slog.Logger
	now          func() time.Time
	secretHashes map[string][32]byte
	handler      http.Handler
}

// Code lifetime: single use, and short (node-oidc-provider's default).
const codeTTL = 60 * time.Second

// AuthRequestTTL bounds a whole interactive login, including time spent
// at an external site during a redirect action.
const AuthRequestTTL = time.Hour

func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{
		cfg: d.Config, st: d.Store, keys: d.Keys, login: d.Login, log: d.Logger, now: d.Now,
		secretHashes: map[string][32]byte{},
	}
	for _, c := range d.Config.Clients {
		if c.ClientSecret != "" {
			s.secretHashes[c.ClientID] = sha256.Sum256([]byte(c.ClientSecret))
		}
	}
	opCfg := &op.Config{
		CryptoKey:                sha256.Sum256(append([]byte("authd-op-crypto\x00"), d.Config.Secrets.CookieKey...)),
		DefaultLogoutRedirectURI: d.Config.Issuer + "u/logout",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedScopes:          []string{"openid", "profile", "email", "offline_access"},
	}
	algs := []string{"RS256", "ES256", "EdDSA"}
	endpoints := op.Endpoints{
		Authorization: op.NewEndpoint("authorize"),
		Token:         op.NewEndpoint("oauth/token"),
		Userinfo:      op.NewEndpoint("userinfo"),
		Revocation:    op.NewEndpoint("oauth/revoke"),
		EndSession:    op.NewEndpoint("oidc/logout"),
		JwksURI:       op.NewEndpoint(".well-known/jwks.json"),
	}
	opts := []op.Option{
		op.WithCustomEndpoints(endpoints.Authorization, endpoints.Token, endpoints.Userinfo,
			endpoints.Revocation, endpoints.EndSession, endpoints.JwksURI),
		op.WithAccessTokenVerifierOpts(op.WithSupportedAccessTokenSigningAlgorithms(algs...)),
		op.WithIDTokenHintVerifierOpts(op.WithSupportedIDTokenHintSigningAlgorithms(algs...)),
	}
	if strings.HasPrefix(d.Config.Issuer, "http://") {
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewProvider(opCfg, opStorage{s}, op.StaticIssuer(d.Config.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc provider: %w", err)
	}
	s.LegacyServer = op.NewLegacyServer(provider, endpoints)
	s.handler = op.RegisterLegacyServer(s, s.callback, op.WithServerCORSOptions(&cors.Options{
		AllowOriginFunc: s.originAllowed,
		AllowedMethods:  []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:  []string{"Authorization", "Content-Type", "Auth0-Client"},
		MaxAge:          600,
	}))
	return s, nil
}

// Handler serves the protocol endpoints. It passes the peer address and
// the redirect URI of the request down to the hooks the library calls
// with only a context, and keeps CORS off /authorize (RFC 9700 §4.12).
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), remoteAddrKey{}, r.RemoteAddr)
		switch r.URL.Path {
		case "/authorize":
			r.Header.Del("Origin")
			w = &issWriter{ResponseWriter: w, iss: s.cfg.Issuer}
			ctx = context.WithValue(ctx, redirectKey{}, r.FormValue("redirect_uri"))
		case "/oidc/logout":
			ctx = context.WithValue(ctx, redirectKey{}, r.FormValue("post_logout_redirect_uri"))
		case "/v2/logout":
			ctx = context.WithValue(ctx, redirectKey{}, r.FormValue("returnTo"))
			r.URL.Path = "/oidc/logout"
		}
		if r.URL.Path == "/oauth/token" || r.URL.Path == "/oauth/revoke" {
			w = &challengeWriter{ResponseWriter: w}
		}
		s.handler.ServeHTTP(w, r.WithContext(ctx))
	})
}

// issWriter adds the RFC 9207 iss parameter to error redirects the
// library sends from /authorize (our own callback adds it to the rest).
type issWriter struct {
	http.ResponseWriter
	iss string
}

func (w *issWriter) WriteHeader(code int) {
	if code == http.StatusFound || code == http.StatusSeeOther {
		if u, err := url.Parse(w.Header().Get("Location")); err == nil && u.Query().Has("error") && !u.Query().Has("iss") {
			q := u.Query()
			q.Set("iss", w.iss)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// challengeWriter adds WWW-Authenticate to a 401 from the token endpoint
// (RFC 6749 §5.2).
type challengeWriter struct{ http.ResponseWriter }

func (w *challengeWriter) WriteHeader(code int) {
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="authd"`)
	}
	w.ResponseWriter.WriteHeader(code)
}

// originAllowed: CORS only for a client's allowed_origins (Auth0's
// "Allowed Web Origins"), plus any localhost origin for the dev client.
func (s *Server) originAllowed(origin string) bool {
	for _, c := range s.cfg.Clients {
		if slices.Contains(c.AllowedOrigins, origin) {
			return true
		}
		if c.DevLocalhost && isLocalhostOrigin(origin) {
			return true
		}
	}
	return false
}

// Discovery adds what the library leaves out and trims what authd does
// not offer.
func (s *Server) Discovery(ctx context.Context, r *op.Request[struct{}]) (*op.Response, error) {
	resp, err := s.LegacyServer.Discovery(ctx, r)
	if err != nil {
		return nil, err
	}
	d, ok := resp.Data.(*oidc.DiscoveryConfiguration)
	if !ok {
		return resp, nil
	}
	d.ResponseTypesSupported = []string{"code"}
	d.ResponseModesSupported = []string{"query", "form_post"}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials}
	d.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	d.IntrospectionEndpoint = ""
	d.DeviceAuthorizationEndpoint = ""
	d.RequestObjectSigningAlgValuesSupported = nil
	d.IntrospectionEndpointAuthMethodsSupported = nil
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodNone}
	d.ClaimsSupported = []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp",
		"name", "nickname", "picture", "updated_at", "email", "email_verified"}
	// Fields the library's struct lacks: RFC 9207 (every authorization
	// response carries iss).
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["authorization_response_iss_parameter_supported"] = true
	out := op.NewResponse(m)
	out.Header.Set("Cache-Control", "public, max-age=3600")
	return out, nil
}

// Keys serves the JWKS from memory with a cache lifetime well under the
// time a retired key stays published.
func (s *Server) Keys(ctx context.Context, r *op.Request[struct{}]) (*op.Response, error) {
	if err := s.keys.Refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "refresh signing keys", "err", err)
	}
	resp := op.NewResponse(jose.JSONWebKeySet{Keys: s.keys.Published()})
	resp.Header.Set("Cache-Control", "public, max-age=300")
	return resp, nil
}

// JWTProfile, TokenExchange and introspection are not offered.
func (s *Server) JWTProfile(context.Context, *op.Request[oidc.JWTProfileGrantRequest]) (*op.Response, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

func (s *Server) TokenExchange(context.Context, *op.ClientRequest[oidc.TokenExchangeRequest]) (*op.Response, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

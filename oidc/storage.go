package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// opStorage is the op.Storage the library needs. authd overrides every
// endpoint that mints tokens or creates auth requests, so most methods
// here are never reached; they answer with an error rather than a guess.
type opStorage struct{ s *Server }

var _ op.Storage = opStorage{}

var errNotUsed = errors.New("authd: not used by this server")

func (o opStorage) CreateAuthRequest(context.Context, *oidc.AuthRequest, string) (op.AuthRequest, error) {
	return nil, errNotUsed
}
func (o opStorage) AuthRequestByID(context.Context, string) (op.AuthRequest, error) {
	return nil, errNotUsed
}
func (o opStorage) AuthRequestByCode(context.Context, string) (op.AuthRequest, error) {
	return nil, errNotUsed
}
func (o opStorage) SaveAuthCode(context.Context, string, string) error { return errNotUsed }
func (o opStorage) DeleteAuthRequest(context.Context, string) error    { return errNotUsed }
func (o opStorage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return "", time.Time{}, errNotUsed
}
func (o opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNotUsed
}
func (o opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errNotUsed
}
func (o opStorage) TerminateSession(context.Context, string, string) error { return nil }
func (o opStorage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrServerError()
}
func (o opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey is never asked for: authd signs its tokens itself (Keys);
// the library's id_token_hint verifier needs only KeySet.
func (o opStorage) SigningKey(context.Context) (op.SigningKey, error) { return nil, errNotUsed }

func (o opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.SignatureAlgorithm(o.s.cfg.Signing.Algorithm)}, nil
}

func (o opStorage) KeySet(context.Context) ([]op.Key, error) {
	var out []op.Key
	for _, k := range o.s.keys.Published() {
		out = append(out, publicKey{k})
	}
	return out, nil
}

type publicKey struct{ k jose.JSONWebKey }

func (p publicKey) ID() string                         { return p.k.KeyID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.SignatureAlgorithm(p.k.Algorithm) }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.Key }

func (o opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, ok := o.s.cfg.Client(id)
	if !ok {
		// A 4xx that is never redirected: an unknown client must not turn
		// /authorize into an open redirector.
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("unknown client")
	}
	return &client{c: c, redirect: redirectFromContext(ctx)}, nil
}

// AuthorizeClientIDSecret compares SHA-256 digests in constant time:
// client secrets are high-entropy, so a fast hash is the right tool (a
// password KDF here would make every token request cost a KDF).
func (o opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	want, ok := o.s.secretHashes[id]
	got := sha256.Sum256([]byte(secret))
	if !ok {
		subtle.ConstantTimeCompare(got[:], got[:])
		return oidc.ErrInvalidClient().WithDescription("invalid client credentials")
	}
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return oidc.ErrInvalidClient().WithDescription("invalid client credentials")
	}
	return nil
}

// ClientCredentials implements op.ClientCredentialsStorage.
func (o opStorage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, ok := o.s.cfg.Client(id)
	if !ok || c.Public() {
		return nil, oidc.ErrInvalidClient().WithDescription("invalid client credentials")
	}
	if err := o.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		return nil, err
	}
	return &client{c: c}, nil
}

func (o opStorage) ClientCredentialsTokenRequest(context.Context, string, []string) (op.TokenRequest, error) {
	return nil, errNotUsed
}

func (o opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}
func (o opStorage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errNotUsed
}
func (o opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errNotUsed
}
func (o opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
func (o opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt is not supported")
}
func (o opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("jwt profile grant is not supported")
}
func (o opStorage) Health(ctx context.Context) error { return o.s.st.Ping(ctx) }

type redirectKey struct{}

func redirectFromContext(ctx context.Context) string {
	s, _ := ctx.Value(redirectKey{}).(string)
	return s
}

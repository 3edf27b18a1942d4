package oidc

import (
	"context"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/login"
)

var errInvalidClient = op.NewStatusError(oidc.ErrInvalidClient().WithDescription("invalid client credentials"), http.StatusUnauthorized)

// VerifyClient authenticates the client at the token and revocation
// endpoints: confidential clients by secret (basic or post, RFC 6749
// §2.3.1), public clients by id alone. Failures are 401 invalid_client
// with one message for unknown client and wrong secret.
func (s *Server) VerifyClient(ctx context.Context, r *op.Request[op.ClientCredentials]) (op.Client, error) {
	if r.Data.ClientAssertion != "" {
		return nil, errInvalidClient
	}
	c, ok := s.cfg.Client(r.Data.ClientID)
	if !ok {
		_ = opStorage{s}.AuthorizeClientIDSecret(ctx, "", r.Data.ClientSecret) // same time as a wrong secret
		return nil, errInvalidClient
	}
	if !c.Public() {
		if err := s.checkSecret(ctx, r, c.ClientID); err != nil {
			return nil, err
		}
	} else if oidc.GrantType(r.Form.Get("grant_type")) == oidc.GrantTypeClientCredentials {
		return nil, errInvalidClient
	}
	return &client{c: c}, nil
}

// Client-secret guessing (OAuth 2.1 "Client Secret"): after
// clientSecretAttempts wrong secrets for one client from one address,
// that pair gets 429 until clientSecretBlock has passed since the last
// failure — even with the right secret, so a guess cannot be confirmed.
const (
	clientSecretAttempts = 50
	clientSecretBlock    = 15 * time.Minute
)

var errTooManyAttempts = op.NewStatusError(oauthError("too_many_attempts", "Too many failed client authentications; try again later."), http.StatusTooManyRequests)

func (s *Server) checkSecret(ctx context.Context, r *op.Request[op.ClientCredentials], clientID string) error {
	hr := &http.Request{RemoteAddr: remoteAddr(ctx), Header: r.Header}
	ip := login.ClientIP(hr, s.cfg.TrustedProxies)
	now := s.now()
	n, last, err := s.st.Failures(ctx, "client", clientID, ip)
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if n >= clientSecretAttempts && now.Sub(last) < clientSecretBlock {
		return errTooManyAttempts
	}
	if err := (opStorage{s}).AuthorizeClientIDSecret(ctx, clientID, r.Data.ClientSecret); err != nil {
		if _, err := s.st.RecordFailure(ctx, "client", clientID, ip, now, clientSecretBlock); err != nil {
			s.log.ErrorContext(ctx, "record client failure", "err", err)
		}
		return errInvalidClient
	}
	if n > 0 {
		_ = s.st.ClearFailures(ctx, "client", clientID, ip)
	}
	return nil
}

package oidc

import (
	"context"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
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
		if err := (opStorage{s}).AuthorizeClientIDSecret(ctx, c.ClientID, r.Data.ClientSecret); err != nil {
			return nil, errInvalidClient
		}
	} else if oidc.GrantType(r.Form.Get("grant_type")) == oidc.GrantTypeClientCredentials {
		return nil, errInvalidClient
	}
	return &client{c: c}, nil
}

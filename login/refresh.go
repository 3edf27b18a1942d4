package login

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/config"
	"github.com/authd/authd/store"
)

// RefreshInput is one refresh_token grant, after the OIDC layer has
// authenticated the client and found the (still current) refresh token.
type RefreshInput struct {
	Request *http.Request
	Token   *store.RefreshToken
	User    *store.User
	Client  *config.Client
	Scopes  []string // the scopes this refresh asks for (⊆ the grant's)
}

// OAuthError is a token-endpoint error decided by the pipeline.
type OAuthError struct {
	Status      int
	Code        string
	Description string
	// RevokeGrant: api.refreshToken.revoke (or session.revoke) asked for it.
	RevokeGrant bool
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

// Refresh runs the post-login actions for a refresh_token grant (spec §1,
// §3.8): claims and scopes are decided afresh, nothing is carried over
// from the login that minted the token.
func (h *Handler) Refresh(ctx context.Context, in RefreshInput) (Result, error) {
	trig := h.Trigger()
	if trig.Len() == 0 {
		// No actions: nothing can change the tokens; skip building the event.
		return tokenResult(in.Scopes, in.Token.Audience, nil), nil
	}
	out := trig.Run(ctx, actions.Input{
		Event: h.refreshEvent(in),
		Flow:  actions.FlowRefresh,
		Now:   h.Now(),
	})
	h.logActions(ctx, out)
	if out.Err != nil {
		return Result{}, &OAuthError{Status: http.StatusForbidden, Code: "access_denied", Description: out.Err.Error()}
	}
	cmds := out.Commands
	if !metadataUnchanged(in.User, &cmds) {
		if err := h.writeMetadata(ctx, in.User.ID, &cmds, h.Now().UTC()); err != nil {
			return Result{}, err
		}
	}
	if d := cmds.Deny; d != nil {
		return Result{}, &OAuthError{Status: http.StatusForbidden, Code: "access_denied", Description: d.Reason,
			RevokeGrant: d.Kind == "refresh_token_revoke" || (d.Kind == "session_revoke" && !d.PreserveRefreshTokens)}
	}
	if out.Suspended || cmds.Redirect != nil || cmds.Challenge != nil {
		return Result{}, &OAuthError{Status: http.StatusForbidden, Code: "access_denied", Description: "Redirect is not supported in this flow"}
	}
	if m := cmds.MFA; m != nil && m.Provider != "none" {
		return Result{}, &OAuthError{Status: http.StatusForbidden, Code: "mfa_required", Description: "Multifactor authentication required"}
	}
	return tokenResult(in.Scopes, in.Token.Audience, &cmds), nil
}

// AsOAuthError unwraps a pipeline error.
func AsOAuthError(err error) (*OAuthError, bool) {
	var oe *OAuthError
	ok := errors.As(err, &oe)
	return oe, ok
}

// redactedBody lists token-request fields that never reach an action.
var redactedBody = map[string]bool{"refresh_token": true, "client_secret": true, "password": true, "client_assertion": true, "code_verifier": true}

func (h *Handler) refreshEvent(in RefreshInput) map[string]any {
	r := in.Request
	body := map[string]any{}
	for k, vs := range r.PostForm {
		if len(vs) > 0 && !redactedBody[k] {
			body[k] = vs[0]
		}
	}
	rt := in.Token
	rs := []any{}
	if rt.Audience != "" {
		rs = append(rs, map[string]any{"audience": rt.Audience, "scopes": strs(rt.Scopes)})
	}
	rtEv := map[string]any{
		"id": rt.ID, "client_id": rt.ClientID, "user_id": rt.UserID, "session_id": rt.SessionID,
		"created_at": iso(rt.CreatedAt), "expires_at": iso(rt.ExpiresAt),
		"rotating": h.Config.Tokens.RefreshTokenRotation, "resource_servers": rs,
		"metadata": map[string]any{},
	}
	if !rt.LastExchangedAt.IsZero() {
		rtEv["last_exchanged_at"] = iso(rt.LastExchangedAt)
	}
	ev := map[string]any{
		"user":       userEvent(in.User, mfaEnrolled(in.User)),
		"client":     clientEvent(in.Client),
		"connection": map[string]any{"id": "con_" + connectionName, "name": connectionName, "strategy": "auth0", "metadata": map[string]any{}},
		"request":    h.requestEvent(r, map[string]any{}, body),
		"transaction": map[string]any{
			"protocol": "oauth2-refresh-token", "requested_scopes": strs(in.Scopes), "metadata": map[string]any{},
		},
		"authentication": map[string]any{"methods": methodsEvent(rt.Methods)},
		"authorization":  map[string]any{"roles": strs(in.User.Roles)},
		"stats":          map[string]any{"logins_count": in.User.LoginsCount},
		"tenant":         map[string]any{"id": tenantID(h.Config.Issuer)},
		"refresh_token":  rtEv,
		"secrets":        map[string]any{},
		"configuration":  map[string]any{},
	}
	if rt.Audience != "" {
		ev["resource_server"] = map[string]any{"identifier": rt.Audience}
	}
	return ev
}

// metadataUnchanged reports whether the actions' metadata patches would
// leave the stored profile as it is. An action that sets the same value on
// every exchange (the profile-enrichment seed) then costs no write: a
// refresh is a hot path and a durable SQLite commit is most of its time.
func metadataUnchanged(u *store.User, c *actions.Commands) bool {
	return patchUnchanged(u.UserMetadata, c.UserMetadata) && patchUnchanged(u.AppMetadata, c.AppMetadata)
}

func patchUnchanged(cur, patch map[string]any) bool {
	for k, v := range patch {
		old, ok := cur[k]
		if v == nil { // a delete
			if ok {
				return false
			}
			continue
		}
		if !ok || !sameJSON(old, v) {
			return false
		}
	}
	return true
}

// sameJSON compares as stored: the engine may hand over int64 where the
// store decoded float64, and both encode alike.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

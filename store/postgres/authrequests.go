package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

const authRequestCols = `id, client_id, redirect_uri, scopes, state, nonce, response_type,
	response_mode, code_challenge, code_challenge_method, prompt, max_age, acr_values,
	ui_locales, login_hint, audience, query, browser_id, created_at, expires_at, user_id,
	session_id, auth_time, amr, done, error_code, error_description, pipeline, id_claims,
	access_claims, granted_scopes`

func scanAuthRequest(row pgx.Row) (*store.AuthRequest, error) {
	var r store.AuthRequest
	if err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &r.Scopes, &r.State, &r.Nonce,
		&r.ResponseType, &r.ResponseMode, &r.CodeChallenge, &r.CodeChallengeMethod, &r.Prompt,
		&r.MaxAge, &r.ACRValues, &r.UILocales, &r.LoginHint, &r.Audience, &r.Query, &r.BrowserID,
		at(&r.CreatedAt), at(&r.ExpiresAt), &r.UserID, &r.SessionID, at(&r.AuthTime), &r.AMR,
		&r.Done, &r.ErrorCode, &r.ErrorDescription, &r.Pipeline, &r.IDClaims, &r.AccessClaims,
		&r.GrantedScopes); err != nil {
		return nil, err
	}
	return &r, nil
}

func getAuthRequest(ctx context.Context, q querier, id string) (*store.AuthRequest, error) {
	return scanAuthRequest(q.QueryRow(ctx, "SELECT "+authRequestCols+" FROM auth_requests WHERE id = $1", id))
}

// CreateAuthRequest inserts r, both its fixed and its progress fields.
func (s *Store) CreateAuthRequest(ctx context.Context, r *store.AuthRequest) error {
	var j jsonCols
	args := []any{r.ID, r.ClientID, r.RedirectURI, j.list(r.Scopes), r.State, r.Nonce,
		r.ResponseType, r.ResponseMode, r.CodeChallenge, r.CodeChallengeMethod, j.list(r.Prompt),
		r.MaxAge, j.list(r.ACRValues), j.list(r.UILocales), r.LoginHint, r.Audience, j.obj(r.Query),
		r.BrowserID, ts(r.CreatedAt), ts(r.ExpiresAt), r.UserID, r.SessionID, ts(r.AuthTime),
		j.list(r.AMR), r.Done, r.ErrorCode, r.ErrorDescription, r.Pipeline, j.obj(r.IDClaims),
		j.obj(r.AccessClaims), j.list(r.GrantedScopes)}
	if j.err != nil {
		return mapErr("create auth request", j.err)
	}
	_, err := s.exec(ctx, "create auth request", "INSERT INTO auth_requests ("+authRequestCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		$19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)`, args...)
	return err
}

// GetAuthRequest returns r whatever its expiry.
func (s *Store) GetAuthRequest(ctx context.Context, id string) (*store.AuthRequest, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	r, err := getAuthRequest(ctx, s.pool, id)
	return r, mapErr("get auth request", err)
}

// UpdateAuthRequest rewrites the login-progress fields (the second block of
// store.AuthRequest); what /authorize fixed never changes.
func (s *Store) UpdateAuthRequest(ctx context.Context, r *store.AuthRequest) error {
	var j jsonCols
	args := []any{r.UserID, r.SessionID, ts(r.AuthTime), j.list(r.AMR), r.Done, r.ErrorCode,
		r.ErrorDescription, r.Pipeline, j.obj(r.IDClaims), j.obj(r.AccessClaims),
		j.list(r.GrantedScopes), r.ID}
	if j.err != nil {
		return mapErr("update auth request", j.err)
	}
	return s.execOne(ctx, "update auth request", `UPDATE auth_requests SET user_id = $1,
		session_id = $2, auth_time = $3, amr = $4, done = $5, error_code = $6,
		error_description = $7, pipeline = $8, id_claims = $9, access_claims = $10,
		granted_scopes = $11 WHERE id = $12`, args...)
}

// DeleteAuthRequest removes r but not its codes: a replayed code must still
// be recognised after the exchange deleted its request.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete auth request", "DELETE FROM auth_requests WHERE id = $1", id)
}

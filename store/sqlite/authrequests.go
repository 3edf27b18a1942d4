package sqlite

import (
	"context"
	"errors"

	"github.com/authd/authd/store"
)

const authRequestCols = `id, client_id, redirect_uri, scopes, state, nonce, response_type,
	response_mode, code_challenge, code_challenge_method, prompt, max_age, acr_values,
	ui_locales, login_hint, audience, query, browser_id, created_at, expires_at, user_id,
	session_id, auth_time, amr, done, error_code, error_description, pipeline, id_claims,
	access_claims, granted_scopes`

func scanAuthRequest(row scanner) (*store.AuthRequest, error) {
	var (
		r                                        store.AuthRequest
		scopes, prompt, acr, locales, query, amr string
		idClaims, accessClaims, granted          string
		created, exp, authTime                   int64
	)
	if err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &scopes, &r.State, &r.Nonce,
		&r.ResponseType, &r.ResponseMode, &r.CodeChallenge, &r.CodeChallengeMethod, &prompt,
		&r.MaxAge, &acr, &locales, &r.LoginHint, &r.Audience, &query, &r.BrowserID, &created,
		&exp, &r.UserID, &r.SessionID, &authTime, &amr, &r.Done, &r.ErrorCode,
		&r.ErrorDescription, &r.Pipeline, &idClaims, &accessClaims, &granted); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ExpiresAt, r.AuthTime = tm(created), tm(exp), tm(authTime)
	if err := errors.Join(
		decode("scopes", scopes, &r.Scopes), decode("prompt", prompt, &r.Prompt),
		decode("acr_values", acr, &r.ACRValues), decode("ui_locales", locales, &r.UILocales),
		decode("query", query, &r.Query), decode("amr", amr, &r.AMR),
		decode("id_claims", idClaims, &r.IDClaims), decode("access_claims", accessClaims, &r.AccessClaims),
		decode("granted_scopes", granted, &r.GrantedScopes),
	); err != nil {
		return nil, err
	}
	return &r, nil
}

func getAuthRequest(ctx context.Context, q querier, id string) (*store.AuthRequest, error) {
	return scanAuthRequest(q.QueryRowContext(ctx, "SELECT "+authRequestCols+" FROM auth_requests WHERE id = ?", id))
}

// CreateAuthRequest inserts r, both its fixed and its progress fields.
func (s *Store) CreateAuthRequest(ctx context.Context, r *store.AuthRequest) error {
	var j jsonCols
	args := []any{r.ID, r.ClientID, r.RedirectURI, j.list(r.Scopes), r.State, r.Nonce,
		r.ResponseType, r.ResponseMode, r.CodeChallenge, r.CodeChallengeMethod, j.list(r.Prompt),
		r.MaxAge, j.list(r.ACRValues), j.list(r.UILocales), r.LoginHint, r.Audience, j.obj(r.Query),
		r.BrowserID, ns(r.CreatedAt), ns(r.ExpiresAt), r.UserID, r.SessionID, ns(r.AuthTime),
		j.list(r.AMR), r.Done, r.ErrorCode, r.ErrorDescription, r.Pipeline, j.obj(r.IDClaims),
		j.obj(r.AccessClaims), j.list(r.GrantedScopes)}
	if j.err != nil {
		return mapErr(j.err, "create auth request")
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO auth_requests ("+authRequestCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			args...)
		return err
	})
	return mapErr(err, "create auth request")
}

// GetAuthRequest returns r whatever its expiry.
func (s *Store) GetAuthRequest(ctx context.Context, id string) (*store.AuthRequest, error) {
	r, err := getAuthRequest(ctx, s.rq, id)
	return r, mapErr(err, "get auth request")
}

// UpdateAuthRequest rewrites the login-progress fields (the second block of
// store.AuthRequest); what /authorize fixed never changes.
func (s *Store) UpdateAuthRequest(ctx context.Context, r *store.AuthRequest) error {
	var j jsonCols
	args := []any{r.UserID, r.SessionID, ns(r.AuthTime), j.list(r.AMR), r.Done, r.ErrorCode,
		r.ErrorDescription, r.Pipeline, j.obj(r.IDClaims), j.obj(r.AccessClaims),
		j.list(r.GrantedScopes), r.ID}
	if j.err != nil {
		return mapErr(j.err, "update auth request")
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE auth_requests SET user_id = ?, session_id = ?,
			auth_time = ?, amr = ?, done = ?, error_code = ?, error_description = ?, pipeline = ?,
			id_claims = ?, access_claims = ?, granted_scopes = ? WHERE id = ?`, args...)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "update auth request")
}

// DeleteAuthRequest removes r but not its codes: a replayed code must still
// be recognised after the exchange deleted its request.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM auth_requests WHERE id = ?", id)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "delete auth request")
}

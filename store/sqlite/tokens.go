package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/store"
)

const refreshCols = `hash, id, grant_id, client_id, COALESCE(user_id, ''), session_id, audience,
	scopes, auth_time, amr, methods, created_at, expires_at, used_at, revoked_at, last_exchanged_at`

func scanRefreshToken(row scanner) (*store.RefreshToken, error) {
	var (
		t                                                store.RefreshToken
		scopes, amr, methods                             string
		authTime, created, exp, used, revoked, exchanged int64
	)
	if err := row.Scan(&t.Hash, &t.ID, &t.GrantID, &t.ClientID, &t.UserID, &t.SessionID,
		&t.Audience, &scopes, &authTime, &amr, &methods, &created, &exp, &used, &revoked,
		&exchanged); err != nil {
		return nil, err
	}
	t.AuthTime, t.CreatedAt, t.ExpiresAt = tm(authTime), tm(created), tm(exp)
	t.UsedAt, t.RevokedAt, t.LastExchangedAt = tm(used), tm(revoked), tm(exchanged)
	if err := errors.Join(decode("scopes", scopes, &t.Scopes), decode("amr", amr, &t.AMR),
		decode("methods", methods, &t.Methods)); err != nil {
		return nil, err
	}
	for i := range t.Methods {
		t.Methods[i].Timestamp = utc(t.Methods[i].Timestamp)
	}
	return &t, nil
}

func insertRefreshToken(ctx context.Context, tx *wtx, t *store.RefreshToken) error {
	var j jsonCols
	scopes, amr, methods := j.list(t.Scopes), j.list(t.AMR), j.list(t.Methods)
	if j.err != nil {
		return j.err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO refresh_tokens ("+
		`hash, id, grant_id, client_id, user_id, session_id, audience, scopes, auth_time, amr,
		methods, created_at, expires_at, used_at, revoked_at, last_exchanged_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Hash, t.ID, t.GrantID, t.ClientID, nullIfEmpty(t.UserID), t.SessionID, t.Audience,
		scopes, ns(t.AuthTime), amr, methods, ns(t.CreatedAt), ns(t.ExpiresAt), ns(t.UsedAt),
		ns(t.RevokedAt), ns(t.LastExchangedAt))
	return err
}

// CreateGrant inserts g and its first refresh token together. rt.GrantID
// is set to g.ID when empty; a different grant is an error.
func (s *Store) CreateGrant(ctx context.Context, g *store.Grant, rt *store.RefreshToken) error {
	if rt != nil {
		if rt.GrantID == "" {
			rt.GrantID = g.ID
		}
		if rt.GrantID != g.ID {
			return fmt.Errorf("sqlite: create grant %s: refresh token belongs to grant %s", g.ID, rt.GrantID)
		}
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO grants (id, client_id, user_id, created_at,
			expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)`, g.ID, g.ClientID,
			nullIfEmpty(g.UserID), ns(g.CreatedAt), ns(g.ExpiresAt), ns(g.RevokedAt)); err != nil {
			return err
		}
		if rt == nil {
			return nil
		}
		return insertRefreshToken(ctx, tx, rt)
	})
	return mapErr(err, "create grant")
}

// GetGrant returns the grant whatever its state.
func (s *Store) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	var (
		g                     store.Grant
		created, exp, revoked int64
	)
	err := s.rq.QueryRowContext(ctx, `SELECT id, client_id, COALESCE(user_id, ''), created_at,
		expires_at, revoked_at FROM grants WHERE id = ?`, id).
		Scan(&g.ID, &g.ClientID, &g.UserID, &created, &exp, &revoked)
	if err != nil {
		return nil, mapErr(err, "get grant")
	}
	g.CreatedAt, g.ExpiresAt, g.RevokedAt = tm(created), tm(exp), tm(revoked)
	return &g, nil
}

// GetRefreshToken returns the token row whatever its state.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*store.RefreshToken, error) {
	t, err := scanRefreshToken(s.rq.QueryRowContext(ctx, "SELECT "+refreshCols+" FROM refresh_tokens WHERE hash = ?", hash))
	return t, mapErr(err, "get refresh token")
}

// RotateRefreshToken marks oldHash used and inserts next in one step.
//
// Presenting a token that was already rotated or revoked is the refresh
// token reuse of RFC 9700 §4.14.2: someone holds a copy, so the whole grant
// is revoked (and stays revoked: the revocation commits although the call
// reports ErrConsumed). An expired token is ErrNotFound. next.GrantID is set
// to the old token's grant when empty.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next *store.RefreshToken, now time.Time) error {
	var (
		reused  bool
		grantID string
	)
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		reused = false
		var exp, used, revoked int64
		if err := tx.QueryRowContext(ctx, `SELECT grant_id, expires_at, used_at, revoked_at
			FROM refresh_tokens WHERE hash = ?`, oldHash).Scan(&grantID, &exp, &used, &revoked); err != nil {
			return err
		}
		if used != 0 || revoked != 0 {
			reused = true
			return revokeGrant(ctx, tx, grantID, now)
		}
		if !now.Before(tm(exp)) {
			return store.ErrNotFound
		}
		if next.GrantID != "" && next.GrantID != grantID {
			return fmt.Errorf("next token belongs to grant %s, not %s", next.GrantID, grantID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = ?
			WHERE hash = ? AND used_at = 0 AND revoked_at = 0`, ns(now), oldHash)
		if err != nil {
			return err
		}
		if err := affected(res); err != nil {
			// Lost a race with another process: same as reuse.
			reused = true
			return revokeGrant(ctx, tx, grantID, now)
		}
		n := *next
		n.GrantID = grantID
		return insertRefreshToken(ctx, tx, &n)
	})
	if err == nil && reused {
		err = store.ErrConsumed
	}
	if err == nil {
		next.GrantID = grantID
	}
	return mapErr(err, "rotate refresh token")
}

// revokeGrant revokes the grant and its live tokens, keeping the time of
// an earlier revocation.
func revokeGrant(ctx context.Context, tx *wtx, grantID string, now time.Time) error {
	res, err := tx.ExecContext(ctx, "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at = 0", ns(now), grantID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM grants WHERE id = ?", grantID).Scan(new(int)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at = 0", ns(now), grantID)
	return err
}

// RevokeGrant revokes a grant and its refresh tokens; ErrNotFound if the
// grant does not exist.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, now time.Time) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		return revokeGrant(ctx, tx, grantID, now)
	})
	return mapErr(err, "revoke grant")
}

// RevokeUserGrants revokes every grant of the user and their tokens.
func (s *Store) RevokeUserGrants(ctx context.Context, userID string, now time.Time) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE grants SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0", ns(now), userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ?
			WHERE revoked_at = 0 AND grant_id IN (SELECT id FROM grants WHERE user_id = ?)`, ns(now), userID)
		return err
	})
	return mapErr(err, "revoke grants of "+userID)
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

const refreshCols = `hash, id, grant_id, client_id, COALESCE(user_id, ''), session_id, audience,
	scopes, auth_time, amr, methods, created_at, expires_at, used_at, revoked_at, last_exchanged_at`

func scanRefreshToken(row pgx.Row) (*store.RefreshToken, error) {
	var t store.RefreshToken
	if err := row.Scan(&t.Hash, &t.ID, &t.GrantID, &t.ClientID, &t.UserID, &t.SessionID,
		&t.Audience, &t.Scopes, at(&t.AuthTime), &t.AMR, &t.Methods, at(&t.CreatedAt),
		at(&t.ExpiresAt), at(&t.UsedAt), at(&t.RevokedAt), at(&t.LastExchangedAt)); err != nil {
		return nil, err
	}
	utcMethods(t.Methods)
	return &t, nil
}

func insertRefreshToken(ctx context.Context, tx pgx.Tx, t *store.RefreshToken) error {
	var j jsonCols
	scopes, amr, methods := j.list(t.Scopes), j.list(t.AMR), j.list(t.Methods)
	if j.err != nil {
		return j.err
	}
	_, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (hash, id, grant_id, client_id, user_id,
		session_id, audience, scopes, auth_time, amr, methods, created_at, expires_at, used_at,
		revoked_at, last_exchanged_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		t.Hash, t.ID, t.GrantID, t.ClientID, nullIfEmpty(t.UserID), t.SessionID, t.Audience,
		scopes, ts(t.AuthTime), amr, methods, ts(t.CreatedAt), ts(t.ExpiresAt), ts(t.UsedAt),
		ts(t.RevokedAt), ts(t.LastExchangedAt))
	return err
}

// CreateGrant inserts g and its first refresh token together. rt.GrantID
// is set to g.ID when empty; a different grant is an error. ErrNotFound if
// the user does not exist.
func (s *Store) CreateGrant(ctx context.Context, g *store.Grant, rt *store.RefreshToken) error {
	if rt != nil {
		if rt.GrantID == "" {
			rt.GrantID = g.ID
		}
		if rt.GrantID != g.ID {
			return fmt.Errorf("postgres: create grant %s: refresh token belongs to grant %s", g.ID, rt.GrantID)
		}
	}
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO grants (id, client_id, user_id, created_at,
			expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)`, g.ID, g.ClientID,
			nullIfEmpty(g.UserID), ts(g.CreatedAt), ts(g.ExpiresAt), ts(g.RevokedAt)); err != nil {
			return err
		}
		if rt == nil {
			return nil
		}
		return insertRefreshToken(ctx, tx, rt)
	})
	return mapErr("create grant", err)
}

// GetGrant returns the grant whatever its state.
func (s *Store) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var g store.Grant
	err := s.pool.QueryRow(ctx, `SELECT id, client_id, COALESCE(user_id, ''), created_at,
		expires_at, revoked_at FROM grants WHERE id = $1`, id).
		Scan(&g.ID, &g.ClientID, &g.UserID, at(&g.CreatedAt), at(&g.ExpiresAt), at(&g.RevokedAt))
	if err != nil {
		return nil, mapErr("get grant", err)
	}
	return &g, nil
}

// GetRefreshToken returns the token row whatever its state.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*store.RefreshToken, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	t, err := scanRefreshToken(s.pool.QueryRow(ctx, "SELECT "+refreshCols+" FROM refresh_tokens WHERE hash = $1", hash))
	return t, mapErr("get refresh token", err)
}

// RotateRefreshToken marks oldHash used and inserts next in one
// transaction.
//
// Locking: the grant row first (FOR NO KEY UPDATE), then the token row
// (FOR UPDATE). Every writer of a grant's tokens (rotation, RevokeGrant,
// RevokeUserGrants) takes the grant before its tokens, so two replays of
// different tokens of one grant queue up instead of deadlocking, and all
// rotations of one grant are serialised across processes. The second of
// two concurrent rotations of the same token waits for the first to
// commit, then sees it used.
//
// Presenting a token that was already rotated or revoked is the refresh
// token reuse of RFC 9700 §4.14.2: someone holds a copy, so the whole grant
// is revoked and the revocation is committed although the call reports
// ErrConsumed. An expired token is ErrNotFound. next.GrantID is set to the
// old token's grant when empty.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next *store.RefreshToken, now time.Time) error {
	var grantID string
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		// Lock the token's grant; no row when the token is unknown.
		if err := tx.QueryRow(ctx, `SELECT g.id FROM grants g WHERE g.id =
			(SELECT t.grant_id FROM refresh_tokens t WHERE t.hash = $1) FOR NO KEY UPDATE`,
			oldHash).Scan(&grantID); err != nil {
			return err
		}
		var exp, used, revoked time.Time
		if err := tx.QueryRow(ctx, `SELECT expires_at, used_at, revoked_at FROM refresh_tokens
			WHERE hash = $1 FOR UPDATE`, oldHash).Scan(at(&exp), at(&used), at(&revoked)); err != nil {
			return err
		}
		if !used.IsZero() || !revoked.IsZero() {
			if err := revokeGrant(ctx, tx, grantID, now); err != nil {
				return err
			}
			return &commitThen{err: store.ErrConsumed}
		}
		if !now.Before(exp) {
			return store.ErrNotFound
		}
		if next.GrantID != "" && next.GrantID != grantID {
			return fmt.Errorf("next token belongs to grant %s, not %s", next.GrantID, grantID)
		}
		if _, err := tx.Exec(ctx, "UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2", now, oldHash); err != nil {
			return err
		}
		n := *next
		n.GrantID = grantID
		return insertRefreshToken(ctx, tx, &n)
	})
	if err == nil {
		next.GrantID = grantID
	}
	return mapErr("rotate refresh token", err)
}

// revokeGrant revokes the grant and its live tokens, keeping the time of
// an earlier revocation; ErrNotFound if there is no such grant.
func revokeGrant(ctx context.Context, tx pgx.Tx, grantID string, now time.Time) error {
	tag, err := tx.Exec(ctx, "UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", now, grantID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		if err := tx.QueryRow(ctx, "SELECT 1 FROM grants WHERE id = $1", grantID).Scan(new(int)); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, "UPDATE refresh_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL", now, grantID)
	return err
}

// RevokeGrant revokes a grant and its refresh tokens; ErrNotFound if the
// grant does not exist.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, now time.Time) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		return revokeGrant(ctx, tx, grantID, now)
	})
	return mapErr("revoke grant", err)
}

// RevokeUserGrants revokes every grant of the user and their tokens
// (grants first, like every other writer).
func (s *Store) RevokeUserGrants(ctx context.Context, userID string, now time.Time) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE grants SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", now, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $1
			WHERE revoked_at IS NULL AND grant_id IN (SELECT id FROM grants WHERE user_id = $2)`, now, userID)
		return err
	})
	return mapErr("revoke grants of "+userID, err)
}

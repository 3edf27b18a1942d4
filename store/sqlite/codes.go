package sqlite

import (
	"context"
	"time"

	"github.com/authd/authd/store"
)

// SaveAuthCode stores a code hash; ErrConflict if the hash exists.
func (s *Store) SaveAuthCode(ctx context.Context, c *store.AuthCode) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_codes (hash, auth_request_id, expires_at,
			used_at, grant_id) VALUES (?, ?, ?, ?, ?)`,
			c.Hash, c.AuthRequestID, ns(c.ExpiresAt), ns(c.UsedAt), c.GrantID)
		return err
	})
	return mapErr(err, "save auth code")
}

// ConsumeAuthCode marks the code used and returns it with its auth request.
//
// A used code answers ErrConsumed with the code (and its request, if it still
// exists) even after expiry, so the token endpoint can revoke the grant the
// first exchange produced (RFC 6749 §4.1.2). An unused code is valid while
// now is before ExpiresAt; a code whose auth request is gone is ErrNotFound.
func (s *Store) ConsumeAuthCode(ctx context.Context, codeHash string, now time.Time) (*store.AuthCode, *store.AuthRequest, error) {
	var (
		code *store.AuthCode
		req  *store.AuthRequest
		used bool
	)
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		code, req, used = nil, nil, false
		var c store.AuthCode
		var exp, usedAt int64
		if err := tx.QueryRowContext(ctx, `SELECT hash, auth_request_id, expires_at, used_at,
			grant_id FROM auth_codes WHERE hash = ?`, codeHash).
			Scan(&c.Hash, &c.AuthRequestID, &exp, &usedAt, &c.GrantID); err != nil {
			return err
		}
		c.ExpiresAt, c.UsedAt = tm(exp), tm(usedAt)
		r, err := getAuthRequest(ctx, tx, c.AuthRequestID)
		if err != nil && (usedAt == 0 || !isNoRows(err)) {
			return err
		}
		if usedAt != 0 {
			code, req, used = &c, r, true
			return nil
		}
		if !now.Before(c.ExpiresAt) {
			return store.ErrNotFound
		}
		// The used_at = 0 guard makes this a compare-and-set even if a
		// second process writes the same file.
		res, err := tx.ExecContext(ctx, "UPDATE auth_codes SET used_at = ? WHERE hash = ? AND used_at = 0", ns(now), codeHash)
		if err != nil {
			return err
		}
		if err := affected(res); err != nil {
			return store.ErrConsumed
		}
		c.UsedAt = tm(ns(now))
		code, req = &c, r
		return nil
	})
	if err == nil && used {
		err = store.ErrConsumed
	}
	if err != nil {
		return code, req, mapErr(err, "consume auth code")
	}
	return code, req, nil
}

// SetAuthCodeGrant records the grant a consumed code produced.
func (s *Store) SetAuthCodeGrant(ctx context.Context, codeHash, grantID string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE auth_codes SET grant_id = ? WHERE hash = ?", grantID, codeHash)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "set auth code grant")
}

// CreateContinueState stores a /continue state; ErrConflict if it exists.
func (s *Store) CreateContinueState(ctx context.Context, c *store.ContinueState) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO continue_states (hash, auth_request_id,
			browser_id, expires_at, used_at) VALUES (?, ?, ?, ?, ?)`,
			c.Hash, c.AuthRequestID, c.BrowserID, ns(c.ExpiresAt), ns(c.UsedAt))
		return err
	})
	return mapErr(err, "create continue state")
}

// ConsumeContinueState marks the state used and returns it.
func (s *Store) ConsumeContinueState(ctx context.Context, hash string, now time.Time) (*store.ContinueState, error) {
	var out *store.ContinueState
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		out = nil
		var c store.ContinueState
		var exp, used int64
		if err := tx.QueryRowContext(ctx, `SELECT hash, auth_request_id, browser_id, expires_at,
			used_at FROM continue_states WHERE hash = ?`, hash).
			Scan(&c.Hash, &c.AuthRequestID, &c.BrowserID, &exp, &used); err != nil {
			return err
		}
		c.ExpiresAt = tm(exp)
		if used != 0 {
			return store.ErrConsumed
		}
		if !now.Before(c.ExpiresAt) {
			return store.ErrNotFound
		}
		res, err := tx.ExecContext(ctx, "UPDATE continue_states SET used_at = ? WHERE hash = ? AND used_at = 0", ns(now), hash)
		if err != nil {
			return err
		}
		if err := affected(res); err != nil {
			return store.ErrConsumed
		}
		c.UsedAt = tm(ns(now))
		out = &c
		return nil
	})
	return out, mapErr(err, "consume continue state")
}

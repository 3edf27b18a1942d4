package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

// SaveAuthCode stores a code hash; ErrConflict if the hash exists.
func (s *Store) SaveAuthCode(ctx context.Context, c *store.AuthCode) error {
	_, err := s.exec(ctx, "save auth code", `INSERT INTO auth_codes (hash, auth_request_id,
		expires_at, used_at, grant_id) VALUES ($1, $2, $3, $4, $5)`,
		c.Hash, c.AuthRequestID, ts(c.ExpiresAt), ts(c.UsedAt), c.GrantID)
	return err
}

const codeCols = `hash, auth_request_id, expires_at, used_at, grant_id`

func scanCode(row pgx.Row) (*store.AuthCode, error) {
	var c store.AuthCode
	if err := row.Scan(&c.Hash, &c.AuthRequestID, at(&c.ExpiresAt), at(&c.UsedAt), &c.GrantID); err != nil {
		return nil, err
	}
	return &c, nil
}

// ConsumeAuthCode marks the code used and returns it with its auth request.
//
// The compare-and-set is the UPDATE's WHERE used_at IS NULL: a concurrent
// caller, in this process or another, blocks on the row lock and then
// re-checks the condition against the committed row, so it updates
// nothing and falls through to the ErrConsumed branch.
//
// A used code answers ErrConsumed with the code (and its request, if it
// still exists) even after expiry, so the token endpoint can revoke the
// grant the first exchange produced (RFC 6749 §4.1.2). An unused code is
// valid while now is before ExpiresAt; a code whose auth request is gone is
// ErrNotFound and stays unused.
func (s *Store) ConsumeAuthCode(ctx context.Context, codeHash string, now time.Time) (*store.AuthCode, *store.AuthRequest, error) {
	var (
		code *store.AuthCode
		req  *store.AuthRequest
	)
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		code, req = nil, nil
		c, err := scanCode(tx.QueryRow(ctx, `UPDATE auth_codes SET used_at = $2
			WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+codeCols,
			codeHash, now))
		if err == nil {
			// Rolled back (code stays unused) if the request is gone.
			r, err := getAuthRequest(ctx, tx, c.AuthRequestID)
			if err != nil {
				return err
			}
			code, req = c, r
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// Unknown, expired or already used: find out which.
		c, err = scanCode(tx.QueryRow(ctx, "SELECT "+codeCols+" FROM auth_codes WHERE hash = $1", codeHash))
		if err != nil {
			return err
		}
		if c.UsedAt.IsZero() {
			return store.ErrNotFound // expired
		}
		r, err := getAuthRequest(ctx, tx, c.AuthRequestID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		code, req = c, r
		return store.ErrConsumed
	})
	if err != nil {
		return code, req, mapErr("consume auth code", err)
	}
	return code, req, nil
}

// SetAuthCodeGrant records the grant a consumed code produced.
func (s *Store) SetAuthCodeGrant(ctx context.Context, codeHash, grantID string) error {
	return s.execOne(ctx, "set auth code grant", "UPDATE auth_codes SET grant_id = $1 WHERE hash = $2", grantID, codeHash)
}

// CreateContinueState stores a /continue state; ErrConflict if it exists.
func (s *Store) CreateContinueState(ctx context.Context, c *store.ContinueState) error {
	_, err := s.exec(ctx, "create continue state", `INSERT INTO continue_states (hash,
		auth_request_id, browser_id, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)`,
		c.Hash, c.AuthRequestID, c.BrowserID, ts(c.ExpiresAt), ts(c.UsedAt))
	return err
}

// ConsumeContinueState marks the state used and returns it: one
// conditional UPDATE, like ConsumeAuthCode. Used is ErrConsumed (checked
// before expiry), expired or unknown ErrNotFound.
func (s *Store) ConsumeContinueState(ctx context.Context, hash string, now time.Time) (*store.ContinueState, error) {
	const cols = `hash, auth_request_id, browser_id, expires_at, used_at`
	scan := func(row pgx.Row) (*store.ContinueState, error) {
		var c store.ContinueState
		err := row.Scan(&c.Hash, &c.AuthRequestID, &c.BrowserID, at(&c.ExpiresAt), at(&c.UsedAt))
		return &c, err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	c, err := scan(s.pool.QueryRow(ctx, `UPDATE continue_states SET used_at = $2
		WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+cols, hash, now))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, mapErr("consume continue state", err)
	}
	c, err = scan(s.pool.QueryRow(ctx, "SELECT "+cols+" FROM continue_states WHERE hash = $1", hash))
	switch {
	case err != nil:
		return nil, mapErr("consume continue state", err)
	case !c.UsedAt.IsZero():
		return nil, mapErr("consume continue state", store.ErrConsumed)
	default:
		return nil, mapErr("consume continue state", store.ErrNotFound)
	}
}

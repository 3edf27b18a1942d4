package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

const credentialCols = `id, user_id, name, public_key, attestation_type, aaguid, sign_count,
	transports, user_verified, backup_eligible, backup_state, clone_warning, created_at, last_used_at`

func scanCredential(row pgx.Row) (*store.WebAuthnCredential, error) {
	var (
		c         store.WebAuthnCredential
		signCount int64
	)
	if err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.PublicKey, &c.AttestationType, &c.AAGUID,
		&signCount, &c.Transports, &c.UserVerified, &c.BackupEligible, &c.BackupState,
		&c.CloneWarning, at(&c.CreatedAt), at(&c.LastUsedAt)); err != nil {
		return nil, err
	}
	c.SignCount = uint32(signCount) //nolint:gosec // stored from a uint32
	return &c, nil
}

// AddWebAuthnCredential registers a passkey; ErrConflict if its credential
// id is taken (by anyone: ids are global in WebAuthn), ErrNotFound if the
// user does not exist.
func (s *Store) AddWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential) error {
	var j jsonCols
	transports := j.list(c.Transports)
	if j.err != nil {
		return mapErr("add webauthn credential", j.err)
	}
	_, err := s.exec(ctx, "add webauthn credential", "INSERT INTO webauthn_credentials ("+credentialCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.UserID, c.Name, nonNil(c.PublicKey), c.AttestationType, c.AAGUID,
		int64(c.SignCount), transports, c.UserVerified, c.BackupEligible, c.BackupState,
		c.CloneWarning, ts(c.CreatedAt), ts(c.LastUsedAt))
	return err
}

// ListWebAuthnCredentials returns the user's passkeys, oldest first.
func (s *Store) ListWebAuthnCredentials(ctx context.Context, userID string) ([]*store.WebAuthnCredential, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, "SELECT "+credentialCols+
		" FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at NULLS FIRST, id", userID)
	if err != nil {
		return nil, mapErr("list webauthn credentials", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.WebAuthnCredential, error) { return scanCredential(r) })
	return cs, mapErr("list webauthn credentials", err)
}

// GetWebAuthnCredential finds a passkey by credential id.
func (s *Store) GetWebAuthnCredential(ctx context.Context, credentialID []byte) (*store.WebAuthnCredential, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	c, err := scanCredential(s.pool.QueryRow(ctx, "SELECT "+credentialCols+
		" FROM webauthn_credentials WHERE id = $1", credentialID))
	return c, mapErr("get webauthn credential", err)
}

// UpdateWebAuthnCredential stores what an assertion changes: the sign
// count, the flags and the last use.
func (s *Store) UpdateWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential) error {
	return s.execOne(ctx, "update webauthn credential", `UPDATE webauthn_credentials SET
		sign_count = $1, user_verified = $2, backup_eligible = $3, backup_state = $4,
		clone_warning = $5, last_used_at = $6 WHERE id = $7`, int64(c.SignCount), c.UserVerified,
		c.BackupEligible, c.BackupState, c.CloneWarning, ts(c.LastUsedAt), c.ID)
}

// DeleteWebAuthnCredential removes a passkey of that user only: another
// user's credential id is ErrNotFound.
func (s *Store) DeleteWebAuthnCredential(ctx context.Context, userID string, credentialID []byte) error {
	return s.execOne(ctx, "delete webauthn credential",
		"DELETE FROM webauthn_credentials WHERE user_id = $1 AND id = $2", userID, credentialID)
}

// SaveWebAuthnChallenge stores a ceremony's session data.
func (s *Store) SaveWebAuthnChallenge(ctx context.Context, c *store.WebAuthnChallenge) error {
	_, err := s.exec(ctx, "save webauthn challenge", `INSERT INTO webauthn_challenges (id, user_id,
		kind, data, expires_at) VALUES ($1, $2, $3, $4, $5)`, c.ID, c.UserID, c.Kind, c.Data, ts(c.ExpiresAt))
	return err
}

// ConsumeWebAuthnChallenge returns the challenge once, by one conditional
// UPDATE: ErrConsumed after that (a replayed assertion), ErrNotFound if
// unknown or expired.
func (s *Store) ConsumeWebAuthnChallenge(ctx context.Context, id string, now time.Time) (*store.WebAuthnChallenge, error) {
	const cols = `id, user_id, kind, data, expires_at, used_at`
	scan := func(row pgx.Row) (*store.WebAuthnChallenge, time.Time, error) {
		var c store.WebAuthnChallenge
		var used time.Time
		err := row.Scan(&c.ID, &c.UserID, &c.Kind, &c.Data, at(&c.ExpiresAt), at(&used))
		return &c, used, err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	c, _, err := scan(s.pool.QueryRow(ctx, `UPDATE webauthn_challenges SET used_at = $2
		WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+cols, id, now))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, mapErr("consume webauthn challenge", err)
	}
	_, used, err := scan(s.pool.QueryRow(ctx, "SELECT "+cols+" FROM webauthn_challenges WHERE id = $1", id))
	switch {
	case err != nil:
		return nil, mapErr("consume webauthn challenge", err)
	case !used.IsZero():
		return nil, mapErr("consume webauthn challenge", store.ErrConsumed)
	default:
		return nil, mapErr("consume webauthn challenge", store.ErrNotFound)
	}
}

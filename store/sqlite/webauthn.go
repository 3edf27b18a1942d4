package sqlite

import (
	"context"
	"time"

	"github.com/authd/authd/store"
)

const credentialCols = `id, user_id, name, public_key, attestation_type, aaguid, sign_count,
	transports, user_verified, backup_eligible, backup_state, clone_warning, created_at, last_used_at`

func scanCredential(row scanner) (*store.WebAuthnCredential, error) {
	var (
		c                 store.WebAuthnCredential
		signCount         int64
		transports        string
		created, lastUsed int64
	)
	if err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.PublicKey, &c.AttestationType, &c.AAGUID,
		&signCount, &transports, &c.UserVerified, &c.BackupEligible, &c.BackupState,
		&c.CloneWarning, &created, &lastUsed); err != nil {
		return nil, err
	}
	c.SignCount = uint32(signCount)
	c.CreatedAt, c.LastUsedAt = tm(created), tm(lastUsed)
	return &c, decode("transports", transports, &c.Transports)
}

// AddWebAuthnCredential registers a passkey; ErrConflict if its credential
// id is taken (by anyone: ids are global in WebAuthn).
func (s *Store) AddWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential) error {
	transports, err := jsonText(c.Transports, "[]")
	if err != nil {
		return mapErr(err, "add webauthn credential")
	}
	err = s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO webauthn_credentials ("+credentialCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.UserID, c.Name, nonNil(c.PublicKey), c.AttestationType, c.AAGUID,
			int64(c.SignCount), transports, c.UserVerified, c.BackupEligible, c.BackupState,
			c.CloneWarning, ns(c.CreatedAt), ns(c.LastUsedAt))
		return err
	})
	return mapErr(err, "add webauthn credential")
}

// ListWebAuthnCredentials returns the user's passkeys, oldest first.
func (s *Store) ListWebAuthnCredentials(ctx context.Context, userID string) ([]*store.WebAuthnCredential, error) {
	rows, err := s.rq.QueryContext(ctx, "SELECT "+credentialCols+
		" FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at, id", userID)
	if err != nil {
		return nil, mapErr(err, "list webauthn credentials")
	}
	defer rows.Close()
	var cs []*store.WebAuthnCredential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, mapErr(err, "list webauthn credentials")
		}
		cs = append(cs, c)
	}
	return cs, mapErr(rows.Err(), "list webauthn credentials")
}

// GetWebAuthnCredential finds a passkey by credential id.
func (s *Store) GetWebAuthnCredential(ctx context.Context, credentialID []byte) (*store.WebAuthnCredential, error) {
	c, err := scanCredential(s.rq.QueryRowContext(ctx, "SELECT "+credentialCols+
		" FROM webauthn_credentials WHERE id = ?", credentialID))
	return c, mapErr(err, "get webauthn credential")
}

// UpdateWebAuthnCredential stores what an assertion changes: the sign
// count, the flags and the last use.
func (s *Store) UpdateWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webauthn_credentials SET sign_count = ?,
			user_verified = ?, backup_eligible = ?, backup_state = ?, clone_warning = ?,
			last_used_at = ? WHERE id = ?`, int64(c.SignCount), c.UserVerified, c.BackupEligible,
			c.BackupState, c.CloneWarning, ns(c.LastUsedAt), c.ID)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "update webauthn credential")
}

// DeleteWebAuthnCredential removes a passkey of that user only: another
// user's credential id is ErrNotFound.
func (s *Store) DeleteWebAuthnCredential(ctx context.Context, userID string, credentialID []byte) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM webauthn_credentials WHERE user_id = ? AND id = ?", userID, credentialID)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "delete webauthn credential")
}

// SaveWebAuthnChallenge stores a ceremony's session data.
func (s *Store) SaveWebAuthnChallenge(ctx context.Context, c *store.WebAuthnChallenge) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webauthn_challenges (id, user_id, kind, data,
			expires_at) VALUES (?, ?, ?, ?, ?)`, c.ID, c.UserID, c.Kind, c.Data, ns(c.ExpiresAt))
		return err
	})
	return mapErr(err, "save webauthn challenge")
}

// ConsumeWebAuthnChallenge returns the challenge once: ErrConsumed after
// that (a replayed assertion), ErrNotFound if unknown or expired.
func (s *Store) ConsumeWebAuthnChallenge(ctx context.Context, id string, now time.Time) (*store.WebAuthnChallenge, error) {
	var out *store.WebAuthnChallenge
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		out = nil
		var c store.WebAuthnChallenge
		var exp, used int64
		if err := tx.QueryRowContext(ctx, `SELECT id, user_id, kind, data, expires_at, used_at
			FROM webauthn_challenges WHERE id = ?`, id).
			Scan(&c.ID, &c.UserID, &c.Kind, &c.Data, &exp, &used); err != nil {
			return err
		}
		c.ExpiresAt = tm(exp)
		switch {
		case used != 0:
			return store.ErrConsumed
		case !now.Before(c.ExpiresAt):
			return store.ErrNotFound
		}
		res, err := tx.ExecContext(ctx, "UPDATE webauthn_challenges SET used_at = ? WHERE id = ? AND used_at = 0", ns(now), id)
		if err != nil {
			return err
		}
		if affected(res) != nil {
			return store.ErrConsumed
		}
		out = &c
		return nil
	})
	return out, mapErr(err, "consume webauthn challenge")
}

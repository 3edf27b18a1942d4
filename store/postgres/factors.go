package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

// SaveTOTP creates or replaces the user's TOTP factor (re-enrolment starts
// over with the new secret and its last step).
func (s *Store) SaveTOTP(ctx context.Context, f *store.TOTPFactor) error {
	_, err := s.exec(ctx, "save totp", `INSERT INTO totp_factors (user_id, secret_enc, confirmed,
		last_step, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc,
			confirmed = excluded.confirmed, last_step = excluded.last_step,
			created_at = excluded.created_at`,
		f.UserID, nonNil(f.SecretEnc), f.Confirmed, f.LastStep, ts(f.CreatedAt))
	return err
}

// GetTOTP returns the user's TOTP factor.
func (s *Store) GetTOTP(ctx context.Context, userID string) (*store.TOTPFactor, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var f store.TOTPFactor
	err := s.pool.QueryRow(ctx, `SELECT user_id, secret_enc, confirmed, last_step, created_at
		FROM totp_factors WHERE user_id = $1`, userID).
		Scan(&f.UserID, &f.SecretEnc, &f.Confirmed, &f.LastStep, at(&f.CreatedAt))
	if err != nil {
		return nil, mapErr("get totp", err)
	}
	return &f, nil
}

// UseTOTPStep moves last_step forward with one conditional UPDATE; a step
// at or before it is a replay (RFC 6238 §5.2: a code must be accepted at
// most once), also when the replay comes from another replica.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	n, err := s.exec(ctx, "use totp step",
		"UPDATE totp_factors SET last_step = $1 WHERE user_id = $2 AND last_step < $1", step, userID)
	if err != nil || n == 1 {
		return err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := userHasTOTP(ctx, s.pool, userID); err != nil {
		return mapErr("use totp step", err)
	}
	return mapErr("use totp step", store.ErrConsumed)
}

func userHasTOTP(ctx context.Context, q querier, userID string) error {
	return q.QueryRow(ctx, "SELECT 1 FROM totp_factors WHERE user_id = $1", userID).Scan(new(int))
}

// DeleteFactors removes TOTP and recovery codes; passkeys stay.
func (s *Store) DeleteFactors(ctx context.Context, userID string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM totp_factors WHERE user_id = $1", userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID)
		return err
	})
	return mapErr("delete factors", err)
}

// SetRecoveryCodes replaces all of the user's recovery codes in one
// transaction; ErrNotFound if the user does not exist.
func (s *Store) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := userExists(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID); err != nil {
			return err
		}
		if len(hashes) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, hash)
			SELECT $1, h FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING`, userID, hashes)
		return err
	})
	return mapErr("set recovery codes", err)
}

// UseRecoveryCode consumes one unused code with a conditional UPDATE; a
// used or unknown one is ErrNotFound, as the interface specifies.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	return s.execOne(ctx, "use recovery code", `UPDATE recovery_codes SET used_at = $1
		WHERE user_id = $2 AND hash = $3 AND used_at IS NULL`, now, userID, hash)
}

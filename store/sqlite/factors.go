package sqlite

import (
	"context"
	"time"

	"github.com/authd/authd/store"
)

// SaveTOTP creates or replaces the user's TOTP factor (re-enrolment starts
// over with the new secret and its last step).
func (s *Store) SaveTOTP(ctx context.Context, f *store.TOTPFactor) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO totp_factors (user_id, secret_enc, confirmed,
			last_step, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc,
				confirmed = excluded.confirmed, last_step = excluded.last_step,
				created_at = excluded.created_at`,
			f.UserID, nonNil(f.SecretEnc), f.Confirmed, f.LastStep, ns(f.CreatedAt))
		return err
	})
	return mapErr(err, "save totp")
}

// GetTOTP returns the user's TOTP factor.
func (s *Store) GetTOTP(ctx context.Context, userID string) (*store.TOTPFactor, error) {
	var f store.TOTPFactor
	var created int64
	err := s.rq.QueryRowContext(ctx, `SELECT user_id, secret_enc, confirmed, last_step, created_at
		FROM totp_factors WHERE user_id = ?`, userID).
		Scan(&f.UserID, &f.SecretEnc, &f.Confirmed, &f.LastStep, &created)
	if err != nil {
		return nil, mapErr(err, "get totp")
	}
	f.CreatedAt = tm(created)
	return &f, nil
}

// UseTOTPStep moves last_step forward; a step at or before it is a replay
// (RFC 6238 §5.2: a code must be accepted at most once).
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE totp_factors SET last_step = ? WHERE user_id = ? AND last_step < ?",
			step, userID, step)
		if err != nil {
			return err
		}
		if affected(res) == nil {
			return nil
		}
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM totp_factors WHERE user_id = ?", userID).Scan(new(int)); err != nil {
			return err
		}
		return store.ErrConsumed
	})
	return mapErr(err, "use totp step")
}

// DeleteFactors removes TOTP and recovery codes; passkeys stay.
func (s *Store) DeleteFactors(ctx context.Context, userID string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM totp_factors WHERE user_id = ?", userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID)
		return err
	})
	return mapErr(err, "delete factors")
}

// SetRecoveryCodes replaces all of the user's recovery codes.
func (s *Store) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if err := userExists(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, "INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?) ON CONFLICT DO NOTHING",
				userID, h); err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr(err, "set recovery codes")
}

// UseRecoveryCode consumes one unused code; a used or unknown one is
// ErrNotFound, as the interface specifies.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at = 0",
			ns(now), userID, hash)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "use recovery code")
}

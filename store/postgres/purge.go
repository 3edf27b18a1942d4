package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

// PurgeExpired deletes every row whose lifetime ended before now, in one
// transaction. A NULL (zero) time never expires. Grants go before refresh
// tokens, keeping the grant-then-token lock order of RotateRefreshToken
// (deleting a grant cascades to its tokens, which its expiry bounds).
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) error {
	purges := [...]string{
		"DELETE FROM auth_requests WHERE expires_at < $1",
		"DELETE FROM auth_codes WHERE expires_at < $1",
		"DELETE FROM continue_states WHERE expires_at < $1",
		"DELETE FROM webauthn_challenges WHERE expires_at < $1",
		"DELETE FROM sessions WHERE expires_at < $1",
		"DELETE FROM grants WHERE expires_at < $1",
		"DELETE FROM refresh_tokens WHERE expires_at < $1",
		"DELETE FROM cache WHERE expires_at < $1",
		"DELETE FROM signing_keys WHERE remove_at < $1",
	}
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		for _, q := range purges {
			if _, err := tx.Exec(ctx, q, now); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		_, err := tx.Exec(ctx, "DELETE FROM failures WHERE last_at < $1", now.Add(-store.FailureRetention))
		return err
	})
	return mapErr("purge expired", err)
}

package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/authd/authd/store"
)

// PurgeExpired deletes every row whose lifetime ended before now, in one
// transaction. A zero time (0) never expires. Grants go last: deleting one
// cascades to any refresh token left, which its own expiry already bounds.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) error {
	purges := [...]string{
		"DELETE FROM auth_requests WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM auth_codes WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM continue_states WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM webauthn_challenges WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM sessions WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM refresh_tokens WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM cache WHERE expires_at <> 0 AND expires_at < ?",
		"DELETE FROM signing_keys WHERE remove_at <> 0 AND remove_at < ?",
		"DELETE FROM grants WHERE expires_at <> 0 AND expires_at < ?",
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		for _, q := range purges {
			if _, err := tx.ExecContext(ctx, q, ns(now)); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM failures WHERE last_at < ?", ns(now.Add(-store.FailureRetention)))
		return err
	})
	return mapErr(err, "purge expired")
}

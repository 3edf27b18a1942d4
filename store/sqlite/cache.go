package sqlite

import (
	"context"
	"time"

	"github.com/authd/authd/store"
)

// CacheGet returns a live entry; an expired one is ErrNotFound. A zero
// expiry never expires.
func (s *Store) CacheGet(ctx context.Context, key string, now time.Time) (string, time.Time, error) {
	var value string
	var exp int64
	err := s.rq.QueryRowContext(ctx, "SELECT value, expires_at FROM cache WHERE key = ?", key).Scan(&value, &exp)
	if err != nil {
		return "", time.Time{}, mapErr(err, "cache get")
	}
	if exp != 0 && !now.Before(tm(exp)) {
		return "", time.Time{}, mapErr(store.ErrNotFound, "cache get")
	}
	return value, tm(exp), nil
}

// CacheSet creates or overwrites an entry.
func (s *Store) CacheSet(ctx context.Context, key, value string, expiresAt time.Time) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cache (key, value, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
			key, value, ns(expiresAt))
		return err
	})
	return mapErr(err, "cache set")
}

// CacheDelete removes an entry; ErrNotFound if there was none (Auth0's
// api.cache.delete reports CacheKeyDoesNotExist).
func (s *Store) CacheDelete(ctx context.Context, key string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM cache WHERE key = ?", key)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "cache delete")
}

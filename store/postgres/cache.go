package postgres

import (
	"context"
	"time"

	"github.com/authd/authd/store"
)

// CacheGet returns a live entry; an expired one is ErrNotFound. A zero
// expiry never expires.
func (s *Store) CacheGet(ctx context.Context, key string, now time.Time) (string, time.Time, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var value string
	var exp time.Time
	err := s.pool.QueryRow(ctx, "SELECT value, expires_at FROM cache WHERE key = $1", key).Scan(&value, at(&exp))
	if err != nil {
		return "", time.Time{}, mapErr("cache get", err)
	}
	if !exp.IsZero() && !now.Before(exp) {
		return "", time.Time{}, mapErr("cache get", store.ErrNotFound)
	}
	return value, exp, nil
}

// CacheSet creates or overwrites an entry.
func (s *Store) CacheSet(ctx context.Context, key, value string, expiresAt time.Time) error {
	_, err := s.exec(ctx, "cache set", `INSERT INTO cache (key, value, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
		key, value, ts(expiresAt))
	return err
}

// CacheDelete removes an entry; ErrNotFound if there was none (Auth0's
// api.cache.delete reports CacheKeyDoesNotExist).
func (s *Store) CacheDelete(ctx context.Context, key string) error {
	return s.execOne(ctx, "cache delete", "DELETE FROM cache WHERE key = $1", key)
}

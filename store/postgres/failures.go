package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordFailure counts one failure for (kind, subject, ip). The counter
// restarts when the previous failure is older than window, so
// "consecutive" means "each within window of the one before". The upsert
// reads and writes the row in one statement, so concurrent failures from
// several replicas are all counted.
func (s *Store) RecordFailure(ctx context.Context, kind, subject, ip string, now time.Time, window time.Duration) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var count int
	err := s.pool.QueryRow(ctx, `INSERT INTO failures AS f (kind, subject, ip, count, last_at)
		VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT (kind, subject, ip) DO UPDATE SET
			count = CASE WHEN f.last_at < $5 THEN 1 ELSE f.count + 1 END,
			last_at = excluded.last_at
		RETURNING count`, kind, subject, ip, now, now.Add(-window)).Scan(&count)
	return count, mapErr("record failure", err)
}

// Failures returns the count and the time of the last failure; (0, zero
// time) when there is none. Whether the count is still current is for the
// caller to judge from the time.
func (s *Store) Failures(ctx context.Context, kind, subject, ip string) (int, time.Time, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var count int
	var last time.Time
	err := s.pool.QueryRow(ctx, "SELECT count, last_at FROM failures WHERE kind = $1 AND subject = $2 AND ip = $3",
		kind, subject, ip).Scan(&count, at(&last))
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, mapErr("failures", err)
	}
	return count, last, nil
}

// ClearFailures forgets the failures of subject from ip, or from every IP
// when ip is "".
func (s *Store) ClearFailures(ctx context.Context, kind, subject, ip string) error {
	_, err := s.exec(ctx, "clear failures", `DELETE FROM failures WHERE kind = $1 AND subject = $2
		AND ($3 = '' OR ip = $3)`, kind, subject, ip)
	return err
}

package sqlite

import (
	"context"
	"time"
)

// RecordFailure counts one failure for (kind, subject, ip). The counter
// restarts when the previous failure is older than window, so "consecutive"
// means "each within window of the one before"; a slow, steady attacker
// keeps the count growing.
func (s *Store) RecordFailure(ctx context.Context, kind, subject, ip string, now time.Time, window time.Duration) (int, error) {
	var count int
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		// One statement: the upsert reads and writes the row atomically.
		return tx.QueryRowContext(ctx, `INSERT INTO failures (kind, subject, ip, count, last_at)
			VALUES (?, ?, ?, 1, ?)
			ON CONFLICT (kind, subject, ip) DO UPDATE SET
				count = CASE WHEN failures.last_at < ? THEN 1 ELSE failures.count + 1 END,
				last_at = excluded.last_at
			RETURNING count`, kind, subject, ip, ns(now), ns(now.Add(-window))).Scan(&count)
	})
	return count, mapErr(err, "record failure")
}

// Failures returns the count and the time of the last failure; (0, zero
// time) when there is none. Whether the count is still current is for the
// caller to judge from the time.
func (s *Store) Failures(ctx context.Context, kind, subject, ip string) (int, time.Time, error) {
	var count int
	var last int64
	err := s.rq.QueryRowContext(ctx, "SELECT count, last_at FROM failures WHERE kind = ? AND subject = ? AND ip = ?",
		kind, subject, ip).Scan(&count, &last)
	if isNoRows(err) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, mapErr(err, "failures")
	}
	return count, tm(last), nil
}

// ClearFailures forgets the failures of subject from ip, or from every IP
// when ip is "".
func (s *Store) ClearFailures(ctx context.Context, kind, subject, ip string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		if ip == "" {
			_, err = tx.ExecContext(ctx, "DELETE FROM failures WHERE kind = ? AND subject = ?", kind, subject)
		} else {
			_, err = tx.ExecContext(ctx, "DELETE FROM failures WHERE kind = ? AND subject = ? AND ip = ?", kind, subject, ip)
		}
		return err
	})
	return mapErr(err, "clear failures")
}

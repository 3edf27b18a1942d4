package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// ts is the argument for a timestamptz column: NULL for the zero time, so
// "never" survives the round trip as time.Time{} rather than year 1.
func ts(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// tsDest scans a nullable timestamptz into a time.Time: NULL becomes the
// zero time, anything else comes back in UTC (as in the sqlite store).
type tsDest struct{ p *time.Time }

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (d tsDest) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*d.p = time.Time{}
		return nil
	}
	*d.p = v.Time.UTC()
	return nil
}

// at wraps p for Scan.
func at(p *time.Time) tsDest { return tsDest{p: p} }

// jsonCols encodes jsonb arguments and keeps the first errors, so that a
// statement with many JSON columns checks once. A nil map or slice is
// stored as {} or [] so that readers never see null; jsonb columns are
// scanned straight into the Go field (pgx unmarshals them).
type jsonCols struct{ err error }

func (j *jsonCols) obj(v any) string  { return j.enc(v, "{}") }
func (j *jsonCols) list(v any) string { return j.enc(v, "[]") }

func (j *jsonCols) enc(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil {
		j.err = errors.Join(j.err, fmt.Errorf("encode json: %w", err))
		return empty
	}
	if string(b) == "null" {
		return empty
	}
	return string(b)
}

// nullIfEmpty stores "" as NULL, for foreign keys that may be absent (a
// client-credentials grant has no user).
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// containsParam reports whether a DSN mentions key, so explicit pool
// settings win over our defaults.
func containsParam(dsn, key string) bool { return strings.Contains(dsn, key) }

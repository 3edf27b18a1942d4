package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/authd/authd/store"
)

// ns encodes t as unix nanoseconds; the zero time is 0 so that "not yet"
// round-trips as the zero time rather than as 1970.
func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// tm decodes ns; times always come back in UTC.
func tm(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// jsonText encodes a map or slice for a JSON column. A nil map or slice is
// stored as the empty object or list so that readers never see "null".
func jsonText(v any, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	if string(b) == "null" {
		return empty, nil
	}
	return string(b), nil
}

// jsonCols encodes several columns and keeps the first errors, so that
// query code checks once instead of once per column.
type jsonCols struct{ err error }

func (j *jsonCols) obj(v any) string {
	s, err := jsonText(v, "{}")
	j.err = errors.Join(j.err, err)
	return s
}

func (j *jsonCols) list(v any) string {
	s, err := jsonText(v, "[]")
	j.err = errors.Join(j.err, err)
	return s
}

// decode fills dst from a JSON column.
func decode(col string, src string, dst any) error {
	if src == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(src), dst); err != nil {
		return fmt.Errorf("decode %s: %w", col, err)
	}
	return nil
}

// nullIfEmpty stores "" as NULL, for foreign keys that may be absent.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mapErr turns driver errors into the store sentinels; what it does not
// recognise is wrapped with what was being done.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrConsumed) {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", what, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("sqlite: %s: %w", what, store.ErrConflict)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			// The row refers to something that does not exist (a grant for
			// a deleted user).
			return fmt.Errorf("sqlite: %s: referenced row: %w", what, store.ErrNotFound)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// affected returns ErrNotFound when a statement touched no row.
func affected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	var mode string
	var sync, fk int
	err := s.do(t.Context(), func(ctx context.Context, tx *wtx) error {
		return tx.conn.QueryRowContext(ctx, "SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous), (SELECT foreign_keys FROM pragma_foreign_keys)").Scan(&mode, &sync, &fk)
	})
	if err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 || fk != 1 {
		t.Fatalf("writer: journal_mode=%s synchronous=%d foreign_keys=%d, want wal 2 (FULL) 1", mode, sync, fk)
	}
	if _, err := s.read.ExecContext(t.Context(), "DELETE FROM cache"); err == nil {
		t.Fatal("a read-pool connection could write")
	}
}

func TestDSNForms(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{
		filepath.Join(dir, "plain.db"),
		"file:" + filepath.Join(dir, "uri.db"),
		"file:" + filepath.Join(dir, "params.db") + "?cache=private&_journal_mode=DELETE&_busy_timeout=100",
	} {
		s, err := Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("Open(%q): %v", dsn, err)
		}
		var mode string
		if err := s.read.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("Open(%q): journal_mode %q (%v), want wal", dsn, mode, err)
		}
		s.Close()
	}
	for _, dsn := range []string{"", ":memory:", "file::memory:?cache=shared", "file:x.db?mode=memory"} {
		if _, err := Open(t.Context(), dsn); err == nil || !strings.Contains(err.Error(), "sqlite:") {
			t.Errorf("Open(%q) = %v, want a refusal", dsn, err)
		}
	}
}

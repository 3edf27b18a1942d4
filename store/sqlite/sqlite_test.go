package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// openTemp opens a store on a new file in t.TempDir(). On cleanup it checks
// the file's integrity (after whatever the test did, including the
// concurrency tests) and closes the store.
func openTemp(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "authd.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		checkIntegrity(t, s)
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	// t.Context() is already cancelled during cleanup.
	rows, err := s.read.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatalf("integrity_check: %v", err)
		}
		lines = append(lines, line)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		t.Fatalf("integrity_check = %q, want [ok]", lines)
	}
	var fkProblems int
	if err := s.read.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&fkProblems); err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	if fkProblems != 0 {
		t.Fatalf("foreign_key_check found %d rows", fkProblems)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestConformanceWithoutGroupCommit runs the suite with one request per
// transaction, so both writer paths meet the contract.
func TestConformanceWithoutGroupCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, WithMaxBatch(1)) })
}

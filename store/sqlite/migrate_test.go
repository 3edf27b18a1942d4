package sqlite

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func schema(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "SELECT type, name, COALESCE(sql, '') FROM sqlite_schema ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			t.Fatal(err)
		}
		b.WriteString(typ + " " + name + " " + sql + "\n")
	}
	return b.String()
}

func appliedVersions(t *testing.T, s *Store) []int {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func TestMigrationsAreWellFormed(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %d has version %d: versions must be 1, 2, 3, … without gaps", i, m.version)
		}
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	s := openTemp(t)
	before, versions := schema(t, s), appliedVersions(t, s)
	ms, _ := migrations()
	if len(versions) != len(ms) {
		t.Fatalf("applied %v, want %d migrations", versions, len(ms))
	}
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	if after := schema(t, s); after != before {
		t.Fatalf("schema changed by a second Migrate:\n%s\nvs\n%s", before, after)
	}
	if again := appliedVersions(t, s); len(again) != len(versions) {
		t.Fatalf("versions %v after Migrate, want %v", again, versions)
	}
}

// TestOpenConcurrentlyOnOneFile stands in for two processes (serve and a
// CLI command) opening and migrating the same file at once.
func TestOpenConcurrentlyOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "authd.db")
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	ms, _ := migrations()
	if got := appliedVersions(t, stores[0]); len(got) != len(ms) {
		t.Fatalf("versions %v, want %d", got, len(ms))
	}
}

package postgres

import (
	"context"
	"testing"

	"github.com/authd/authd/store/postgres/pgtest"
)

// TestPostgresMigrateConcurrently: replicas starting together on an empty
// database all open successfully and each migration is applied once.
func TestPostgresMigrateConcurrently(t *testing.T) {
	dsn := pgtest.TestDSN(t)
	const replicas = 4
	stores := make([]*Store, replicas)
	errs := race(replicas, func(i int) error {
		s, err := Open(context.Background(), dsn)
		stores[i] = s
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var rows, distinct int
	if err := stores[0].pool.QueryRow(context.Background(),
		"SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || distinct != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%d versions), want %d", rows, distinct, len(ms))
	}
	// Migrate is idempotent.
	if err := stores[1].Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestPostgresMigrationFiles: the embedded files are numbered 1..n with no
// gap, so a missing file cannot go unnoticed.
func TestPostgresMigrationFiles(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Fatalf("migration %d has version %d", i, m.version)
		}
	}
}

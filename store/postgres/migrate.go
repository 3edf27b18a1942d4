package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the pg_advisory_xact_lock key every authd process
// takes before migrating ("authdmig" in ASCII). The lock is per database,
// so replicas sharing a database migrate one after the other.
const migrateLockKey int64 = 0x617574686d6d6967

// migrateTimeout bounds Migrate, including the wait for another process
// holding the lock.
const migrateTimeout = 2 * time.Minute

// migration is one embedded file, NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// Migrate applies the pending migrations in one transaction that holds the
// advisory lock: a second process blocks on the lock, then finds the
// versions recorded and applies nothing. A failing migration rolls back
// entirely.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return s.inTxFor(ctx, migrateTimeout, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
			return fmt.Errorf("postgres: migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("postgres: migrate: create schema_migrations: %w", err)
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if applied[m.version] {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("postgres: migrate: apply %04d_%s: %w", m.version, m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
				m.version, m.name); err != nil {
				return fmt.Errorf("postgres: migrate: record %04d: %w", m.version, err)
			}
		}
		return nil
	})
}

func appliedVersions(ctx context.Context, tx pgx.Tx) (map[int]bool, error) {
	rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: read versions: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: read versions: %w", err)
	}
	applied := make(map[int]bool, len(vs))
	for _, v := range vs {
		applied[v] = true
	}
	return applied, nil
}

// loadMigrations reads the embedded files in version order. A file name
// without a numeric prefix, or two files with one version, is a build
// mistake reported here rather than half-applied.
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	ms := make([]migration, 0, len(names))
	seen := map[int]string{}
	for _, path := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(path, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migrations: bad file name %q (want NNNN_name.sql)", path)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("postgres: migrations: version %d in %q and %q", v, other, path)
		}
		seen[v] = path
		body, err := migrationFiles.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("postgres: migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by TestDSN.
const (
	EnvDSN     = "AUTHD_TEST_POSTGRES_DSN"
	EnvRequire = "AUTHD_TEST_REQUIRE_POSTGRES"
)

// setupTimeout bounds connecting and creating or dropping the schema.
const setupTimeout = 30 * time.Second

// TestDSN returns a DSN for a fresh, empty schema, dropped (with all it
// holds) when t ends. It skips t when AUTHD_TEST_POSTGRES_DSN is unset,
// unless AUTHD_TEST_REQUIRE_POSTGRES=1, which turns the skip, and an
// unreachable database, into a failure.
func TestDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	required := os.Getenv(EnvRequire) == "1"
	if base == "" {
		if required {
			t.Fatalf("pgtest: %s=1 but %s is not set", EnvRequire, EnvDSN)
		}
		t.Skipf("pgtest: set %s (e.g. postgres://authd:authd@127.0.0.1:5432/authd_test?sslmode=disable) to run PostgreSQL tests", EnvDSN)
	}
	schema, err := schemaName()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if required {
			t.Fatalf("pgtest: connect to %s: %v", EnvDSN, err)
		}
		t.Skipf("pgtest: database in %s unreachable (%v); set %s=1 to make this fail", EnvDSN, err, EnvRequire)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// dropSchema runs after the test's own cleanups (t.Cleanup is LIFO and
// TestDSN is called before the store is opened), so the store's pool is
// closed by then.
func dropSchema(t testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
	}
}

// schemaName is t_ and 16 random hex digits: a valid unquoted identifier.
func schemaName() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random schema name: %w", err)
	}
	return "t_" + hex.EncodeToString(b[:]), nil
}

// withSearchPath adds search_path=schema to a URL or key=value DSN; pgx
// sends unknown parameters to the server as run-time settings.
func withSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse %s: %w", EnvDSN, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " search_path=" + schema, nil
}

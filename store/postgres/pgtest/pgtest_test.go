package pgtest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// recorder is a testing.TB that records how a helper ended instead of
// ending the real test.
type recorder struct {
	testing.TB
	skipped, failed string
	cleanups        []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Errorf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }
func (r *recorder) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }

// run calls TestDSN on a recorder in its own goroutine (Goexit ends it).
func run(t *testing.T) (*recorder, string) {
	r := &recorder{TB: t}
	var dsn string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		dsn = TestDSN(r)
	}()
	wg.Wait()
	return r, dsn
}

// TestPostgresDSNSkipOrFail: no DSN skips locally but fails under
// AUTHD_TEST_REQUIRE_POSTGRES=1; an unreachable database likewise.
func TestPostgresDSNSkipOrFail(t *testing.T) {
	const unreachable = "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"
	tests := []struct {
		name, dsn, require string
		wantSkip, wantFail bool
	}{
		{name: "unset", wantSkip: true},
		{name: "unset required", require: "1", wantFail: true},
		{name: "unreachable", dsn: unreachable, wantSkip: true},
		{name: "unreachable required", dsn: unreachable, require: "1", wantFail: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvDSN, tc.dsn)
			t.Setenv(EnvRequire, tc.require)
			r, _ := run(t)
			if (r.skipped != "") != tc.wantSkip || (r.failed != "") != tc.wantFail {
				t.Fatalf("skipped %q failed %q; want skip %v fail %v", r.skipped, r.failed, tc.wantSkip, tc.wantFail)
			}
		})
	}
}

// TestPostgresDSNIsolatedSchema: each DSN points at its own new schema,
// which is gone after cleanup.
func TestPostgresDSNIsolatedSchema(t *testing.T) {
	first := TestDSN(t) // skips without a database
	r, second := run(t)
	if r.failed != "" || r.skipped != "" {
		t.Fatalf("TestDSN: %s%s", r.failed, r.skipped)
	}
	ctx := context.Background()
	schemaOf := func(dsn string) string {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var s string
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1, s2 := schemaOf(first), schemaOf(second)
	if !strings.HasPrefix(s1, "t_") || s1 == s2 {
		t.Fatalf("schemas %q and %q, want two distinct t_ schemas", s1, s2)
	}
	for _, f := range r.cleanups {
		f()
	}
	conn, err := pgx.Connect(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", s2).Scan(&n); err != nil || n != 0 {
		t.Fatalf("schema %s still there after cleanup (n=%d, err=%v)", s2, n, err)
	}
}

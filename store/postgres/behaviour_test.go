package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// TestPostgresZeroTimeIsNull: a zero time.Time is stored as NULL and comes
// back zero (not 0001-01-01 shifted by a time zone); set times come back
// equal, in UTC.
func TestPostgresZeroTimeIsNull(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	mustUser(t, s, "u1")
	var nulls int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users
		WHERE id = 'u1' AND last_login IS NULL AND last_password_reset IS NULL`).Scan(&nulls); err != nil {
		t.Fatal(err)
	}
	if nulls != 1 {
		t.Fatal("zero times were not stored as NULL")
	}
	u, err := s.GetUser(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if !u.LastLogin.IsZero() || !u.LastPasswordReset.IsZero() {
		t.Fatalf("zero times came back as %v / %v", u.LastLogin, u.LastPasswordReset)
	}
	if !u.CreatedAt.Equal(t0) || u.CreatedAt.Location() != time.UTC {
		t.Fatalf("created_at = %v, want %v in UTC", u.CreatedAt, t0)
	}
	local := t0.In(time.FixedZone("CET", 3600))
	if _, err := s.RecordLogin(ctx, "u1", local, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if u, _ = s.GetUser(ctx, "u1"); !u.LastLogin.Equal(t0) || u.LoginsCount != 1 {
		t.Fatalf("after login: last_login %v count %d", u.LastLogin, u.LoginsCount)
	}
}

// TestPostgresErrorMapping: SQLSTATE 23505 is ErrConflict (also for an
// email differing only in case), a missing row or a foreign key to a
// missing user is ErrNotFound.
func TestPostgresErrorMapping(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	u := mustUser(t, s, "u1")
	dup := &store.User{ID: "u2", Connection: u.Connection, Email: "U1@example.com"}
	if err := s.CreateUser(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate email: %v, want ErrConflict", err)
	}
	other := &store.User{ID: "u3", Connection: "other-db", Email: "U1@example.com"}
	if err := s.CreateUser(ctx, other); err != nil {
		t.Fatalf("same email in another connection: %v", err)
	}
	if got, err := s.GetUserByEmail(ctx, u.Connection, "u1@EXAMPLE.com"); err != nil || got.ID != "u1" {
		t.Fatalf("GetUserByEmail: %v %v", got, err)
	}
	if _, err := s.GetUser(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser(nobody): %v, want ErrNotFound", err)
	}
	err := s.CreateSession(ctx, &store.Session{ID: "s1", UserID: "nobody"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session of a missing user: %v, want ErrNotFound", err)
	}
	if err := s.SetAuthCodeGrant(ctx, "nope", "g"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetAuthCodeGrant(nope): %v, want ErrNotFound", err)
	}
}

// TestPostgresQueryDeadline: every call runs under a deadline, so a
// cancelled caller gets an error instead of waiting on a locked row.
func TestPostgresQueryDeadline(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	mustUser(t, s, "u1")
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, "SELECT 1 FROM users WHERE id = 'u1' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.RecordLogin(short, "u1", t0, "")
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("RecordLogin on a locked row: err %v after %v, want a deadline error", err, time.Since(start))
	}
}

// TestPostgresOpenErrors: a bad DSN or an unreachable server is an error
// from Open, not a store that fails later.
func TestPostgresOpenErrors(t *testing.T) {
	for _, dsn := range []string{
		"postgres://%zz",
		"postgres://authd:authd@127.0.0.1:1/authd_test?sslmode=disable&connect_timeout=2",
	} {
		if s, err := Open(context.Background(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

// TestPostgresGrantClaims: claims round-trip, an empty set reads as nil,
// an unknown grant is ErrNotFound.
func TestPostgresGrantClaims(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	mustUser(t, s, "u1")
	mustGrant(t, s, "g1", "u1")
	if c, err := s.GrantClaims(ctx, "g1"); err != nil || c != nil {
		t.Fatalf("fresh grant claims = %v, %v; want nil, nil", c, err)
	}
	if err := s.SetGrantClaims(ctx, "g1", map[string]any{"https://x/roles": []any{"admin"}}); err != nil {
		t.Fatal(err)
	}
	c, err := s.GrantClaims(ctx, "g1")
	if err != nil || len(c) != 1 || c["https://x/roles"].([]any)[0] != "admin" {
		t.Fatalf("claims = %v, %v", c, err)
	}
	if err := s.SetGrantClaims(ctx, "nope", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetGrantClaims(nope): %v, want ErrNotFound", err)
	}
	if _, err := s.GrantClaims(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GrantClaims(nope): %v, want ErrNotFound", err)
	}
}

package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/store"
	"github.com/authd/authd/store/postgres/pgtest"
)

// t0 is the tests' fixed clock, microsecond-aligned (timestamptz keeps
// microseconds).
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// openTest opens a store on a fresh schema.
func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	dsn := pgtest.TestDSN(t)
	return openDSN(t, dsn), dsn
}

// openDSN opens another store (another pool, like another replica) on dsn.
func openDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustUser(t testing.TB, s *Store, id string) *store.User {
	t.Helper()
	u := &store.User{ID: id, Connection: "Username-Password-Authentication",
		Email: id + "@Example.COM", CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// refreshToken builds generation n of a grant's refresh token.
func refreshToken(grantID, userID string, n int) *store.RefreshToken {
	return &store.RefreshToken{
		Hash: fmt.Sprintf("%s-rt-%d", grantID, n), ID: fmt.Sprintf("%s-id-%d", grantID, n),
		GrantID: grantID, ClientID: "app", UserID: userID, Scopes: []string{"openid", "offline_access"},
		AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour),
	}
}

func mustGrant(t testing.TB, s *Store, id, userID string) *store.RefreshToken {
	t.Helper()
	g := &store.Grant{ID: id, ClientID: "app", UserID: userID, CreatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
	rt := refreshToken(id, userID, 0)
	if err := s.CreateGrant(context.Background(), g, rt); err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	return rt
}

// race runs n calls of op at once (released together) and returns their
// errors, indexed by caller.
func race(n int, op func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = op(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// TestDurableAcrossReopen: everything acknowledged before Close is there
// after reopening the file.
func TestDurableAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "authd.db")
	now := time.Date(2031, 1, 2, 3, 4, 5, 6000, time.UTC)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{ID: "auth0|000000000000000000000001", Connection: "db", Email: "a@example.com",
		UserMetadata: map[string]any{"k": "v"}, AppMetadata: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	steps := []error{
		s.CreateUser(t.Context(), u),
		s.CreateGrant(t.Context(), &store.Grant{ID: "g1", ClientID: "c", UserID: u.ID, ExpiresAt: now.Add(time.Hour)},
			&store.RefreshToken{Hash: "rt1", ID: "rt-id-1", ClientID: "c", UserID: u.ID, ExpiresAt: now.Add(time.Hour)}),
		s.RotateRefreshToken(t.Context(), "rt1", &store.RefreshToken{Hash: "rt2", ID: "rt-id-2", ClientID: "c",
			UserID: u.ID, ExpiresAt: now.Add(time.Hour)}, now),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTemp2(t, path)
	got, err := s.GetUser(t.Context(), u.ID)
	if err != nil {
		t.Fatalf("GetUser after reopen: %v", err)
	}
	if got.Email != u.Email || got.UserMetadata["k"] != "v" || !got.CreatedAt.Equal(now) {
		t.Fatalf("user after reopen = %+v", got)
	}
	old, err := s.GetRefreshToken(t.Context(), "rt1")
	if err != nil || !old.UsedAt.Equal(now) {
		t.Fatalf("rotated token after reopen = %+v, %v", old, err)
	}
	next, err := s.GetRefreshToken(t.Context(), "rt2")
	if err != nil || next.GrantID != "g1" || !next.UsedAt.IsZero() {
		t.Fatalf("current token after reopen = %+v, %v", next, err)
	}
}

// openTemp2 opens an existing file and checks it on cleanup like openTemp.
func openTemp2(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	t.Cleanup(func() {
		checkIntegrity(t, s)
		s.Close()
	})
	return s
}

package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func sessionTests() []test {
	return []test{
		{"CreateGet", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			x := newSession("s1", u.ID)
			must(t, s.CreateSession(t.Context(), x), "CreateSession")
			got, err := s.GetSession(t.Context(), "s1")
			must(t, err, "GetSession")
			same(t, got, x, "session")
		}},
		{"CreateConflict", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.CreateSession(t.Context(), newSession("s1", u.ID)), "CreateSession")
			mustIs(t, s.CreateSession(t.Context(), newSession("s1", u.ID)), store.ErrConflict, "CreateSession twice")
		}},
		{"GetUnknown", func(t *testing.T, s store.Store) {
			_, err := s.GetSession(t.Context(), "nope")
			mustIs(t, err, store.ErrNotFound, "GetSession")
		}},
		{"UpdateOverwritesMutableFieldsOnly", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			x := newSession("s1", u.ID)
			must(t, s.CreateSession(t.Context(), x), "CreateSession")
			upd := *x
			upd.Methods = []store.AuthMethod{{Name: "pwd", Timestamp: at(time.Hour)}}
			upd.Clients = []string{"spa", "cli"}
			upd.AuthenticatedAt = at(time.Hour)
			upd.UpdatedAt = at(2 * time.Hour)
			upd.ExpiresAt = at(48 * time.Hour)
			upd.LastIP, upd.LastUA = "203.0.113.5", "curl/8"
			// Immutable fields: a change must be ignored.
			upd.InitialIP, upd.InitialUA, upd.CreatedAt = "203.0.113.99", "evil", at(time.Hour)
			must(t, s.UpdateSession(t.Context(), &upd), "UpdateSession")
			got, err := s.GetSession(t.Context(), "s1")
			must(t, err, "GetSession")
			want := upd
			want.InitialIP, want.InitialUA, want.CreatedAt = x.InitialIP, x.InitialUA, x.CreatedAt
			same(t, got, &want, "updated session")
		}},
		{"UpdateUnknown", func(t *testing.T, s store.Store) {
			mustIs(t, s.UpdateSession(t.Context(), newSession("nope", "auth0|x")), store.ErrNotFound, "UpdateSession")
		}},
		{"Delete", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.CreateSession(t.Context(), newSession("s1", u.ID)), "CreateSession")
			must(t, s.DeleteSession(t.Context(), "s1"), "DeleteSession")
			_, err := s.GetSession(t.Context(), "s1")
			mustIs(t, err, store.ErrNotFound, "GetSession after delete")
			mustIs(t, s.DeleteSession(t.Context(), "s1"), store.ErrNotFound, "DeleteSession twice")
		}},
		{"DeleteUserSessions", func(t *testing.T, s store.Store) {
			a, b := createUser(t, s, 1), createUser(t, s, 2)
			for _, x := range []*store.Session{newSession("a1", a.ID), newSession("a2", a.ID), newSession("b1", b.ID)} {
				must(t, s.CreateSession(t.Context(), x), "CreateSession")
			}
			must(t, s.DeleteUserSessions(t.Context(), a.ID), "DeleteUserSessions")
			for _, id := range []string{"a1", "a2"} {
				_, err := s.GetSession(t.Context(), id)
				mustIs(t, err, store.ErrNotFound, "GetSession "+id)
			}
			_, err := s.GetSession(t.Context(), "b1")
			must(t, err, "GetSession of the other user")
			must(t, s.DeleteUserSessions(t.Context(), "auth0|nobody"), "DeleteUserSessions without sessions")
		}},
		{"TimesComeBackUTC", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			zone := time.FixedZone("UTC+5:30", 5*3600+1800)
			x := newSession("s1", u.ID)
			x.CreatedAt = time.Date(2031, 3, 4, 10, 36, 7, 123456000, zone)
			x.Methods[0].Timestamp = x.CreatedAt
			must(t, s.CreateSession(t.Context(), x), "CreateSession")
			got, err := s.GetSession(t.Context(), "s1")
			must(t, err, "GetSession")
			same(t, got.CreatedAt, x.CreatedAt, "CreatedAt instant")
			same(t, got.CreatedAt.Location(), time.UTC, "CreatedAt location")
			same(t, got.ExpiresAt.Location(), time.UTC, "ExpiresAt location")
			same(t, got.Methods[0].Timestamp, x.CreatedAt, "method timestamp instant")
			same(t, got.Methods[0].Timestamp.Location(), time.UTC, "method timestamp location")
		}},
	}
}

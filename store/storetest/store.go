package storetest

import (
	"testing"

	"github.com/authd/authd/store"
)

func storeTests() []test {
	return []test{
		{"Ping", func(t *testing.T, s store.Store) {
			must(t, s.Ping(t.Context()), "Ping")
		}},
		{"MigrateAgainKeepsData", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.Migrate(t.Context()), "Migrate")
			must(t, s.Migrate(t.Context()), "Migrate again")
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got, u, "user after migrations")
		}},
	}
}

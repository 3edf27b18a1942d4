package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func newKey(kid string, activate time.Time) *store.SigningKey {
	return &store.SigningKey{
		ID:         kid,
		Algorithm:  "RS256",
		PrivateJWK: []byte(`{"kty":"RSA","kid":"` + kid + `","d":"secret"}`),
		PublicJWK:  []byte(`{"kty":"RSA","kid":"` + kid + `"}`),
		CreatedAt:  activate,
		ActivateAt: activate,
	}
}

func keyTests() []test {
	return []test{
		{"EmptyList", func(t *testing.T, s store.Store) {
			keys, err := s.ListSigningKeys(t.Context())
			must(t, err, "ListSigningKeys")
			same(t, len(keys), 0, "keys in an empty store")
		}},
		{"InsertRetiresPrevious", func(t *testing.T, s store.Store) {
			k1, k2, k3 := newKey("k1", at(0)), newKey("k2", at(time.Hour)), newKey("k3", at(2*time.Hour))
			must(t, s.InsertSigningKey(t.Context(), k1, at(time.Hour)), "insert k1")
			must(t, s.InsertSigningKey(t.Context(), k2, at(25*time.Hour)), "insert k2")
			must(t, s.InsertSigningKey(t.Context(), k3, at(26*time.Hour)), "insert k3")
			keys, err := s.ListSigningKeys(t.Context())
			must(t, err, "ListSigningKeys")
			// k1 keeps its first retirement; only the active k2 is retired by k3.
			k1.RetireAt, k1.RemoveAt = at(time.Hour), at(25*time.Hour)
			k2.RetireAt, k2.RemoveAt = at(2*time.Hour), at(26*time.Hour)
			same(t, keys, []*store.SigningKey{k1, k2, k3}, "keys in activation order")
		}},
		{"InsertConflictIsAtomic", func(t *testing.T, s store.Store) {
			k1 := newKey("k1", at(0))
			must(t, s.InsertSigningKey(t.Context(), k1, at(time.Hour)), "insert k1")
			mustIs(t, s.InsertSigningKey(t.Context(), newKey("k1", at(time.Hour)), at(2*time.Hour)),
				store.ErrConflict, "insert a taken kid")
			keys, err := s.ListSigningKeys(t.Context())
			must(t, err, "ListSigningKeys")
			same(t, keys, []*store.SigningKey{k1}, "keys after the failed insert (k1 still active)")
		}},
	}
}

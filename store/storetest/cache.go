package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func cacheTests() []test {
	return []test{
		{"SetGetOverwrite", func(t *testing.T, s store.Store) {
			must(t, s.CacheSet(t.Context(), "k", "v1", at(time.Hour)), "CacheSet")
			v, exp, err := s.CacheGet(t.Context(), "k", at(0))
			must(t, err, "CacheGet")
			same(t, []any{v, exp}, []any{"v1", at(time.Hour)}, "entry")
			must(t, s.CacheSet(t.Context(), "k", "v2", at(2*time.Hour)), "CacheSet overwrite")
			v, exp, err = s.CacheGet(t.Context(), "k", at(0))
			must(t, err, "CacheGet")
			same(t, []any{v, exp}, []any{"v2", at(2 * time.Hour)}, "overwritten entry")
		}},
		{"Expiry", func(t *testing.T, s store.Store) {
			must(t, s.CacheSet(t.Context(), "k", "v", at(time.Hour)), "CacheSet")
			_, _, err := s.CacheGet(t.Context(), "k", at(time.Hour-time.Microsecond))
			must(t, err, "CacheGet just before expiry")
			_, _, err = s.CacheGet(t.Context(), "k", at(time.Hour))
			mustIs(t, err, store.ErrNotFound, "CacheGet at expiry")
			_, _, err = s.CacheGet(t.Context(), "missing", at(0))
			mustIs(t, err, store.ErrNotFound, "CacheGet unknown")
		}},
		{"Delete", func(t *testing.T, s store.Store) {
			must(t, s.CacheSet(t.Context(), "k", "v", at(time.Hour)), "CacheSet")
			must(t, s.CacheDelete(t.Context(), "k"), "CacheDelete")
			_, _, err := s.CacheGet(t.Context(), "k", at(0))
			mustIs(t, err, store.ErrNotFound, "CacheGet after delete")
			mustIs(t, s.CacheDelete(t.Context(), "k"), store.ErrNotFound, "CacheDelete twice")
		}},
	}
}

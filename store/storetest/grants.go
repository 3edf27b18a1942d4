package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func grantTests() []test {
	return []test{
		{"CreateGetWithRefreshToken", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			g, rt := createGrant(t, s, "g1", "rt1", u.ID)
			gotG, err := s.GetGrant(t.Context(), "g1")
			must(t, err, "GetGrant")
			same(t, gotG, g, "grant")
			gotRT, err := s.GetRefreshToken(t.Context(), "rt1")
			must(t, err, "GetRefreshToken")
			same(t, gotRT, rt, "refresh token")
		}},
		{"ClientCredentialsGrant", func(t *testing.T, s store.Store) {
			g := newGrant("g1", "")
			must(t, s.CreateGrant(t.Context(), g, nil), "CreateGrant without user or token")
			got, err := s.GetGrant(t.Context(), "g1")
			must(t, err, "GetGrant")
			same(t, got, g, "grant")
		}},
		{"CreateConflictIsAtomic", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			createGrant(t, s, "g1", "rt1", u.ID)
			err := s.CreateGrant(t.Context(), newGrant("g1", u.ID), newRefreshToken("rt2", "g1", u.ID))
			mustIs(t, err, store.ErrConflict, "CreateGrant with a taken id")
			_, err = s.GetRefreshToken(t.Context(), "rt2")
			mustIs(t, err, store.ErrNotFound, "token of the failed CreateGrant")
		}},
		{"GetUnknown", func(t *testing.T, s store.Store) {
			_, err := s.GetGrant(t.Context(), "nope")
			mustIs(t, err, store.ErrNotFound, "GetGrant")
			_, err = s.GetRefreshToken(t.Context(), "nope")
			mustIs(t, err, store.ErrNotFound, "GetRefreshToken")
		}},
		{"Rotate", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			createGrant(t, s, "g1", "rt1", u.ID)
			next := newRefreshToken("rt2", "g1", u.ID)
			next.LastExchangedAt = at(time.Hour)
			must(t, s.RotateRefreshToken(t.Context(), "rt1", next, at(time.Hour)), "RotateRefreshToken")
			old, err := s.GetRefreshToken(t.Context(), "rt1")
			must(t, err, "GetRefreshToken old")
			same(t, old.UsedAt, at(time.Hour), "old UsedAt")
			same(t, old.RevokedAt.IsZero(), true, "old token not revoked by a normal rotation")
			got, err := s.GetRefreshToken(t.Context(), "rt2")
			must(t, err, "GetRefreshToken new")
			same(t, got, next, "new token")
			must(t, s.RotateRefreshToken(t.Context(), "rt2", newRefreshToken("rt3", "g1", u.ID), at(2*time.Hour)), "rotate the new token")
		}},
		{"RotateReuseRevokesGrant", testRotateReuseRevokesGrant},
		{"RotateUnknownOrExpired", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			createGrant(t, s, "g1", "rt1", u.ID)
			mustIs(t, s.RotateRefreshToken(t.Context(), "nope", newRefreshToken("x", "g1", u.ID), at(0)),
				store.ErrNotFound, "unknown token")
			mustIs(t, s.RotateRefreshToken(t.Context(), "rt1", newRefreshToken("rt2", "g1", u.ID), at(14*24*time.Hour)),
				store.ErrNotFound, "token at its expiry")
			_, err := s.GetRefreshToken(t.Context(), "rt2")
			mustIs(t, err, store.ErrNotFound, "token inserted by a failed rotation")
		}},
		{"RevokeGrant", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			createGrant(t, s, "g1", "rt1", u.ID)
			must(t, s.RotateRefreshToken(t.Context(), "rt1", newRefreshToken("rt2", "g1", u.ID), at(time.Minute)), "rotate")
			createGrant(t, s, "g2", "other", u.ID)
			must(t, s.RevokeGrant(t.Context(), "g1", at(time.Hour)), "RevokeGrant")
			g, err := s.GetGrant(t.Context(), "g1")
			must(t, err, "GetGrant")
			same(t, g.RevokedAt, at(time.Hour), "grant RevokedAt")
			for _, h := range []string{"rt1", "rt2"} {
				rt, err := s.GetRefreshToken(t.Context(), h)
				must(t, err, "GetRefreshToken "+h)
				if rt.RevokedAt.IsZero() {
					t.Fatalf("token %s of a revoked grant is not revoked", h)
				}
			}
			mustIs(t, s.RotateRefreshToken(t.Context(), "rt2", newRefreshToken("rt3", "g1", u.ID), at(2*time.Hour)),
				store.ErrConsumed, "rotating a revoked token")
			other, err := s.GetRefreshToken(t.Context(), "other")
			must(t, err, "GetRefreshToken of another grant")
			same(t, other.RevokedAt.IsZero(), true, "token of another grant still live")
			mustIs(t, s.RevokeGrant(t.Context(), "nope", at(0)), store.ErrNotFound, "RevokeGrant unknown")
		}},
		{"RevokeUserGrants", func(t *testing.T, s store.Store) {
			a, b := createUser(t, s, 1), createUser(t, s, 2)
			createGrant(t, s, "a1", "rta1", a.ID)
			createGrant(t, s, "a2", "rta2", a.ID)
			createGrant(t, s, "b1", "rtb1", b.ID)
			must(t, s.RevokeUserGrants(t.Context(), a.ID, at(time.Hour)), "RevokeUserGrants")
			for id, revoked := range map[string]bool{"a1": true, "a2": true, "b1": false} {
				g, err := s.GetGrant(t.Context(), id)
				must(t, err, "GetGrant "+id)
				same(t, !g.RevokedAt.IsZero(), revoked, "grant "+id+" revoked")
				rt, err := s.GetRefreshToken(t.Context(), "rt"+id)
				must(t, err, "GetRefreshToken rt"+id)
				same(t, !rt.RevokedAt.IsZero(), revoked, "token rt"+id+" revoked")
			}
			must(t, s.RevokeUserGrants(t.Context(), "auth0|nobody", at(0)), "RevokeUserGrants without grants")
		}},
		{"ConcurrentRotateSameTokenOneWinner", testConcurrentRotate},
		{"ConcurrentRotateDistinctGrants", func(t *testing.T, s store.Store) {
			// Many independent refreshes at once, some of them failing:
			// each gets its own answer.
			u := createUser(t, s, 1)
			for i := range racers {
				createGrant(t, s, fmt.Sprintf("g%d", i), fmt.Sprintf("rt%d", i), u.ID)
			}
			errs := race(racers, func(i int) error {
				old := fmt.Sprintf("rt%d", i)
				if i%3 == 2 {
					old = "missing"
				}
				return s.RotateRefreshToken(t.Context(), old, newRefreshToken(fmt.Sprintf("next%d", i), fmt.Sprintf("g%d", i), u.ID), at(time.Minute))
			})
			for i, err := range errs {
				if i%3 == 2 {
					mustIs(t, err, store.ErrNotFound, fmt.Sprintf("goroutine %d (unknown token)", i))
					continue
				}
				must(t, err, fmt.Sprintf("goroutine %d", i))
				rt, err := s.GetRefreshToken(t.Context(), fmt.Sprintf("next%d", i))
				must(t, err, "GetRefreshToken")
				same(t, rt.GrantID, fmt.Sprintf("g%d", i), "grant of the new token")
				same(t, rt.RevokedAt.IsZero(), true, "new token live")
			}
		}},
	}
}

// testRotateReuseRevokesGrant: presenting a rotated refresh token again
// revokes the whole grant, the current token included (RFC 9700 §4.14.2).
func testRotateReuseRevokesGrant(t *testing.T, s store.Store) {
	u := createUser(t, s, 1)
	createGrant(t, s, "g1", "rt1", u.ID)
	must(t, s.RotateRefreshToken(t.Context(), "rt1", newRefreshToken("rt2", "g1", u.ID), at(time.Minute)), "rotate")
	err := s.RotateRefreshToken(t.Context(), "rt1", newRefreshToken("rt3", "g1", u.ID), at(time.Hour))
	mustIs(t, err, store.ErrConsumed, "rotating a used token")
	g, err := s.GetGrant(t.Context(), "g1")
	must(t, err, "GetGrant")
	same(t, g.RevokedAt, at(time.Hour), "grant RevokedAt after reuse")
	rt2, err := s.GetRefreshToken(t.Context(), "rt2")
	must(t, err, "GetRefreshToken rt2")
	if rt2.RevokedAt.IsZero() {
		t.Fatal("the current token survived reuse of its predecessor")
	}
	_, err = s.GetRefreshToken(t.Context(), "rt3")
	mustIs(t, err, store.ErrNotFound, "token offered with the reused one")
	mustIs(t, s.RotateRefreshToken(t.Context(), "rt2", newRefreshToken("rt4", "g1", u.ID), at(2*time.Hour)),
		store.ErrConsumed, "rotating the revoked current token")
}

// testConcurrentRotate: many goroutines present the same refresh token;
// exactly one rotation wins, the others are reuse, and afterwards the
// grant is revoked with no live token left.
func testConcurrentRotate(t *testing.T, s store.Store) {
	u := createUser(t, s, 1)
	createGrant(t, s, "g1", "rt1", u.ID)
	errs := race(racers, func(i int) error {
		return s.RotateRefreshToken(t.Context(), "rt1", newRefreshToken(fmt.Sprintf("next%d", i), "g1", u.ID), at(time.Minute))
	})
	winner := oneWinner(t, errs, store.ErrConsumed)
	g, err := s.GetGrant(t.Context(), "g1")
	must(t, err, "GetGrant")
	if g.RevokedAt.IsZero() {
		t.Fatal("grant not revoked after concurrent reuse")
	}
	for i := range racers {
		rt, err := s.GetRefreshToken(t.Context(), fmt.Sprintf("next%d", i))
		if i != winner {
			mustIs(t, err, store.ErrNotFound, fmt.Sprintf("token of loser %d", i))
			continue
		}
		must(t, err, "token of the winner")
		if rt.RevokedAt.IsZero() {
			t.Fatal("winner's token is still live after the reuse")
		}
	}
}

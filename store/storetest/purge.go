package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func purgeTests() []test {
	return []test{{"RemovesOnlyExpired", testPurge}}
}

// testPurge creates one row that ended before the purge time and one that
// lives on, for every kind of row PurgeExpired handles. Expired single-use
// values are consumed first so that their removal is observable (a used
// value answers ErrConsumed while it exists, ErrNotFound once purged).
func testPurge(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := at(48 * time.Hour)
	dead, live := at(time.Hour), at(72*time.Hour)
	u := createUser(t, s, 1)

	for id, exp := range map[string]time.Time{"dead": dead, "live": live} {
		r := newAuthRequest("ar-" + id)
		r.ExpiresAt = exp
		must(t, s.CreateAuthRequest(ctx, r), "CreateAuthRequest")
		must(t, s.SaveAuthCode(ctx, &store.AuthCode{Hash: "code-" + id, AuthRequestID: "ar-" + id, ExpiresAt: exp}), "SaveAuthCode")
		must(t, s.CreateContinueState(ctx, &store.ContinueState{Hash: "cs-" + id, AuthRequestID: "ar-" + id, ExpiresAt: exp}), "CreateContinueState")
		must(t, s.SaveWebAuthnChallenge(ctx, &store.WebAuthnChallenge{ID: "ch-" + id, Kind: "login", ExpiresAt: exp}), "SaveWebAuthnChallenge")
		x := newSession("sess-"+id, u.ID)
		x.ExpiresAt = exp
		must(t, s.CreateSession(ctx, x), "CreateSession")
		g, rt := newGrant("g-"+id, u.ID), newRefreshToken("rt-"+id, "g-"+id, u.ID)
		g.ExpiresAt, rt.ExpiresAt = exp, exp
		must(t, s.CreateGrant(ctx, g, rt), "CreateGrant")
		must(t, s.CacheSet(ctx, "cache-"+id, "v", exp), "CacheSet")
		// Use them up while they are valid.
		_, _, err := s.ConsumeAuthCode(ctx, "code-"+id, at(0))
		must(t, err, "ConsumeAuthCode")
		_, err = s.ConsumeContinueState(ctx, "cs-"+id, at(0))
		must(t, err, "ConsumeContinueState")
		_, err = s.ConsumeWebAuthnChallenge(ctx, "ch-"+id, at(0))
		must(t, err, "ConsumeWebAuthnChallenge")
	}
	// A grant expiring later than its (expired) refresh token keeps living.
	g, rt := newGrant("g-long", u.ID), newRefreshToken("rt-short", "g-long", u.ID)
	g.ExpiresAt, rt.ExpiresAt = live, dead
	must(t, s.CreateGrant(ctx, g, rt), "CreateGrant")
	// Keys: k1 retired with removal before now, k2 retired with removal
	// after now, k3 active (never removed).
	must(t, s.InsertSigningKey(ctx, newKey("k1", at(0)), dead), "insert k1")
	must(t, s.InsertSigningKey(ctx, newKey("k2", at(time.Hour)), dead), "insert k2")
	must(t, s.InsertSigningKey(ctx, newKey("k3", at(2*time.Hour)), live), "insert k3")

	// Failure counters: one idle past the retention, one recent.
	_, err := s.RecordFailure(ctx, "pwd", "old@example.org", "10.0.0.1", now.Add(-store.FailureRetention-time.Hour), time.Hour)
	must(t, err, "RecordFailure old")
	_, err = s.RecordFailure(ctx, "pwd", "new@example.org", "10.0.0.1", now.Add(-time.Hour), time.Hour)
	must(t, err, "RecordFailure new")

	must(t, s.PurgeExpired(ctx, now), "PurgeExpired")

	if n, _, err := s.Failures(ctx, "pwd", "old@example.org", "10.0.0.1"); err != nil || n != 0 {
		t.Errorf("idle failure counter after purge: %d, %v", n, err)
	}
	if n, _, err := s.Failures(ctx, "pwd", "new@example.org", "10.0.0.1"); err != nil || n != 1 {
		t.Errorf("recent failure counter after purge: %d, %v", n, err)
	}

	_, err = s.GetAuthRequest(ctx, "ar-dead")
	mustIs(t, err, store.ErrNotFound, "expired auth request")
	_, err = s.GetAuthRequest(ctx, "ar-live")
	must(t, err, "live auth request")
	_, _, err = s.ConsumeAuthCode(ctx, "code-dead", at(0))
	mustIs(t, err, store.ErrNotFound, "expired code")
	_, _, err = s.ConsumeAuthCode(ctx, "code-live", at(0))
	mustIs(t, err, store.ErrConsumed, "live (used) code")
	_, err = s.ConsumeContinueState(ctx, "cs-dead", at(0))
	mustIs(t, err, store.ErrNotFound, "expired continue state")
	_, err = s.ConsumeContinueState(ctx, "cs-live", at(0))
	mustIs(t, err, store.ErrConsumed, "live (used) continue state")
	_, err = s.ConsumeWebAuthnChallenge(ctx, "ch-dead", at(0))
	mustIs(t, err, store.ErrNotFound, "expired challenge")
	_, err = s.ConsumeWebAuthnChallenge(ctx, "ch-live", at(0))
	mustIs(t, err, store.ErrConsumed, "live (used) challenge")
	_, err = s.GetSession(ctx, "sess-dead")
	mustIs(t, err, store.ErrNotFound, "expired session")
	_, err = s.GetSession(ctx, "sess-live")
	must(t, err, "live session")
	_, err = s.GetRefreshToken(ctx, "rt-dead")
	mustIs(t, err, store.ErrNotFound, "expired refresh token")
	_, err = s.GetRefreshToken(ctx, "rt-short")
	mustIs(t, err, store.ErrNotFound, "expired refresh token of a live grant")
	_, err = s.GetRefreshToken(ctx, "rt-live")
	must(t, err, "live refresh token")
	_, err = s.GetGrant(ctx, "g-dead")
	mustIs(t, err, store.ErrNotFound, "expired grant")
	for _, id := range []string{"g-live", "g-long"} {
		_, err = s.GetGrant(ctx, id)
		must(t, err, "live grant "+id)
	}
	_, _, err = s.CacheGet(ctx, "cache-live", now)
	must(t, err, "live cache entry")
	keys, err := s.ListSigningKeys(ctx)
	must(t, err, "ListSigningKeys")
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.ID)
	}
	same(t, kids, []string{"k2", "k3"}, "keys left")
}

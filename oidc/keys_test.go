package oidc_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/oidc"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/sqlite"
)

// keyClock is a settable clock shared by the "replicas" of a test.
type keyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *keyClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *keyClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingKeys counts the reads of the signing keys.
type countingKeys struct {
	store.Keys
	reads atomic.Int32
}

func (c *countingKeys) ListSigningKeys(ctx context.Context) ([]*store.SigningKey, error) {
	c.reads.Add(1)
	return c.Keys.ListSigningKeys(ctx)
}

const keyRetain = 2 * time.Hour

func keyStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func replica(t *testing.T, st store.Keys, clock *keyClock) *oidc.Keys {
	t.Helper()
	k := oidc.NewKeys(st, "ES256", nil, keyRetain, clock.Now)
	if err := k.Load(context.Background()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return k
}

func publishes(k *oidc.Keys, kid string) bool {
	for _, p := range k.Published() {
		if p.KeyID == kid {
			return true
		}
	}
	return false
}

func signedBy(t *testing.T, k *oidc.Keys) (token, kid string) {
	t.Helper()
	tok, err := k.Sign(map[string]any{"sub": "x"})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok, k.ActiveKeyID()
}

// TestKeysFirstKeyActiveAtOnce: on an empty store the first key signs
// immediately, and a second replica adopts it instead of making its own.
func TestKeysFirstKeyActiveAtOnce(t *testing.T) {
	st := keyStore(t)
	clock := &keyClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	a := replica(t, st, clock)
	tok, kid := signedBy(t, a)
	if kid == "" {
		t.Fatal("no active key after the first Load")
	}
	if _, err := a.Verify(tok); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	b := replica(t, st, clock)
	if got := b.ActiveKeyID(); got != kid {
		t.Fatalf("second replica signs with %q, want the existing key %q", got, kid)
	}
	keys, _ := st.ListSigningKeys(context.Background())
	if len(keys) != 1 {
		t.Fatalf("%d keys in the store, want 1", len(keys))
	}
}

// TestKeysRotationNeverSignsUnpublished: a rotation (made by a third
// process, like `authd keys rotate`) is published by every replica on its
// next refresh and signs only after ActivationDelay, which is longer than
// KeyRefresh: at every instant, the key any replica signs with is
// published by all of them.
func TestKeysRotationNeverSignsUnpublished(t *testing.T) {
	st := keyStore(t)
	clock := &keyClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	a, b := replica(t, st, clock), replica(t, st, clock)
	oldTok, oldKid := signedBy(t, a)

	next, err := oidc.NewKeys(st, "ES256", nil, keyRetain, clock.Now).Rotate(context.Background())
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if want := clock.Now().Add(oidc.ActivationDelay); !next.ActivateAt.Equal(want) {
		t.Fatalf("new key activates at %v, want %v", next.ActivateAt, want)
	}
	if oidc.ActivationDelay <= oidc.KeyRefresh {
		t.Fatalf("ActivationDelay %v must exceed KeyRefresh %v", oidc.ActivationDelay, oidc.KeyRefresh)
	}

	// A refreshes early, B only at the very end of its refresh period.
	clock.Advance(time.Second)
	if err := a.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !publishes(a, next.ID) || publishes(b, next.ID) {
		t.Fatalf("after A's refresh: A publishes new=%v, B publishes new=%v; want true, false", publishes(a, next.ID), publishes(b, next.ID))
	}
	for _, k := range []*oidc.Keys{a, b} {
		if got := k.ActiveKeyID(); got != oldKid {
			t.Fatalf("before activation a replica signs with %q, want the old key %q", got, oldKid)
		}
	}
	clock.Advance(oidc.KeyRefresh - time.Second)
	if err := b.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !publishes(b, next.ID) {
		t.Fatal("B does not publish the new key after a full refresh period")
	}
	if got := b.ActiveKeyID(); got != oldKid {
		t.Fatalf("B signs with %q before activation", got)
	}

	// Activation: both switch on their own clock, without another read.
	clock.Advance(oidc.ActivationDelay - oidc.KeyRefresh)
	for name, k := range map[string]*oidc.Keys{"A": a, "B": b} {
		tok, kid := signedBy(t, k)
		if kid != next.ID {
			t.Fatalf("%s signs with %q after activation, want %q", name, kid, next.ID)
		}
		for other, v := range map[string]*oidc.Keys{"A": a, "B": b} {
			if _, err := v.Verify(tok); err != nil {
				t.Fatalf("token from %s does not verify on %s: %v", name, other, err)
			}
		}
	}
	// The old key still verifies until retain after the switch, then
	// leaves the JWKS.
	if _, err := b.Verify(oldTok); err != nil {
		t.Fatalf("old token no longer verifies: %v", err)
	}
	clock.Advance(keyRetain + time.Second)
	if err := b.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if publishes(b, oldKid) {
		t.Fatal("the old key is still published after retain")
	}
	if _, err := b.Verify(oldTok); err == nil {
		t.Fatal("a token of a removed key still verifies")
	}
}

// TestKeysVerifyReloadsOnUnknownKid: a replica whose periodic refreshes
// failed catches up when it sees a token of a key it does not know, and a
// flood of tokens with unknown kids costs at most one read per second.
func TestKeysVerifyReloadsOnUnknownKid(t *testing.T) {
	st := keyStore(t)
	clock := &keyClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	a := replica(t, st, clock)
	counted := &countingKeys{Keys: st}
	b := replica(t, counted, clock)

	if _, err := a.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(oidc.ActivationDelay)
	tok, kid := signedBy(t, a)
	if publishes(b, kid) {
		t.Fatal("B knows the new key without reading the store")
	}
	before := counted.reads.Load()
	if _, err := b.Verify(tok); err != nil {
		t.Fatalf("B does not verify a token of a key it has not loaded yet: %v", err)
	}
	if got := counted.reads.Load() - before; got != 1 {
		t.Fatalf("Verify read the keys %d times, want 1", got)
	}

	forged := "eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vcGUifQ.e30.AAAA"
	before = counted.reads.Load()
	for range 50 {
		if _, err := b.Verify(forged); err == nil {
			t.Fatal("a token with an unknown kid verified")
		}
	}
	if got := counted.reads.Load() - before; got > 1 {
		t.Fatalf("50 unknown kids within a second read the keys %d times, want at most 1", got)
	}
}

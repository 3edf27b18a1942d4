package mfa

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestPasskeyRegisterAndDiscoverableLogin(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)

	opts, regID, err := f.pk.BeginRegistration(f.ctx, f.alice)
	if err != nil {
		t.Fatal(err)
	}
	c, o := a.registerCeremony(t, opts)
	sel := o.PublicKey.AuthenticatorSelection
	if sel.ResidentKey != "required" || sel.UserVerification != "required" {
		t.Fatalf("authenticatorSelection = %+v, want resident key and UV required", sel)
	}
	if o.PublicKey.RP.ID != testRPID || string(c.UserHandle) != f.alice.ID {
		t.Fatalf("rp.id %q, user.id %q", o.PublicKey.RP.ID, c.UserHandle)
	}
	cred, err := f.pk.FinishRegistration(f.ctx, f.alice, regID, a.attest(t, c))
	if err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
	if !bytes.Equal(cred.ID, a.credID) || cred.UserID != f.alice.ID || !cred.UserVerified || cred.AttestationType != "none" {
		t.Fatalf("registered credential %+v", cred)
	}
	if got := f.stored(a.credID); !bytes.Equal(got.PublicKey, cred.PublicKey) {
		t.Fatal("credential not stored")
	}

	loginOpts, loginID, err := f.pk.BeginLogin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	lc, lo := a.assertCeremony(t, loginOpts)
	if len(lo.PublicKey.AllowCredentials) != 0 || lo.PublicKey.UserVerification != "required" {
		t.Fatalf("discoverable options %s", loginOpts)
	}
	f.now = f.now.Add(time.Minute)
	u, used, err := f.pk.FinishLogin(f.ctx, loginID, a.sign(t, lc))
	if err != nil {
		t.Fatalf("FinishLogin: %v", err)
	}
	if u.ID != f.alice.ID || used.SignCount != 1 || !used.LastUsedAt.Equal(f.now) {
		t.Fatalf("login gave user %s, credential %+v", u.ID, used)
	}
	if got := f.stored(a.credID); got.SignCount != 1 || !got.LastUsedAt.Equal(f.now) {
		t.Fatalf("stored credential after login %+v", got)
	}
}

// TestPasskeyCeremonyStateIsInTheStore: one replica begins, another
// finishes; nothing lives in process memory.
func TestPasskeyCeremonyStateIsInTheStore(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	opts, id, err := f.pk.BeginRegistration(f.ctx, f.alice)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := a.registerCeremony(t, opts)
	if _, err := f.passkeys().FinishRegistration(f.ctx, f.alice, id, a.attest(t, c)); err != nil {
		t.Fatalf("registration finished on another replica: %v", err)
	}
	lid, lc := f.login(a)
	if _, _, err := f.passkeys().FinishLogin(f.ctx, lid, a.sign(t, lc)); err != nil {
		t.Fatalf("login finished on another replica: %v", err)
	}
}

func TestPasskeyChallengeIDs(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		_, id, err := f.pk.BeginLogin(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(raw) != 16 || seen[id] {
			t.Fatalf("challenge id %q: %d bytes, err %v, repeated %v", id, len(raw), err, seen[id])
		}
		seen[id] = true
	}
	opts, _, _ := f.pk.BeginLogin(f.ctx)
	var o requestOptions
	json.Unmarshal(opts, &o)
	if ch, _ := base64.RawURLEncoding.DecodeString(o.PublicKey.Challenge); len(ch) < 16 {
		t.Fatalf("WebAuthn challenge has %d bytes, want >= 16", len(ch))
	}
}

func TestPasskeyChallengeKindsDoNotMix(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	_, loginID, _ := f.pk.BeginLogin(f.ctx)
	if _, err := f.pk.FinishRegistration(f.ctx, f.alice, loginID, []byte(`{}`)); !errors.Is(err, ErrChallenge) {
		t.Fatalf("login challenge finished a registration: %v", err)
	}
	// The discoverable path must refuse a challenge bound to a user.
	mfaOpts, mfaID, _ := f.pk.BeginMFA(f.ctx, f.alice)
	c, _ := a.assertCeremony(t, mfaOpts)
	if _, _, err := f.pk.FinishLogin(f.ctx, mfaID, a.sign(t, c)); !errors.Is(err, ErrChallenge) {
		t.Fatalf("MFA challenge finished a discoverable login: %v", err)
	}
}

func TestNewPasskeysValidatesConfig(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		cfg  PasskeyConfig
	}{
		{"no rpid", PasskeyConfig{RPDisplayName: "x", Origins: []string{testOrigin}}},
		{"no name", PasskeyConfig{RPID: testRPID, Origins: []string{testOrigin}}},
		{"no origins", PasskeyConfig{RPID: testRPID, RPDisplayName: "x"}},
		{"rpid with scheme", PasskeyConfig{RPID: "https://" + testRPID, RPDisplayName: "x", Origins: []string{testOrigin}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewPasskeys(tt.cfg, f.st); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

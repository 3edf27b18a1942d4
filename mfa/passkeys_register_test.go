package mfa

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestPasskeyRegistrationExcludesExisting(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	opts, _, err := f.pk.BeginRegistration(f.ctx, f.alice)
	if err != nil {
		t.Fatal(err)
	}
	var o creationOptions
	json.Unmarshal(opts, &o)
	if len(o.PublicKey.ExcludeCredentials) != 1 || o.PublicKey.ExcludeCredentials[0].ID != b64(a.credID) {
		t.Fatalf("excludeCredentials = %+v", o.PublicKey.ExcludeCredentials)
	}
}

// TestPasskeyRegistrationRejectsTakenCredentialID: a credential id that is
// registered (to anyone) cannot be registered again (W3C §7.1).
func TestPasskeyRegistrationRejectsTakenCredentialID(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	opts, id, _ := f.pk.BeginRegistration(f.ctx, f.bob)
	c, _ := a.registerCeremony(t, opts)
	if _, err := f.pk.FinishRegistration(f.ctx, f.bob, id, a.attest(t, c)); !errors.Is(err, ErrCredentialExists) {
		t.Fatalf("err = %v, want ErrCredentialExists", err)
	}
	if got := f.stored(a.credID); got.UserID != f.alice.ID {
		t.Fatalf("credential moved to %s", got.UserID)
	}
}

// TestPasskeyRegistrationRejectsForgedResponses is checklist items 36 and
// 38 for the create ceremony.
func TestPasskeyRegistrationRejectsForgedResponses(t *testing.T) {
	tests := []struct {
		name   string
		forge  func(*ceremony)
		reason error
	}{
		{"wrong origin", func(c *ceremony) { c.Origin = "https://evil.example" }, ErrPasskeyInvalid},
		{"wrong rpIdHash", func(c *ceremony) { c.RPID = "evil.example" }, ErrPasskeyInvalid},
		{"type webauthn.get", func(c *ceremony) { c.Type = "webauthn.get" }, ErrPasskeyInvalid},
		{"other challenge", func(c *ceremony) { c.Challenge = b64(make([]byte, 32)) }, ErrPasskeyInvalid},
		{"UV clear", func(c *ceremony) { c.Flags &^= flagUV }, ErrPasskeyInvalid},
		{"UP clear", func(c *ceremony) { c.Flags &^= flagUP }, ErrPasskeyInvalid},
		{"BS without BE", func(c *ceremony) { c.Flags = c.Flags&^flagBE | flagBS }, ErrPasskeyInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a := newSoftAuthn(t, testOrigin)
			opts, id, _ := f.pk.BeginRegistration(f.ctx, f.alice)
			c, _ := a.registerCeremony(t, opts)
			tt.forge(&c)
			_, err := f.pk.FinishRegistration(f.ctx, f.alice, id, a.attest(t, c))
			if !errors.Is(err, tt.reason) {
				t.Fatalf("err = %v, want %v", err, tt.reason)
			}
			t.Log(err)
			if creds, _ := f.st.ListWebAuthnCredentials(f.ctx, f.alice.ID); len(creds) != 0 {
				t.Fatal("forged registration stored a credential")
			}
		})
	}
}

func TestPasskeyRegistrationChallengeBoundToUser(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	opts, id, _ := f.pk.BeginRegistration(f.ctx, f.alice)
	c, _ := a.registerCeremony(t, opts)
	if _, err := f.pk.FinishRegistration(f.ctx, f.bob, id, a.attest(t, c)); !errors.Is(err, ErrChallenge) {
		t.Fatalf("err = %v, want ErrChallenge", err)
	}
}

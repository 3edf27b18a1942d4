package mfa

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestPasskeyLoginRejectsForgedAssertions is checklist item 36 (plus a
// foreign challenge and credential): each forgery is refused and changes
// nothing.
func TestPasskeyLoginRejectsForgedAssertions(t *testing.T) {
	tests := []struct {
		name  string
		forge func(*ceremony)
	}{
		{"origin evil.example", func(c *ceremony) { c.Origin = "https://evil.example" }},
		{"origin other port", func(c *ceremony) { c.Origin = testOrigin + ":8443" }},
		{"origin http", func(c *ceremony) { c.Origin = "http://" + testRPID }},
		{"wrong rpIdHash", func(c *ceremony) { c.RPID = "evil.example" }},
		{"type webauthn.create", func(c *ceremony) { c.Type = "webauthn.create" }},
		{"other challenge", func(c *ceremony) { c.Challenge = b64(make([]byte, 32)) }},
		{"unknown credential", func(c *ceremony) { c.CredID = bytes.Repeat([]byte{1}, 32) }},
		{"no user handle", func(c *ceremony) { c.UserHandle = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a := newSoftAuthn(t, testOrigin)
			f.register(a, f.alice)
			id, c := f.login(a)
			tt.forge(&c)
			_, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c))
			if !errors.Is(err, ErrPasskeyInvalid) {
				t.Fatalf("err = %v, want ErrPasskeyInvalid", err)
			}
			t.Log(err)
			if got := f.stored(a.credID); got.SignCount != 0 || !got.LastUsedAt.IsZero() {
				t.Fatalf("forged assertion changed the credential: %+v", got)
			}
		})
	}
}

func TestPasskeyLoginRejectsBadSignature(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	impostor := newSoftAuthn(t, testOrigin) // same credential id, other key
	impostor.credID, impostor.handle = a.credID, a.handle
	if _, _, err := f.pk.FinishLogin(f.ctx, id, impostor.sign(t, c)); !errors.Is(err, ErrPasskeyInvalid) {
		t.Fatalf("err = %v, want ErrPasskeyInvalid", err)
	}
}

// TestPasskeyLoginChallengeSingleUse is checklist item 37: replaying a
// valid assertion with the same challenge id fails.
func TestPasskeyLoginChallengeSingleUse(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	body := a.sign(t, c)
	if _, _, err := f.pk.FinishLogin(f.ctx, id, body); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.pk.FinishLogin(f.ctx, id, body); !errors.Is(err, ErrChallenge) {
		t.Fatalf("replay: err = %v, want ErrChallenge", err)
	}
}

// TestPasskeyChallengeBurnedByFailedAttempt: one verification attempt per
// challenge, so a failed try cannot be retried with a better forgery.
func TestPasskeyChallengeBurnedByFailedAttempt(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	bad := c
	bad.Origin = "https://evil.example"
	if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, bad)); !errors.Is(err, ErrPasskeyInvalid) {
		t.Fatalf("forged: %v", err)
	}
	if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrChallenge) {
		t.Fatalf("retry after failure: err = %v, want ErrChallenge", err)
	}
}

// TestPasskeyLoginChallengeExpired is checklist item 37 after the TTL.
func TestPasskeyLoginChallengeExpired(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	f.now = f.now.Add(DefaultChallengeTTL + time.Second)
	if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrChallenge) {
		t.Fatalf("err = %v, want ErrChallenge", err)
	}
}

// TestPasskeyLoginRequiresUserVerification is checklist item 38 (UV).
func TestPasskeyLoginRequiresUserVerification(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	c.Flags &^= flagUV
	if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrPasskeyInvalid) {
		t.Fatalf("err = %v, want ErrPasskeyInvalid", err)
	}
}

// TestPasskeyLoginRequiresUserPresence is checklist item 38 (UP).
func TestPasskeyLoginRequiresUserPresence(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	c.Flags &^= flagUP
	if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrPasskeyInvalid) {
		t.Fatalf("err = %v, want ErrPasskeyInvalid", err)
	}
}

// TestPasskeyLoginRejectsBackupEligibilityChange: BE is fixed for a
// credential's life; a change means another authenticator.
func TestPasskeyLoginRejectsBackupEligibilityChange(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	c.Flags |= flagBE
	if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrPasskeyInvalid) {
		t.Fatalf("err = %v, want ErrPasskeyInvalid", err)
	}
}

// TestPasskeyLoginCounterRegression is checklist item 39.
func TestPasskeyLoginCounterRegression(t *testing.T) {
	tests := []struct {
		name   string
		stored uint32
		sent   uint32
	}{
		{"lower", 10, 5},
		{"equal", 10, 10},
		{"zero after counting", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a := newSoftAuthn(t, testOrigin)
			cred := f.register(a, f.alice)
			cred.SignCount = tt.stored
			if err := f.st.UpdateWebAuthnCredential(f.ctx, cred); err != nil {
				t.Fatal(err)
			}
			id, c := f.login(a)
			c.Counter = tt.sent
			if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrCloneDetected) {
				t.Fatalf("err = %v, want ErrCloneDetected", err)
			}
			got := f.stored(a.credID)
			if !got.CloneWarning || got.SignCount != tt.stored {
				t.Fatalf("credential after regression: %+v, want CloneWarning and count kept", got)
			}
			// A flagged credential stays refused, even with a fresh count.
			id, c = f.login(a)
			c.Counter = tt.stored + 100
			if _, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); !errors.Is(err, ErrCloneDetected) {
				t.Fatalf("flagged credential: err = %v, want ErrCloneDetected", err)
			}
		})
	}
}

// TestPasskeyLoginZeroCounterAccepted is checklist item 39's exception:
// synced passkeys always send 0 and must keep working.
func TestPasskeyLoginZeroCounterAccepted(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	a.synced, a.be, a.bs = true, true, true
	f.register(a, f.alice)
	for i := 0; i < 3; i++ {
		id, c := f.login(a)
		if _, cred, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c)); err != nil || cred.SignCount != 0 || cred.CloneWarning {
			t.Fatalf("login %d: %+v, %v", i, cred, err)
		}
	}
}

// TestPasskeyLoginUserHandleOfAnotherUser is checklist item 40.
func TestPasskeyLoginUserHandleOfAnotherUser(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	f.register(newSoftAuthn(t, testOrigin), f.bob)
	id, c := f.login(a)
	c.UserHandle = []byte(f.bob.ID)
	u, _, err := f.pk.FinishLogin(f.ctx, id, a.sign(t, c))
	if !errors.Is(err, ErrPasskeyInvalid) || u != nil {
		t.Fatalf("user %v, err = %v; want ErrPasskeyInvalid", u, err)
	}
}

func TestPasskeyMFA(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	opts, id, err := f.pk.BeginMFA(f.ctx, f.alice)
	if err != nil {
		t.Fatal(err)
	}
	c, o := a.assertCeremony(t, opts)
	if len(o.PublicKey.AllowCredentials) != 1 || o.PublicKey.AllowCredentials[0].ID != b64(a.credID) || o.PublicKey.UserVerification != "required" {
		t.Fatalf("MFA options %s", opts)
	}
	cred, err := f.pk.FinishMFA(f.ctx, f.alice, id, a.sign(t, c))
	if err != nil || cred.SignCount != 1 {
		t.Fatalf("FinishMFA: %+v, %v", cred, err)
	}
	if _, _, err := f.pk.BeginMFA(f.ctx, f.bob); !errors.Is(err, ErrNoPasskeys) {
		t.Fatalf("BeginMFA without passkeys: %v", err)
	}
}

// TestPasskeyMFARejectsAnotherUsersCredential is checklist item 40 for the
// second-factor ceremony: bob's MFA cannot be passed with alice's passkey.
func TestPasskeyMFARejectsAnotherUsersCredential(t *testing.T) {
	f := newFixture(t)
	alices := newSoftAuthn(t, testOrigin)
	f.register(alices, f.alice)
	f.register(newSoftAuthn(t, testOrigin), f.bob)
	opts, id, _ := f.pk.BeginMFA(f.ctx, f.bob)
	c, _ := alices.assertCeremony(t, opts)
	if _, err := f.pk.FinishMFA(f.ctx, f.bob, id, alices.sign(t, c)); !errors.Is(err, ErrPasskeyInvalid) {
		t.Fatalf("err = %v, want ErrPasskeyInvalid", err)
	}
}

func TestPasskeyMFAChallengeBoundToUser(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	opts, id, _ := f.pk.BeginMFA(f.ctx, f.alice)
	c, _ := a.assertCeremony(t, opts)
	if _, err := f.pk.FinishMFA(f.ctx, f.bob, id, a.sign(t, c)); !errors.Is(err, ErrChallenge) {
		t.Fatalf("err = %v, want ErrChallenge", err)
	}
}

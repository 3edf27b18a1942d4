package mfa

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/authd/authd/store"
	"github.com/authd/authd/store/sqlite"
)

const (
	testRPID   = "login.example.com"
	testOrigin = "https://login.example.com"
)

// fixture is a Passkeys over a real SQLite store in a temp dir, a movable
// clock and two users.
type fixture struct {
	t          *testing.T
	ctx        context.Context
	st         *sqlite.Store
	pk         *Passkeys
	now        time.Time
	alice, bob *store.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "authd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, ctx: ctx, st: st, now: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)}
	f.pk = f.passkeys()
	f.alice = f.user("auth0|aaaaaaaaaaaaaaaaaaaaaaaa", "alice@example.com")
	f.bob = f.user("auth0|bbbbbbbbbbbbbbbbbbbbbbbb", "bob@example.com")
	return f
}

// passkeys is another "replica": a fresh Passkeys over the same store.
func (f *fixture) passkeys() *Passkeys {
	f.t.Helper()
	pk, err := NewPasskeys(PasskeyConfig{
		RPID:          testRPID,
		RPDisplayName: "authd",
		Origins:       []string{testOrigin},
		Now:           func() time.Time { return f.now },
	}, f.st)
	if err != nil {
		f.t.Fatal(err)
	}
	return pk
}

func (f *fixture) user(id, email string) *store.User {
	f.t.Helper()
	u := &store.User{ID: id, Connection: "Username-Password-Authentication", Email: email, CreatedAt: f.now, UpdatedAt: f.now}
	if err := f.st.CreateUser(f.ctx, u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// register runs an honest registration of a for u.
func (f *fixture) register(a *softAuthn, u *store.User) *store.WebAuthnCredential {
	f.t.Helper()
	opts, id, err := f.pk.BeginRegistration(f.ctx, u)
	if err != nil {
		f.t.Fatal(err)
	}
	c, _ := a.registerCeremony(f.t, opts)
	cred, err := f.pk.FinishRegistration(f.ctx, u, id, a.attest(f.t, c))
	if err != nil {
		f.t.Fatalf("FinishRegistration: %v", err)
	}
	return cred
}

// login begins a discoverable login and returns the challenge id and the
// honest ceremony of a, for the test to tamper with.
func (f *fixture) login(a *softAuthn) (string, ceremony) {
	f.t.Helper()
	opts, id, err := f.pk.BeginLogin(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	c, _ := a.assertCeremony(f.t, opts)
	return id, c
}

func (f *fixture) stored(id []byte) *store.WebAuthnCredential {
	f.t.Helper()
	c, err := f.st.GetWebAuthnCredential(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

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

// TestPasskeyLoginRejectsForgedAssertions is checklist item 36 (and a bad
// signature): each forged assertion is refused and changes nothing.
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

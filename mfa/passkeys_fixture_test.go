package mfa

import (
	"context"
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

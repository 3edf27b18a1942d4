package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/store"
)

// mfaStorePasskey gives the user a passkey straight in the store (as a
// finished registration leaves it) and returns its id as the account
// page posts it.
func mfaStorePasskey(t *testing.T, e *authdtest.Env, userID string, created time.Time) string {
	t.Helper()
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		t.Fatal(err)
	}
	c := &store.WebAuthnCredential{ID: id, UserID: userID, PublicKey: []byte{0xa5, 0x01, 0x02}, AttestationType: "none",
		Transports: []string{"internal"}, UserVerified: true, CreatedAt: created}
	if err := e.Store().AddWebAuthnCredential(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(id)
}

// mfaPasskeyIDs are the user's passkey ids, as the account page posts them.
func mfaPasskeyIDs(t *testing.T, e *authdtest.Env, userID string) []string {
	t.Helper()
	creds, err := e.Store().ListWebAuthnCredentials(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range creds {
		ids = append(ids, base64.RawURLEncoding.EncodeToString(c.ID))
	}
	return ids
}

// "Remove" beside a passkey on /u/account, end to end: refused without
// the CSRF token, with another browser's token and from another origin;
// another user's passkey id removes nothing (not even from a signed-in
// session), nor does a browser that is not signed in; the button removes
// exactly the passkey it stands beside, and the page then lists the rest.
func TestPasskeyAccountRemove(t *testing.T) {
	e := mfaEnv(t, nil)
	ada := e.CreateUser("ada@example.org", actPW)
	bob := e.CreateUser("bob@example.org", actPW)
	// Ada also has an authenticator app: the HTTP browser steps up with
	// its code (a passkey would need a real authenticator).
	secret, _ := mfaEnroll(t, e, ada.ID)
	now := time.Now().UTC()
	adaFirst := mfaStorePasskey(t, e, ada.ID, now.Add(-2*time.Hour))
	adaSecond := mfaStorePasskey(t, e, ada.ID, now.Add(-time.Hour))
	bobKey := mfaStorePasskey(t, e, bob.ID, now.Add(-time.Hour))

	b := e.Browser()
	p := b.Get(e.URL + "/u/account")
	p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": actPW})
	mfaAt(t, p, "/u/mfa-otp-challenge")
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	mfaAt(t, p, "/u/account")
	if n := strings.Count(p.Body, `name="passkey_id"`); n != 2 {
		t.Fatalf("account page lists %d passkeys, want 2", n)
	}
	if first := mfaInput(t, p, "passkey_id"); first != adaFirst {
		t.Fatalf("first listed passkey %s, want %s", first, adaFirst)
	}
	csrf := mfaInput(t, p, "csrf_token")
	remove := e.URL + "/u/passkey-remove"
	intact := func(what string) {
		t.Helper()
		if got := mfaPasskeyIDs(t, e, ada.ID); len(got) != 2 {
			t.Fatalf("%s: Ada has %d passkeys left", what, len(got))
		}
		if got := mfaPasskeyIDs(t, e, bob.ID); len(got) != 1 || got[0] != bobKey {
			t.Fatalf("%s: Bob's passkeys %v", what, got)
		}
	}

	// CSRF: no token, another browser's token, a cross-site Origin.
	if p := b.Post(remove, url.Values{"passkey_id": {adaFirst}}); p.Status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d at %s", p.Status, p.URL)
	}
	other := e.Browser()
	otherCSRF := mfaInput(t, other.Get(e.URL+"/u/login"), "csrf_token")
	if p := b.Post(remove, url.Values{"passkey_id": {adaFirst}, "csrf_token": {otherCSRF}}); p.Status != http.StatusForbidden {
		t.Errorf("another browser's CSRF token: %d at %s", p.Status, p.URL)
	}
	b.Header.Set("Origin", "http://evil.example")
	if p := b.Post(remove, url.Values{"passkey_id": {adaFirst}, "csrf_token": {csrf}}); p.Status != http.StatusForbidden {
		t.Errorf("cross-site Origin: %d at %s", p.Status, p.URL)
	}
	b.Header.Del("Origin")
	intact("CSRF refused")

	// Not signed in (its own valid token): sent to log in.
	p = other.Post(remove, url.Values{"passkey_id": {adaFirst}, "csrf_token": {otherCSRF}})
	if p.URL.Path != "/u/login" {
		t.Errorf("not signed in: %d at %s", p.Status, p.URL)
	}
	intact("not signed in")

	// Bob's passkey id from Ada's session: nothing removed.
	p = b.Post(remove, url.Values{"passkey_id": {bobKey}, "csrf_token": {csrf}})
	mfaAt(t, p, "/u/account")
	intact("another user's passkey id")
	for _, bad := range []string{"", "!!", base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 16))} {
		b.Post(remove, url.Values{"passkey_id": {bad}, "csrf_token": {csrf}})
	}
	intact("bad or unknown passkey ids")

	// The first Remove button removes the first passkey, only that one.
	p = p.Submit("Remove", nil)
	mfaAt(t, p, "/u/account")
	if got := mfaPasskeyIDs(t, e, ada.ID); len(got) != 1 || got[0] != adaSecond {
		t.Fatalf("after Remove Ada has %v, want only %s", got, adaSecond)
	}
	if n := strings.Count(p.Body, `name="passkey_id"`); n != 1 || mfaInput(t, p, "passkey_id") != adaSecond {
		t.Errorf("account page after Remove lists %d passkeys", n)
	}
	if got := mfaPasskeyIDs(t, e, bob.ID); len(got) != 1 {
		t.Errorf("Bob's passkey went too: %v", got)
	}
}

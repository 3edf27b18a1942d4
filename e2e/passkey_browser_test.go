package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authd/authd/geoip/geoiptest"
	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/store"
)

// mfaPasskeys waits until the user has n passkeys in the store.
func mfaPasskeys(t *testing.T, e *authdtest.Env, userID string, n int) []*store.WebAuthnCredential {
	t.Helper()
	for i := 0; i < 100; i++ {
		creds, err := e.Store().ListWebAuthnCredentials(context.Background(), userID)
		if err == nil && len(creds) == n {
			return creds
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("user %s never had %d passkeys", userID, n)
	return nil
}

// addPasskey registers a passkey from /u/account (the session must be
// allowed to manage factors) and logs out.
func (m *mfaChrome) addPasskey(userID string, n int) {
	m.t.Helper()
	m.do("account", chromedp.Navigate(m.e.URL+"/u/account"))
	m.path("/u/account")
	m.do("add a passkey", chromedp.Click(chromedp.ID("passkey-register")))
	mfaPasskeys(m.t, m.e, userID, n)
	// passkey.js reloads the page itself; load it afresh to be sure which
	// document the next click lands on.
	time.Sleep(200 * time.Millisecond)
	m.do("account again", chromedp.Navigate(m.e.URL+"/u/account"))
	m.path("/u/account")
	m.do("log out", chromedp.WaitVisible(chromedp.Search(`//span[@class="item-name" and text()="Passkey"]`)),
		chromedp.Click(chromedp.Search(`//button[text()="Log out"]`)))
	m.path("/u/login")
}

// passkeyLogin presses "Continue with a passkey" (unless autofill was
// quicker: the page may already be on its way).
func (m *mfaChrome) passkeyLogin() {
	m.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if len(m.cb) > 0 {
			return // autofill (conditional mediation) already logged in
		}
		clicked, err := chromedp.Run(m.ctx, chromedp.Evaluate[bool](`(b => !!b && !b.disabled && (b.click(), true))(document.getElementById("passkey-login"))`))
		if err == nil && clicked {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.t.Fatal("no passkey button and no login")
}

// The seed's "Enforce custom MFA policy" and "Reduce friction with
// passkeys", unchanged and in that order, in Chromium. The request comes
// through a trusted proxy (127.0.0.1) with X-Forwarded-For in North
// America per a generated GeoIP database: a password login must enroll
// an authenticator app; after adding a passkey on /u/account, a passkey
// login goes through with no second factor — the later action cancels
// the MFA the earlier one required. The tokens are checked by an
// independent client.
func TestPasskeyBrowserSeedExamples(t *testing.T) {
	db := filepath.Join(t.TempDir(), "city.mmdb")
	geoiptest.Write(t, db,
		geoiptest.Entry{CIDR: "127.0.0.0/8", ContinentCode: "EU", CountryCode: "DE"},
		geoiptest.Entry{CIDR: "203.0.113.0/24", ContinentCode: "NA", CountryCode: "US"})
	opts := []authdtest.Option{authdtest.YAML("geoip: { database: \"" + db + "\" }\ntrusted_proxies: [127.0.0.1/32]")}
	m := newMFAChrome(t, opts, actSeed(t, "mfa-policy"), actSeed(t, "passkey-skip"), mfaMethodsClaim)
	ada := m.e.CreateUser("ada@example.org", actPW)
	m.header("X-Forwarded-For", "203.0.113.7")

	a := m.start()
	m.password("ada@example.org")
	m.path("/u/mfa-otp-enrollment")
	m.code(mfaCode(t, m.e, m.textOf("totp-secret")))
	m.textOf("recovery-code")
	m.do("continue", chromedp.Click(chromedp.CSS("button.primary")))
	tok := m.tokens(a)
	mfaAMR(t, tok, "pwd", "mfa", "otp")

	m.addPasskey(ada.ID, 1)

	a = m.start()
	m.passkeyLogin()
	tok = m.tokens(a)
	if tok.IDToken.Subject != ada.ID {
		t.Errorf("sub %q, want %q", tok.IDToken.Subject, ada.ID)
	}
	mfaAMR(t, tok, "hwk", "user")
	if amr := tok.Claims["amr"].([]any); slices.Contains(amr, any("mfa")) || slices.Contains(amr, any("pwd")) {
		t.Errorf("passkey login amr %v", amr)
	}
	if m := mfaMethods(tok); !slices.Contains(m, "passkey") {
		t.Errorf("methods seen by the actions: %v", m)
	}
	creds := mfaPasskeys(t, m.e, ada.ID, 1)
	if creds[0].LastUsedAt.IsZero() {
		t.Error("passkey use not recorded")
	}
}

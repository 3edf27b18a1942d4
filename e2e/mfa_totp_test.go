package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/mfa"
)

// Enrollment inside a login (no factor yet), then the challenge on the
// next login: a wrong code, a replayed code, remember-this-browser, and
// what event.authentication.methods and amr say at each step.
func TestMFATOTPEnrollChallengeRemember(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire, mfaMethodsClaim)
	u := e.CreateUser("ada@example.org", actPW)
	spa := e.SPA()

	// 1. No factor: the login goes to enrollment, not to the client.
	b := e.Browser()
	a, p := mfaPassword(t, e, b, spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-enrollment")
	secret := p.ByID("totp-secret")
	if !strings.Contains(p.Body, `src="data:image/png;base64,`) {
		t.Error("enrollment page without a QR code image")
	}
	p = p.Submit("Continue", map[string]string{"Code": "000000"})
	mfaAt(t, p, "/u/mfa-otp-enrollment")
	if p.Alert() == "" || p.ByID("totp-secret") != secret {
		t.Fatalf("wrong code: alert %q, secret %q (want the same secret %q)", p.Alert(), p.ByID("totp-secret"), secret)
	}
	if !strings.Contains(p.Body, `src="data:image/png;base64,`) {
		t.Error("re-shown enrollment page without a QR code image")
	}
	enrollCode := mfaCode(t, e, secret)
	p = p.Submit("Continue", map[string]string{"Code": enrollCode})
	recovery := p.ByID("recovery-code")
	if len(mfa.NormalizeRecoveryCode(recovery)) != 20 {
		t.Fatalf("recovery code %q", recovery)
	}
	p = p.Submit("Continue", nil)
	tok := mfaExchange(t, spa, a, p)
	mfaAMR(t, tok, "pwd", "mfa", "otp")
	// The actions ran before the challenge: they saw only the password.
	if m := mfaMethods(tok); !slices.Equal(m, []string{"pwd"}) {
		t.Errorf("methods seen by the actions: %v", m)
	}
	f, err := e.Store().GetTOTP(t.Context(), u.ID)
	if err != nil || !f.Confirmed {
		t.Fatalf("factor not confirmed: %+v %v", f, err)
	}
	if strings.Contains(string(f.SecretEnc), secret) {
		t.Error("TOTP secret stored in clear")
	}

	// 2. A new browser: challenged. The enrollment code (same step) is a
	// replay and refused; the next step's code with "remember" passes.
	b2 := e.Browser()
	a, p = mfaPassword(t, e, b2, spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	p = p.Submit("Continue", map[string]string{"Code": enrollCode})
	mfaAt(t, p, "/u/mfa-otp-challenge")
	if p.Status != http.StatusUnauthorized || p.Alert() == "" {
		t.Fatalf("replayed code: %d, alert %q", p.Status, p.Alert())
	}
	e.Clock.Advance(30 * time.Second)
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret), "Remember this browser for 30 days": "1"})
	tok = mfaExchange(t, spa, a, p)
	mfaAMR(t, tok, "pwd", "mfa", "otp")

	// 3. Same browser, SSO: the session's methods (mfa from login 2) are
	// visible to the actions, and the remembered browser is not challenged.
	a, p = mfaPassword(t, e, b2, spa, "ada@example.org")
	tok = mfaExchange(t, spa, a, p)
	if m := mfaMethods(tok); !slices.Contains(m, "mfa:otp") || !slices.Contains(m, "pwd") {
		t.Errorf("methods on the next login of the session: %v", m)
	}
	// prompt=login: a fresh password and a fresh session, still no challenge.
	a, p = mfaPassword(t, e, b2, spa, "ada@example.org", "prompt", "login")
	tok = mfaExchange(t, spa, a, p)
	if m := mfaMethods(tok); !slices.Equal(m, []string{"pwd"}) {
		t.Errorf("methods after prompt=login: %v", m)
	}

	// 4. Thirty days later the cookie has lapsed.
	e.Clock.Advance(31 * 24 * time.Hour)
	_, p = mfaPassword(t, e, b2, spa, "ada@example.org", "prompt", "login")
	mfaAt(t, p, "/u/mfa-otp-challenge")
}

// The remember-browser cookie is per user and signed: another user's
// cookie, or a forged one, does not skip the challenge.
func TestMFARememberCookieOtherUserOrForged(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire)
	ada := e.CreateUser("ada@example.org", actPW)
	bob := e.CreateUser("bob@example.org", actPW)
	adaSecret, _ := mfaEnroll(t, e, ada.ID)
	mfaEnroll(t, e, bob.ID)
	spa := e.SPA()

	b := e.Browser()
	a, p := mfaPassword(t, e, b, spa, "ada@example.org")
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, adaSecret), "Remember this browser for 30 days": "1"})
	mfaExchange(t, spa, a, p)
	base, _ := url.Parse(e.URL)
	var adaCookie string
	for _, c := range b.Client.Jar.Cookies(base) {
		if c.Name == "authd_mfa_rb" {
			adaCookie = c.Value
		}
	}
	if adaCookie == "" {
		t.Fatal("no remember-browser cookie after ticking the box")
	}

	// Bob in Ada's browser: Ada's cookie does not cover him.
	_, p = mfaPassword(t, e, b, spa, "bob@example.org", "prompt", "login")
	mfaAt(t, p, "/u/mfa-otp-challenge")

	// Forged tokens for Ada: a far expiry with Ada's MAC, a MAC made with
	// another key, garbage.
	_, mac, _ := strings.Cut(adaCookie, ".")
	forged := []string{
		"99999999999." + mac,
		mfa.RememberToken([]byte("0123456789abcdef0123456789abcdef"), ada.ID, time.Now().Add(time.Hour)),
		"garbage",
	}
	for _, v := range forged {
		fb := e.Browser()
		fb.Client.Jar.SetCookies(base, []*http.Cookie{{Name: "authd_mfa_rb", Value: v, Path: "/"}})
		_, p = mfaPassword(t, e, fb, spa, "ada@example.org")
		mfaAt(t, p, "/u/mfa-otp-challenge")
	}
}

// Wrong codes count per user; at login.brute_force.max_attempts (5 in
// the harness) the transaction ends with access_denied, and the lock
// holds for the next login even with a right code.
func TestMFAWrongCodeLockout(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire)
	u := e.CreateUser("ada@example.org", actPW)
	secret, _ := mfaEnroll(t, e, u.ID)
	spa := e.SPA()

	a, p := mfaPassword(t, e, e.Browser(), spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	right := mfaCode(t, e, secret)
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	for i := 1; i < 5; i++ {
		p = p.Submit("Continue", map[string]string{"Code": wrong})
		mfaAt(t, p, "/u/mfa-otp-challenge")
	}
	// The fifth wrong answer locks.
	p = p.Submit("Continue", map[string]string{"Code": wrong})
	if code, desc := mfaDenied(t, a, p); code != "access_denied" || desc != "Too many failed attempts" {
		t.Fatalf("after 5 wrong codes: %s %q", code, desc)
	}

	a, p = mfaPassword(t, e, e.Browser(), spa, "ada@example.org")
	if code, _ := mfaDenied(t, a, p); code != "access_denied" {
		t.Fatalf("locked user challenged again: %s", code)
	}

	// The block expires.
	e.Clock.Advance(16 * time.Minute)
	a, p = mfaPassword(t, e, e.Browser(), spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	mfaExchange(t, spa, a, p)
}

// A recovery code: single use, replaced by a new one shown once; a
// wrong one is refused.
func TestMFARecoveryCode(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire)
	u := e.CreateUser("ada@example.org", actPW)
	_, recovery := mfaEnroll(t, e, u.ID)
	spa := e.SPA()

	b := e.Browser()
	a, p := mfaPassword(t, e, b, spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	p = b.Get(mfaLink(t, p, "Use a recovery code"))
	mfaAt(t, p, "/u/recovery-code")
	p = p.Submit("Continue", map[string]string{"Recovery code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
	mfaAt(t, p, "/u/recovery-code")
	if p.Alert() == "" {
		t.Error("wrong recovery code: no alert")
	}
	// Crockford: lower case and no dashes are the same code.
	p = p.Submit("Continue", map[string]string{"Recovery code": strings.ToLower(strings.ReplaceAll(recovery, "-", ""))})
	fresh := p.ByID("recovery-code")
	if fresh == "" || mfa.NormalizeRecoveryCode(fresh) == mfa.NormalizeRecoveryCode(recovery) {
		t.Fatalf("new recovery code %q", fresh)
	}
	tok := mfaExchange(t, spa, a, p.Submit("Continue", nil))
	mfaAMR(t, tok, "pwd", "mfa")

	// The used code is gone; the new one works.
	b = e.Browser()
	a, p = mfaPassword(t, e, b, spa, "ada@example.org")
	p = b.Get(mfaLink(t, p, "Use a recovery code"))
	p = p.Submit("Continue", map[string]string{"Recovery code": recovery})
	if p.Status != http.StatusUnauthorized {
		t.Fatalf("reused recovery code: %d %s", p.Status, p.URL)
	}
	p = p.Submit("Continue", map[string]string{"Recovery code": fresh})
	mfaExchange(t, spa, a, p.Submit("Continue", nil))
}

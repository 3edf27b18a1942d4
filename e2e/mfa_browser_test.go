package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authd/authd/mfa"
)

// In Chromium: an action requires MFA; the person enrolls an
// authenticator app from the QR page (the code computed with pquerna/otp
// from the secret on the page), saves the recovery code, and the client
// gets tokens with amr mfa/otp. The next login is challenged (a wrong
// code shows an alert), and the one after uses the recovery code.
func TestMFABrowserTOTPAndRecovery(t *testing.T) {
	m := newMFAChrome(t, nil, mfaRequire)
	m.e.CreateUser("ada@example.org", actPW)

	a := m.start()
	m.password("ada@example.org")
	m.path("/u/mfa-otp-enrollment")
	secret := m.textOf("totp-secret")
	if qr := m.eval(`(document.querySelector(".qr img") || {}).src || ""`); !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Errorf("QR code image %.40q", qr)
	}
	m.code(mfaCode(t, m.e, secret))
	recovery := m.textOf("recovery-code")
	m.do("continue", chromedp.Click(chromedp.CSS("button.primary")))
	mfaAMR(t, m.tokens(a), "pwd", "mfa", "otp")

	// SSO: the session skips the password, not the second factor.
	e := m.e
	e.Clock.Advance(30 * time.Second)
	a = m.start()
	m.path("/u/mfa-otp-challenge")
	m.code("000000")
	if alert := m.textOf("alert"); alert == "" {
		t.Error("wrong code: no alert")
	}
	m.code(mfaCode(t, e, secret))
	mfaAMR(t, m.tokens(a), "mfa", "otp")

	a = m.start()
	m.path("/u/mfa-otp-challenge")
	m.do("recovery link", chromedp.Click(chromedp.Search(`//a[text()="Use a recovery code"]`)))
	m.path("/u/recovery-code")
	m.do("recovery code",
		chromedp.SetValue(chromedp.ID("recovery_code"), recovery),
		chromedp.Submit(chromedp.ID("recovery_code")),
	)
	if fresh := m.textOf("recovery-code"); mfa.NormalizeRecoveryCode(fresh) == mfa.NormalizeRecoveryCode(recovery) {
		t.Errorf("recovery code not replaced: %q", fresh)
	}
	m.do("continue", chromedp.Click(chromedp.CSS("button.primary")))
	mfaAMR(t, m.tokens(a), "mfa", "kba")
}

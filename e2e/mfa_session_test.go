package e2e

import (
	"net/http"
	"testing"

	"github.com/authd/authd/internal/authdtest"
)

// mfaLoginForm fails unless p is the login form.
func mfaLoginForm(t *testing.T, p *authdtest.Page, what string) {
	t.Helper()
	if p.Status != http.StatusOK || p.URL.Path != "/u/login" || p.H1() != "Log in" {
		t.Fatalf("%s: want the login form, got %d at %s (h1 %q)", what, p.Status, p.URL, p.H1())
	}
}

// A password whose second factor is still pending opens no session: in
// the same browser a second /authorize shows the login form (prompt=none
// gets login_required), and /u/account (and its step-up page) sends the
// person to log in — for a user who must answer a challenge as for one
// who must still enroll. Once the original login finishes, the session
// counts: SSO skips the password (not the second factor) and /u/account
// opens.
func TestMFAPendingSessionIsNotSignedIn(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire)
	ada := e.CreateUser("ada@example.org", actPW)
	e.CreateUser("bob@example.org", actPW)
	secret, _ := mfaEnroll(t, e, ada.ID)
	spa := e.SPA()

	for _, c := range []struct{ email, step string }{
		{"ada@example.org", "/u/mfa-otp-challenge"},
		{"bob@example.org", "/u/mfa-otp-enrollment"},
	} {
		b := e.Browser()
		_, p := mfaPassword(t, e, b, spa, c.email)
		mfaAt(t, p, c.step)

		p = b.Get(spa.AuthURL().URL)
		mfaLoginForm(t, p, c.email+": second /authorize with MFA pending")
		a2 := spa.AuthURL(authdtest.Param("prompt", "none"))
		p = b.Get(a2.URL)
		if code, _ := mfaDenied(t, a2, p); code != "login_required" {
			t.Errorf("%s: prompt=none with MFA pending: %s", c.email, code)
		}
		mfaLoginForm(t, b.Get(e.URL+"/u/account"), c.email+": /u/account with MFA pending")
		mfaLoginForm(t, b.Get(e.URL+"/u/mfa-otp-challenge"), c.email+": account step-up with MFA pending")
		if p := b.Get(e.URL + "/u/mfa-otp-enrollment"); p.URL.Path == "/u/mfa-otp-enrollment" {
			t.Errorf("%s: account enrollment with MFA pending: %d, h1 %q", c.email, p.Status, p.H1())
		}
	}

	// Ada finishes the original login: from then on the session counts.
	b := e.Browser()
	a, p := mfaPassword(t, e, b, spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	mfaLoginForm(t, b.Get(e.URL+"/u/account"), "/u/account with MFA pending")
	p = b.Get(e.Issuer + "u/mfa-otp-challenge?state=" + p.URL.Query().Get("state"))
	tok := mfaExchange(t, spa, a, p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)}))
	if tok.IDToken.Subject != ada.ID {
		t.Fatalf("sub %q", tok.IDToken.Subject)
	}
	if p := b.Get(e.URL + "/u/account"); p.URL.Path != "/u/account" || p.H1() != "Your account" {
		t.Errorf("/u/account after the login: %d at %s (h1 %q)", p.Status, p.URL, p.H1())
	}
	_, p = mfaPassword(t, e, b, spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
}

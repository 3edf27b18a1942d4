package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/authdtest"
)

// A browser that leaves the challenge and goes straight to the OIDC
// callback gets no code: it is sent back into the login, which asks for
// the second factor again.
func TestMFAStepSkippedToCallback(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire)
	u := e.CreateUser("ada@example.org", actPW)
	secret, _ := mfaEnroll(t, e, u.ID)
	spa := e.SPA()
	b := e.Browser()
	a, p := mfaPassword(t, e, b, spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	state := p.URL.Query().Get("state")

	p = b.Get(e.Issuer + "authorize/callback?id=" + state)
	mfaAt(t, p, "/u/mfa-otp-challenge")
	// Posting the "done" step of an enrollment that never happened
	// does not finish the login either.
	p2 := b.Get(e.Issuer + "u/mfa-otp-challenge?state=" + state)
	p2 = p2.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	mfaExchange(t, spa, a, p2)
}

// prompt=none with MFA pending → interaction_required; MFA on a refresh
// grant → mfa_required.
func TestMFAPromptNoneAndRefresh(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire)
	u := e.CreateUser("ada@example.org", actPW)
	secret, _ := mfaEnroll(t, e, u.ID)
	spa := e.SPA("openid", "profile", "offline_access")
	b := e.Browser()
	a, p := mfaPassword(t, e, b, spa, "ada@example.org")
	tok := mfaExchange(t, spa, a, p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)}))

	a, p = mfaPassword(t, e, b, spa, "ada@example.org", "prompt", "none")
	if code, _ := mfaDenied(t, a, p); code != "interaction_required" {
		t.Errorf("prompt=none with MFA pending: %s", code)
	}

	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	_, err := spa.Refresh(tok.RefreshToken)
	var re *oauth2.RetrieveError
	if !asRetrieve(err, &re) || re.ErrorCode != "mfa_required" {
		t.Errorf("refresh with MFA required: %v", err)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	*re = r
	return ok
}

// challengeWith pauses after the current action; the next action runs
// after the factor and sees it in event.authentication.methods (§4.5).
func TestMFAChallengeWithResumesPipeline(t *testing.T) {
	e := mfaEnv(t, nil, `exports.onExecutePostLogin = async (event, api) => {
  api.authentication.challengeWith({ type: "otp" });
};`, mfaMethodsClaim)
	u := e.CreateUser("ada@example.org", actPW)
	secret, _ := mfaEnroll(t, e, u.ID)
	spa := e.SPA()
	a, p := mfaPassword(t, e, e.Browser(), spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	if strings.Contains(p.Body, "Remember this browser") {
		t.Error("challengeWith offers to remember the browser")
	}
	tok := mfaExchange(t, spa, a, p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)}))
	if m := mfaMethods(tok); !slices.Contains(m, "mfa:otp") {
		t.Errorf("the action after challengeWith saw %v", m)
	}
	mfaAMR(t, tok, "pwd", "mfa", "otp")
}

// enable("any") then enable("none") in a later action: no MFA.
func TestMFALastCallWins(t *testing.T) {
	e := mfaEnv(t, nil, mfaRequire, `exports.onExecutePostLogin = async (event, api) => {
  api.multifactor.enable("none");
};`)
	u := e.CreateUser("ada@example.org", actPW)
	mfaEnroll(t, e, u.ID)
	spa := e.SPA()
	a, p := mfaPassword(t, e, e.Browser(), spa, "ada@example.org")
	mfaExchange(t, spa, a, p)
}

// Factor changes on /u/account need more than the password when the user
// has a second factor: a standalone password login is sent to the
// challenge first (otherwise a stolen password could remove the
// authenticator app or add a passkey and so get round MFA).
func TestMFAAccountStepUp(t *testing.T) {
	e := mfaEnv(t, nil)
	u := e.CreateUser("ada@example.org", actPW)
	secret, _ := mfaEnroll(t, e, u.ID)
	b := e.Browser()
	p := b.Get(e.URL + "/u/account")
	p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": actPW})
	mfaAt(t, p, "/u/mfa-otp-challenge")
	// Removing the factor without the step-up does nothing.
	csrf := mfaInput(t, p, "csrf_token")
	p2 := b.Post(e.URL+"/u/mfa-otp-remove", url.Values{"csrf_token": {csrf}})
	mfaAt(t, p2, "/u/mfa-otp-challenge")
	if f, err := e.Store().GetTOTP(t.Context(), u.ID); err != nil || !f.Confirmed {
		t.Fatalf("factor removed without step-up: %v", err)
	}

	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	mfaAt(t, p, "/u/account")
	p = p.Submit("Remove", nil)
	mfaAt(t, p, "/u/account")
	if _, err := e.Store().GetTOTP(t.Context(), u.ID); err == nil {
		t.Fatal("factor not removed")
	}

	// Enrollment from the account page: QR, code, recovery code, back.
	p = p.Submit("Set up authenticator app", nil)
	mfaAt(t, p, "/u/mfa-otp-enrollment")
	secret = p.ByID("totp-secret")
	e.Clock.Advance(30 * time.Second)
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	if p.ByID("recovery-code") == "" {
		t.Fatal("no recovery code")
	}
	p = p.Submit("Continue", nil)
	mfaAt(t, p, "/u/account")
	if !strings.Contains(p.Body, "you are asked for a code") {
		t.Error("account page does not show the authenticator app")
	}
}

// mfaInput is the value of the first input with that name.
func mfaInput(t *testing.T, p *authdtest.Page, name string) string {
	t.Helper()
	i := strings.Index(p.Body, `name="`+name+`" value="`)
	if i < 0 {
		t.Fatalf("no input %s on %s", name, p.URL)
	}
	rest := p.Body[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

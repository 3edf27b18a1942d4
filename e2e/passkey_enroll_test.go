package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/authd/authd/internal/authdtest"
)

// mfaEnrollPasskey asks Bob (enrollWithAny, a webauthn type first) and
// everyone else (enrollWith) to enroll a passkey.
const mfaEnrollPasskey = `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email.startsWith("bob")) {
    api.authentication.enrollWithAny([{ type: "webauthn-roaming" }, { type: "otp" }]);
  } else {
    api.authentication.enrollWith({ type: "webauthn-platform" });
  }
};`

// enrollWith({type: "webauthn-platform"}) in Chromium: the login pauses
// after the action at "Create a passkey" (no "Not now"); the passkey
// registered there is the user's, the next action runs and sees the
// completed mfa entry, and the client gets its code. A user who already
// has an authenticator app (Bob, enrollWithAny) first proves it, then
// adds the passkey.
func TestPasskeyEnrollWithMidLogin(t *testing.T) {
	m := newMFAChrome(t, nil, mfaEnrollPasskey, mfaMethodsClaim)
	ada := m.e.CreateUser("ada@example.org", actPW)
	bob := m.e.CreateUser("bob@example.org", actPW)
	bobSecret, _ := mfaEnroll(t, m.e, bob.ID)
	// Two users' passkeys end up in one authenticator: no autofill, so the
	// login page waits for the password.
	m.do("origin", chromedp.Navigate(m.e.URL+"/u/login"))
	m.noAutofill()

	a := m.start()
	m.password(ada.Email)
	m.path("/u/passkey-enrollment")
	if h := m.eval(`document.querySelector("h1").textContent.trim()`); h != "Create a passkey" {
		t.Errorf("enrollment page h1 %q", h)
	}
	if n := m.eval(`String([...document.querySelectorAll("button")].filter(b => b.textContent.trim() === "Not now").length)`); n != "0" {
		t.Errorf("enrollment can be skipped: %s Not now buttons", n)
	}
	if len(m.cb) != 0 {
		t.Fatal("the client got an answer before the passkey was enrolled")
	}
	m.do("add a passkey", chromedp.Click(chromedp.Search(`//button[normalize-space()="Add a passkey"]`)))
	tok := m.tokens(a)
	if tok.IDToken.Subject != ada.ID {
		t.Errorf("sub %q, want %q", tok.IDToken.Subject, ada.ID)
	}
	if ms := strings.Join(mfaMethods(tok), ","); ms != "pwd,mfa:webauthn-platform" {
		t.Errorf("methods seen by the next action: %s", ms)
	}
	mfaAMR(t, tok, "pwd", "mfa", "hwk")
	mfaPasskeys(t, m.e, ada.ID, 1)

	m.clearCookies()
	a = m.start()
	m.password(bob.Email)
	m.path("/u/mfa-otp-challenge")
	m.code(mfaCode(t, m.e, bobSecret))
	m.path("/u/passkey-enrollment")
	m.do("add a passkey", chromedp.Click(chromedp.Search(`//button[normalize-space()="Add a passkey"]`)))
	tok = m.tokens(a)
	if tok.IDToken.Subject != bob.ID {
		t.Errorf("sub %q, want %q", tok.IDToken.Subject, bob.ID)
	}
	if ms := strings.Join(mfaMethods(tok), ","); ms != "pwd,mfa:otp,mfa:webauthn-platform" {
		t.Errorf("methods seen by the next action: %s", ms)
	}
	mfaPasskeys(t, m.e, bob.ID, 1)
	mfaPasskeys(t, m.e, ada.ID, 1)
}

// mfaJSON posts a passkey endpoint's JSON body from browser b.
func mfaJSON(t *testing.T, b *authdtest.Browser, url, csrf, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// The passkey enrollment of enrollWith is bound to its transaction: with
// only the password, a user who has an authenticator app cannot begin a
// passkey registration (nor see the page: sent to the challenge); nor can
// another browser, nor a request without the CSRF token; after the
// authenticator-app code it can begin.
func TestPasskeyEnrollWithNeedsStepUpAndItsBrowser(t *testing.T) {
	e := mfaEnv(t, nil, mfaEnrollPasskey)
	bob := e.CreateUser("bob@example.org", actPW)
	secret, _ := mfaEnroll(t, e, bob.ID)
	spa := e.SPA()
	b := e.Browser()
	_, p := mfaPassword(t, e, b, spa, "bob@example.org")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	state := p.URL.Query().Get("state")
	csrf := mfaInput(t, p, "csrf_token")
	begin := e.URL + "/u/passkey-enrollment/begin"
	body := `{"state":"` + state + `"}`

	if st, out := mfaJSON(t, b, begin, csrf, body); st == http.StatusOK || strings.Contains(out, "publicKey") {
		t.Fatalf("begin before the step-up: %d %s", st, out)
	}
	mfaAt(t, b.Get(e.URL+"/u/passkey-enrollment?state="+state), "/u/mfa-otp-challenge")

	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	mfaAt(t, p, "/u/passkey-enrollment")
	if p.H1() != "Create a passkey" {
		t.Errorf("h1 %q", p.H1())
	}
	if st, out := mfaJSON(t, b, begin, "", body); st != http.StatusForbidden || strings.Contains(out, "publicKey") {
		t.Errorf("begin without CSRF token: %d %s", st, out)
	}
	other := e.Browser()
	other.Get(e.URL + "/u/login")
	if st, out := mfaJSON(t, other, begin, csrf, body); st == http.StatusOK || strings.Contains(out, "publicKey") {
		t.Errorf("begin from another browser: %d %s", st, out)
	}
	if st, out := mfaJSON(t, b, begin, csrf, body); st != http.StatusOK || !strings.Contains(out, `"publicKey"`) || !strings.Contains(out, "bob@example.org") {
		t.Errorf("begin after the step-up: %d %s", st, out)
	}
}

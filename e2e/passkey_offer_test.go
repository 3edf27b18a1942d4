package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

// mfaOfferOn turns login.offer_passkey on.
var mfaOfferOn = authdtest.Configure(func(c *config.Config) { c.Login.OfferPasskey = true })

// clearCookies forgets the SSO session (and every other cookie) of the tab.
func (m *mfaChrome) clearCookies() {
	m.t.Helper()
	m.do("fresh cookies", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return chromedp.Void{}, err
	})
}

// login.offer_passkey in Chromium: after a password login without a
// passkey, "Create a passkey?" is shown. "Not now" goes straight to the
// client (with its code, and nothing registered); "Add a passkey" runs
// the registration ceremony and the client still gets the code of this
// login, and the new passkey logs the person in the next time — without
// a second offer.
func TestPasskeyOfferAddAndNotNow(t *testing.T) {
	m := newMFAChrome(t, []authdtest.Option{mfaOfferOn}, mfaMethodsClaim)
	ada := m.e.CreateUser("ada@example.org", actPW)
	bob := m.e.CreateUser("bob@example.org", actPW)

	// Bob: "Not now".
	a := m.start()
	m.password(bob.Email)
	m.path("/u/passkey-offer")
	if h := m.eval(`document.querySelector("h1").textContent.trim()`); h != "Create a passkey?" {
		t.Fatalf("offer page h1 %q", h)
	}
	m.do("not now", chromedp.Click(chromedp.Search(`//button[normalize-space()="Not now"]`)))
	tok := m.tokens(a)
	if tok.IDToken.Subject != bob.ID {
		t.Errorf("sub %q, want %q", tok.IDToken.Subject, bob.ID)
	}
	mfaAMR(t, tok, "pwd")
	if creds, err := m.e.Store().ListWebAuthnCredentials(t.Context(), bob.ID); err != nil || len(creds) != 0 {
		t.Fatalf("Not now registered a passkey: %d %v", len(creds), err)
	}
	// The offer was for that login only: SSO in the same browser goes
	// straight to the client.
	a = m.start()
	m.tokens(a)

	// Ada: "Add a passkey".
	m.clearCookies()
	a = m.start()
	m.password(ada.Email)
	m.path("/u/passkey-offer")
	m.do("add a passkey", chromedp.Click(chromedp.Search(`//button[normalize-space()="Add a passkey"]`)))
	tok = m.tokens(a)
	if tok.IDToken.Subject != ada.ID {
		t.Errorf("sub %q, want %q", tok.IDToken.Subject, ada.ID)
	}
	mfaAMR(t, tok, "pwd")
	cred := mfaPasskeys(t, m.e, ada.ID, 1)[0]
	if !cred.LastUsedAt.IsZero() {
		t.Error("a passkey just created counts as used")
	}

	// Next login in a fresh browser state: the passkey alone.
	m.clearCookies()
	a = m.start()
	m.passkeyLogin() // or autofill, quicker
	tok = m.tokens(a)
	if tok.IDToken.Subject != ada.ID {
		t.Errorf("passkey login: sub %q, want %q", tok.IDToken.Subject, ada.ID)
	}
	mfaAMR(t, tok, "hwk", "user")
	if ms := mfaMethods(tok); !slices.Equal(ms, []string{"passkey"}) {
		t.Errorf("methods seen by the actions on the passkey login: %v", ms)
	}
	if mfaPasskeys(t, m.e, ada.ID, 1)[0].LastUsedAt.IsZero() {
		t.Error("passkey use not recorded")
	}
}

// The passkey offer is no way round a second factor: a user who has an
// authenticator app, logging in with the password only (no action asks
// for MFA), goes straight to the client and cannot open the offer or
// begin its registration; after a login that used the app, the offer is
// made.
func TestPasskeyOfferNotWithPasswordOnlyWhenEnrolled(t *testing.T) {
	e := mfaEnv(t, []authdtest.Option{mfaOfferOn}, `exports.onExecutePostLogin = async (event, api) => {
  if (event.request.query.mfa) api.multifactor.enable("any");
};`)
	u := e.CreateUser("ada@example.org", actPW)
	secret, _ := mfaEnroll(t, e, u.ID)
	spa := e.SPA()

	b := e.Browser()
	a := spa.AuthURL()
	p := b.Get(a.URL)
	mfaAt(t, p, "/u/login")
	id := p.URL.Query().Get("state")
	p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": actPW})
	mfaExchange(t, spa, a, p)
	if p := b.Get(e.URL + "/u/passkey-offer?state=" + id); p.Status != http.StatusBadRequest || p.H1() == "Create a passkey?" {
		t.Errorf("offer page after a password-only login: %d, h1 %q", p.Status, p.H1())
	}
	csrf := mfaInput(t, b.Get(e.URL+"/u/login"), "csrf_token")
	if st, out := mfaJSON(t, b, e.URL+"/u/passkey-register/begin", csrf, `{"state":"`+id+`"}`); st == http.StatusOK || strings.Contains(out, "publicKey") {
		t.Errorf("offer registration after a password-only login: %d %s", st, out)
	}

	a, p = mfaPassword(t, e, e.Browser(), spa, "ada@example.org", "mfa", "1")
	mfaAt(t, p, "/u/mfa-otp-challenge")
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, secret)})
	mfaAt(t, p, "/u/passkey-offer")
	if p.H1() != "Create a passkey?" {
		t.Errorf("offer after MFA: h1 %q", p.H1())
	}
	mfaExchange(t, spa, a, p.Submit("Not now", nil))
}

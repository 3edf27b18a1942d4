package e2e

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
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
	// Log out lands on /u/login, whose passkey autofill would sign the
	// person straight back in with the new passkey (a standalone session
	// the next /authorize would use): the tests want them logged out.
	m.noAutofill()
	m.do("log out", chromedp.WaitVisible(chromedp.Search(`//span[@class="item-name" and text()="Passkey"]`)),
		chromedp.Click(chromedp.Search(`//button[text()="Log out"]`)))
	m.path("/u/login")
}

// noAutofill turns passkey autofill off on the pages loaded from now on
// (the current page must be one of authd's).
func (m *mfaChrome) noAutofill() {
	m.t.Helper()
	m.hookFetch()
	m.eval(`localStorage.setItem("mfaNoAutofill", "1"); ""`)
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

// mfaFetchHook wraps fetch in every document before its scripts run:
// with localStorage "mfaCapture" set, a passkey finish is recorded in
// window.__finish and never sent; with "mfaRewrite" set to a credential
// id, the second-factor begin's allowCredentials is replaced by it, so
// the authenticator signs the challenge with that (another user's) key;
// "mfaNoAutofill" turns passkey autofill off, so that a login page with
// two users' passkeys in the authenticator waits for the password.
const mfaFetchHook = `(() => {
  if (window.PublicKeyCredential && localStorage.getItem("mfaNoAutofill")) {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  }
  const orig = window.fetch.bind(window);
  window.fetch = async (u, o) => {
    const url = String(u);
    if (localStorage.getItem("mfaCapture") && url.includes("/finish")) {
      window.__finish = o.body;
      return new Promise(() => {});
    }
    const res = await orig(u, o);
    const other = localStorage.getItem("mfaRewrite");
    if (other && url.includes("/passkey-mfa/begin")) {
      const j = await res.json();
      j.publicKey.allowCredentials = [{ type: "public-key", id: other }];
      return new Response(JSON.stringify(j), { status: res.status, headers: { "Content-Type": "application/json" } });
    }
    return res;
  };
})();`

func (m *mfaChrome) hookFetch() {
	m.t.Helper()
	if m.hooked {
		return
	}
	m.hooked = true
	m.do("fetch hook", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: mfaFetchHook})
		return chromedp.Void{}, err
	})
}

// A genuine assertion, captured before it reaches authd, is accepted once
// and refused when replayed (its challenge is single use); a passkey of
// another user signing a second-factor challenge is refused, and the
// user's own passkey then works as the second factor of enable("any").
func TestPasskeyBrowserReplayAndOtherUser(t *testing.T) {
	m := newMFAChrome(t, nil, mfaRequire)
	ada := m.e.CreateUser("ada@example.org", actPW)
	bob := m.e.CreateUser("bob@example.org", actPW)
	m.hookFetch()
	m.do("origin", chromedp.Navigate(m.e.URL+"/u/login"))
	m.eval(`localStorage.setItem("mfaNoAutofill", "1"); ""`)
	// Both register a passkey from /u/account (no factor yet, so the
	// password session may) in the same authenticator.
	for _, u := range []*store.User{ada, bob} {
		m.do("account", chromedp.Navigate(m.e.URL+"/u/account"))
		m.password(u.Email)
		m.path("/u/account")
		m.addPasskey(u.ID, 1)
	}
	adaCred := mfaPasskeys(t, m.e, ada.ID, 1)[0]

	// Replay: capture a passkey login's finish, then send it twice.
	m.start()
	m.eval(`localStorage.setItem("mfaCapture", "1"); ""`)
	m.do("reload", chromedp.Reload())
	m.passkeyLogin()
	var body string
	for i := 0; i < 100 && body == ""; i++ {
		body, _ = chromedp.Run(m.ctx, chromedp.Evaluate[string](`window.__finish || ""`))
		time.Sleep(50 * time.Millisecond)
	}
	if body == "" {
		t.Fatal("no passkey finish captured")
	}
	csrf := m.eval(`document.querySelector('meta[name="csrf-token"]').content`)
	cookies, err := chromedp.Run(m.ctx, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{m.e.URL + "/"}})
		if err != nil {
			return nil, err
		}
		return res.Cookies, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	finish := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, m.e.URL+"/u/passkey-login/finish", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		for _, c := range cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := finish(); st != http.StatusOK || !strings.Contains(b, `"redirect"`) {
		t.Fatalf("genuine assertion: %d %s", st, b)
	}
	if st, b := finish(); st != http.StatusUnauthorized || strings.Contains(b, `"redirect"`) {
		t.Fatalf("replayed assertion: %d %s", st, b)
	}
	m.eval(`localStorage.removeItem("mfaCapture"); ""`)

	// Bob's password login must pass a second factor: his passkey. With
	// Ada's credential swapped in, the assertion is Ada's: refused.
	m.do("fresh cookies", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return chromedp.Void{}, err
	})
	a := m.start()
	m.password("bob@example.org")
	m.path("/u/mfa-otp-challenge")
	m.eval(`localStorage.setItem("mfaRewrite", "` + base64.RawURLEncoding.EncodeToString(adaCred.ID) + `"); ""`)
	m.do("passkey instead", chromedp.Click(chromedp.ID("passkey-mfa")))
	for i := 0; i < 100; i++ {
		if alert, _ := chromedp.Run(m.ctx, chromedp.Evaluate[string](`document.getElementById("alert").textContent`)); alert != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if alert := m.textOf("alert"); !strings.Contains(alert, "not accepted") {
		t.Fatalf("another user's passkey: alert %q", alert)
	}
	if len(m.cb) != 0 {
		t.Fatal("the login reached the client with another user's passkey")
	}
	m.eval(`localStorage.removeItem("mfaRewrite"); ""`)
	m.do("passkey instead", chromedp.Click(chromedp.ID("passkey-mfa")))
	tok := m.tokens(a)
	if tok.IDToken.Subject != bob.ID {
		t.Errorf("sub %q", tok.IDToken.Subject)
	}
	mfaAMR(t, tok, "pwd", "mfa", "hwk")
}

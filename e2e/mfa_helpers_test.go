package e2e

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
)

// Helpers of the MFA and passkey end-to-end tests; every name starts with
// "mfa" (see actions_helpers_test.go for the package's convention).

// mfaRequire is an action that requires MFA, remembering allowed.
const mfaRequire = `exports.onExecutePostLogin = async (event, api) => {
  api.multifactor.enable("any", { allowRememberBrowser: true });
};`

// mfaMethodsClaim puts event.authentication.methods (name:type) in the ID
// token, so a test can see what the pipeline saw.
const mfaMethodsClaim = `exports.onExecutePostLogin = async (event, api) => {
  const m = (event.authentication?.methods || []).map((x) => x.type ? x.name + ":" + x.type : x.name);
  api.idToken.setCustomClaim("https://authd.test/methods", m.join(","));
};`

// mfaEnv starts authd with the given action sources bound in order and a
// pinned clock (TOTP codes are computed from it).
func mfaEnv(t *testing.T, extra []authdtest.Option, srcs ...string) *authdtest.Env {
	t.Helper()
	var acts []act
	for i, src := range srcs {
		acts = append(acts, act{Name: "mfa" + string(rune('a'+i)), Src: src})
	}
	e := actEnv(t, extra, acts...)
	// A little ahead of the real time (the signing key activated at start),
	// 5 s into a TOTP step.
	e.Clock.Set(time.Now().UTC().Truncate(30 * time.Second).Add(35 * time.Second))
	return e
}

// mfaEnroll gives a user a confirmed authenticator app and one recovery
// code, the way the enrollment page stores them (sealed secret, hashed
// code), and returns both secrets.
func mfaEnroll(t *testing.T, e *authdtest.Env, userID string) (secret, recovery string) {
	t.Helper()
	en, err := (&mfa.TOTP{Issuer: "authd"}).Enroll("x@example.org")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := mfa.NewSealer(e.Config.Secrets.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealer.Seal([]byte(en.Secret))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.Store().SaveTOTP(ctx, &store.TOTPFactor{UserID: userID, SecretEnc: sealed, Confirmed: true, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	recovery = "ABCD-EFGH-JKMN-PQRS-TVWX"
	if err := e.Store().SetRecoveryCodes(ctx, userID, []string{mfa.HashRecoveryCode(recovery)}); err != nil {
		t.Fatal(err)
	}
	return en.Secret, recovery
}

// mfaCode is the authenticator app's code now (by the server's clock).
func mfaCode(t *testing.T, e *authdtest.Env, secret string) string {
	t.Helper()
	c, err := mfa.GenerateCode(secret, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mfaPassword starts a login in b and submits the password; it returns
// the page the login lands on (the MFA page, or the callback redirect).
func mfaPassword(t *testing.T, e *authdtest.Env, b *authdtest.Browser, rp *authdtest.RP, email string, extra ...string) (authdtest.Auth, *authdtest.Page) {
	t.Helper()
	a := rp.AuthURL()
	if len(extra) == 2 {
		a = rp.AuthURL(authdtest.Param(extra[0], extra[1]))
	}
	p := b.Get(a.URL)
	if p.Status == http.StatusOK && p.H1() == "Log in" {
		p = p.Submit("Continue", map[string]string{"Email": email, "Password": actPW})
	}
	return a, p
}

// mfaAt fails unless p is the page at path.
func mfaAt(t *testing.T, p *authdtest.Page, path string) {
	t.Helper()
	if p.Status != http.StatusOK && p.Status != http.StatusUnauthorized || p.URL.Path != path {
		t.Fatalf("want %s, got %d at %s (h1 %q, alert %q)", path, p.Status, p.URL, p.H1(), p.Alert())
	}
}

// mfaExchange redeems the code of a successful callback.
func mfaExchange(t *testing.T, rp *authdtest.RP, a authdtest.Auth, p *authdtest.Page) *authdtest.Tokens {
	t.Helper()
	tok, err := rp.Exchange(a, authdtest.Code(t, a, p.Location()))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// mfaDenied returns the error of a failed callback.
func mfaDenied(t *testing.T, a authdtest.Auth, p *authdtest.Page) (code, desc string) {
	t.Helper()
	q := p.Location().Query()
	if q.Get("code") != "" || q.Get("state") != a.State {
		t.Fatalf("want an error callback, got %s", p.Location())
	}
	return q.Get("error"), q.Get("error_description")
}

// mfaAMR checks the ID token's amr.
func mfaAMR(t *testing.T, tok *authdtest.Tokens, want ...string) {
	t.Helper()
	var got []string
	for _, v := range tok.Claims["amr"].([]any) {
		got = append(got, v.(string))
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("amr %v lacks %q", got, w)
		}
	}
}

func mfaMethods(tok *authdtest.Tokens) []string {
	s, _ := tok.Claims["https://authd.test/methods"].(string)
	return strings.Split(s, ",")
}

var mfaHref = regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`)

// mfaLink is the absolute URL of the link with that text.
func mfaLink(t *testing.T, p *authdtest.Page, text string) string {
	t.Helper()
	for _, m := range mfaHref.FindAllStringSubmatch(p.Body, -1) {
		if strings.TrimSpace(html.UnescapeString(m[2])) == text {
			u, err := p.URL.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			return u.String()
		}
	}
	t.Fatalf("no link %q on %s", text, p.URL)
	return ""
}

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/mfa"
)

// A redirect together with MFA, recordMethod and the time budget
// (issue #5 items 3 and 6; spec §5.4, §5.8; behaviour 46).

// Issue #5 item 6: an action requires MFA, a later one redirects. As in
// Auth0, the redirect happens during the actions and the MFA challenge
// after the last action (spec §5.4).
func TestRedirectThenMFA(t *testing.T) {
	need := `exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable("any"); };`
	e, uid := rdEnv(t, rdBind(rdAction{name: "need-mfa", src: need}, rdAction{name: "ask", src: redirector})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp) // the redirect comes first
	p := comeBack(t, e, b, loc.Query().Get("state"), uid, map[string]any{"favorite_color": "green"})
	if p.Status != http.StatusOK || !strings.HasPrefix(p.URL.Path, "/u/mfa-otp-enrollment") {
		t.Fatalf("after /continue: %d at %s (h1 %q), want the MFA enrollment", p.Status, p.URL, p.H1())
	}
	code, err := mfa.GenerateCode(p.ByID("totp-secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p = p.Submit("Continue", map[string]string{"Code": code})
	if p.Header.Get("Location") == "" { // the recovery code is shown once
		p.ByID("recovery-code")
		p = p.Submit("Continue", nil)
	}
	tok := rdExchange(t, rp, a, rdCallback(t, p))
	if tok.Claims["https://x.test/color"] != "green" || e.User(uid).UserMetadata["favorite_color"] != "green" {
		t.Errorf("after redirect and MFA: claims %v metadata %v", tok.Claims, e.User(uid).UserMetadata)
	}
	if amr, _ := tok.Claims["amr"].([]any); !rdContains(amr, "mfa") {
		t.Errorf("amr = %v, want mfa", tok.Claims["amr"])
	}
}

// Behaviour 46: recordMethod works in onContinuePostLogin and the next
// login of the session sees it; in onExecutePostLogin it throws.
func TestRedirectRecordMethod(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  const seen = event.authentication.methods.find(m => m.name === "https://mfa.test/custom");
  if (seen) { api.idToken.setCustomClaim("https://x.test/recorded", seen.timestamp); return; }
  try { api.authentication.recordMethod("https://mfa.test/custom"); } catch (e) {
    api.transaction.setMetadata("threw", String(e.message || e));
  }
  api.redirect.sendUserTo("https://my-app.example.com/");
};
exports.onContinuePostLogin = async (event, api) => {
  api.authentication.recordMethod("https://mfa.test/custom");
  api.idToken.setCustomClaim("https://x.test/threw", event.transaction.metadata.threw || "");
};`
	e, _ := rdEnv(t, rdBind(rdAction{name: "record", src: src})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	cb := rdCallback(t, b.Get(e.URL+"/continue?state="+url.QueryEscape(loc.Query().Get("state"))))
	if threw, _ := rdExchange(t, rp, a, cb).Claims["https://x.test/threw"].(string); threw == "" {
		t.Error("recordMethod in onExecutePostLogin did not throw")
	}
	// Second login in the same browser session: SSO, no form, no redirect.
	a = rp.AuthURL()
	ts, _ := rdExchange(t, rp, a, rdCallback(t, b.Get(a.URL))).Claims["https://x.test/recorded"].(string)
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Errorf("recorded method timestamp %q: %v", ts, err)
	}
}

// Each part of a suspended execution has its own budget (spec §5.8): with
// a 1 s limit, 0.7 s before the redirect plus 0.7 s after it succeeds.
func TestRedirectNewBudgetAfterResume(t *testing.T) {
	src := `const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
exports.onExecutePostLogin = async (event, api) => { await sleep(700); api.redirect.sendUserTo("https://my-app.example.com/"); };
exports.onContinuePostLogin = async (event, api) => { await sleep(700); api.idToken.setCustomClaim("https://x.test/slow", true); };`
	e, _ := rdEnv(t, rdBindTimeout("1s", rdAction{name: "slow", src: src})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	cb := rdCallback(t, b.Get(e.URL+"/continue?state="+url.QueryEscape(loc.Query().Get("state"))))
	if got := rdExchange(t, rp, a, cb).Claims["https://x.test/slow"]; got != true {
		t.Errorf("claim after a slow resume = %v", got)
	}
}

func rdContains(vs []any, want string) bool {
	for _, v := range vs {
		if v == want {
			return true
		}
	}
	return false
}

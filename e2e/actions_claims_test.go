package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/internal/authdtest"
)

// Claims and scopes (spec §10.28–35) as seen by an independent client in
// the verified ID token, the access token and /userinfo.

// §10.28, §10.30, §10.32: restricted, Auth0-domain, own-issuer and
// unscoped profile claims are dropped; the login succeeds.
func TestActionsRestrictedClaimsAreDropped(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("roles", ["a"]);
  api.idToken.setCustomClaim("sub", "x");
  api.idToken.setCustomClaim("https://tenant.auth0.com/c", 1);
  api.idToken.setCustomClaim("http://" + event.request.hostname + "/c", 1);
  api.idToken.setCustomClaim("email", "x@y");
  api.idToken.setCustomClaim("https://x.test/ok", 1);
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	u := e.CreateUser("ada@example.org", actPW)
	spa := e.SPA("openid")
	tok := actTokens(t, e, spa, "ada@example.org")
	c := tok.Claims
	if c["sub"] != u.ID {
		t.Errorf("sub overridden: %v", c["sub"])
	}
	for _, k := range []string{"roles", "https://tenant.auth0.com/c", "http://" + strings.TrimPrefix(e.URL, "http://") + "/c", "email"} {
		if _, ok := c[k]; ok {
			t.Errorf("claim %q should have been dropped: %v", k, c[k])
		}
	}
	if c["https://x.test/ok"] != 1.0 {
		t.Errorf("namespaced claim missing: %v", c)
	}
	info, status := spa.Userinfo(tok.AccessToken)
	if status != http.StatusOK || info["sub"] != u.ID || info["email"] != nil || info["https://x.test/ok"] != 1.0 {
		t.Errorf("userinfo %d: %v", status, info)
	}
}

// §10.29: setting "scope" throws; uncaught, the login fails with the
// message.
func TestActionsScopeClaimThrows(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => { api.accessToken.setCustomClaim("scope", "x"); };`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	a, cb := actCallback(t, e, e.SPA(), "ada@example.org")
	if d := actDenied(t, a, cb); d != `The "scope" claim cannot be set.` {
		t.Errorf("description %q", d)
	}
}

// §10.31: private (non-namespaced) claims: in the ID token and /userinfo;
// in an API's access token, but not in one for a management audience.
func TestActionsPrivateClaims(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("myclaim", 1);
  api.accessToken.setCustomClaim("myclaim", 1);
};`
	const mgmt = "https://mgmt.example.com/"
	apis := actTodoAPIs + `  - { identifier: "` + mgmt + `", name: Management, scopes: [read:users] }
`
	e := actEnv(t, []authdtest.Option{authdtest.YAML(apis),
		authdtest.ActionOptions(func(o *actions.Options) { o.ManagementAudiences = []string{mgmt} })},
		act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	spa := e.SPA("openid", "read:xyz")
	tok := actTokens(t, e, spa, "ada@example.org", actAudience(authdtest.API))
	if tok.Claims["myclaim"] != 1.0 || tok.Access["myclaim"] != 1.0 {
		t.Errorf("ID %v / AT %v", tok.Claims["myclaim"], tok.Access["myclaim"])
	}
	if info, _ := spa.Userinfo(tok.AccessToken); info["myclaim"] != 1.0 {
		t.Errorf("userinfo %v", info)
	}
	tok = actTokens(t, e, spa, "ada@example.org", actAudience(mgmt))
	if _, ok := tok.Access["myclaim"]; ok || tok.Claims["myclaim"] != 1.0 {
		t.Errorf("management audience: AT %v, ID %v", tok.Access, tok.Claims["myclaim"])
	}
}

// §10.33: 100 KB of custom claims per token.
func TestActionsClaimSizeLimit(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  const kb = (n) => "x".repeat(n * 1024);
  if (event.user.email.startsWith("big")) {
    api.idToken.setCustomClaim("https://x.test/big", kb(101));
  } else {
    api.idToken.setCustomClaim("https://x.test/big", kb(60));
    api.accessToken.setCustomClaim("https://x.test/big", kb(60));
  }
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("big@example.org", actPW)
	e.CreateUser("ok@example.org", actPW)
	spa := e.SPA("openid", "read:xyz")
	a, cb := actCallback(t, e, spa, "big@example.org")
	actDenied(t, a, cb)
	tok := actTokens(t, e, spa, "ok@example.org", actAudience(authdtest.API))
	if s, _ := tok.Claims["https://x.test/big"].(string); len(s) != 60*1024 {
		t.Errorf("60 KB ID claim: %d bytes", len(s))
	}
	if s, _ := tok.Access["https://x.test/big"].(string); len(s) != 60*1024 {
		t.Errorf("60 KB AT claim: %d bytes", len(s))
	}
}

// §10.34–35: scope validation messages, and add/remove semantics.
func TestActionsScopes(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  const errs = [];
  for (const v of ["a b", "", 5, "s".repeat(281)]) {
    try { api.accessToken.addScope(v); errs.push("no error"); } catch (e) { errs.push(e.constructor.name + ": " + e.message); }
  }
  api.idToken.setCustomClaim("https://x.test/errs", errs);
  api.accessToken.addScope("x");
  api.accessToken.removeScope("x");
  api.accessToken.removeScope("read:xyz");
  api.accessToken.addScope("extra:scope");
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	tok := actTokens(t, e, e.SPA("openid", "read:xyz", "write:xyz"), "ada@example.org", actAudience(authdtest.API))
	errs, _ := tok.Claims["https://x.test/errs"].([]any)
	want := []string{
		"Error: The value for the scope must not have whitespace.",
		"Error: The value for the scope is required.",
		"TypeError: The value for the scope must be a string.",
		"Error: The value for the scope exceeds the allowed maximum of 280 characters.",
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %v", errs)
	}
	for i := range want {
		if errs[i] != want[i] {
			t.Errorf("error %d: %q, want %q", i, errs[i], want[i])
		}
	}
	if tok.Access["scope"] != "openid write:xyz extra:scope" {
		t.Errorf("AT scope %q", tok.Access["scope"])
	}

	// Uncaught, the whitespace error fails the login with its message.
	bad := `exports.onExecutePostLogin = async (event, api) => { api.accessToken.addScope("a b"); };`
	e2 := actEnv(t, nil, act{Name: "bad", Src: bad})
	e2.CreateUser("ada@example.org", actPW)
	a, cb := actCallback(t, e2, e2.SPA(), "ada@example.org")
	if d := actDenied(t, a, cb); d != "The value for the scope must not have whitespace." {
		t.Errorf("description %q", d)
	}
}

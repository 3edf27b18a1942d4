package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
)

// The post-login trigger on refresh_token grants (spec §10.47–53).

// actRefreshLogin logs in with offline_access for the test API.
func actRefreshLogin(t *testing.T, e *authdtest.Env) (*authdtest.RP, *authdtest.Tokens) {
	t.Helper()
	spa := e.SPA("openid", "offline_access", "read:xyz")
	tok := actTokens(t, e, spa, "ada@example.org", actAudience(authdtest.API))
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return spa, tok
}

// §10.48: claims are recomputed on every refresh, from data that changed
// in between (app_metadata edited in the store, the clock); a claim set
// only at login is gone from refreshed tokens.
func TestActionsRefreshRecomputesClaims(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/plan", event.user.app_metadata.plan || "free");
  api.accessToken.setCustomClaim("https://x.test/plan", event.user.app_metadata.plan || "free");
  api.idToken.setCustomClaim("https://x.test/now", Date.now());
  if (event.transaction.protocol !== "oauth2-refresh-token") {
    api.idToken.setCustomClaim("https://x.test/login-only", true);
    api.accessToken.setCustomClaim("https://x.test/login-only", true);
  }
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	u := e.CreateUser("ada@example.org", actPW)
	// A whole second ahead: the signing key made at start must predate it.
	t0 := time.Now().Add(time.Second).Truncate(time.Second)
	e.Clock.Set(t0) // the actions' clock too
	spa, tok := actRefreshLogin(t, e)
	if tok.Claims["https://x.test/plan"] != "free" || tok.Claims["https://x.test/login-only"] != true {
		t.Fatalf("login claims %v", tok.Claims)
	}
	if tok.Claims["https://x.test/now"] != float64(t0.UnixMilli()) {
		t.Errorf("now %v, want %d", tok.Claims["https://x.test/now"], t0.UnixMilli())
	}

	actSetMetadata(t, e, u.ID, nil, map[string]any{"plan": "pro"})
	e.Clock.Advance(10 * time.Minute)
	r1, err := spa.Refresh(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Claims["https://x.test/plan"] != "pro" || r1.Access["https://x.test/plan"] != "pro" {
		t.Errorf("refreshed plan: ID %v AT %v", r1.Claims["https://x.test/plan"], r1.Access["https://x.test/plan"])
	}
	if want := float64(t0.Add(10 * time.Minute).UnixMilli()); r1.Claims["https://x.test/now"] != want {
		t.Errorf("refreshed now %v, want %v", r1.Claims["https://x.test/now"], want)
	}
	if _, ok := r1.Claims["https://x.test/login-only"]; ok {
		t.Error("login-only claim survived the refresh (ID token)")
	}
	if _, ok := r1.Access["https://x.test/login-only"]; ok {
		t.Error("login-only claim survived the refresh (access token)")
	}
	info, status := spa.Userinfo(r1.AccessToken)
	if status != http.StatusOK || info["https://x.test/plan"] != "pro" || info["https://x.test/login-only"] != nil {
		t.Errorf("userinfo after refresh %d: %v", status, info)
	}

	actSetMetadata(t, e, u.ID, nil, map[string]any{"plan": "enterprise"})
	r2, err := spa.Refresh(r1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Claims["https://x.test/plan"] != "enterprise" {
		t.Errorf("second refresh plan %v", r2.Claims["https://x.test/plan"])
	}
}

// refreshOnly wraps an action body so it acts only on refresh exchanges.
func refreshOnly(body string) act {
	return act{Name: "r", Src: `exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.protocol === "oauth2-refresh-token") { ` + body + ` }
};`}
}

// §10.49, §10.50, §10.52, §10.53: failures of a refresh are HTTP 403
// token-endpoint errors with no tokens.
func TestActionsRefreshFailures(t *testing.T) {
	for _, tc := range []struct {
		name, body, code, desc string
		tokenDies              bool
	}{
		{"deny", `api.access.deny("stop");`, "access_denied", "stop", false},
		{"revoke", `api.refreshToken.revoke("ip change");`, "access_denied", "ip change", true},
		{"redirect", `api.redirect.sendUserTo("https://my-app.example.com");`, "access_denied", "", false},
		{"mfa", `api.multifactor.enable("any");`, "mfa_required", "Multifactor authentication required", false},
		{"throw", `throw new Error("boom");`, "access_denied", "boom", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := actEnv(t, nil, refreshOnly(tc.body))
			e.CreateUser("ada@example.org", actPW)
			spa, tok := actRefreshLogin(t, e)
			status, body := actToken(t, e, actRefreshForm(tok.RefreshToken))
			if status != http.StatusForbidden || body["error"] != tc.code {
				t.Fatalf("status %d body %v", status, body)
			}
			if d, _ := body["error_description"].(string); d == "" || (tc.desc != "" && d != tc.desc) {
				t.Errorf("error_description %q, want %q", d, tc.desc)
			}
			for _, k := range []string{"access_token", "id_token", "refresh_token"} {
				if _, ok := body[k]; ok {
					t.Errorf("%s issued with an error", k)
				}
			}
			_, err := spa.Refresh(tok.RefreshToken)
			if tc.tokenDies {
				// Revoked: the grant itself is gone, not just this exchange.
				if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
					t.Errorf("refresh after revoke: %v", err)
				}
				if _, status := spa.Userinfo(tok.AccessToken); status != http.StatusUnauthorized {
					t.Errorf("access token of a revoked grant: %d", status)
				}
			} else if err == nil {
				t.Error("a failing refresh later succeeded")
			}
		})
	}
}

// A refresh whose metadata patch changes nothing costs no profile write
// (login/refresh.go); one that changes something still writes, once.
func TestActionsRefreshSkipsNoopMetadataWrite(t *testing.T) {
	var cs *actCountStore
	e := actEnv(t, []authdtest.Option{actCountingStore(&cs)}, act{Name: "profile-enrichment", Src: actSeed(t, "profile-enrichment")})
	u := e.CreateUser("ada@example.org", actPW)
	spa, tok := actRefreshLogin(t, e)
	n0 := cs.metadataWrites.Load()
	r1, err := spa.Refresh(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if n := cs.metadataWrites.Load() - n0; n != 0 {
		t.Errorf("%d writes for an unchanged favorite_color", n)
	}
	actSetMetadata(t, e, u.ID, map[string]any{"favorite_color": "red"}, nil)
	n0 = cs.metadataWrites.Load()
	if _, err := spa.Refresh(r1.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if n := cs.metadataWrites.Load() - n0; n != 1 {
		t.Errorf("%d writes for a changed favorite_color, want 1", n)
	}
	if got := e.User(u.ID).UserMetadata["favorite_color"]; got != "blue" {
		t.Errorf("favorite_color %v", got)
	}
}

// A refresh whose actions read only the event gets the outcome of an
// identical earlier refresh (logged "actions reused"), with the same tokens; when
// the data they read changes, they run again. Actions reading the clock
// always run.
func TestActionsRefreshReusesIdenticalOutcome(t *testing.T) {
	roles := `exports.onExecutePostLogin = async (event, api) => {
  console.log("plan", event.user.app_metadata.plan || "free");
  api.idToken.setCustomClaim("https://x.test/plan", event.user.app_metadata.plan || "free");
  api.accessToken.setCustomClaim("https://x.test/plan", event.user.app_metadata.plan || "free");
};`
	clock := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/minute", new Date().getUTCMinutes());
};`
	e := actEnv(t, nil, act{Name: "plan", Src: roles}, act{Name: "clock", Src: clock})
	u := e.CreateUser("ada@example.org", actPW)
	spa, tok := actRefreshLogin(t, e)
	// Executions log a line per action; a reused outcome one line naming them.
	cachedRuns := func(name string) (runs, reused int) {
		runs = actRan(t, e, name)
		for _, line := range strings.Split(e.Logs.String(), "\n") {
			if strings.Contains(line, `"msg":"actions reused"`) && strings.Contains(line, name) {
				reused++
			}
		}
		return runs, reused
	}

	rt := tok.RefreshToken
	for i := range 3 {
		r, err := spa.Refresh(rt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Claims["https://x.test/plan"] != "free" || r.Access["https://x.test/plan"] != "free" {
			t.Fatalf("refresh %d: plan ID %v AT %v", i, r.Claims["https://x.test/plan"], r.Access["https://x.test/plan"])
		}
		rt = r.RefreshToken
		e.Clock.Advance(time.Minute)
	}
	// login + 3 refreshes; the clock action makes every refresh execute.
	if runs, reused := cachedRuns("plan"); runs != 4 || reused != 0 {
		t.Fatalf("with a clock-reading action bound: %d runs, %d reused", runs, reused)
	}

	// Without it, the second identical refresh reuses the first one's outcome.
	e2 := actEnv(t, nil, act{Name: "plan", Src: roles})
	u = e2.CreateUser("ada@example.org", actPW)
	spa, tok = actRefreshLogin(t, e2)
	e = e2
	rt = tok.RefreshToken
	for i, want := range []string{"free", "free", "free", "pro", "pro"} {
		if i == 3 {
			actSetMetadata(t, e, u.ID, nil, map[string]any{"plan": "pro"})
		}
		r, err := spa.Refresh(rt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Claims["https://x.test/plan"] != want || r.Access["https://x.test/plan"] != want {
			t.Fatalf("refresh %d: plan ID %v AT %v, want %s", i, r.Claims["https://x.test/plan"], r.Access["https://x.test/plan"], want)
		}
		info, status := spa.Userinfo(r.AccessToken)
		if status != http.StatusOK || info["https://x.test/plan"] != want {
			t.Fatalf("refresh %d: userinfo %d %v", i, status, info)
		}
		rt = r.RefreshToken
	}
	// login, refresh 0 and 3 (plan changed) execute; 1, 2 and 4 are reused.
	runs, reused := cachedRuns("plan")
	if runs != 3 || reused != 3 {
		t.Fatalf("%d runs, %d reused; want 3 and 3", runs, reused)
	}
	var consoles []string
	for _, l := range actLogLines(t, e) {
		if l["action"] == "plan" {
			c, _ := l["console"].([]any)
			if len(c) != 1 {
				t.Fatalf("console %v", l["console"])
			}
			consoles = append(consoles, c[0].(string))
		}
	}
	if strings.Join(consoles, ",") != "plan free,plan free,plan pro" {
		t.Fatalf("console lines %q", consoles)
	}
}

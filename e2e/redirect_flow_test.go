package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/authdtest"
)

// How a redirect composes with the rest of the pipeline (spec §5, §6;
// behaviours 25, 26, 44, 45; issue #5 items 3–5).

// Two actions redirect in turn; claims set before, between and after
// survive, and so does transaction metadata; actions that already ran
// never run again (behaviour 25).
func TestRedirectTwoInOneLogin(t *testing.T) {
	first := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/a", "before");
  api.transaction.setMetadata("trail", "1");
  api.redirect.sendUserTo("https://my-app.example.com/first");
};
exports.onContinuePostLogin = async (event, api) => {
  api.redirect.validateToken({ secret: event.secrets.MY_SHARED_SECRET });
  api.idToken.setCustomClaim("https://x.test/b", "first-continue");
  api.user.setUserMetadata("first", true);
};`
	second := `exports.onExecutePostLogin = async (event, api) => {
  api.redirect.sendUserTo("https://my-app.example.com/second", { query: { step: "2" } });
};
exports.onContinuePostLogin = async (event, api) => {
  api.redirect.validateToken({ secret: event.secrets.MY_SHARED_SECRET });
  api.idToken.setCustomClaim("https://x.test/c", "second-continue");
  api.transaction.setMetadata("trail", event.transaction.metadata.trail + "2");
};`
	last := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/d", "after");
  api.idToken.setCustomClaim("https://x.test/trail", event.transaction.metadata.trail + "3");
};`
	e, uid := rdEnv(t, rdBind(rdAction{name: "first", src: first}, rdAction{name: "second", src: second}, rdAction{name: "last", src: last})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	if loc.Path != "/first" {
		t.Fatalf("first redirect to %s", loc)
	}
	p := comeBack(t, e, b, loc.Query().Get("state"), uid, nil)
	loc2 := p.Location()
	if loc2.Path != "/second" || loc2.Query().Get("step") != "2" || loc2.Query().Get("state") == loc.Query().Get("state") {
		t.Fatalf("second redirect to %s", loc2)
	}
	cb := rdCallback(t, comeBack(t, e, b, loc2.Query().Get("state"), uid, nil))
	c := rdExchange(t, rp, a, cb).Claims
	for k, v := range map[string]string{"a": "before", "b": "first-continue", "c": "second-continue", "d": "after", "trail": "123"} {
		if c["https://x.test/"+k] != v {
			t.Errorf("claim %s = %v, want %s", k, c["https://x.test/"+k], v)
		}
	}
	if e.User(uid).UserMetadata["first"] != true {
		t.Error("metadata from the first onContinuePostLogin lost")
	}
	for _, r := range []struct{ action, handler string }{
		{"first", "onExecutePostLogin"}, {"first", "onContinuePostLogin"},
		{"second", "onExecutePostLogin"}, {"second", "onContinuePostLogin"}, {"last", "onExecutePostLogin"},
	} {
		if n := rdRuns(e, r.action, r.handler); n != 1 {
			t.Errorf("%s.%s ran %d times, want 1", r.action, r.handler, n)
		}
	}
}

// Behaviour 26 (authd choice): no onContinuePostLogin → the next action
// runs after /continue and the login succeeds.
func TestRedirectWithoutContinueHandler(t *testing.T) {
	away := `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo("https://my-app.example.com/"); };`
	next := `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("https://x.test/next", event.request.method); };`
	e, _ := rdEnv(t, rdBind(rdAction{name: "away", src: away}, rdAction{name: "next", src: next})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	cb := rdCallback(t, b.Get(e.URL+"/continue?state="+url.QueryEscape(loc.Query().Get("state"))))
	if got := rdExchange(t, rp, a, cb).Claims["https://x.test/next"]; got != "GET" {
		t.Errorf("next action saw request.method %v, want GET (the /continue request)", got)
	}
}

// Issue #5 item 5: metadata set before the redirect and in
// onContinuePostLogin are written once, at the end — even when
// onContinuePostLogin denies; the client gets access_denied.
func TestRedirectDenyInContinue(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  api.user.setAppMetadata("before", "x");
  api.redirect.sendUserTo("https://my-app.example.com/");
};
exports.onContinuePostLogin = async (event, api) => {
  api.user.setUserMetadata("during", "y");
  api.access.deny("no color, no entry");
};`
	e, uid := rdEnv(t, rdBind(rdAction{name: "gate", src: src})...)
	b := rdBrowser(e)
	a, loc := sendAway(t, e, b, e.SPA())
	if u := e.User(uid); len(u.AppMetadata) != 0 || len(u.UserMetadata) != 0 {
		t.Fatalf("metadata written before the login ended: %v %v", u.AppMetadata, u.UserMetadata)
	}
	cb := rdCallback(t, b.Get(e.URL+"/continue?state="+url.QueryEscape(loc.Query().Get("state"))))
	deniedWith(t, a, cb, "no color, no entry")
	if u := e.User(uid); u.AppMetadata["before"] != "x" || u.UserMetadata["during"] != "y" {
		t.Errorf("metadata after the deny: app %v user %v", u.AppMetadata, u.UserMetadata)
	}
}

// Behaviour 45: the resumed event describes the POST /continue request
// and the user as stored now (changed by an admin while away).
func TestRedirectResumeEvent(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo("https://my-app.example.com/"); };
exports.onContinuePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/seen", {
    method: event.request.method, state: event.request.body.state, client_id: event.request.query.client_id || null,
    plan: event.user.app_metadata.plan || null, txstate: event.transaction.state,
  });
};`
	e, uid := rdEnv(t, rdBind(rdAction{name: "look", src: src})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	if _, err := e.Store().UpdateMetadata(context.Background(), uid, nil, map[string]any{"plan": "pro"}, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	state := loc.Query().Get("state")
	cb := rdCallback(t, b.Post(e.URL+"/continue", url.Values{"state": {state}}))
	seen, _ := rdExchange(t, rp, a, cb).Claims["https://x.test/seen"].(map[string]any)
	want := map[string]any{"method": "POST", "state": state, "client_id": nil, "plan": "pro", "txstate": a.State}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("event seen on resume: %s = %v, want %v", k, seen[k], v)
		}
	}
}

// Behaviour 44: sendUserTo with prompt=none → interaction_required at the
// redirect_uri, with the client's state.
func TestRedirectPromptNone(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  if (event.request.query.prompt === "none") api.redirect.sendUserTo("https://my-app.example.com/");
};`
	e, _ := rdEnv(t, rdBind(rdAction{name: "silent", src: src})...)
	b, rp := rdBrowser(e), e.SPA()
	a, cb := e.Login(b, rp, "ada@example.org", rdPassword)
	rdExchange(t, rp, a, cb)
	a = rp.AuthURL(authdtest.Param("prompt", "none"))
	cb = rdCallback(t, b.Get(a.URL))
	if q := cb.Query(); q.Get("error") != "interaction_required" || q.Get("state") != a.State || q.Get("code") != "" {
		t.Errorf("prompt=none with a redirect: %s", cb)
	}
}

// Behaviour 52: a redirect during a refresh exchange → 403 access_denied,
// no tokens.
func TestRedirectDuringRefresh(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.protocol === "oauth2-refresh-token") api.redirect.sendUserTo("https://my-app.example.com/");
};`
	e, _ := rdEnv(t, rdBind(rdAction{name: "refresh", src: src})...)
	b, rp := rdBrowser(e), e.SPA("openid", "offline_access")
	a, cb := e.Login(b, rp, "ada@example.org", rdPassword)
	tok := rdExchange(t, rp, a, cb)
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	got, err := rp.Refresh(tok.RefreshToken)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusForbidden || re.ErrorCode != "access_denied" ||
		!strings.Contains(re.ErrorDescription, "Redirect is not supported in this flow") {
		t.Fatalf("refresh with a redirect: %v %v", got, err)
	}
}

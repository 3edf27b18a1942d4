package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/authd/authd/internal/authdtest"
)

// The seed page's "Redirect the user to an external site" example,
// byte-identical, through the real server (spec §10 behaviours 9–11).

// rdCounter is bound before the seed action: it must run exactly once per
// login, however many suspensions follow (spec §5.5).
const rdCounter = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/before", "kept");
};
`

func seedEnv(t *testing.T) (*authdtest.Env, string) {
	t.Helper()
	s3cr3t := map[string]string{"MY_SHARED_SECRET": "s3cr3t"}
	return rdEnv(t, rdBind(rdAction{name: "counter", src: rdCounter}, rdAction{name: "redirect", src: seedSource(t), secrets: s3cr3t})...)
}

// Behaviour 9: the outbound 302 and its session token.
func TestRedirectSeedOutboundToken(t *testing.T) {
	e, uid := seedEnv(t)
	_, loc := sendAway(t, e, rdBrowser(e), e.SPA())
	if loc.Scheme+"://"+loc.Host+loc.Path != rdExternal+"/" || len(loc.Query()) != 2 {
		t.Fatalf("outbound URL %s, want %s/?session_token=…&state=…", loc, rdExternal)
	}
	header, c := hs256Verify(t, "s3cr3t", loc.Query().Get("session_token"))
	if header["typ"] != "JWT" || header["alg"] != "HS256" {
		t.Errorf("header %v", header)
	}
	if c["sub"] != uid || c["iss"] != strings.TrimPrefix(e.URL, "http://") || c["email"] != "ada@example.org" || c["ip"] != "127.0.0.1" {
		t.Errorf("claims %v", c)
	}
	if c["exp"].(float64)-c["iat"].(float64) != 900 {
		t.Errorf("exp - iat = %v, want the default 900", c["exp"].(float64)-c["iat"].(float64))
	}
	if _, ok := c["state"]; ok {
		t.Error("encodeToken added the /continue state; only the returning token carries it")
	}
	// Nothing is written while the person is away.
	if md := e.User(uid).UserMetadata; len(md) != 0 {
		t.Errorf("user_metadata written before the end: %v", md)
	}
}

// Behaviour 10: POST /continue with the returning token; the login ends
// with a code, the color is stored, the earlier action ran once.
func TestRedirectSeedResume(t *testing.T) {
	e, uid := seedEnv(t)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	state := loc.Query().Get("state")
	tok := returnToken(t, "s3cr3t", state, uid, map[string]any{"favorite_color": "green"})
	cb := rdCallback(t, b.Post(e.URL+"/continue", url.Values{"state": {state}, "session_token": {tok}}))
	tokens := rdExchange(t, rp, a, cb)
	if got := e.User(uid).UserMetadata["favorite_color"]; got != "green" {
		t.Errorf("favorite_color = %v, want green", got)
	}
	if tokens.Claims["https://x.test/before"] != "kept" {
		t.Errorf("claim of the action before the redirect lost: %v", tokens.Claims)
	}
	if n := rdRuns(e, "counter", "onExecutePostLogin"); n != 1 {
		t.Errorf("the action bound before the redirect ran %d times, want 1", n)
	}
	if n := rdRuns(e, "redirect", "onContinuePostLogin"); n != 1 {
		t.Errorf("onContinuePostLogin ran %d times, want 1", n)
	}
}

// Behaviour 11: a user who already chose a color is not redirected.
func TestRedirectSeedSkippedWhenColorKnown(t *testing.T) {
	e, uid := seedEnv(t)
	if _, err := e.Store().UpdateMetadata(context.Background(), uid, map[string]any{"favorite_color": "red"}, nil, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	b, rp := rdBrowser(e), e.SPA()
	a, cb := e.Login(b, rp, "ada@example.org", rdPassword)
	rdExchange(t, rp, a, cb)
	if n := rdRuns(e, "redirect", "onContinuePostLogin"); n != 0 {
		t.Errorf("onContinuePostLogin ran %d times without a redirect", n)
	}
}

// Issue #5 item 7: the suspended login is in the store, so a restart
// while the person is away loses nothing.
func TestRedirectSeedSurvivesRestart(t *testing.T) {
	e, uid := seedEnv(t)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	e.Restart()
	state := loc.Query().Get("state")
	tok := returnToken(t, "s3cr3t", state, uid, map[string]any{"favorite_color": "teal"})
	cb := rdCallback(t, b.Post(e.URL+"/continue", url.Values{"state": {state}, "session_token": {tok}}))
	tokens := rdExchange(t, rp, a, cb)
	if tokens.Claims["https://x.test/before"] != "kept" || e.User(uid).UserMetadata["favorite_color"] != "teal" {
		t.Errorf("after a restart: claims %v, metadata %v", tokens.Claims, e.User(uid).UserMetadata)
	}
	if n := rdRuns(e, "counter", "onExecutePostLogin"); n != 1 {
		t.Errorf("the action before the redirect ran %d times across the restart, want 1", n)
	}
}

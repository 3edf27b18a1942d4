package e2e

import (
	"net/url"
	"testing"
	"time"
)

// Every check of api.redirect.validateToken (spec §6.3) fails the login
// through the real server: the uncaught error reaches the client as
// access_denied with its message (behaviours 40–42), and no metadata is
// written.
func TestRedirectValidateTokenFailures(t *testing.T) {
	e, uid := rdEnv(t, rdBind(rdAction{name: "ask", src: redirector})...)
	rp := e.SPA()
	other := e.CreateUser("grace@example.org", rdPassword)
	const invalid = "The session token is invalid: "
	expired := time.Now().Add(-time.Minute).Unix()
	cases := []struct {
		name string
		// form builds the /continue body from the state.
		form func(state string) url.Values
		want string
	}{
		{"no token parameter", func(s string) url.Values { return url.Values{"state": {s}} },
			"There is no parameter called 'session_token' available in either the POST body or query string."},
		{"empty token parameter", func(s string) url.Values { return url.Values{"state": {s}, "session_token": {""}} },
			"There is no parameter called 'session_token' available in either the POST body or query string."},
		{"wrong secret", tokenForm(func(s string) string {
			return returnToken(t, "another-secret-of-thirty-two-bytes!!", s, uid, nil)
		}), invalid},
		{"not a JWT", tokenForm(func(string) string { return "not.a.jwt" }), invalid},
		{"alg none", tokenForm(func(s string) string {
			return rdB64(`{"alg":"none","typ":"JWT"}`) + "." + rdB64(`{"sub":"`+uid+`","state":"`+s+`"}`) + "."
		}), invalid},
		{"missing iat", claimsForm(t, uid, map[string]any{"iat": nil}), invalid + "Missing or invalid standard claims"},
		{"missing exp", claimsForm(t, uid, map[string]any{"exp": nil}), invalid + "Missing or invalid standard claims"},
		{"missing sub", claimsForm(t, uid, map[string]any{"sub": nil}), invalid + "Missing or invalid standard claims"},
		{"missing iss", claimsForm(t, uid, map[string]any{"iss": nil}), invalid + "Missing or invalid standard claims"},
		{"missing state", claimsForm(t, uid, map[string]any{"state": nil}), invalid + "Missing or invalid standard claims"},
		{"expired", claimsForm(t, uid, map[string]any{"iat": expired - 60, "exp": expired}), invalid},
		{"state of another /continue", claimsForm(t, uid, map[string]any{"state": "some-other-state"}),
			invalid + "State in the token does not match the /continue state."},
		{"sub of another user", claimsForm(t, uid, map[string]any{"sub": other.ID}), invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := rdBrowser(e)
			a, loc := sendAway(t, e, b, rp)
			cb := rdCallback(t, b.Post(e.URL+"/continue", c.form(loc.Query().Get("state"))))
			desc := deniedWith(t, a, cb, c.want)
			if c.want == invalid && len(desc) == len(invalid) {
				t.Errorf("no reason after the prefix: %q", desc)
			}
			if md := e.User(uid).UserMetadata; len(md) != 0 {
				t.Errorf("metadata written by a failed login: %v", md)
			}
		})
	}
}

// Behaviour 43: tokenParameterName reads another field of the POST body.
func TestRedirectCustomTokenParameter(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo("https://my-app.example.com/x"); };
exports.onContinuePostLogin = async (event, api) => {
  const p = api.redirect.validateToken({ secret: event.secrets.MY_SHARED_SECRET, tokenParameterName: "my_token" });
  api.idToken.setCustomClaim("https://x.test/color", p.favorite_color);
};`
	e, uid := rdEnv(t, rdBind(rdAction{name: "custom", src: src})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	state := loc.Query().Get("state")
	tok := returnToken(t, longSecret, state, uid, map[string]any{"favorite_color": "plum"})
	cb := rdCallback(t, b.Post(e.URL+"/continue", url.Values{"state": {state}, "my_token": {tok}}))
	if got := rdExchange(t, rp, a, cb).Claims["https://x.test/color"]; got != "plum" {
		t.Errorf("claim from my_token = %v, want plum", got)
	}
}

func tokenForm(tok func(state string) string) func(string) url.Values {
	return func(s string) url.Values { return url.Values{"state": {s}, "session_token": {tok(s)}} }
}

// claimsForm returns a valid token for the state with the claims changed.
func claimsForm(t *testing.T, uid string, change map[string]any) func(string) url.Values {
	return tokenForm(func(s string) string { return returnToken(t, longSecret, s, uid, change) })
}

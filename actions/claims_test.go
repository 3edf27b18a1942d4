package actions

import (
	"strings"
	"testing"
)

// Claim and scope rules of spec §4.2, §4.3 and §10.28-35.

func TestRestrictedAndReservedClaimsAreDropped(t *testing.T) { // §10.28, §10.30
	out := runJS(t, Input{}, Options{IssuerHost: "login.authd.test"}, `exports.onExecutePostLogin = async (e, api) => {
		api.idToken.setCustomClaim("roles", ["a"]).idToken.setCustomClaim("sub", "x").idToken.setCustomClaim("iss", "x")
		   .idToken.setCustomClaim("https://tenant.auth0.com/c", 1).idToken.setCustomClaim("https://a.webtask.io/c", 1)
		   .idToken.setCustomClaim("https://login.authd.test/c", 1).idToken.setCustomClaim("urn:auth0:c", 1)
		   .idToken.setCustomClaim("urn:example:c", 1).idToken.setCustomClaim("https://my-app.example.com/c", 1)
		   .idToken.setCustomClaim("myclaim", 1);
	}`)
	wantOK(t, out)
	want := []string{"https://my-app.example.com/c", "myclaim", "urn:example:c"}
	if len(out.Commands.IDClaims) != len(want) {
		t.Fatalf("claims %v, want only %v", out.Commands.IDClaims, want)
	}
	for _, k := range want {
		if _, ok := out.Commands.IDClaims[k]; !ok {
			t.Fatalf("claims %v miss %s", out.Commands.IDClaims, k)
		}
	}
}

func TestScopeClaimThrows(t *testing.T) { // §10.29
	for _, tok := range []string{"accessToken", "idToken"} {
		out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.`+tok+`.setCustomClaim("scope", "x") }`)
		wantErr(t, out, `The "scope" claim cannot be set.`)
	}
}

func TestPrivateClaimsOnManagementAudience(t *testing.T) { // §10.31
	src := `exports.onExecutePostLogin = async (e, api) => {
		api.accessToken.setCustomClaim("myclaim", 1).accessToken.setCustomClaim("https://x.test/c", 1).idToken.setCustomClaim("myclaim", 1) }`
	opts := Options{ManagementAudiences: []string{"https://auth.test/api/v2/"}}
	out := runJS(t, Input{Event: event(map[string]any{"resource_server": map[string]any{"identifier": "https://example.com/api"}})}, opts, src)
	wantOK(t, out)
	if out.Commands.AccessClaims["myclaim"] != float64(1) || out.Commands.IDClaims["myclaim"] != float64(1) {
		t.Fatalf("custom API: %v %v", out.Commands.AccessClaims, out.Commands.IDClaims)
	}
	out = runJS(t, Input{Event: event(map[string]any{"resource_server": map[string]any{"identifier": "https://auth.test/api/v2/"}})}, opts, src)
	wantOK(t, out)
	if _, ok := out.Commands.AccessClaims["myclaim"]; ok || out.Commands.AccessClaims["https://x.test/c"] != float64(1) {
		t.Fatalf("management API access claims %v", out.Commands.AccessClaims)
	}
	if out.Commands.IDClaims["myclaim"] != float64(1) {
		t.Fatalf("ID token claims %v", out.Commands.IDClaims)
	}
}

func TestProfileClaimsNeedTheirScope(t *testing.T) { // §10.32
	src := `exports.onExecutePostLogin = async (e, api) => {
		api.idToken.setCustomClaim("email", "x@y").idToken.setCustomClaim("nickname", "n").idToken.setCustomClaim("phone_number", "1") }`
	out := runJS(t, Input{Event: event(map[string]any{"transaction.requested_scopes": []any{"openid", "profile"}})}, Options{}, src)
	wantOK(t, out)
	if _, ok := out.Commands.IDClaims["email"]; ok || out.Commands.IDClaims["nickname"] != "n" {
		t.Fatalf("claims %v", out.Commands.IDClaims)
	}
	if _, ok := out.Commands.IDClaims["phone_number"]; ok {
		t.Fatalf("phone_number kept without phone scope: %v", out.Commands.IDClaims)
	}
}

func TestClaimsSizeCap(t *testing.T) { // §10.33
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		api.idToken.setCustomClaim("https://x.test/big", "x".repeat(110 * 1024)) }`,
		`exports.onExecutePostLogin = async () => { console.log("never") }`)
	wantErr(t, out, "The custom claims of the ID token exceed the maximum size of 100 KB.")
	if len(out.Logs) != 1 {
		t.Fatalf("later action ran: %+v", out.Logs)
	}
	out = runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		api.idToken.setCustomClaim("https://x.test/a", "x".repeat(60 * 1024));
		api.accessToken.setCustomClaim("https://x.test/b", "x".repeat(60 * 1024)) }`)
	wantOK(t, out)
}

func TestClaimValuesAreJSON(t *testing.T) {
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		api.idToken.setCustomClaim("https://x.test/d", new Date(0))
		   .idToken.setCustomClaim("https://x.test/o", {a: [1, null, "s"], f: () => 1})
		   .idToken.setCustomClaim("https://x.test/u", 1).idToken.setCustomClaim("https://x.test/u", undefined) }`)
	wantOK(t, out)
	c := out.Commands.IDClaims
	if c["https://x.test/d"] != "1970-01-01T00:00:00.000Z" {
		t.Fatalf("date claim %v", c["https://x.test/d"])
	}
	if o := c["https://x.test/o"].(map[string]any); len(o) != 1 || len(o["a"].([]any)) != 3 {
		t.Fatalf("object claim %v", o)
	}
	if _, ok := c["https://x.test/u"]; ok {
		t.Fatal("undefined must omit the claim")
	}
	out = runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		const a = {}; a.self = a; api.idToken.setCustomClaim("https://x.test/c", a) }`)
	if out.Err == nil || !strings.HasPrefix(out.Err.Error(), "Value is not JSON-serializable") {
		t.Fatalf("circular claim: %v", out.Err)
	}
}

func TestScopeValidation(t *testing.T) { // §10.34
	tests := []struct{ call, err string }{
		{`addScope("a b")`, "The value for the scope must not have whitespace."},
		{`addScope("")`, "The value for the scope is required."},
		{`addScope("   ")`, "The value for the scope is required."},
		{`addScope(5)`, "The value for the scope must be a string."},
		{`removeScope(null)`, "The value for the scope must be a string."},
		{`addScope("s".repeat(281))`, "The value for the scope exceeds the allowed maximum of 280 characters."},
		{`addScope("a\tb")`, "The value for the scope must not have whitespace."},
		{`for (let i = 0; i <= 1000; i++) api.accessToken.addScope("s" + i)`, "The number of scopes exceeds the allowed maximum of 1000."},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			call := tt.call
			if !strings.HasPrefix(call, "for") {
				call = "api.accessToken." + call
			}
			out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { `+call+` }`)
			wantErr(t, out, tt.err)
		})
	}
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		try { api.accessToken.addScope(5) } catch (err) { console.log(err instanceof TypeError) } }`)
	wantOK(t, out)
	if got := consoleOf(out); len(got) != 1 || got[0] != "true" {
		t.Fatalf("want a TypeError, console %v", got)
	}
}

func TestScopeLastCallWins(t *testing.T) { // §10.35
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.accessToken.addScope(" x "); api.accessToken.removeScope("read:a") }`,
		`exports.onExecutePostLogin = async (e, api) => { api.accessToken.removeScope("x"); api.accessToken.addScope("y") }`)
	wantOK(t, out)
	s := out.Commands.Scopes
	if s["x"] || s["read:a"] || !s["y"] || len(s) != 3 || strings.Join(out.Commands.ScopeOrder, ",") != "x,read:a,y" {
		t.Fatalf("scopes %v order %v", s, out.Commands.ScopeOrder)
	}
}

package actions

import (
	"strings"
	"testing"
)

// validateToken (spec §6.3, §10.40-43) and redirect flows (§10.44, §10.51-53).

func resumeWith(t *testing.T, opts string, params map[string]any) *Outcome {
	t.Helper()
	a := compileJS(t, "v", `exports.onContinuePostLogin = async (event, api) => {
		const p = api.redirect.validateToken(`+opts+`);
		api.user.setUserMetadata("color", p.favorite_color) }`, map[string]string{"S": "s3cr3t"})
	return runActions(t, Input{Event: event(map[string]any{"request.query": map[string]any{"state": "S"}, "request.body": params}),
		Resume: true}, Options{}, a)
}

func token(t *testing.T, claims map[string]any, secret string) string {
	t.Helper()
	base := map[string]any{"sub": "auth0|u1", "iss": "https://my-app.example.com", "iat": saturday.Unix(),
		"exp": saturday.Unix() + 60, "state": "S", "favorite_color": "green"}
	for k, v := range claims {
		if v == nil {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	tok, err := signHS256(base, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestValidateToken(t *testing.T) {
	const invalid = "The session token is invalid: "
	tests := []struct {
		name   string
		opts   string
		params map[string]any
		err    string
	}{
		{"ok from body", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, nil, "s3cr3t")}, ""},
		{"custom parameter", `{secret: event.secrets.S, tokenParameterName: "my_token"}`, map[string]any{"my_token": token(t, nil, "s3cr3t")}, ""},
		{"missing parameter", `{secret: event.secrets.S}`, map[string]any{},
			"There is no parameter called 'session_token' available in either the POST body or query string."},
		{"wrong secret", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, nil, "other")}, invalid + "Invalid signature."},
		{"no iat", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, map[string]any{"iat": nil}, "s3cr3t")}, invalid + "Missing or invalid standard claims"},
		{"no state", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, map[string]any{"state": nil}, "s3cr3t")}, invalid + "Missing or invalid standard claims"},
		{"string exp", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, map[string]any{"exp": "soon"}, "s3cr3t")}, invalid + "Missing or invalid standard claims"},
		{"expired", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, map[string]any{"exp": saturday.Unix() - 1}, "s3cr3t")}, invalid + "The token has expired."},
		{"state mismatch", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, map[string]any{"state": "T"}, "s3cr3t")},
			invalid + "State in the token does not match the /continue state."},
		{"other user", `{secret: event.secrets.S}`, map[string]any{"session_token": token(t, map[string]any{"sub": "auth0|u2"}, "s3cr3t")},
			invalid + "The sub claim does not match the user_id."},
		{"garbage", `{secret: event.secrets.S}`, map[string]any{"session_token": "a.b"}, invalid + "Malformed token."},
		{"alg none", `{secret: event.secrets.S}`, map[string]any{"session_token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhdXRoMHx1MSJ9."}, invalid + "Unexpected token algorithm, only HS256 is accepted."},
		{"no secret", `{}`, map[string]any{"session_token": token(t, nil, "s3cr3t")}, "A secret is required for api.redirect.validateToken."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := resumeWith(t, tt.opts, tt.params)
			if tt.err == "" {
				wantOK(t, out)
				if out.Commands.UserMetadata["color"] != "green" {
					t.Fatalf("payload not returned: %v", out.Commands.UserMetadata)
				}
				return
			}
			wantErr(t, out, tt.err)
		})
	}
}

func TestValidateTokenBodyWinsOverQuery(t *testing.T) {
	a := compileJS(t, "v", `exports.onContinuePostLogin = async (event, api) => {
		api.user.setUserMetadata("color", api.redirect.validateToken({secret: "s3cr3t"}).favorite_color) }`, nil)
	out := runActions(t, Input{Resume: true, Event: event(map[string]any{
		"request.query": map[string]any{"state": "S", "session_token": token(t, map[string]any{"favorite_color": "query"}, "s3cr3t")},
		"request.body":  map[string]any{"session_token": token(t, map[string]any{"favorite_color": "body"}, "s3cr3t")},
	})}, Options{}, a)
	wantOK(t, out)
	if out.Commands.UserMetadata["color"] != "body" {
		t.Fatalf("got %v", out.Commands.UserMetadata)
	}
}

func TestEncodeTokenOptions(t *testing.T) {
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		console.log(api.redirect.encodeToken({secret: "k", expiresInSeconds: 60, payload: {sub: "override", n: 1}})) }`)
	wantOK(t, out)
	claims := decodeJWT(t, consoleOf(out)[0], "k")
	if claims["sub"] != "override" || claims["n"] != float64(1) || claims["exp"].(float64)-claims["iat"].(float64) != 60 {
		t.Fatalf("claims %v", claims)
	}
	if _, has := claims["state"]; has {
		t.Fatal("encodeToken must not add state")
	}
}

func TestCanRedirectByFlow(t *testing.T) { // §10.51
	src := `exports.onExecutePostLogin = async (e, api) => { console.log(String(api.redirect.canRedirect())) }`
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"interactive", Input{Flow: FlowLogin}, "true"},
		{"prompt none", Input{Flow: FlowLogin, Event: event(map[string]any{"request.query.prompt": "none"})}, "false"},
		{"silent flow", Input{Flow: FlowSilent}, "false"},
		{"refresh", Input{Flow: FlowRefresh, Event: event(map[string]any{"transaction.protocol": "oauth2-refresh-token"})}, "false"},
		{"password protocol", Input{Flow: FlowLogin, Event: event(map[string]any{"transaction.protocol": "oauth2-password"})}, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runJS(t, tt.in, Options{}, src)
			wantOK(t, out)
			if got := consoleOf(out); got[0] != tt.want {
				t.Fatalf("canRedirect = %v", got)
			}
		})
	}
}

func TestRedirectInRefreshFails(t *testing.T) { // §10.52, §6.1
	out := runJS(t, Input{Flow: FlowRefresh}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.redirect.sendUserTo("https://x.test/") }`)
	wantErr(t, out, ErrRedirectUnsupported)
}

func TestRedirectInSilentFlowSuspends(t *testing.T) { // §10.44: the server answers interaction_required
	out := runJS(t, Input{Flow: FlowSilent}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.redirect.sendUserTo("https://x.test/") }`)
	wantOK(t, out)
	if !out.Suspended || out.Commands.Redirect == nil {
		t.Fatalf("want suspension, got %+v", out)
	}
}

func TestSendUserToValidation(t *testing.T) {
	for _, u := range []string{"/relative", "not a url", "javascript:alert(1)", "ftp://x.test/"} {
		out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.redirect.sendUserTo(`+quote(u)+`) }`)
		wantErr(t, out, "Invalid URL")
	}
}

func TestChallengeSuspends(t *testing.T) {
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => {
			api.authentication.challengeWith({type: "otp"}, {additionalFactors: [{type: "webauthn-roaming"}]}) }`,
		`exports.onExecutePostLogin = async () => { console.log("next") }`)
	wantOK(t, out)
	c := out.Commands.Challenge
	if !out.Suspended || out.Next != 1 || c == nil || c.Enroll || strings.Join(c.Factors, ",") != "otp,webauthn-roaming" || c.Index != 0 {
		t.Fatalf("challenge %+v next %d", c, out.Next)
	}
	out = runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.authentication.enrollWithAny([{type: "otp"}, {type: "recovery-code"}]) }`)
	if c := out.Commands.Challenge; c == nil || !c.Enroll || len(c.Factors) != 2 {
		t.Fatalf("enroll %+v", c)
	}
	out = runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.authentication.challengeWith({type: "carrier-pigeon"}) }`)
	wantErr(t, out, `Unknown factor type "carrier-pigeon".`)
}

func TestRecordMethodOnlyInContinue(t *testing.T) { // §10.46
	src := `exports.onExecutePostLogin = async (e, api) => { api.authentication.recordMethod("https://mfa.test/custom") };
	        exports.onContinuePostLogin = exports.onExecutePostLogin;`
	out := runJS(t, Input{}, Options{}, src)
	wantErr(t, out, "api.authentication.recordMethod can only be called in onContinuePostLogin.")
	out = runJS(t, Input{Resume: true}, Options{}, src)
	wantOK(t, out)
	if m := out.Commands.Methods; len(m) != 1 || m[0].Name != "https://mfa.test/custom" || !m[0].Timestamp.Equal(saturday) {
		t.Fatalf("methods %+v", m)
	}
}

func TestRevokeOnlyWhereAllowed(t *testing.T) { // §4.9, §10.50
	rt := `exports.onExecutePostLogin = async (e, api) => { api.refreshToken.revoke("ip change") }`
	out := runJS(t, Input{Flow: FlowRefresh}, Options{}, rt)
	wantDeny(t, out, "ip change")
	if out.Commands.Deny.Kind != "refresh_token_revoke" {
		t.Fatalf("kind %q", out.Commands.Deny.Kind)
	}
	wantErr(t, runJS(t, Input{Flow: FlowLogin}, Options{}, rt), "api.refreshToken.revoke can only be used during a refresh token exchange.")

	sess := `exports.onExecutePostLogin = async (e, api) => { api.session.revoke("bye", {preserveRefreshTokens: true}) }`
	out = runJS(t, Input{Flow: FlowLogin}, Options{}, sess)
	wantDeny(t, out, "bye")
	if d := out.Commands.Deny; d.Kind != "session_revoke" || !d.PreserveRefreshTokens {
		t.Fatalf("deny %+v", d)
	}
	wantErr(t, runJS(t, Input{Flow: FlowRefresh}, Options{}, sess), "api.session.revoke cannot be used during a refresh token exchange.")
}

func TestMFAInRefreshIsRecorded(t *testing.T) { // §10.53: the server answers mfa_required
	out := runJS(t, Input{Flow: FlowRefresh}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		api.multifactor.enable("any", {allowRememberBrowser: true}) }`)
	wantOK(t, out)
	if m := out.Commands.MFA; m == nil || m.Provider != "any" || !m.AllowRememberBrowser {
		t.Fatalf("mfa %+v", m)
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

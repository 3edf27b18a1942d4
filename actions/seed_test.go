package actions

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The nine seed actions of the Login Trigger page run unchanged (spec §10.1-12).

func TestSeedAccessControl(t *testing.T) {
	a := seedAction(t, "access-control", nil)
	tests := []struct {
		name   string
		edits  map[string]any
		denied string
	}{
		{"example.com on My SPA", map[string]any{"user.email": "a@example.com"}, "Access to My SPA is not allowed."},
		{"other domain", map[string]any{"user.email": "a@other.org"}, ""},
		{"other client", map[string]any{"user.email": "a@example.com", "client.name": "Other"}, ""},
		{"no email", map[string]any{"user.email": nil}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runActions(t, Input{Event: event(tt.edits)}, Options{}, a)
			if tt.denied == "" {
				wantNoDeny(t, out)
			} else {
				wantDeny(t, out, tt.denied)
			}
		})
	}
}

func TestSeedWeekdays(t *testing.T) {
	a := seedAction(t, "weekdays", nil)
	tests := []struct {
		name   string
		now    time.Time
		client string
		denied bool
	}{
		{"saturday", time.Date(2025, 1, 4, 12, 0, 0, 0, time.UTC), "Weekday App", true},
		{"sunday", time.Date(2025, 1, 5, 12, 0, 0, 0, time.UTC), "Weekday App", true},
		{"monday", time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC), "Weekday App", false},
		{"wednesday", time.Date(2025, 1, 8, 12, 0, 0, 0, time.UTC), "Weekday App", false},
		// 23:30 UTC Friday is Saturday east of UTC: scripts must see UTC.
		{"friday late utc", time.Date(2025, 1, 3, 23, 30, 0, 0, time.UTC), "Weekday App", false},
		{"other app on saturday", time.Date(2025, 1, 4, 12, 0, 0, 0, time.UTC), "My SPA", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runActions(t, Input{Event: event(map[string]any{"client.name": tt.client}), Now: tt.now}, Options{}, a)
			if tt.denied {
				wantDeny(t, out, "This app is only available during the week.")
			} else {
				wantNoDeny(t, out)
			}
		})
	}
}

func TestSeedDenyAPI(t *testing.T) {
	a := seedAction(t, "deny-api", nil)
	out := runActions(t, Input{Event: event(map[string]any{"resource_server": map[string]any{"identifier": "http://todoapi2.api"}})}, Options{}, a)
	wantDeny(t, out, "end_users_not_allowed")
	out = runActions(t, Input{}, Options{}, a)
	wantNoDeny(t, out)
}

func TestSeedRoles(t *testing.T) {
	a := seedAction(t, "roles", nil)
	const claim = "https://my-app.example.com/roles"
	for _, roles := range [][]any{{"admin", "editor"}, {}} {
		out := runActions(t, Input{Event: event(map[string]any{"authorization.roles": roles})}, Options{}, a)
		wantNoDeny(t, out)
		for _, claims := range []map[string]any{out.Commands.IDClaims, out.Commands.AccessClaims} {
			if !reflect.DeepEqual(claims[claim], roles) {
				t.Fatalf("claim = %#v, want %#v", claims[claim], roles)
			}
		}
	}
}

func TestSeedProfileEnrichment(t *testing.T) {
	a := seedAction(t, "profile-enrichment", nil)
	out := runActions(t, Input{Event: event(map[string]any{"user.user_metadata": map[string]any{"lang": "en"}})}, Options{}, a)
	wantNoDeny(t, out)
	if want := map[string]any{"favorite_color": "blue"}; !reflect.DeepEqual(out.Commands.UserMetadata, want) {
		t.Fatalf("user_metadata patch = %v, want %v", out.Commands.UserMetadata, want)
	}
}

func TestSeedMFAPolicy(t *testing.T) {
	a := seedAction(t, "mfa-policy", nil)
	tests := []struct {
		geo  map[string]any
		want *MFA
	}{
		{map[string]any{"continentCode": "NA"}, &MFA{Provider: "any"}},
		{map[string]any{"continentCode": "EU"}, nil},
		{map[string]any{}, nil},
	}
	for _, tt := range tests {
		out := runActions(t, Input{Event: event(map[string]any{"request.geoip": tt.geo})}, Options{}, a)
		wantNoDeny(t, out)
		if !reflect.DeepEqual(out.Commands.MFA, tt.want) {
			t.Fatalf("geo %v: mfa = %+v, want %+v", tt.geo, out.Commands.MFA, tt.want)
		}
	}
}

func TestSeedPasskeySkip(t *testing.T) {
	a := seedAction(t, "passkey-skip", nil)
	passkey := map[string]any{"methods": []any{map[string]any{"name": "passkey", "timestamp": "2025-01-04T12:00:00Z"}}}
	out := runActions(t, Input{Event: event(map[string]any{"authentication": passkey})}, Options{}, a)
	wantOK(t, out)
	if out.Commands.MFA == nil || out.Commands.MFA.Provider != "none" {
		t.Fatalf("passkey login: mfa = %+v, want none", out.Commands.MFA)
	}
	out = runActions(t, Input{}, Options{}, a) // pwd login
	wantOK(t, out)
	if out.Commands.MFA != nil {
		t.Fatalf("password login: mfa = %+v, want nil", out.Commands.MFA)
	}
	out = runActions(t, Input{Event: event(map[string]any{"authentication": nil})}, Options{}, a) // refresh: no authentication
	wantOK(t, out)
}

func TestSeedRedirect(t *testing.T) {
	secrets := map[string]string{"MY_SHARED_SECRET": "s3cr3t"}
	a := seedAction(t, "redirect", secrets)
	before := compileJS(t, "before", `exports.onExecutePostLogin = async (e, api) => { console.log("before ran") }`, nil)
	trig := NewTrigger([]*Action{before, a}, Options{})

	out := trig.Run(context.Background(), Input{Event: event(map[string]any{"user.email": "u1@example.org"}), Now: saturday})
	wantOK(t, out)
	if !out.Suspended || out.Next != 2 || out.Commands.Redirect == nil || out.Commands.Redirect.Index != 1 {
		t.Fatalf("want suspension after action 1, got suspended=%v next=%d redirect=%+v", out.Suspended, out.Next, out.Commands.Redirect)
	}
	u, err := url.Parse(out.Commands.Redirect.URL)
	if err != nil || u.Host != "my-app.example.com" {
		t.Fatalf("redirect url %q", out.Commands.Redirect.URL)
	}
	claims := decodeJWT(t, u.Query().Get("session_token"), "s3cr3t")
	if claims["sub"] != "auth0|u1" || claims["iss"] != "auth.test" || claims["email"] != "u1@example.org" || claims["ip"] != "203.0.113.7" {
		t.Fatalf("token claims %v", claims)
	}
	if claims["exp"].(float64)-claims["iat"].(float64) != 900 || claims["iat"].(float64) != float64(saturday.Unix()) {
		t.Fatalf("iat/exp %v/%v", claims["iat"], claims["exp"])
	}

	// Resume (spec §10.10): POST /continue with state S and a returning token.
	returning, _ := signHS256(map[string]any{"sub": "auth0|u1", "iss": "https://my-app.example.com",
		"iat": saturday.Unix(), "exp": saturday.Unix() + 60, "state": "S", "favorite_color": "green"}, []byte("s3cr3t"))
	resumed := trig.Run(context.Background(), Input{
		Event: event(map[string]any{"request.method": "POST", "request.query": map[string]any{},
			"request.body": map[string]any{"state": "S", "session_token": returning}}),
		Start: 1, Resume: true, Prior: &out.Commands, Now: saturday.Add(10 * time.Second),
	})
	wantNoDeny(t, resumed)
	if resumed.Suspended || resumed.Next != 2 || resumed.Commands.Redirect != nil {
		t.Fatalf("resume should finish: %+v", resumed)
	}
	if resumed.Commands.UserMetadata["favorite_color"] != "green" {
		t.Fatalf("user_metadata %v", resumed.Commands.UserMetadata)
	}
	if len(resumed.Logs) != 1 || resumed.Logs[0].Handler != HandlerContinue {
		t.Fatalf("resume must run only onContinuePostLogin of the suspended action, logs %+v", resumed.Logs)
	}
	if out.Commands.Redirect == nil {
		t.Fatal("Run mutated the caller's Prior commands")
	}

	// Spec §10.11: a user who already has the color is not redirected.
	out = trig.Run(context.Background(), Input{Event: event(map[string]any{"user.user_metadata": map[string]any{"favorite_color": "red"}}), Now: saturday})
	wantNoDeny(t, out)
	if out.Suspended || out.Commands.Redirect != nil {
		t.Fatalf("unexpected redirect %+v", out.Commands.Redirect)
	}
}

func TestSeedAddScope(t *testing.T) {
	a := seedAction(t, "add-scope", nil)
	out := runActions(t, Input{Event: event(map[string]any{"request.query.audience": "https://example.com/api"})}, Options{}, a)
	wantOK(t, out)
	if !out.Commands.Scopes["read:xyz"] || !reflect.DeepEqual(out.Commands.ScopeOrder, []string{"read:xyz"}) {
		t.Fatalf("scopes %v %v", out.Commands.Scopes, out.Commands.ScopeOrder)
	}
	out = runActions(t, Input{Event: event(map[string]any{"request.query.audience": "https://other.example/api"})}, Options{}, a)
	wantOK(t, out)
	if len(out.Commands.Scopes) != 0 {
		t.Fatalf("scopes %v", out.Commands.Scopes)
	}
}

// decodeJWT verifies an HS256 token independently of the engine's code.
func decodeJWT(t *testing.T, tok, secret string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", tok)
	}
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	if err := json.Unmarshal(header, &h); err != nil || h["alg"] != "HS256" || h["typ"] != "JWT" {
		t.Fatalf("header %s", header)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if got, _ := base64.RawURLEncoding.DecodeString(parts[2]); !hmac.Equal(got, mac.Sum(nil)) {
		t.Fatal("HS256 signature does not verify with the secret")
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

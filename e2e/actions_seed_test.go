package e2e

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/authd/authd/geoip/geoiptest"
	"github.com/authd/authd/internal/authdtest"
)

// The nine examples of the seed page, run unchanged through the real
// server with an independent OIDC client (spec §10 behaviours 1–12).

// The e2e copies must stay byte-identical to the seed code blocks; the
// actions package keeps the same blocks (weekdays with another APP_NAME),
// so any edit to either copy shows up here.
func TestActionsSeedFilesAreTheSeedCode(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "seed", "*.js"))
	if len(files) != 9 {
		t.Fatalf("want the nine seed examples, have %d", len(files))
	}
	for _, f := range files {
		mine, _ := os.ReadFile(f)
		theirs, err := os.ReadFile(filepath.Join("..", "actions", "testdata", "seed", filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "weekdays.js" {
			// Only APP_NAME differs: "My SPA" here.
			theirs = bytes.Replace(theirs, []byte(`"Weekday App"`), []byte(`"My SPA"`), 1)
		}
		if !bytes.Equal(mine, theirs) {
			t.Errorf("%s differs from the seed code block", f)
		}
	}
}

// §10.1–2.
func TestActionsSeedAccessControl(t *testing.T) {
	e := actEnv(t, nil, act{Name: "access-control", Src: actSeed(t, "access-control")})
	e.CreateUser("a@example.com", actPW)
	e.CreateUser("a@other.org", actPW)
	spa := e.SPA()

	a, cb := actCallback(t, e, spa, "a@example.com")
	if d := actDenied(t, a, cb); d != "Access to My SPA is not allowed." {
		t.Errorf("description %q", d)
	}
	if tok := actTokens(t, e, spa, "a@other.org"); tok.Claims["email"] != "a@other.org" {
		t.Errorf("other domain: %v", tok.Claims)
	}
	// The same user through a client with another name is let in.
	web := e.RP("webapp", "webapp-secret-0123456789abcdef", "http://127.0.0.1:5556/callback")
	if tok := actTokens(t, e, web, "a@example.com"); tok.Claims["email"] != "a@example.com" {
		t.Errorf("Web App: %v", tok.Claims)
	}
}

// actNextWeekday is the next date (after now) falling on d, at noon UTC. The
// clock is pinned in the future rather than the past so real signing keys
// and go-oidc's expiry check (real time) still accept the tokens.
func actNextWeekday(d time.Weekday) time.Time {
	t := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1).Add(12 * time.Hour)
	for t.Weekday() != d {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// §10.3, with the server clock (also the actions' clock) pinned.
func TestActionsSeedWeekdays(t *testing.T) {
	e := actEnv(t, nil, act{Name: "weekdays", Src: actSeed(t, "weekdays")})
	e.CreateUser("ada@example.org", actPW)
	spa := e.SPA()
	web := e.RP("webapp", "webapp-secret-0123456789abcdef", "http://127.0.0.1:5556/callback")

	for _, day := range []time.Weekday{time.Saturday, time.Sunday} {
		e.Clock.Set(actNextWeekday(day))
		a, cb := actCallback(t, e, spa, "ada@example.org")
		if d := actDenied(t, a, cb); d != "This app is only available during the week." {
			t.Errorf("%s: description %q", day, d)
		}
		// Another application is open at the weekend.
		if tok := actTokens(t, e, web, "ada@example.org"); tok.Claims["sub"] == nil {
			t.Errorf("%s: Web App: %v", day, tok.Claims)
		}
	}
	for _, day := range []time.Weekday{time.Monday, time.Wednesday} {
		when := actNextWeekday(day)
		e.Clock.Set(when)
		tok := actTokens(t, e, spa, "ada@example.org")
		if iat := int64(tok.Claims["iat"].(float64)); iat != when.Unix() {
			t.Errorf("%s: token iat %d, want the pinned %d", day, iat, when.Unix())
		}
	}
}

const actTodoAPIs = `apis:
  - { identifier: "http://todoapi2.api", name: Todo, scopes: [read:todo] }
  - { identifier: "https://example.com/api", name: Example, scopes: [read:xyz, write:xyz], allow_offline_access: true }
  - { identifier: "https://api.example.com/", name: Example API, scopes: [read:xyz, write:xyz], allow_offline_access: true, token_lifetime: 1h }
`

// §10.4: the deny-API seed; a second action reports what the first saw.
func TestActionsSeedDenyAPI(t *testing.T) {
	probe := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/rs", typeof event.resource_server);
};`
	e := actEnv(t, []authdtest.Option{authdtest.YAML(actTodoAPIs)},
		act{Name: "deny-api", Src: actSeed(t, "deny-api")}, act{Name: "probe", Src: probe})
	e.CreateUser("ada@example.org", actPW)
	spa := e.SPA("openid", "read:todo")

	a, cb := actCallback(t, e, spa, "ada@example.org", actAudience("http://todoapi2.api"))
	if d := actDenied(t, a, cb); d != "end_users_not_allowed" {
		t.Errorf("description %q", d)
	}
	if tok := actTokens(t, e, spa, "ada@example.org"); tok.Claims["https://x.test/rs"] != "undefined" {
		t.Errorf("without audience event.resource_server is %v", tok.Claims["https://x.test/rs"])
	}
	// Another API is not refused.
	if tok := actTokens(t, e, spa, "ada@example.org", actAudience("https://example.com/api")); tok.Claims["https://x.test/rs"] != "object" {
		t.Errorf("other API: %v", tok.Claims)
	}
}

// §10.5.
func TestActionsSeedRoles(t *testing.T) {
	e := actEnv(t, nil, act{Name: "roles", Src: actSeed(t, "roles")})
	e.CreateUser("ada@example.org", actPW, "admin", "editor")
	e.CreateUser("bob@example.org", actPW)
	spa := e.SPA("openid", "read:xyz")
	const claim = "https://my-app.example.com/roles"

	tok := actTokens(t, e, spa, "ada@example.org", actAudience(authdtest.API))
	want := []any{"admin", "editor"}
	id, _ := tok.Claims[claim].([]any)
	at, _ := tok.Access[claim].([]any)
	slices.SortFunc(id, func(a, b any) int { return actCmpStr(a, b) })
	slices.SortFunc(at, func(a, b any) int { return actCmpStr(a, b) })
	if !slices.Equal(id, want) || !slices.Equal(at, want) {
		t.Errorf("roles: ID %v, AT %v", tok.Claims[claim], tok.Access[claim])
	}
	tok = actTokens(t, e, spa, "bob@example.org", actAudience(authdtest.API))
	if r, ok := tok.Claims[claim].([]any); !ok || len(r) != 0 {
		t.Errorf("user without roles: ID claim %#v (want [])", tok.Claims[claim])
	}
	if r, ok := tok.Access[claim].([]any); !ok || len(r) != 0 {
		t.Errorf("user without roles: AT claim %#v (want [])", tok.Access[claim])
	}
}

func actCmpStr(a, b any) int {
	x, y := a.(string), b.(string)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// §10.6: merged with the stored metadata, one profile write for the whole
// pipeline even with a second action writing app_metadata.
func TestActionsSeedProfileEnrichment(t *testing.T) {
	var cs *actCountStore
	other := `exports.onExecutePostLogin = async (event, api) => { api.user.setAppMetadata("plan", "pro"); };`
	e := actEnv(t, []authdtest.Option{actCountingStore(&cs)},
		act{Name: "profile-enrichment", Src: actSeed(t, "profile-enrichment")}, act{Name: "plan", Src: other})
	u := e.CreateUser("ada@example.org", actPW)
	actSetMetadata(t, e, u.ID, map[string]any{"lang": "en"}, nil)
	before := cs.metadataWrites.Load()

	actTokens(t, e, e.SPA(), "ada@example.org")
	got := e.User(u.ID)
	if len(got.UserMetadata) != 2 || got.UserMetadata["lang"] != "en" || got.UserMetadata["favorite_color"] != "blue" {
		t.Errorf("user_metadata %v", got.UserMetadata)
	}
	if got.AppMetadata["plan"] != "pro" {
		t.Errorf("app_metadata %v", got.AppMetadata)
	}
	if n := cs.metadataWrites.Load() - before; n != 1 {
		t.Errorf("%d profile writes for one login, want 1", n)
	}
}

// §10.7: the MFA requirement is recorded — the login goes to the MFA
// enrollment page instead of the client — when the GeoIP database puts
// the client IP (loopback directly, or X-Forwarded-For from a trusted
// proxy) in North America.
func TestActionsSeedMFAPolicy(t *testing.T) {
	db := filepath.Join(t.TempDir(), "city.mmdb")
	geoiptest.Write(t, db,
		geoiptest.Entry{CIDR: "127.0.0.0/8", ContinentCode: "NA", CountryCode: "US"},
		geoiptest.Entry{CIDR: "203.0.113.0/24", ContinentCode: "NA", CountryCode: "CA"},
		geoiptest.Entry{CIDR: "198.51.100.0/24", ContinentCode: "EU", CountryCode: "DE"})
	e := actEnv(t, []authdtest.Option{authdtest.YAML("geoip: { database: \"" + db + "\" }\ntrusted_proxies: [127.0.0.1/32]")},
		act{Name: "mfa-policy", Src: actSeed(t, "mfa-policy")}, act{Name: "passkey-skip", Src: actSeed(t, "passkey-skip")})
	e.CreateUser("ada@example.org", actPW)
	spa := e.SPA()

	mfaPage := func(xff string) {
		t.Helper()
		b := e.Browser()
		if xff != "" {
			b.Header.Set("X-Forwarded-For", xff)
		}
		a := spa.AuthURL()
		p := b.Get(a.URL).Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": actPW})
		if p.Status != http.StatusOK || p.URL.Path != "/u/mfa-otp-enrollment" {
			t.Fatalf("xff %q: want the MFA enrollment page, got %d %s (%q)", xff, p.Status, p.URL, p.H1())
		}
		if p.ByID("totp-secret") == "" {
			t.Error("enrollment page without a TOTP secret")
		}
	}
	mfaPage("")            // 127.0.0.1 is NA
	mfaPage("203.0.113.7") // NA via a trusted proxy
	// The passkey seed only cancels MFA after a passkey; a password login
	// from NA is still challenged (above). From Europe, or from an address
	// the database does not know (geoip {}), there is no challenge.
	for _, xff := range []string{"198.51.100.4", "192.0.2.1"} {
		b := e.Browser()
		b.Header.Set("X-Forwarded-For", xff)
		a, cb := e.Login(b, spa, "ada@example.org", actPW)
		if _, err := spa.Exchange(a, authdtest.Code(t, a, cb)); err != nil {
			t.Errorf("xff %s: %v", xff, err)
		}
	}
}

// §10.8: no passkey in event.authentication.methods → the seed does
// nothing, and MFA required by an earlier action stands (checked in
// TestActionsSeedMFAPolicy); here: alone it lets a password login through.
func TestActionsSeedPasskeySkip(t *testing.T) {
	e := actEnv(t, nil, act{Name: "passkey-skip", Src: actSeed(t, "passkey-skip")})
	e.CreateUser("ada@example.org", actPW)
	tok := actTokens(t, e, e.SPA(), "ada@example.org")
	if amr, _ := tok.Claims["amr"].([]any); !slices.Contains(amr, any("pwd")) {
		t.Errorf("amr %v", tok.Claims["amr"])
	}
}

// §10.12.
func TestActionsSeedAddScope(t *testing.T) {
	e := actEnv(t, []authdtest.Option{authdtest.YAML(actTodoAPIs)}, act{Name: "add-scope", Src: actSeed(t, "add-scope")})
	e.CreateUser("ada@example.org", actPW)
	spa := e.SPA(gooidc.ScopeOpenID)

	tok := actTokens(t, e, spa, "ada@example.org", actAudience("https://example.com/api"))
	if tok.Access["scope"] != "openid read:xyz" {
		t.Errorf("AT scope %v, want read:xyz added", tok.Access["scope"])
	}
	if s, _ := tok.Extra("scope").(string); s != "openid read:xyz" {
		t.Errorf("token response scope %q", s)
	}
	tok = actTokens(t, e, spa, "ada@example.org", actAudience(authdtest.API))
	if tok.Access["scope"] != "openid" {
		t.Errorf("other audience: AT scope %v", tok.Access["scope"])
	}
}

package e2e

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/authd/authd/geoip/geoiptest"
	"github.com/authd/authd/internal/authdtest"
)

// The event object (spec §3) as an action sees it, copied into an ID-token
// claim and read back from the verified token.

const eventProbe = `exports.onExecutePostLogin = async (event, api) => {
  const u = event.user, r = event.request, tx = event.transaction;
  api.idToken.setCustomClaim("https://x.test/event", JSON.stringify({
    user: { user_id: u.user_id, email: u.email, user_metadata: u.user_metadata, app_metadata: u.app_metadata,
            identities: u.identities, logins_count: u.logins_count },
    roles: event.authorization.roles,
    client: event.client,
    connection: event.connection,
    request: { ip: r.ip, method: r.method, query: r.query, body: r.body, user_agent: r.user_agent,
               hostname: r.hostname, language: r.language, geoip: r.geoip },
    transaction: tx,
    methods: event.authentication ? event.authentication.methods.map(m => m.name) : null,
    method_ts: event.authentication ? typeof event.authentication.methods[0].timestamp : null,
    resource_server: event.resource_server,
    stats: event.stats,
    secrets: event.secrets,
    tenant: event.tenant,
    session: event.session ? { id: typeof event.session.id, user_id: event.session.user_id } : null,
    refresh_token: event.refresh_token ? { id: typeof event.refresh_token.id, client_id: event.refresh_token.client_id } : null,
  }));
};`

func TestActionsEventContents(t *testing.T) {
	db := filepath.Join(t.TempDir(), "city.mmdb")
	geoiptest.Write(t, db, geoiptest.Entry{CIDR: "203.0.113.0/24", ContinentCode: "NA", CountryCode: "CA", City: "Toronto"})
	other := `exports.onExecutePostLogin = async (event, api) => {};`
	e := actEnv(t, []authdtest.Option{authdtest.YAML("geoip: { database: \"" + db + "\" }\ntrusted_proxies: [127.0.0.1/32]")},
		act{Name: "probe", Src: eventProbe, Secrets: map[string]string{"MINE": "m1"}},
		act{Name: "other", Src: other, Secrets: map[string]string{"THEIRS": "t1"}})
	u := e.CreateUser("ada@example.org", actPW, "admin")
	actSetMetadata(t, e, u.ID, map[string]any{"lang": "en"}, map[string]any{"plan": "pro"})

	spa := e.SPA("openid", "email", "offline_access", "read:xyz")
	b := e.Browser()
	b.Header.Set("X-Forwarded-For", "203.0.113.9")
	b.Header.Set("User-Agent", "e2e-agent/1.0")
	b.Header.Set("Accept-Language", "fr-CH, fr;q=0.9")
	a, cb := e.Login(b, spa, "ada@example.org", actPW, actAudience(authdtest.API), authdtest.Param("prompt", "login"))
	tok, err := spa.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatal(err)
	}
	ev := actJSONClaim(t, tok.Claims, "https://x.test/event")
	check := func(path string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	m := func(v any) map[string]any { x, _ := v.(map[string]any); return x }

	user := m(ev["user"])
	check("user.user_id", user["user_id"], u.ID)
	check("user.email", user["email"], "ada@example.org")
	check("user.user_metadata", user["user_metadata"], map[string]any{"lang": "en"})
	check("user.app_metadata", user["app_metadata"], map[string]any{"plan": "pro"})
	check("user.logins_count", user["logins_count"], 1.0)
	ids, _ := user["identities"].([]any)
	if len(ids) != 1 || m(ids[0])["provider"] != "auth0" || m(ids[0])["user_id"] != strings.TrimPrefix(u.ID, "auth0|") || m(ids[0])["isSocial"] != false {
		t.Errorf("identities %v", user["identities"])
	}
	check("authorization.roles", ev["roles"], []any{"admin"})
	check("client", ev["client"], map[string]any{"client_id": "spa", "name": "My SPA", "metadata": map[string]any{"tier": "gold"}})
	conn := m(ev["connection"])
	check("connection.name", conn["name"], "Username-Password-Authentication")
	check("connection.strategy", conn["strategy"], "auth0")

	req := m(ev["request"])
	check("request.ip", req["ip"], "203.0.113.9") // X-Forwarded-For from a trusted proxy
	check("request.method", req["method"], "GET")
	check("request.user_agent", req["user_agent"], "e2e-agent/1.0")
	check("request.hostname", req["hostname"], strings.TrimPrefix(e.URL, "http://"))
	check("request.language", req["language"], "fr-CH")
	check("request.body", req["body"], map[string]any{})
	q := m(req["query"])
	check("request.query.audience", q["audience"], authdtest.API)
	check("request.query.client_id", q["client_id"], "spa")
	check("request.query.state", q["state"], a.State)
	geo := m(req["geoip"])
	check("request.geoip.continentCode", geo["continentCode"], "NA")
	check("request.geoip.countryCode", geo["countryCode"], "CA")
	check("request.geoip.cityName", geo["cityName"], "Toronto")

	tx := m(ev["transaction"])
	check("transaction.protocol", tx["protocol"], "oidc-basic-profile")
	check("transaction.requested_scopes", tx["requested_scopes"], []any{"openid", "email", "offline_access", "read:xyz"})
	check("transaction.redirect_uri", tx["redirect_uri"], "http://127.0.0.1:5555/callback")
	check("transaction.state", tx["state"], a.State)
	check("transaction.prompt", tx["prompt"], []any{"login"})
	check("transaction.metadata", tx["metadata"], map[string]any{})
	check("authentication.methods", ev["methods"], []any{"pwd"})
	check("authentication.methods[0].timestamp", ev["method_ts"], "string")
	check("resource_server", ev["resource_server"], map[string]any{"identifier": authdtest.API})
	check("stats", ev["stats"], map[string]any{"logins_count": 1.0})
	check("secrets", ev["secrets"], map[string]any{"MINE": "m1"}) // not THEIRS
	check("tenant", ev["tenant"], map[string]any{"id": "localhost"})
	check("session", ev["session"], map[string]any{"id": "string", "user_id": u.ID})
	check("refresh_token (login)", ev["refresh_token"], nil)

	// The refresh exchange: a back-channel event (spec §3.8).
	rt, err := spa.Refresh(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	ev = actJSONClaim(t, rt.Claims, "https://x.test/event")
	req, tx = m(ev["request"]), m(ev["transaction"])
	check("refresh: transaction.protocol", tx["protocol"], "oauth2-refresh-token")
	check("refresh: request.method", req["method"], "POST")
	check("refresh: request.query", req["query"], map[string]any{})
	body := m(req["body"])
	check("refresh: request.body.grant_type", body["grant_type"], "refresh_token")
	if _, ok := body["refresh_token"]; ok {
		t.Error("the refresh token itself reached the action in request.body")
	}
	check("refresh: refresh_token", ev["refresh_token"], map[string]any{"id": "string", "client_id": "spa"})
	check("refresh: resource_server", ev["resource_server"], map[string]any{"identifier": authdtest.API})
	check("refresh: stats.logins_count", m(ev["stats"])["logins_count"], 1.0)
	check("refresh: secrets", ev["secrets"], map[string]any{"MINE": "m1"})
	if _, ok := tx["redirect_uri"]; ok {
		t.Errorf("refresh: browser-only redirect_uri present: %v", tx)
	}
	if e.User(u.ID).LoginsCount != 1 {
		t.Errorf("a refresh counted as a login: %d", e.User(u.ID).LoginsCount)
	}
}

// §10.58: empty objects, never undefined: a user without metadata, and a
// request no GeoIP database knows about.
func TestActionsEventEmptyObjects(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/empty", JSON.stringify([event.user.user_metadata, event.user.app_metadata,
    event.request.geoip, event.request.body, event.client.metadata, event.transaction.metadata, event.secrets]));
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	c := actTokens(t, e, e.RP("webapp", "webapp-secret-0123456789abcdef", "http://127.0.0.1:5556/callback"), "ada@example.org").Claims
	if c["https://x.test/empty"] != "[{},{},{},{},{},{},{}]" {
		t.Errorf("got %v", c["https://x.test/empty"])
	}
}

// The first-ever login sees logins_count 1 (§10.57), the second 2.
func TestActionsLoginsCount(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("https://x.test/n", [event.stats.logins_count, event.user.logins_count]); };`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	for i := 1; i <= 2; i++ {
		got, _ := actTokens(t, e, e.SPA(), "ada@example.org").Claims["https://x.test/n"].([]any)
		if !slices.Equal(got, []any{float64(i), float64(i)}) {
			t.Errorf("login %d: %v", i, got)
		}
	}
}

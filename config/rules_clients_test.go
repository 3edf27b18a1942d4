package config_test

import (
	"fmt"
	"strings"
	"testing"
)

const (
	spaURIs = "redirect_uris: [https://app.example.com/cb]"
	secret  = "client_secret: 0123456789abcdef"
)

func TestRulesClients(t *testing.T) {
	client := func(fields string) string { return "clients: [ { " + fields + " } ]" }
	many := func(n int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf("k%d: v", i))
		}
		return strings.Join(kv, ", ")
	}
	runRules(t, []rule{
		{name: "client_id required", snippet: client("app_type: spa, " + spaURIs),
			want: []string{"clients[0].client_id: is required"}},
		{name: "client_id unique",
			snippet: "clients: [ { client_id: a, app_type: spa, " + spaURIs + " }, { client_id: a, app_type: spa, " + spaURIs + " } ]",
			want:    []string{"clients[1].client_id: duplicate of clients[0].client_id"}},
		{name: "client_id whitespace", snippet: client("client_id: 'a b', app_type: spa, " + spaURIs),
			want: []string{"clients[0].client_id: must not contain whitespace"}},
		{name: "app_type required", snippet: client("client_id: a, " + spaURIs),
			want: []string{"clients[0].app_type: is required (spa, regular_web, native or non_interactive)"}},
		{name: "app_type unknown", snippet: client("client_id: a, app_type: web, " + spaURIs),
			want: []string{`clients[0].app_type: must be spa, regular_web, native or non_interactive, got "web"`}},
		{name: "secret forbidden for spa", snippet: client("client_id: a, app_type: spa, " + secret + ", " + spaURIs),
			want: []string{"clients[0].client_secret: is not allowed for spa clients (they cannot keep a secret)"}},
		{name: "secret forbidden for native", snippet: client("client_id: a, app_type: native, " + secret + ", " + spaURIs),
			want: []string{"clients[0].client_secret: is not allowed for native clients (they cannot keep a secret)"}},
		{name: "secret required for regular_web", snippet: client("client_id: a, app_type: regular_web, " + spaURIs),
			want: []string{"clients[0].client_secret: is required for regular_web clients"}},
		{name: "secret required for non_interactive", snippet: client("client_id: a, app_type: non_interactive"),
			want: []string{"clients[0].client_secret: is required for non_interactive clients"}},
		{name: "secret too short", snippet: client("client_id: a, app_type: regular_web, client_secret: short, " + spaURIs),
			want: []string{"clients[0].client_secret: must be at least 16 characters"}},
		{name: "redirect_uris required", snippet: client("client_id: a, app_type: spa"),
			want: []string{"clients[0].redirect_uris: is required for spa clients"}},
		{name: "redirect_uris forbidden for non_interactive", snippet: client("client_id: a, app_type: non_interactive, " + secret + ", " + spaURIs),
			want: []string{"clients[0].redirect_uris: is not allowed for non_interactive clients"}},
		{name: "redirect uri with fragment", snippet: client("client_id: a, app_type: spa, redirect_uris: [https://app.example.com/ok, 'https://app.example.com/cb#x']"),
			want: []string{"clients[0].redirect_uris[1]: must be an absolute URL without a fragment"}},
		{name: "redirect uri relative", snippet: client("client_id: a, app_type: spa, redirect_uris: [/callback]"),
			want: []string{"clients[0].redirect_uris[0]: must be an absolute URL without a fragment"}},
		{name: "redirect uri http on a public host", snippet: client("client_id: a, app_type: spa, redirect_uris: [http://app.example.com/cb]"),
			want: []string{"clients[0].redirect_uris[0]: must use https (http only for localhost, 127.0.0.1 and [::1])"}},
		{name: "redirect uri private scheme for a spa", snippet: client("client_id: a, app_type: spa, redirect_uris: ['com.example.app:/cb']"),
			want: []string{"clients[0].redirect_uris[0]: must use https (http only for localhost, 127.0.0.1 and [::1])"}},
		{name: "logout url relative", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", allowed_logout_urls: [/bye]"),
			want: []string{"clients[0].allowed_logout_urls[0]: must be an absolute URL without a fragment"}},
		{name: "origin with a path", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", allowed_origins: [https://app.example.com/cb]"),
			want: []string{"clients[0].allowed_origins[0]: must be scheme://host[:port] with no path, query or fragment"}},
		{name: "grant type unknown", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", grant_types: [implicit]"),
			want: []string{`clients[0].grant_types[0]: must be authorization_code, refresh_token or client_credentials, got "implicit"`}},
		{name: "grant type repeated", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", grant_types: [authorization_code, authorization_code]"),
			want: []string{`clients[0].grant_types[1]: duplicate grant type "authorization_code"`}},
		{name: "client_credentials for a public client", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", grant_types: [client_credentials]"),
			want: []string{"clients[0].grant_types[0]: client_credentials is only for confidential clients (regular_web, non_interactive)"}},
		{name: "authorization_code for non_interactive", snippet: client("client_id: a, app_type: non_interactive, " + secret + ", grant_types: [authorization_code]"),
			want: []string{"clients[0].grant_types[0]: non_interactive clients only use client_credentials"}},
		{name: "too much metadata", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", metadata: { " + many(11) + " }"),
			want: []string{"clients[0].metadata: must have at most 10 entries"}},
		{name: "metadata value too long", snippet: client("client_id: a, app_type: spa, " + spaURIs + ", metadata: { k: " + strings.Repeat("v", 256) + " }"),
			want: []string{"clients[0].metadata.k: must be at most 255 characters"}},
	})
}

func TestRulesAPIsAndGrants(t *testing.T) {
	const (
		api    = "apis: [ { identifier: https://api.example.com, scopes: [read:x, write:x] } ]"
		worker = "clients: [ { client_id: w, app_type: non_interactive, " + secret + " }, { client_id: s, app_type: spa, " + spaURIs + " }, { client_id: r, app_type: regular_web, " + secret + ", " + spaURIs + " } ]"
	)
	grant := func(fields string) string {
		return worker + "\n" + api + "\nclient_grants: [ { " + fields + " } ]"
	}
	runRules(t, []rule{
		{name: "identifier required", snippet: "apis: [ { name: x } ]", want: []string{"apis[0].identifier: is required"}},
		{name: "identifier unique", snippet: "apis: [ { identifier: x }, { identifier: x } ]",
			want: []string{"apis[1].identifier: duplicate of apis[0].identifier"}},
		{name: "scope with whitespace", snippet: "apis: [ { identifier: x, scopes: ['read x'] } ]",
			want: []string{"apis[0].scopes[0]: must not contain whitespace"}},
		{name: "scope repeated", snippet: "apis: [ { identifier: x, scopes: [a, b, a] } ]",
			want: []string{`apis[0].scopes[2]: duplicate scope "a"`}},
		{name: "token lifetime negative", snippet: "apis: [ { identifier: x, token_lifetime: -1h } ]",
			want: []string{"apis[0].token_lifetime: must be longer than 0s"}},
		{name: "grant for an unknown client", snippet: grant("client_id: nope, audience: https://api.example.com"),
			want: []string{`client_grants[0].client_id: no client has client_id "nope"`}},
		{name: "grant for a public client", snippet: grant("client_id: s, audience: https://api.example.com"),
			want: []string{`client_grants[0].client_id: client "s" is spa; only non_interactive and regular_web clients can use client_credentials`}},
		{name: "grant for a client without client_credentials", snippet: grant("client_id: r, audience: https://api.example.com"),
			want: []string{`client_grants[0].client_id: client "r" does not list client_credentials in grant_types`}},
		{name: "grant client required", snippet: grant("audience: https://api.example.com"),
			want: []string{"client_grants[0].client_id: is required"}},
		{name: "grant for an unknown api", snippet: grant("client_id: w, audience: https://other.example.com"),
			want: []string{`client_grants[0].audience: no api has identifier "https://other.example.com"`}},
		{name: "grant audience required", snippet: grant("client_id: w"),
			want: []string{"client_grants[0].audience: is required"}},
		{name: "grant scope not of the api", snippet: grant("client_id: w, audience: https://api.example.com, scope: [read:x, admin]"),
			want: []string{`client_grants[0].scope[1]: "admin" is not a scope of api "https://api.example.com"`}},
		{name: "grant repeated", snippet: worker + "\n" + api + "\nclient_grants: [ { client_id: w, audience: https://api.example.com }, { client_id: w, audience: https://api.example.com } ]",
			want: []string{"client_grants[1]: duplicate of client_grants[0] (same client_id and audience)"}},
		{name: "role name required", snippet: "roles: [ { description: x } ]", want: []string{"roles[0].name: is required"}},
		{name: "role name unique", snippet: "roles: [ { name: admin }, { name: admin } ]",
			want: []string{"roles[1].name: duplicate of roles[0].name"}},
	})
}

func TestRulesActions(t *testing.T) {
	action := func(fields string) string { return "actions: { post-login: [ { " + fields + " } ] }" }
	secrets := func(n, keyLen, valLen int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf("%s%d: %s", strings.Repeat("k", keyLen), i, strings.Repeat("v", valLen)))
		}
		return "secrets: { " + strings.Join(kv, ", ") + " }"
	}
	var twentyOne []string
	for i := range 21 {
		twentyOne = append(twentyOne, fmt.Sprintf("{ name: a%d, file: a.js }", i))
	}
	runRules(t, []rule{
		{name: "name required", snippet: action("file: a.js"), want: []string{"actions.post-login[0].name: is required"}},
		{name: "name pattern", snippet: action("name: 'add roles', file: a.js"),
			want: []string{`actions.post-login[0].name: must match ^[a-zA-Z0-9_-]+$, got "add roles"`}},
		{name: "name unique", snippet: "actions: { post-login: [ { name: a, file: a.js }, { name: a, file: b.js } ] }",
			want: []string{"actions.post-login[1].name: duplicate of actions.post-login[0].name"}},
		{name: "file required", snippet: action("name: a"), want: []string{"actions.post-login[0].file: is required"}},
		{name: "file missing", snippet: "actions: { post-login: [ { name: a, file: a.js }, { name: b, file: b.js }, { name: c, file: nope.js } ] }",
			want: []string{"actions.post-login[2].file: open /..."}},
		{name: "at most 20 actions", snippet: "actions: { post-login: [ " + strings.Join(twentyOne, ", ") + " ] }",
			want: []string{"actions.post-login: must have at most 20 actions, has 21"}},
		{name: "at most 30 secrets", snippet: action("name: a, file: a.js, " + secrets(31, 1, 1)),
			want: []string{"actions.post-login[0].secrets: must have at most 30 entries, has 31"}},
		{name: "secret name too long", snippet: action("name: a, file: a.js, " + secrets(1, 128, 1)),
			want: []string{"actions.post-login[0].secrets." + strings.Repeat("k", 128) + "0: name must be 1 to 128 characters"}},
		{name: "secret value too long", snippet: action("name: a, file: a.js, " + secrets(1, 1, 4097)),
			want: []string{"actions.post-login[0].secrets.k0: must be at most 4096 characters"}},
		{name: "timeout too short", snippet: "actions: { timeout: 500ms }",
			want: []string{"actions.timeout: must be between 1s and 1m0s, got 500ms"}},
		{name: "timeout too long", snippet: "actions: { timeout: 61s }",
			want: []string{"actions.timeout: must be between 1s and 1m0s, got 1m1s"}},
		{name: "fetch timeout", snippet: "actions: { fetch: { timeout: 0s } }",
			want: []string{"actions.fetch.timeout: must be between 100ms and 1m0s, got 0s"}},
		{name: "fetch host", snippet: "actions: { fetch: { allow_hosts: [api.example.com, '*.example.org', 10.0.0.0/8, 'http://x'] } }",
			want: []string{`actions.fetch.allow_hosts[3]: must be a host name, *.domain, IP address or CIDR, got "http://x"`}},
	})
}

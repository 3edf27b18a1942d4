package config_test

import (
	"strings"
	"testing"
)

// rule is one invalid configuration and the exact problems it must give.
type rule struct {
	name    string
	snippet string   // top-level YAML; issuer and secrets are added if absent
	want    []string // "path: reason" lines, in order; "..." suffix = prefix match
	env     map[string]string
}

func runRules(t *testing.T, rules []rule) {
	t.Helper()
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			got := problems(t, withBase(t, r.snippet), r.env)
			if !matchLines(got, r.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(r.want, "\n  "))
			}
		})
	}
}

func TestRulesSyntax(t *testing.T) {
	runRules(t, []rule{
		{name: "unknown top-level key", snippet: "foo: 1", want: []string{"foo: unknown key"}},
		{name: "unknown key at depth", snippet: "login: { brute_force: { max_attempt: 3 } }",
			want: []string{"login.brute_force.max_attempt: unknown key"}},
		{name: "unknown key in a list item",
			snippet: "clients: [ { client_id: a, app_type: spa, redirect_uris: [https://a.example/cb], redirect_uri: x } ]",
			want:    []string{"clients[0].redirect_uri: unknown key"}},
		{name: "unknown key in an action", snippet: "actions: { post-login: [ { name: a, file: a.js, secret: {} } ] }",
			want: []string{"actions.post-login[0].secret: unknown key"}},
		{name: "duplicate key", snippet: "log:\n  level: info\n  level: debug", want: []string{"log.level: duplicate key"}},
		{name: "duplicate metadata key",
			snippet: "clients: [ { client_id: a, app_type: spa, redirect_uris: [https://a.example/cb], metadata: { k: 1, k: 2 } } ]",
			want:    []string{"clients[0].metadata.k: duplicate key"}},
		{name: "string expected", snippet: "listen: [a]", want: []string{"listen: must be a string"}},
		{name: "bool expected", snippet: "login: { signup: yes }", want: []string{"login.signup: must be true or false"}},
		{name: "int expected", snippet: "login: { password_policy: { min_length: ten } }",
			want: []string{"login.password_policy.min_length: must be an integer"}},
		{name: "duration expected", snippet: "tokens: { id_token_ttl: 10 }",
			want: []string{"tokens.id_token_ttl: must be a duration such as 15m or 24h"}},
		{name: "list expected", snippet: "clients: { a: b }", want: []string{"clients: must be a list"}},
		{name: "mapping expected", snippet: "tls: on", want: []string{"tls: must be a mapping of keys"}},
		{name: "list item must be a mapping", snippet: "roles: [admin]", want: []string{"roles[0]: must be a mapping of keys"}},
		{name: "string map expected", snippet: "actions: { post-login: [ { name: a, file: a.js, secrets: [x] } ] }",
			want: []string{"actions.post-login[0].secrets: must be a mapping of strings"}},
		{name: "unset environment variable",
			snippet: "clients: [ { client_id: w, app_type: non_interactive, client_secret: \"${NOPE}\" } ]",
			want:    []string{"clients[0].client_secret: environment variable NOPE is not set"}},
		{name: "bad variable name", snippet: "listen: ${1X}",
			want: []string{`listen: invalid environment variable name "1X" in ${...}`}},
		{name: "unterminated reference", snippet: "listen: \"${X\"",
			want: []string{"listen: unterminated ${ (write $${ for a literal ${)"}},
	})
}

func TestRulesServer(t *testing.T) {
	runRules(t, []rule{
		{name: "issuer required", snippet: "issuer: ~", want: []string{"issuer: is required"}},
		{name: "issuer not http(s)", snippet: "issuer: ftp://login.example.com/",
			want: []string{"issuer: must be an absolute http(s) URL without query, fragment or user info"}},
		{name: "issuer relative", snippet: "issuer: login.example.com",
			want: []string{"issuer: must be an absolute http(s) URL without query, fragment or user info"}},
		{name: "issuer with query", snippet: "issuer: https://login.example.com/?a=b",
			want: []string{"issuer: must be an absolute http(s) URL without query, fragment or user info"}},
		{name: "issuer http on a public host", snippet: "issuer: http://login.example.com/",
			want: []string{"issuer: must use https (http only for localhost, 127.0.0.1 and [::1])"}},
		{name: "listen not host:port", snippet: "listen: localhost",
			want: []string{"listen: must be host:port, e.g. 127.0.0.1:9400 or :9400"}},
		{name: "listen port out of range", snippet: "listen: :99999",
			want: []string{"listen: must be host:port, e.g. 127.0.0.1:9400 or :9400"}},
		{name: "tls cert without key", snippet: "tls: { cert_file: a.js }",
			want: []string{"tls.key_file: is required when tls.cert_file is set"}},
		{name: "tls key without cert", snippet: "tls: { key_file: a.js }",
			want: []string{"tls.cert_file: is required when tls.key_file is set"}},
		{name: "tls files missing", snippet: "tls: { cert_file: cert.pem, key_file: key.pem }",
			want: []string{"tls.cert_file: stat /...", "tls.key_file: stat /..."}},
		{name: "trusted proxy not an address", snippet: "trusted_proxies: [10.0.0.0/8, 192.168.1.1, nope]",
			want: []string{`trusted_proxies[2]: must be an IP address or CIDR, got "nope"`}},
		{name: "storage driver", snippet: "storage: { driver: mysql }",
			want: []string{`storage.driver: must be sqlite or postgres, got "mysql"`}},
		{name: "postgres needs a dsn", snippet: "storage: { driver: postgres }",
			want: []string{"storage.dsn: is required for postgres"}},
		{name: "postgres dsn form", snippet: "storage: { driver: postgres, dsn: hello }",
			want: []string{"storage.dsn: must be a postgres:// URL or a key=value connection string"}},
		{name: "signing algorithm", snippet: "signing: { algorithm: HS256 }",
			want: []string{`signing.algorithm: must be RS256, ES256 or EdDSA, got "HS256"`}},
		{name: "geoip database missing", snippet: "geoip: { database: GeoLite2-City.mmdb }",
			want: []string{"geoip.database: stat /..."}},
		{name: "log level", snippet: "log: { level: trace }",
			want: []string{`log.level: must be debug, info, warn or error, got "trace"`}},
		{name: "log format", snippet: "log: { format: xml }",
			want: []string{`log.format: must be json or text (or empty for text on a terminal), got "xml"`}},
	})
}

func TestRulesPolicies(t *testing.T) {
	runRules(t, []rule{
		{name: "access token ttl zero", snippet: "tokens: { access_token_ttl: 0s }",
			want: []string{"tokens.access_token_ttl: must be longer than 0s"}},
		{name: "id token ttl negative", snippet: "tokens: { id_token_ttl: -1h }",
			want: []string{"tokens.id_token_ttl: must be longer than 0s"}},
		{name: "refresh token ttl zero", snippet: "tokens: { refresh_token_ttl: 0s }",
			want: []string{"tokens.refresh_token_ttl: must be longer than 0s"}},
		{name: "min length too small", snippet: "login: { password_policy: { min_length: 0 } }",
			want: []string{"login.password_policy.min_length: must be between 1 and 128, got 0"}},
		{name: "min length too large", snippet: "login: { password_policy: { min_length: 129 } }",
			want: []string{"login.password_policy.min_length: must be between 1 and 128, got 129"}},
		{name: "max attempts too small", snippet: "login: { brute_force: { max_attempts: 0 } }",
			want: []string{"login.brute_force.max_attempts: must be between 1 and 100, got 0"}},
		{name: "max attempts too large", snippet: "login: { brute_force: { max_attempts: 101 } }",
			want: []string{"login.brute_force.max_attempts: must be between 1 and 100, got 101"}},
		{name: "block for zero", snippet: "login: { brute_force: { block_for: 0s } }",
			want: []string{"login.brute_force.block_for: must be longer than 0s"}},
		{name: "session ttl zero", snippet: "login: { session_ttl: 0s }",
			want: []string{"login.session_ttl: must be longer than 0s"}},
		{name: "rp id with scheme", snippet: "passkeys: { rp_id: https://login.example.com }",
			want: []string{"passkeys.rp_id: must be a host name such as example.com (no scheme, port or path)"}},
		{name: "origin off the rp id", snippet: "passkeys: { origins: [https://evil.example.net] }",
			want: []string{"passkeys.origins[0]: host must be passkeys.rp_id (login.example.com) or a subdomain of it"}},
		{name: "origin over http", snippet: "passkeys: { origins: [http://login.example.com] }",
			want: []string{"passkeys.origins[0]: must use https (http only for localhost, 127.0.0.1 and [::1])"}},
		{name: "origin with a path", snippet: "passkeys: { origins: [https://login.example.com/u] }",
			want: []string{"passkeys.origins[0]: must be scheme://host[:port] with no path, query or fragment"}},
		{name: "secrets required", snippet: "secrets: {}", want: []string{
			"secrets.encryption_key: is required (generate one with: openssl rand -base64 32)",
			"secrets.cookie_key: is required (generate one with: openssl rand -base64 32)"}},
		{name: "key too short", snippet: "secrets: { encryption_key: " + hexKey + ", cookie_key: c2hvcnQ= }",
			want: []string{"secrets.cookie_key: must be 32 bytes written as base64 or as 64 hex characters"}},
		{name: "key not base64 or hex", snippet: "secrets: { encryption_key: '" + strings.Repeat("z!", 32) + "', cookie_key: " + hexKey + " }",
			want: []string{"secrets.encryption_key: must be 32 bytes written as base64 or as 64 hex characters"}},
		{name: "old key bad", snippet: "secrets: { encryption_key: " + hexKey + ", cookie_key: " + hexKey + ", old_encryption_keys: [" + b64Key + ", abc] }",
			want: []string{"secrets.old_encryption_keys[1]: must be 32 bytes written as base64 or as 64 hex characters"}},
	})
}

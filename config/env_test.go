package config_test

import (
	"testing"
	"time"
)

// TestLoadExpandsEnvironment: ${NAME} works in every kind of scalar, after
// parsing (so a value cannot inject YAML), including quoted inside flow maps.
func TestLoadExpandsEnvironment(t *testing.T) {
	vars := map[string]string{
		"HOST":     "login.example.com",
		"PORT":     "9500",
		"ATTEMPTS": "5",
		"SIGNUP":   "false",
		"TTL":      "2h",
		"SECRET":   "0123456789abcdef-secret",
		"SHARED":   "a: b\nc: [d]", // stays one string value
		"KEY":      hexKey,
	}
	c := mustLoad(t, `
issuer: https://${HOST}/
listen: 127.0.0.1:${PORT}
login: { signup: "${SIGNUP}", brute_force: { max_attempts: "${ATTEMPTS}" } }
tokens:
  access_token_ttl: ${TTL}
secrets: { encryption_key: "${KEY}", cookie_key: "${KEY}" }
clients:
  - { client_id: w, app_type: non_interactive, client_secret: "${SECRET}", metadata: { host: "${HOST}", literal: "$${HOST}" } }
actions:
  post-login:
    - { name: a, file: a.js, secrets: { SHARED: "${SHARED}", PRICE: "$5" } }
`, vars)
	checks := []struct {
		name      string
		got, want any
	}{
		{"issuer", c.Issuer, "https://login.example.com/"},
		{"listen", c.Listen, "127.0.0.1:9500"},
		{"signup", c.Login.Signup, false},
		{"max_attempts", c.Login.BruteForce.MaxAttempts, 5},
		{"access_token_ttl", c.Tokens.AccessTokenTTL, 2 * time.Hour},
		{"client_secret", c.Clients[0].ClientSecret, vars["SECRET"]},
		{"metadata", c.Clients[0].Metadata["host"], "login.example.com"},
		{"escaped", c.Clients[0].Metadata["literal"], "${HOST}"},
		{"action secret", c.Actions.PostLogin[0].Secrets["SHARED"], vars["SHARED"]},
		{"lone $", c.Actions.PostLogin[0].Secrets["PRICE"], "$5"},
		{"key", len(c.Secrets.EncryptionKey), 32},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

// TestLoadEnvironmentTypeErrors: an expanded value is checked like a
// literal one, and the problem names the key.
func TestLoadEnvironmentTypeErrors(t *testing.T) {
	runRules(t, []rule{
		{name: "not an integer", snippet: "login: { brute_force: { max_attempts: \"${N}\" } }", env: map[string]string{"N": "many"},
			want: []string{"login.brute_force.max_attempts: must be an integer"}},
		{name: "unset in a flow map", snippet: "actions: { post-login: [ { name: a, file: a.js, secrets: { K: \"${UNSET}\" } } ] }",
			want: []string{"actions.post-login[0].secrets.K: environment variable UNSET is not set"}},
		{name: "unset in a list", snippet: "trusted_proxies: [\"${P1}\", \"${P2}\"]", env: map[string]string{"P1": "10.0.0.1"},
			want: []string{"trusted_proxies[1]: environment variable P2 is not set"}},
		{name: "empty key", snippet: "secrets: { encryption_key: \"${E}\", cookie_key: \"${E}\" }", env: map[string]string{"E": ""},
			want: []string{
				"secrets.encryption_key: must be 32 bytes written as base64 or as 64 hex characters",
				"secrets.cookie_key: must be 32 bytes written as base64 or as 64 hex characters"}},
	})
}

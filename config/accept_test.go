package config_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"

	"github.com/authd/authd/config"
)

// TestLoadAccepts: values at the edge of each rule that must load.
func TestLoadAccepts(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, 32) // encodes differently in std and url base64
	tests := []struct{ name, snippet string }{
		{"issuer on 127.0.0.1 over http", "issuer: http://127.0.0.1:9400/"},
		{"issuer on [::1] over http", "issuer: http://[::1]:9400"},
		{"issuer with a path", "issuer: https://example.com/auth/"},
		{"listen on all interfaces", "listen: :9400"},
		{"keys as url-safe base64 and unpadded base64", "secrets: { encryption_key: " + base64.URLEncoding.EncodeToString(key) +
			", cookie_key: " + base64.RawStdEncoding.EncodeToString(key) + " }"},
		{"postgres key=value dsn", "storage: { driver: postgres, dsn: 'host=db user=authd dbname=authd' }"},
		{"postgresql:// dsn", "storage: { driver: postgres, dsn: 'postgresql://authd@db/authd' }"},
		{"other algorithms", "signing: { algorithm: EdDSA }"},
		{"null values keep defaults", "listen: ~\nlogin: { signup: }\ntokens:"},
		{"native private-scheme redirect", "clients: [ { client_id: n, app_type: native, redirect_uris: ['com.example.app:/cb', 'http://127.0.0.1/cb'] } ]"},
		{"regular_web with client_credentials",
			"clients: [ { client_id: r, app_type: regular_web, client_secret: 0123456789abcdef, redirect_uris: [https://a.example.com/cb], grant_types: [authorization_code, client_credentials] } ]\n" +
				"apis: [ { identifier: api, scopes: [a] } ]\nclient_grants: [ { client_id: r, audience: api, scope: [a] } ]"},
		{"passkey origin on a subdomain", "passkeys: { rp_id: example.com, origins: [https://login.example.com, https://example.com] }"},
		{"limits reached exactly", "login: { password_policy: { min_length: 128 }, brute_force: { max_attempts: 100 } }\nactions: { timeout: 60s }"},
		{"anchors and aliases", "clients:\n  - { client_id: a, app_type: spa, redirect_uris: &u [https://a.example.com/cb] }\n  - { client_id: b, app_type: spa, redirect_uris: *u }"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustLoad(t, withBase(t, tt.snippet), nil)
		})
	}
}

// TestLogValueHidesSecrets: logging config values never prints keys,
// client secrets or action secrets.
func TestLogValueHidesSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("config",
		"secrets", config.Secrets{EncryptionKey: []byte("0123456789abcdef0123456789abcdef"), CookieKey: []byte("cookie-key-cookie-key-cookie-key")},
		"client", config.Client{ClientID: "w", AppType: "non_interactive", ClientSecret: "very-secret-value"},
		"action", config.Action{Name: "a", Secrets: map[string]string{"K": "action-secret-value"}, Source: []byte("source-code")},
	)
	out := buf.String()
	for _, leak := range []string{"0123456789abcdef", "cookie-key", "very-secret-value", "action-secret-value", "source-code"} {
		if strings.Contains(out, leak) {
			t.Errorf("log output contains %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "client.client_id=w") {
		t.Errorf("log output lacks the client id: %s", out)
	}
}

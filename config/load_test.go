package config_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/config"
)

func TestLoadDefaults(t *testing.T) {
	c := mustLoad(t, withBase(t, `
clients:
  - { client_id: spa, app_type: spa, redirect_uris: ["https://app.example.com/cb"] }
  - { client_id: worker, app_type: non_interactive, client_secret: 0123456789abcdef }
apis:
  - { identifier: "https://api.example.com" }
tokens: { access_token_ttl: 1h }
`), nil)
	dir := filepath.Dir(c.Path)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Path", c.Path, filepath.Join(dir, "authd.yaml")},
		{"Dev", c.Dev, false},
		{"Listen", c.Listen, "127.0.0.1:9400"},
		{"Storage", c.Storage, config.Storage{Driver: "sqlite", DSN: filepath.Join(dir, "authd.db")}},
		{"Signing", c.Signing.Algorithm, "RS256"},
		{"Tokens", c.Tokens, config.Tokens{AccessTokenTTL: time.Hour, IDTokenTTL: 10 * time.Hour,
			RefreshTokenTTL: 720 * time.Hour, RefreshTokenRotation: true}},
		{"Login", c.Login, config.Login{Signup: true, PasswordPolicy: config.PasswordPolicy{MinLength: 8},
			BruteForce: config.BruteForce{MaxAttempts: 10, BlockFor: 15 * time.Minute}, SessionTTL: 72 * time.Hour}},
		{"TOTP issuer", c.MFA.TOTP.Issuer, "authd"},
		{"Passkeys", c.Passkeys, config.Passkeys{RPID: "login.example.com", RPDisplayName: "authd",
			Origins: []string{"https://login.example.com"}}},
		{"GeoIP", c.GeoIP.Database, ""},
		{"Secrets", len(c.Secrets.EncryptionKey) + len(c.Secrets.CookieKey), 64},
		{"client name", c.Clients[0].Name, "spa"},
		{"spa grant types", c.Clients[0].GrantTypes, []string{"authorization_code", "refresh_token"}},
		{"worker grant types", c.Clients[1].GrantTypes, []string{"client_credentials"}},
		{"api name", c.APIs[0].Name, "https://api.example.com"},
		{"api token lifetime = access_token_ttl", c.APIs[0].TokenLifetime, time.Hour},
		{"api offline", c.APIs[0].AllowOfflineAccess, false},
		{"actions", c.Actions, config.Actions{Timeout: 20 * time.Second, Fetch: config.Fetch{Timeout: 10 * time.Second}}},
		{"Log", c.Log, config.Log{Level: "info"}},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadNormalizes(t *testing.T) {
	c := mustLoad(t, withBase(t, `
issuer: http://localhost:9400
trusted_proxies: [10.0.0.1, "::1", 192.168.0.0/16]
clients:
  - { client_id: spa, app_type: spa, redirect_uris: ["http://127.0.0.1:3000/cb"], allowed_origins: ["http://localhost:3000/"] }
  - { client_id: app, app_type: native, redirect_uris: ["com.example.app:/cb", "http://[::1]/cb"] }
`), nil)
	if c.Issuer != "http://localhost:9400/" {
		t.Errorf("Issuer = %q, want a trailing /", c.Issuer)
	}
	if want := []string{"10.0.0.1/32", "::1/128", "192.168.0.0/16"}; !reflect.DeepEqual(c.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %q, want %q", c.TrustedProxies, want)
	}
	if got := c.Clients[0].AllowedOrigins; !reflect.DeepEqual(got, []string{"http://localhost:3000"}) {
		t.Errorf("AllowedOrigins = %q, want the trailing / dropped", got)
	}
	if c.Passkeys.RPID != "localhost" || !reflect.DeepEqual(c.Passkeys.Origins, []string{"http://localhost:9400"}) {
		t.Errorf("Passkeys = %+v, want rp localhost on the issuer origin", c.Passkeys)
	}
}

func TestLoadResolvesPaths(t *testing.T) {
	tests := []struct {
		dsn  string
		want func(dir string) string
	}{
		{"data/x.db", func(dir string) string { return filepath.Join(dir, "data", "x.db") }},
		{"file:x.db?_pragma=busy_timeout(1000)", func(dir string) string {
			return "file:" + filepath.ToSlash(filepath.Join(dir, "x.db")) + "?_pragma=busy_timeout(1000)"
		}},
		{"/var/lib/authd/authd.db", func(string) string { return "/var/lib/authd/authd.db" }},
		{"file:/var/lib/authd.db", func(string) string { return "file:/var/lib/authd.db" }},
		{":memory:", func(string) string { return ":memory:" }},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			c := mustLoad(t, withBase(t, "storage: { dsn: '"+tt.dsn+"' }"), nil)
			if want := tt.want(filepath.Dir(c.Path)); c.Storage.DSN != want {
				t.Errorf("DSN = %q, want %q", c.Storage.DSN, want)
			}
		})
	}

	t.Run("files", func(t *testing.T) {
		path := writeConfig(t, withBase(t, `
tls: { cert_file: tls/cert.pem, key_file: tls/key.pem }
geoip: { database: geo/City.mmdb }
actions: { post-login: [ { name: sub, file: js/sub.js } ] }
storage: { driver: postgres, dsn: "postgres://u@db/authd" }
`))
		dir := filepath.Dir(path)
		for _, f := range []string{"tls/cert.pem", "tls/key.pem", "geo/City.mmdb"} {
			writeFile(t, filepath.Join(dir, f), "x")
		}
		writeFile(t, filepath.Join(dir, "js/sub.js"), "exports.onExecutePostLogin = async () => {};")
		// Load from another working folder: paths follow the file, not the cwd.
		t.Chdir(t.TempDir())
		c, err := config.Load(path, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{c.TLS.CertFile, c.TLS.KeyFile, c.GeoIP.Database, c.Actions.PostLogin[0].File, c.Storage.DSN}
		want := []string{filepath.Join(dir, "tls/cert.pem"), filepath.Join(dir, "tls/key.pem"),
			filepath.Join(dir, "geo/City.mmdb"), filepath.Join(dir, "js/sub.js"), "postgres://u@db/authd"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("paths = %q, want %q", got, want)
		}
		if src := string(c.Actions.PostLogin[0].Source); !strings.Contains(src, "onExecutePostLogin") {
			t.Errorf("Source = %q, want the file's content", src)
		}
	})
}

func TestLoadActionSourceLimit(t *testing.T) {
	path := writeConfig(t, withBase(t, "actions: { post-login: [ { name: big, file: big.js } ] }"))
	writeFile(t, filepath.Join(filepath.Dir(path), "big.js"), strings.Repeat("/", config.MaxActionSource+1))
	_, err := config.Load(path, env(nil))
	want := "actions.post-login[0].file: must be at most 102400 bytes, is 102401"
	if err == nil || err.Error() != want {
		t.Errorf("Load = %v, want %q", err, want)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	yaml := `issuer: http://login.example.com
listen: nowhere
clients:
  - client_id: a
    app_type: spa
    redirect_uris: ["https://a.example.com/cb#frag"]
    colour: blue
log: { level: loud }
`
	got := problems(t, yaml, nil)
	want := []string{
		"issuer: must use https (http only for localhost, 127.0.0.1 and [::1])",
		"listen: must be host:port, e.g. 127.0.0.1:9400 or :9400",
		"clients[0].redirect_uris[0]: must be an absolute URL without a fragment",
		"clients[0].colour: unknown key",
		`log.level: must be debug, info, warn or error, got "loud"`,
		"secrets.encryption_key: is required (generate one with: openssl rand -base64 32)",
		"secrets.cookie_key: is required (generate one with: openssl rand -base64 32)",
	}
	if !matchLines(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	// Each problem points at its line in the file.
	_, err := config.Load(writeConfig(t, yaml), env(nil))
	var errs *config.Errors
	errors.As(err, &errs)
	lines := map[string]int{}
	for _, p := range errs.Problems {
		lines[p.Path] = p.Line
	}
	wantLines := map[string]int{"issuer": 1, "listen": 2, "clients[0].colour": 7,
		"clients[0].redirect_uris[0]": 6, "log.level": 8, "secrets.cookie_key": 0}
	for path, line := range wantLines {
		if lines[path] != line {
			t.Errorf("line of %s = %d, want %d", path, lines[path], line)
		}
	}
}

func TestLoadFileProblems(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not YAML", "issuer: [", "parse "},
		{"two documents", baseKeys["issuer"] + "\n---\nlisten: :1\n", "the file must hold a single YAML document"},
		{"top level not a mapping", "- a\n- b\n", "must be a mapping of keys"},
		{"empty file", "", "issuer: is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.yaml, nil)
			if len(got) == 0 || !strings.Contains(got[0], tt.want) {
				t.Errorf("problems = %q, want the first to contain %q", got, tt.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
		var errs *config.Errors
		if !errors.As(err, &errs) || !strings.HasPrefix(err.Error(), "read config: open ") {
			t.Errorf("Load = %v, want a *config.Errors about the missing file", err)
		}
	})
}

// TestExampleConfig proves config.example.yaml loads as shipped, given the
// environment variables it references.
func TestExampleConfig(t *testing.T) {
	vars := map[string]string{
		"AUTHD_ENCRYPTION_KEY": hexKey,
		"AUTHD_COOKIE_KEY":     b64Key,
		"MY_WEB_SECRET":        "web-secret-0123456789",
		"WORKER_SECRET":        "worker-secret-0123456789",
		"SHARED":               "s3cret",
	}
	c, err := config.Load(filepath.Join("..", "config.example.yaml"), env(vars))
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if len(c.Actions.PostLogin) != 2 || len(c.Actions.PostLogin[0].Source) == 0 {
		t.Errorf("actions = %+v, want two with source", c.Actions.PostLogin)
	}
	if got := c.Actions.PostLogin[0].Secrets["MY_SHARED_SECRET"]; got != "s3cret" {
		t.Errorf("action secret = %q, want the expanded ${SHARED}", got)
	}
	if cl, ok := c.Client("backend-worker"); !ok || cl.ClientSecret != vars["WORKER_SECRET"] {
		t.Errorf("backend-worker = %+v, want its secret from ${WORKER_SECRET}", cl)
	}

	// Every ${NAME} the example uses is required: dropping one names its key.
	delete(vars, "SHARED")
	_, err = config.Load(filepath.Join("..", "config.example.yaml"), env(vars))
	if want := "actions.post-login[0].secrets.MY_SHARED_SECRET: environment variable SHARED is not set"; err == nil || err.Error() != want {
		t.Errorf("without SHARED: %v, want %q", err, want)
	}
}

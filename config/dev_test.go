package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/authd/authd/config"
)

func TestDevIsValid(t *testing.T) {
	dir := t.TempDir()
	c := config.Dev(dir)
	if err := c.Validate(); err != nil {
		t.Fatalf("Dev(dir).Validate() = %v", err)
	}
	s, err := config.LoadOrCreateDevSecrets(config.DevSecretsPath(dir), bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	c.Secrets = s
	if err := c.Validate(); err != nil {
		t.Fatalf("Dev with secrets: Validate() = %v", err)
	}
}

func TestDevMatchesInterface(t *testing.T) {
	dir := t.TempDir()
	c := config.Dev(dir)
	cl, ok := c.Client("authd-dev")
	if !ok {
		t.Fatal("no authd-dev client")
	}
	api, ok := c.API("http://localhost:9400/api/dev")
	if !ok {
		t.Fatal("no dev API")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Dev", c.Dev, true},
		{"Path", c.Path, ""},
		{"Issuer", c.Issuer, "http://localhost:9400/"},
		{"Listen", c.Listen, "127.0.0.1:9400"},
		{"Storage", c.Storage, config.Storage{Driver: "sqlite", DSN: filepath.Join(dir, "authd.db")}},
		{"Signup", c.Login.Signup, true},
		{"client", *cl, config.Client{ClientID: "authd-dev", Name: "authd dev", AppType: "spa",
			GrantTypes: []string{"authorization_code", "refresh_token"}, DevLocalhost: true}},
		{"api", *api, config.API{Identifier: "http://localhost:9400/api/dev", Name: "Dev API",
			Scopes: []string{"read:dev", "write:dev"}, AllowOfflineAccess: true, TokenLifetime: c.Tokens.AccessTokenTTL}},
		{"Passkeys", c.Passkeys, config.Passkeys{RPID: "localhost", RPDisplayName: "authd", Origins: []string{"http://localhost:9400"}}},
		{"defaults", c.Tokens.RefreshTokenRotation && c.Login.BruteForce.MaxAttempts == 10, true},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestValidateCodeBuiltConfig(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *config.Config)
		want   string
	}{
		{"issuer without trailing slash", func(c *config.Config) { c.Issuer = "http://localhost:9400" },
			"issuer: must end with /"},
		{"redirect uris needed without DevLocalhost", func(c *config.Config) { c.Clients[0].DevLocalhost = false },
			"clients[0].redirect_uris: is required for spa clients"},
		{"secrets required outside dev", func(c *config.Config) { c.Dev = false },
			"secrets.encryption_key: is required (generate one with: openssl rand -base64 32)\n" +
				"secrets.cookie_key: is required (generate one with: openssl rand -base64 32)"},
		{"dev secrets still 32 bytes", func(c *config.Config) { c.Secrets.CookieKey = []byte("short") },
			"secrets.cookie_key: must be 32 bytes written as base64 or as 64 hex characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Dev(t.TempDir())
			tt.modify(c)
			err := c.Validate()
			var errs *config.Errors
			if !errors.As(err, &errs) || err.Error() != tt.want {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLoadOrCreateDevSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", config.DevSecretsFile)
	first, err := config.LoadOrCreateDevSecrets(path, bytes.NewReader(append(bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)...)))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.EncryptionKey) != 32 || len(first.CookieKey) != 32 || bytes.Equal(first.EncryptionKey, first.CookieKey) {
		t.Fatalf("secrets = %x / %x, want two different 32-byte keys", first.EncryptionKey, first.CookieKey)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %v, want 0600", perm)
	}
	// Second start: the same keys, rand not consulted.
	again, err := config.LoadOrCreateDevSecrets(path, iotest.ErrReader(errors.New("rand must not be read")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, first) {
		t.Errorf("second start = %+v, want the stored keys %+v", again, first)
	}
}

func TestLoadOrCreateDevSecretsErrors(t *testing.T) {
	t.Run("broken rand", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.json")
		_, err := config.LoadOrCreateDevSecrets(path, iotest.ErrReader(errors.New("no entropy")))
		if err == nil || !strings.Contains(err.Error(), "no entropy") {
			t.Errorf("err = %v, want the rand error", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("file was written despite the rand error")
		}
	})
	t.Run("corrupt file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.json")
		writeFile(t, path, `{"encryption_key": "short", "cookie_key": "short"}`)
		_, err := config.LoadOrCreateDevSecrets(path, bytes.NewReader(make([]byte, 64)))
		if err == nil || !strings.Contains(err.Error(), "encryption_key must be 32 bytes") {
			t.Errorf("err = %v, want a complaint about encryption_key", err)
		}
	})
}

func TestFind(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct {
		name     string
		explicit string
		file     bool // ./authd.yaml exists
		wantPath string
		wantDev  bool
	}{
		{"nothing: dev mode", "", false, "", true},
		{"explicit wins even if missing", "other.yaml", false, "other.yaml", false},
		{"./authd.yaml", "", true, "authd.yaml", false},
		{"explicit wins over ./authd.yaml", "other.yaml", true, "other.yaml", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove("authd.yaml")
			if tt.file {
				writeFile(t, "authd.yaml", "issuer: https://x.example.com/\n")
			}
			path, dev := config.Find(tt.explicit)
			if path != tt.wantPath || dev != tt.wantDev {
				t.Errorf("Find(%q) = %q, %v; want %q, %v", tt.explicit, path, dev, tt.wantPath, tt.wantDev)
			}
		})
	}
}

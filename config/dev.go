package config

import (
	"os"
	"path/filepath"
)

// Dev mode constants (interface.md §1).
const (
	DevIssuer   = "http://localhost:9400/"
	DevClientID = "authd-dev"
	DevAPI      = "http://localhost:9400/api/dev"
	// DevSecretsFile is the name of the generated secrets file, next to
	// the dev database.
	DevSecretsFile = DefaultSQLiteFile + ".secrets.json"
)

// Dev returns the built-in configuration used when no config file is given:
// a local issuer, a SQLite file in dir, signup on, one SPA client that
// accepts any http://localhost:* redirect URI and origin, and one API. Its
// Secrets are empty: fill them with LoadOrCreateDevSecrets(DevSecretsPath(dir)).
func Dev(dir string) *Config {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	c := defaults()
	c.Dev = true
	c.Issuer = DevIssuer
	c.Storage.DSN = filepath.Join(dir, DefaultSQLiteFile)
	c.Login.Signup = true
	c.Passkeys = Passkeys{
		RPID:          "localhost",
		RPDisplayName: "authd",
		Origins:       []string{"http://localhost:9400"},
	}
	c.Clients = []Client{{
		ClientID:     DevClientID,
		Name:         "authd dev",
		AppType:      "spa",
		GrantTypes:   []string{"authorization_code", "refresh_token"},
		DevLocalhost: true,
	}}
	c.APIs = []API{{
		Identifier:         DevAPI,
		Name:               "Dev API",
		Scopes:             []string{"read:dev", "write:dev"},
		AllowOfflineAccess: true,
		TokenLifetime:      c.Tokens.AccessTokenTTL,
	}}
	return &c
}

// DevSecretsPath is where dev mode keeps its generated secrets for a
// database in dir.
func DevSecretsPath(dir string) string {
	return filepath.Join(dir, DevSecretsFile)
}

// Find decides which configuration to run: an explicit --config path wins;
// otherwise ./authd.yaml when it exists; otherwise dev mode. Dev mode never
// runs when a config file is given, even one that does not exist (Load
// then reports it).
func Find(explicit string) (path string, dev bool) {
	if explicit != "" {
		return explicit, false
	}
	if fi, err := os.Stat("authd.yaml"); err == nil && !fi.IsDir() {
		return "authd.yaml", false
	}
	return "", true
}

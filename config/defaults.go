package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Defaults that other packages may want to show or compare against.
const (
	DefaultListen = "127.0.0.1:9400"
	// DefaultSQLiteFile is the database file name, next to the config file
	// (or in the working folder in dev mode).
	DefaultSQLiteFile = "authd.db"
)

// defaults returns a Config holding every default that does not depend on
// another value. Decoding overwrites what the file sets.
func defaults() Config {
	return Config{
		Listen:  DefaultListen,
		Storage: Storage{Driver: "sqlite"},
		Signing: Signing{Algorithm: "RS256"},
		Tokens: Tokens{
			AccessTokenTTL:       24 * time.Hour,
			IDTokenTTL:           10 * time.Hour,
			RefreshTokenTTL:      720 * time.Hour,
			RefreshTokenRotation: true,
		},
		Login: Login{
			Signup:         true,
			PasswordPolicy: PasswordPolicy{MinLength: 8},
			BruteForce:     BruteForce{MaxAttempts: 10, BlockFor: 15 * time.Minute},
			SessionTTL:     72 * time.Hour,
		},
		MFA:      MFA{TOTP: TOTP{Issuer: "authd"}},
		Passkeys: Passkeys{RPDisplayName: "authd"},
		Actions: Actions{
			Timeout: 20 * time.Second,
			Fetch:   Fetch{Timeout: 10 * time.Second},
		},
		Log: Log{Level: "info"},
	}
}

// complete fills the defaults that depend on other values and normalizes
// values whose syntax is right, so that Validate and the server see one
// spelling. Values with bad syntax are left for Validate to report.
func (c *Config) complete() {
	// The issuer is compared byte for byte by relying parties, so it gets
	// one spelling: with the trailing "/" (Auth0's form).
	if c.Issuer != "" && !strings.HasSuffix(c.Issuer, "/") && !strings.ContainsAny(c.Issuer, "?#") {
		c.Issuer += "/"
	}
	for i, p := range c.TrustedProxies {
		c.TrustedProxies[i] = normalizeCIDR(p)
	}
	if iss, ok := parseIssuer(c.Issuer); ok {
		if c.Passkeys.RPID == "" {
			c.Passkeys.RPID = iss.Hostname()
		}
		if c.Passkeys.Origins == nil {
			c.Passkeys.Origins = []string{iss.Scheme + "://" + iss.Host}
		}
	}
	for i, o := range c.Passkeys.Origins {
		c.Passkeys.Origins[i] = strings.TrimSuffix(o, "/")
	}
	if c.MFA.TOTP.Issuer == "" {
		c.MFA.TOTP.Issuer = "authd"
	}
	if c.Passkeys.RPDisplayName == "" {
		c.Passkeys.RPDisplayName = "authd"
	}
	for i := range c.Clients {
		cl := &c.Clients[i]
		if cl.Name == "" {
			cl.Name = cl.ClientID
		}
		if len(cl.GrantTypes) == 0 {
			cl.GrantTypes = defaultGrantTypes(cl.AppType)
		}
		for j, o := range cl.AllowedOrigins {
			cl.AllowedOrigins[j] = strings.TrimSuffix(o, "/")
		}
	}
	for i := range c.APIs {
		a := &c.APIs[i]
		if a.Name == "" {
			a.Name = a.Identifier
		}
		if a.TokenLifetime == 0 {
			a.TokenLifetime = c.Tokens.AccessTokenTTL
		}
	}
}

func defaultGrantTypes(appType string) []string {
	switch appType {
	case "non_interactive":
		return []string{"client_credentials"}
	case "spa", "native", "regular_web":
		return []string{"authorization_code", "refresh_token"}
	}
	return nil
}

// resolvePaths makes every relative path absolute against dir, the config
// file's folder, so the server does not depend on its working folder.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.TLS.CertFile = abs(c.TLS.CertFile)
	c.TLS.KeyFile = abs(c.TLS.KeyFile)
	c.GeoIP.Database = abs(c.GeoIP.Database)
	for i := range c.Actions.PostLogin {
		c.Actions.PostLogin[i].File = abs(c.Actions.PostLogin[i].File)
	}
	if c.Storage.Driver == "sqlite" {
		if c.Storage.DSN == "" {
			c.Storage.DSN = DefaultSQLiteFile
		}
		c.Storage.DSN = resolveSQLite(c.Storage.DSN, abs)
	}
}

// resolveSQLite resolves the file of a SQLite DSN: a plain path, or a
// "file:" URI whose path is relative ("file:authd.db?_pragma=..."). URIs
// with an authority ("file:///...") and ":memory:" are kept as written.
func resolveSQLite(dsn string, abs func(string) string) string {
	if dsn == ":memory:" {
		return dsn
	}
	rest, isURI := strings.CutPrefix(dsn, "file:")
	if !isURI {
		return abs(dsn)
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "/") {
		return dsn
	}
	out := "file:" + filepath.ToSlash(abs(path))
	if hasQuery {
		out += "?" + query
	}
	return out
}

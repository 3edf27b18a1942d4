package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// Validate checks every rule that involves only the values in c (no files,
// no environment) and returns a *Errors listing all problems, or nil. Load
// runs it; callers that build a Config in code (dev mode, tests) can too.
func (c *Config) Validate() error {
	var e Errors
	c.validate(&e)
	return e.err()
}

func (c *Config) validate(e *Errors) {
	c.validateServer(e)
	c.validatePolicies(e)
	c.validatePasskeys(e)
	c.validateSecrets(e)
	c.validateClients(e)
	c.validateAPIs(e)
	c.validateClientGrants(e)
	c.validateRoles(e)
	c.validateActions(e)
}

func (c *Config) validateServer(e *Errors) {
	if c.Issuer == "" {
		e.add(0, "issuer", "is required")
	} else if msg := issuerProblem(c.Issuer); msg != "" {
		e.add(0, "issuer", "%s", msg)
	}
	if !validHostPort(c.Listen) {
		e.add(0, "listen", "must be host:port, e.g. 127.0.0.1:9400 or :9400")
	}
	switch {
	case c.TLS.CertFile != "" && c.TLS.KeyFile == "":
		e.add(0, "tls.key_file", "is required when tls.cert_file is set")
	case c.TLS.CertFile == "" && c.TLS.KeyFile != "":
		e.add(0, "tls.cert_file", "is required when tls.key_file is set")
	}
	for i, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			e.add(0, fmt.Sprintf("trusted_proxies[%d]", i), "must be an IP address or CIDR, got %q", p)
		}
	}
	switch c.Storage.Driver {
	case "sqlite":
		if c.Storage.DSN == "" {
			e.add(0, "storage.dsn", "is required")
		}
	case "postgres":
		if c.Storage.DSN == "" {
			e.add(0, "storage.dsn", "is required for postgres")
		} else if !strings.HasPrefix(c.Storage.DSN, "postgres://") &&
			!strings.HasPrefix(c.Storage.DSN, "postgresql://") && !strings.Contains(c.Storage.DSN, "=") {
			e.add(0, "storage.dsn", "must be a postgres:// URL or a key=value connection string")
		}
	default:
		e.add(0, "storage.driver", "must be sqlite or postgres, got %q", c.Storage.Driver)
	}
	switch c.Signing.Algorithm {
	case "RS256", "ES256", "EdDSA":
	default:
		e.add(0, "signing.algorithm", "must be RS256, ES256 or EdDSA, got %q", c.Signing.Algorithm)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		e.add(0, "log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "", "json", "text":
	default:
		e.add(0, "log.format", "must be json or text (or empty for text on a terminal), got %q", c.Log.Format)
	}
}

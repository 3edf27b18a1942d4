package config

import (
	"fmt"
	"net/netip"
	"net/url"
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

// validatePasskeys checks the WebAuthn relying party: browsers only accept
// a credential for rp_id on an origin whose host is rp_id or a subdomain of
// it, and only in a secure context (https, or http on localhost).
func (c *Config) validatePasskeys(e *Errors) {
	p := c.Passkeys
	if p.RPID == "" {
		if _, ok := parseIssuer(c.Issuer); ok {
			e.add(0, "passkeys.rp_id", "is required")
		}
		return
	}
	if !validDomain(p.RPID) {
		e.add(0, "passkeys.rp_id", "must be a host name such as example.com (no scheme, port or path)")
		return
	}
	if p.RPDisplayName == "" {
		e.add(0, "passkeys.rp_display_name", "is required")
	}
	for i, o := range p.Origins {
		path := fmt.Sprintf("passkeys.origins[%d]", i)
		if msg := originProblem(o); msg != "" {
			e.add(0, path, "%s", msg)
			continue
		}
		u, _ := url.Parse(o)
		host := u.Hostname()
		if u.Scheme == "http" && !isLoopbackHost(host) {
			e.add(0, path, "%s", msgHTTPS)
			continue
		}
		if host != p.RPID && !strings.HasSuffix(host, "."+p.RPID) {
			e.add(0, path, "host must be passkeys.rp_id (%s) or a subdomain of it", p.RPID)
		}
	}
}

// validDomain reports a DNS name or IP literal without port or scheme.
func validDomain(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if s == "" || len(s) > 253 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
		default:
			return false
		}
	}
	return !strings.Contains(s, "..")
}

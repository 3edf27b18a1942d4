package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

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

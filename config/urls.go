package config

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Reasons shared by several keys, so tests and users see one wording.
const (
	msgAbsURL     = "must be an absolute URL without a fragment"
	msgHTTPS      = "must use https (http only for localhost, 127.0.0.1 and [::1])"
	msgOrigin     = "must be scheme://host[:port] with no path, query or fragment"
	msgIssuerForm = "must be an absolute http(s) URL without query, fragment or user info"
)

// isLoopbackHost reports the hosts for which plain http is acceptable
// (RFC 8252 §7.3, and what browsers treat as a secure context).
func isLoopbackHost(host string) bool {
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// parseIssuer parses a valid issuer: absolute http(s) URL, https unless on
// a loopback host, no query, fragment or user info.
func parseIssuer(s string) (*url.URL, bool) {
	if issuerProblem(s) != "" {
		return nil, false
	}
	u, err := url.Parse(s)
	return u, err == nil
}

// issuerProblem says what is wrong with an issuer, "" if nothing.
func issuerProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
		return msgIssuerForm
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return msgHTTPS
	}
	if !strings.HasSuffix(u.Path, "/") {
		return "must end with /"
	}
	return ""
}

// redirectProblem says what is wrong with a redirect or logout URL. Native
// apps may use private-use schemes (RFC 8252 §7.1); everything else must be
// https, or http on a loopback host (§7.3).
func redirectProblem(s string, native bool) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Fragment != "" || strings.Contains(s, "#") {
		return msgAbsURL
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return msgAbsURL
		}
	case "http":
		if u.Host == "" {
			return msgAbsURL
		}
		if !isLoopbackHost(u.Hostname()) {
			return msgHTTPS
		}
	default:
		if !native {
			return msgHTTPS
		}
	}
	return ""
}

// originProblem says what is wrong with a web origin ("" if nothing).
func originProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return msgOrigin
	}
	return ""
}

// normalizeCIDR turns a bare IP into a one-address prefix and canonicalizes
// a CIDR; anything else is returned unchanged for Validate to reject.
func normalizeCIDR(s string) string {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return s
}

// validHostPort reports a listen address: "host:port" or ":port".
func validHostPort(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535 && !strings.HasPrefix(port, "+")
}

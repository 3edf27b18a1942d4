package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Auth0's limits (spec/post-login-actions.md §9).
const (
	MaxPostLoginActions  = 20
	MaxActionSecrets     = 30
	MaxActionSecretKey   = 128
	MaxActionSecretValue = 4096
	MaxActionSource      = 100 * 1024
)

var actionName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

func (c *Config) validateActions(e *Errors) {
	a := c.Actions
	if len(a.PostLogin) > MaxPostLoginActions {
		e.add(0, "actions.post-login", "must have at most %d actions, has %d", MaxPostLoginActions, len(a.PostLogin))
	}
	seen := map[string]int{}
	for i, act := range a.PostLogin {
		p := fmt.Sprintf("actions.post-login[%d]", i)
		j, dup := seen[act.Name]
		switch {
		case act.Name == "":
			e.add(0, p+".name", "is required")
		case !actionName.MatchString(act.Name):
			e.add(0, p+".name", "must match ^[a-zA-Z0-9_-]+$, got %q", act.Name)
		case dup:
			e.add(0, p+".name", "duplicate of actions.post-login[%d].name", j)
		}
		seen[act.Name] = i
		if act.File == "" {
			e.add(0, p+".file", "is required")
		}
		if len(act.Source) > MaxActionSource {
			e.add(0, p+".file", "must be at most %d bytes, is %d", MaxActionSource, len(act.Source))
		}
		validateActionSecrets(p+".secrets", act.Secrets, e)
	}
	durationRange("actions.timeout", a.Timeout, time.Second, time.Minute, e)
	durationRange("actions.fetch.timeout", a.Fetch.Timeout, 100*time.Millisecond, time.Minute, e)
	for i, h := range a.Fetch.AllowHosts {
		if !validFetchHost(h) {
			e.add(0, fmt.Sprintf("actions.fetch.allow_hosts[%d]", i),
				"must be a host name, *.domain, IP address or CIDR, got %q", h)
		}
	}
}

func validateActionSecrets(p string, secrets map[string]string, e *Errors) {
	if len(secrets) > MaxActionSecrets {
		e.add(0, p, "must have at most %d entries, has %d", MaxActionSecrets, len(secrets))
	}
	for _, k := range sortedKeys(secrets) {
		kp := p + "." + k
		switch {
		case k == "" || len(k) > MaxActionSecretKey:
			e.add(0, kp, "name must be 1 to %d characters", MaxActionSecretKey)
		case len(secrets[k]) > MaxActionSecretValue:
			e.add(0, kp, "must be at most %d characters", MaxActionSecretValue)
		}
	}
}

// validFetchHost accepts "example.com", "*.example.com", an IP or a CIDR.
func validFetchHost(h string) bool {
	if _, err := netip.ParsePrefix(h); err == nil {
		return true
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	return validDomain(strings.TrimPrefix(h, "*."))
}

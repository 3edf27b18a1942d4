package config

import (
	"fmt"
	"slices"
	"strings"
)

// Auth0's limits on client metadata.
const (
	maxClientMetadata    = 10
	maxClientMetadataLen = 255
	minClientSecretLen   = 16
)

var appTypes = []string{"spa", "regular_web", "native", "non_interactive"}

func (c *Config) validateClients(e *Errors) {
	seen := map[string]int{}
	for i := range c.Clients {
		cl := &c.Clients[i]
		p := fmt.Sprintf("clients[%d]", i)
		switch j, dup := seen[cl.ClientID]; {
		case cl.ClientID == "":
			e.add(0, p+".client_id", "is required")
		case dup:
			e.add(0, p+".client_id", "duplicate of clients[%d].client_id", j)
		case strings.ContainsAny(cl.ClientID, " \t\r\n"):
			e.add(0, p+".client_id", "must not contain whitespace")
		default:
			seen[cl.ClientID] = i
		}
		if !slices.Contains(appTypes, cl.AppType) {
			if cl.AppType == "" {
				e.add(0, p+".app_type", "is required (spa, regular_web, native or non_interactive)")
			} else {
				e.add(0, p+".app_type", "must be spa, regular_web, native or non_interactive, got %q", cl.AppType)
			}
			continue // the remaining rules depend on the app type
		}
		validateClient(p, cl, e)
	}
}

func validateClient(p string, cl *Client, e *Errors) {
	confidential := cl.AppType == "regular_web" || cl.AppType == "non_interactive"
	interactive := cl.AppType != "non_interactive"
	native := cl.AppType == "native"

	switch {
	case !confidential && cl.ClientSecret != "":
		e.add(0, p+".client_secret", "is not allowed for %s clients (they cannot keep a secret)", cl.AppType)
	case confidential && cl.ClientSecret == "":
		e.add(0, p+".client_secret", "is required for %s clients", cl.AppType)
	case confidential && len(cl.ClientSecret) < minClientSecretLen:
		e.add(0, p+".client_secret", "must be at least %d characters", minClientSecretLen)
	}

	switch {
	case !interactive && len(cl.RedirectURIs) > 0:
		e.add(0, p+".redirect_uris", "is not allowed for non_interactive clients")
	case interactive && len(cl.RedirectURIs) == 0 && !cl.DevLocalhost:
		e.add(0, p+".redirect_uris", "is required for %s clients", cl.AppType)
	}
	for j, u := range cl.RedirectURIs {
		if msg := redirectProblem(u, native); msg != "" {
			e.add(0, fmt.Sprintf("%s.redirect_uris[%d]", p, j), "%s", msg)
		}
	}
	for j, u := range cl.AllowedLogoutURLs {
		if msg := redirectProblem(u, native); msg != "" {
			e.add(0, fmt.Sprintf("%s.allowed_logout_urls[%d]", p, j), "%s", msg)
		}
	}
	for j, o := range cl.AllowedOrigins {
		if msg := originProblem(o); msg != "" {
			e.add(0, fmt.Sprintf("%s.allowed_origins[%d]", p, j), "%s", msg)
		}
	}

	seen := map[string]bool{}
	for j, g := range cl.GrantTypes {
		gp := fmt.Sprintf("%s.grant_types[%d]", p, j)
		switch {
		case seen[g]:
			e.add(0, gp, "duplicate grant type %q", g)
		case g != "authorization_code" && g != "refresh_token" && g != "client_credentials":
			e.add(0, gp, "must be authorization_code, refresh_token or client_credentials, got %q", g)
		case g == "client_credentials" && !confidential:
			e.add(0, gp, "client_credentials is only for confidential clients (regular_web, non_interactive)")
		case g != "client_credentials" && !interactive:
			e.add(0, gp, "non_interactive clients only use client_credentials")
		}
		seen[g] = true
	}

	if len(cl.Metadata) > maxClientMetadata {
		e.add(0, p+".metadata", "must have at most %d entries", maxClientMetadata)
	}
	for _, k := range sortedKeys(cl.Metadata) {
		kp := p + ".metadata." + k
		if k == "" || len(k) > maxClientMetadataLen {
			e.add(0, kp, "key must be 1 to %d characters", maxClientMetadataLen)
		} else if len(cl.Metadata[k]) > maxClientMetadataLen {
			e.add(0, kp, "must be at most %d characters", maxClientMetadataLen)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

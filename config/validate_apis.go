package config

import (
	"fmt"
	"slices"
	"strings"
)

func (c *Config) validateAPIs(e *Errors) {
	seen := map[string]int{}
	for i, a := range c.APIs {
		p := fmt.Sprintf("apis[%d]", i)
		switch j, dup := seen[a.Identifier]; {
		case a.Identifier == "":
			e.add(0, p+".identifier", "is required")
		case dup:
			e.add(0, p+".identifier", "duplicate of apis[%d].identifier", j)
		case strings.ContainsAny(a.Identifier, " \t\r\n"):
			e.add(0, p+".identifier", "must not contain whitespace")
		default:
			seen[a.Identifier] = i
		}
		scopes := map[string]bool{}
		for j, s := range a.Scopes {
			sp := fmt.Sprintf("%s.scopes[%d]", p, j)
			switch {
			case s == "":
				e.add(0, sp, "must not be empty")
			case strings.ContainsAny(s, " \t\r\n"):
				e.add(0, sp, "must not contain whitespace")
			case scopes[s]:
				e.add(0, sp, "duplicate scope %q", s)
			}
			scopes[s] = true
		}
		if a.TokenLifetime <= 0 {
			e.add(0, p+".token_lifetime", "must be longer than 0s")
		}
	}
}

// validateClientGrants checks the client_credentials authorizations: each
// names a confidential client allowed that grant, an API, and only scopes
// that API defines.
func (c *Config) validateClientGrants(e *Errors) {
	type pair struct{ client, audience string }
	seen := map[pair]int{}
	for i, g := range c.ClientGrants {
		p := fmt.Sprintf("client_grants[%d]", i)
		cl, ok := c.Client(g.ClientID)
		switch {
		case g.ClientID == "":
			e.add(0, p+".client_id", "is required")
		case !ok:
			e.add(0, p+".client_id", "no client has client_id %q", g.ClientID)
		case cl.Public():
			e.add(0, p+".client_id", "client %q is %s; only non_interactive and regular_web clients can use client_credentials", g.ClientID, cl.AppType)
		case !slices.Contains(cl.GrantTypes, "client_credentials"):
			e.add(0, p+".client_id", "client %q does not list client_credentials in grant_types", g.ClientID)
		}
		api, ok := c.API(g.Audience)
		switch {
		case g.Audience == "":
			e.add(0, p+".audience", "is required")
		case !ok:
			e.add(0, p+".audience", "no api has identifier %q", g.Audience)
		default:
			for j, s := range g.Scope {
				if !slices.Contains(api.Scopes, s) {
					e.add(0, fmt.Sprintf("%s.scope[%d]", p, j), "%q is not a scope of api %q", s, g.Audience)
				}
			}
		}
		k := pair{g.ClientID, g.Audience}
		if j, dup := seen[k]; dup {
			e.add(0, p, "duplicate of client_grants[%d] (same client_id and audience)", j)
		}
		seen[k] = i
	}
}

func (c *Config) validateRoles(e *Errors) {
	seen := map[string]int{}
	for i, r := range c.Roles {
		p := fmt.Sprintf("roles[%d].name", i)
		j, dup := seen[r.Name]
		switch {
		case strings.TrimSpace(r.Name) == "":
			e.add(0, p, "is required")
		case dup:
			e.add(0, p, "duplicate of roles[%d].name", j)
		}
		seen[r.Name] = i
	}
}

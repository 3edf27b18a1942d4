package config

import "gopkg.in/yaml.v3"

func (d *decoder) secrets(s *Secrets) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"encryption_key": d.key(&s.EncryptionKey),
			"old_encryption_keys": func(p string, n *yaml.Node) {
				d.items(p, n, func(ip string, _ int, item *yaml.Node) {
					var k []byte
					d.key(&k)(ip, item)
					if k != nil {
						s.OldEncryptionKeys = append(s.OldEncryptionKeys, k)
					}
				})
			},
			"cookie_key": d.key(&s.CookieKey),
		})
	}
}

// key decodes a 32-byte key written as base64 or hex.
func (d *decoder) key(dst *[]byte) setter {
	return func(p string, n *yaml.Node) {
		v, ok := d.scalar(p, n, "a string")
		if !ok {
			return
		}
		k, err := ParseKey(v)
		if err != nil {
			d.errs.add(n.Line, p, "%v", err)
			return
		}
		*dst = k
	}
}

func (d *decoder) clients(dst *[]Client) setter {
	return func(p string, n *yaml.Node) {
		d.items(p, n, func(ip string, _ int, item *yaml.Node) {
			var c Client
			d.fields(ip, item, map[string]setter{
				"client_id":           d.str(&c.ClientID),
				"name":                d.str(&c.Name),
				"app_type":            d.str(&c.AppType),
				"client_secret":       d.str(&c.ClientSecret),
				"redirect_uris":       d.strs(&c.RedirectURIs),
				"allowed_logout_urls": d.strs(&c.AllowedLogoutURLs),
				"allowed_origins":     d.strs(&c.AllowedOrigins),
				"grant_types":         d.strs(&c.GrantTypes),
				"metadata":            d.strMap(&c.Metadata),
			})
			*dst = append(*dst, c)
		})
	}
}

func (d *decoder) clientGrants(dst *[]ClientGrant) setter {
	return func(p string, n *yaml.Node) {
		d.items(p, n, func(ip string, _ int, item *yaml.Node) {
			var g ClientGrant
			d.fields(ip, item, map[string]setter{
				"client_id": d.str(&g.ClientID),
				"audience":  d.str(&g.Audience),
				"scope":     d.strs(&g.Scope),
			})
			*dst = append(*dst, g)
		})
	}
}

func (d *decoder) apis(dst *[]API) setter {
	return func(p string, n *yaml.Node) {
		d.items(p, n, func(ip string, _ int, item *yaml.Node) {
			var a API
			d.fields(ip, item, map[string]setter{
				"identifier":           d.str(&a.Identifier),
				"name":                 d.str(&a.Name),
				"scopes":               d.strs(&a.Scopes),
				"allow_offline_access": d.boolean(&a.AllowOfflineAccess),
				"token_lifetime":       d.duration(&a.TokenLifetime),
			})
			*dst = append(*dst, a)
		})
	}
}

func (d *decoder) roles(dst *[]Role) setter {
	return func(p string, n *yaml.Node) {
		d.items(p, n, func(ip string, _ int, item *yaml.Node) {
			var r Role
			d.fields(ip, item, map[string]setter{
				"name":        d.str(&r.Name),
				"description": d.str(&r.Description),
			})
			*dst = append(*dst, r)
		})
	}
}

func (d *decoder) actions(a *Actions) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"post-login": func(p string, n *yaml.Node) {
				d.items(p, n, func(ip string, _ int, item *yaml.Node) {
					var act Action
					d.fields(ip, item, map[string]setter{
						"name":    d.str(&act.Name),
						"file":    d.str(&act.File),
						"secrets": d.strMap(&act.Secrets),
					})
					a.PostLogin = append(a.PostLogin, act)
				})
			},
			"timeout": d.duration(&a.Timeout),
			"fetch": func(p string, n *yaml.Node) {
				d.fields(p, n, map[string]setter{
					"allow_hosts":   d.strs(&a.Fetch.AllowHosts),
					"allow_private": d.boolean(&a.Fetch.AllowPrivate),
					"timeout":       d.duration(&a.Fetch.Timeout),
				})
			},
		})
	}
}

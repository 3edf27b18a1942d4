package config

import "gopkg.in/yaml.v3"

// root decodes the whole document into c, which holds the defaults.
func (d *decoder) root(n *yaml.Node, c *Config) {
	d.fields("", n, map[string]setter{
		"issuer":          d.str(&c.Issuer),
		"listen":          d.str(&c.Listen),
		"tls":             d.tls(&c.TLS),
		"trusted_proxies": d.strs(&c.TrustedProxies),
		"storage":         d.storage(&c.Storage),
		"signing":         d.signing(&c.Signing),
		"tokens":          d.tokens(&c.Tokens),
		"login":           d.login(&c.Login),
		"mfa":             d.mfa(&c.MFA),
		"passkeys":        d.passkeys(&c.Passkeys),
		"geoip":           d.geoip(&c.GeoIP),
		"secrets":         d.secrets(&c.Secrets),
		"clients":         d.clients(&c.Clients),
		"client_grants":   d.clientGrants(&c.ClientGrants),
		"apis":            d.apis(&c.APIs),
		"roles":           d.roles(&c.Roles),
		"actions":         d.actions(&c.Actions),
		"log":             d.log(&c.Log),
	})
}

func (d *decoder) tls(t *TLS) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"cert_file": d.str(&t.CertFile),
			"key_file":  d.str(&t.KeyFile),
		})
	}
}

func (d *decoder) storage(s *Storage) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"driver": d.str(&s.Driver),
			"dsn":    d.str(&s.DSN),
		})
	}
}

func (d *decoder) signing(s *Signing) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"algorithm": d.str(&s.Algorithm),
		})
	}
}

func (d *decoder) tokens(t *Tokens) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"access_token_ttl":       d.duration(&t.AccessTokenTTL),
			"id_token_ttl":           d.duration(&t.IDTokenTTL),
			"refresh_token_ttl":      d.duration(&t.RefreshTokenTTL),
			"refresh_token_rotation": d.boolean(&t.RefreshTokenRotation),
		})
	}
}

func (d *decoder) login(l *Login) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"signup": d.boolean(&l.Signup),
			"password_policy": func(p string, n *yaml.Node) {
				d.fields(p, n, map[string]setter{
					"min_length": d.integer(&l.PasswordPolicy.MinLength),
				})
			},
			"brute_force": func(p string, n *yaml.Node) {
				d.fields(p, n, map[string]setter{
					"max_attempts": d.integer(&l.BruteForce.MaxAttempts),
					"block_for":    d.duration(&l.BruteForce.BlockFor),
				})
			},
			"session_ttl":   d.duration(&l.SessionTTL),
			"offer_passkey": d.boolean(&l.OfferPasskey),
		})
	}
}

func (d *decoder) mfa(m *MFA) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"totp": func(p string, n *yaml.Node) {
				d.fields(p, n, map[string]setter{
					"issuer": d.str(&m.TOTP.Issuer),
				})
			},
		})
	}
}

func (d *decoder) passkeys(k *Passkeys) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"rp_id":           d.str(&k.RPID),
			"rp_display_name": d.str(&k.RPDisplayName),
			"origins":         d.strs(&k.Origins),
		})
	}
}

func (d *decoder) geoip(g *GeoIP) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"database": d.str(&g.Database),
		})
	}
}

func (d *decoder) log(l *Log) setter {
	return func(p string, n *yaml.Node) {
		d.fields(p, n, map[string]setter{
			"level":  d.str(&l.Level),
			"format": d.str(&l.Format),
		})
	}
}

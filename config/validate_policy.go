package config

import (
	"fmt"
	"time"
)

func (c *Config) validatePolicies(e *Errors) {
	positive := func(path string, d time.Duration) {
		if d <= 0 {
			e.add(0, path, "must be longer than 0s")
		}
	}
	positive("tokens.access_token_ttl", c.Tokens.AccessTokenTTL)
	positive("tokens.id_token_ttl", c.Tokens.IDTokenTTL)
	positive("tokens.refresh_token_ttl", c.Tokens.RefreshTokenTTL)

	intRange("login.password_policy.min_length", c.Login.PasswordPolicy.MinLength, 1, 128, e)
	intRange("login.brute_force.max_attempts", c.Login.BruteForce.MaxAttempts, 1, 100, e)
	positive("login.brute_force.block_for", c.Login.BruteForce.BlockFor)
	positive("login.session_ttl", c.Login.SessionTTL)
	if c.MFA.TOTP.Issuer == "" {
		e.add(0, "mfa.totp.issuer", "is required")
	}
}

func intRange(path string, v, lo, hi int, e *Errors) {
	if v < lo || v > hi {
		e.add(0, path, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func durationRange(path string, v, lo, hi time.Duration, e *Errors) {
	if v < lo || v > hi {
		e.add(0, path, "must be between %s and %s, got %s", lo, hi, v)
	}
}

func (c *Config) validateSecrets(e *Errors) {
	check := func(path string, k []byte) {
		switch {
		case len(k) == 0 && !c.Dev:
			e.add(0, path, "is required (generate one with: openssl rand -base64 32)")
		case len(k) != 0 && len(k) != KeySize:
			e.add(0, path, "%v", errKeyFormat)
		}
	}
	check("secrets.encryption_key", c.Secrets.EncryptionKey)
	check("secrets.cookie_key", c.Secrets.CookieKey)
	for i, k := range c.Secrets.OldEncryptionKeys {
		if len(k) != KeySize {
			e.add(0, fmt.Sprintf("secrets.old_encryption_keys[%d]", i), "%v", errKeyFormat)
		}
	}
}

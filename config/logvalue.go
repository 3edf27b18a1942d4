package config

import "log/slog"

const redacted = "[redacted]"

// LogValue keeps keys out of logs.
func (s Secrets) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("encryption_key", len(s.EncryptionKey) > 0),
		slog.Int("old_encryption_keys", len(s.OldEncryptionKeys)),
		slog.Bool("cookie_key", len(s.CookieKey) > 0),
	)
}

// LogValue shows the client without its secret.
func (c Client) LogValue() slog.Value {
	secret := ""
	if c.ClientSecret != "" {
		secret = redacted
	}
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("app_type", c.AppType),
		slog.String("client_secret", secret),
	)
}

// LogValue shows the action without its secrets' values or its source.
func (a Action) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", a.Name),
		slog.String("file", a.File),
		slog.Int("secrets", len(a.Secrets)),
	)
}

// Package authdtest starts a real authd (server.New on a real loopback
// port, SQLite in a temp folder, the config loaded from YAML by the real
// loader) for integration tests, and gives them two independent clients:
// an OIDC relying party built on coreos/go-oidc + x/oauth2, and a
// cookie-jar "browser" that fills the login forms by their labels.
package authdtest

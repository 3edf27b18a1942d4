package oidc_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

// withDevClient adds a client like dev mode's: any http://localhost URL
// is a redirect and logout URL.
func withDevClient() authdtest.Option {
	return authdtest.Configure(func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{ClientID: "dev", Name: "dev", AppType: "spa",
			GrantTypes: []string{"authorization_code", "refresh_token"}, DevLocalhost: true})
	})
}

func TestDevClientLogoutReturnsToLocalhost(t *testing.T) {
	e := authdtest.New(t, withDevClient())
	for _, rt := range []string{"http://localhost:3000/", "http://127.0.0.1:4000/after-logout"} {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/v2/logout?client_id=dev&returnTo="+url.QueryEscape(rt), nil)
		if r := mustSend(t, rawClient(), req); r.Header.Get("Location") != rt {
			t.Errorf("returnTo %s: %d Location %q", rt, r.Status, r.Header.Get("Location"))
		}
	}
}

func TestDevClientLogoutRefusesOtherHosts(t *testing.T) {
	e := authdtest.New(t, withDevClient())
	for _, rt := range []string{"https://evil.example/", "http://localhost.evil.example/", "http://user@localhost:3000/"} {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/v2/logout?client_id=dev&returnTo="+url.QueryEscape(rt), nil)
		if r := mustSend(t, rawClient(), req); r.Header.Get("Location") != "" {
			t.Errorf("returnTo %s: redirected to %s", rt, r.Header.Get("Location"))
		}
	}
}

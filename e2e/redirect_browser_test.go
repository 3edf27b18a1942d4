package e2e

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/internal/browsertest"
)

// The seed redirect example in a real browser (issue #5): login form →
// external site (an httptest server verifying the session token with
// go-jose) → back to /continue → the client's redirect_uri (another
// httptest server) with a code the test exchanges.
//
// The action is the seed's code with one change: the URL constant
// https://my-app.example.com is replaced by the test site's URL, since a
// browser cannot be pointed at a fake https host without certificates.
// The byte-identical file runs in redirect_seed_test.go.

// rdSite plays the external page and the client's callback.
type rdSite struct {
	t        *testing.T
	e        *authdtest.Env
	uid      string
	ext, app *httptest.Server
	// back is how the page returns: "post" (auto-submitting form, the way
	// spec §6.2 recommends) or "get" (a 302).
	back string
	// before runs when the person arrives (e.g. restart authd).
	before func()

	mu       sync.Mutex
	visits   int
	callback url.Values
}

func newSite(t *testing.T, back string) *rdSite {
	s := &rdSite{t: t, back: back}
	s.ext = httptest.NewServer(http.HandlerFunc(s.externalPage))
	s.app = httptest.NewServer(http.HandlerFunc(s.client))
	t.Cleanup(s.ext.Close)
	t.Cleanup(s.app.Close)
	return s
}

// externalPage verifies the outbound token and returns with favorite_color.
func (s *rdSite) externalPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	header, claims := hs256Verify(s.t, longSecret, q.Get("session_token"))
	state := q.Get("state")
	if header["typ"] != "JWT" || claims["sub"] != s.uid || claims["email"] != "ada@example.org" || state == "" {
		s.t.Errorf("external site got header %v claims %v state %q", header, claims, state)
		http.Error(w, "bad token", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.visits++
	s.mu.Unlock()
	if s.before != nil {
		s.before()
	}
	tok := returnToken(s.t, longSecret, state, s.uid, map[string]any{"favorite_color": "green"})
	cont := s.e.URL + "/continue"
	if s.back == "get" {
		http.Redirect(w, r, cont+"?"+url.Values{"state": {state}, "session_token": {tok}}.Encode(), http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Favorite color</title><h1>Favorite color</h1>
<form id="f" method="post" action="%s"><input type="hidden" name="state" value="%s">
<input type="hidden" name="session_token" value="%s"></form>
<script>document.getElementById("f").submit()</script>`, html.EscapeString(cont), html.EscapeString(state), html.EscapeString(tok))
}

// client records the authorization response.
func (s *rdSite) client(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/callback" { // e.g. the browser's /favicon.ico
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.callback = r.URL.Query()
	s.mu.Unlock()
	fmt.Fprint(w, `<!doctype html><title>App</title><h1>Signed in</h1>`)
}

const appSecret = "redirect-app-secret-0123456789abcdef"

func TestRedirectSeedInBrowser(t *testing.T) {
	for _, c := range []struct {
		name, back string
		restart    bool
	}{
		{"return by form POST", "post", false},
		{"return by redirect across an authd restart", "get", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := browsertest.New(t, 60*time.Second)
			s := newSite(t, c.back)
			src := strings.ReplaceAll(seedSource(t), "https://my-app.example.com", s.ext.URL)
			opts := append(rdBind(rdAction{name: "redirect", src: src}), authdtest.Configure(func(cfg *config.Config) {
				cfg.Clients = append(cfg.Clients, config.Client{ClientID: "redirect-app", Name: "Redirect App", AppType: "regular_web",
					ClientSecret: appSecret, RedirectURIs: []string{s.app.URL + "/callback"}, GrantTypes: []string{"authorization_code"}})
			}))
			s.e, s.uid = rdEnv(t, opts...)
			if c.restart {
				s.before = s.e.Restart
			}
			rp := s.e.RP("redirect-app", appSecret, s.app.URL+"/callback")
			a := rp.AuthURL()
			// A bounded wait, so the tab is still alive to say where it got stuck.
			flow, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			err := chromedp.Do(flow,
				chromedp.Navigate(a.URL),
				chromedp.WaitVisible(chromedp.Search(`//h1[text()="Log in"]`)),
				chromedp.SendKeys(chromedp.ID("email"), "ada@example.org"),
				chromedp.SendKeys(chromedp.ID("password"), rdPassword),
				chromedp.Click(chromedp.Search(`//button[normalize-space()="Continue"]`)),
				chromedp.WaitVisible(chromedp.Search(`//h1[text()="Signed in"]`)),
			)
			if err != nil {
				where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " | " + document.body.innerText`))
				t.Fatalf("browser: %v; ended at %s", err, where)
			}
			s.mu.Lock()
			cb, visits := s.callback, s.visits
			s.mu.Unlock()
			if visits != 1 {
				t.Errorf("external site visited %d times", visits)
			}
			tok, err := rp.Exchange(a, authdtest.Code(t, a, &url.URL{RawQuery: cb.Encode()}))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.Claims["sub"] != s.uid {
				t.Errorf("sub %v", tok.Claims["sub"])
			}
			if got := s.e.User(s.uid).UserMetadata["favorite_color"]; got != "green" {
				t.Errorf("favorite_color = %v, want green", got)
			}
		})
	}
}

package server_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/browsertest"
	"github.com/authd/authd/server"
)

// devServer starts authd in dev mode (no config file) on a free
// http://localhost port and returns its origin.
func devServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	cfg := config.Dev(dir)
	if cfg.Secrets, err = config.LoadOrCreateDevSecrets(config.DevSecretsPath(dir), rand.Reader); err != nil {
		t.Fatal(err)
	}
	cfg.Issuer = origin + "/"
	cfg.Listen = ln.Addr().String()
	cfg.Passkeys.Origins = []string{origin}
	srv, err := server.New(context.Background(), cfg, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return origin
}

// byLabel selects the input a <label> with this text points to, the way
// a person finds a field.
func byLabel(label string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//input[@id=//label[normalize-space()=%q]/@for]`, label))
}

func button(name string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//button[normalize-space()=%q]`, name))
}

func link(name string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//a[normalize-space()=%q]`, name))
}

func heading(text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//h1[normalize-space()=%q]`, text))
}

// fillAndContinue types the credentials into the form on screen, submits
// it and waits for the test page to show the tokens. A passkey offer on
// the way (login.offer_passkey) is declined.
func fillAndContinue(email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SendKeys(byLabel("Email"), email),
		chromedp.SendKeys(byLabel("Password"), password),
		chromedp.Click(button("Continue")),
		chromedp.WaitVisible(chromedp.Search(`//pre[@id="id-token-claims"] | //button[normalize-space()="Not now"]`)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(b => !!b && (b.click(), true))([...document.querySelectorAll("button")].find(b => b.textContent.trim() === "Not now"))`)(ctx, t)
			return err
		}),
		chromedp.WaitVisible(chromedp.ID("id-token-claims")),
	)
}

type testPage struct {
	Path, IDToken, AccessToken, Userinfo, Alert string
}

func readTestPage(ctx context.Context, t *testing.T) testPage {
	t.Helper()
	p, err := chromedp.Run(ctx, chromedp.Evaluate[testPage](`(() => {
		const text = id => (document.getElementById(id) || {}).textContent || "";
		const alert = document.querySelector('[role="alert"]');
		return {Path: location.pathname, IDToken: text("id-token-claims"), AccessToken: text("access-token-claims"),
			Userinfo: text("userinfo"), Alert: alert ? alert.textContent.trim() : ""};
	})()`))
	if err != nil {
		t.Fatalf("read the test page: %v", err)
	}
	return p
}

func checkLoggedIn(t *testing.T, p testPage, email string) {
	t.Helper()
	if !strings.HasPrefix(p.Path, "/test") || p.Alert != "" {
		t.Errorf("ended on %s, alert %q", p.Path, p.Alert)
	}
	if !strings.Contains(p.IDToken, `"email": "`+email+`"`) || !strings.Contains(p.IDToken, `"sub": "auth0|`) {
		t.Errorf("ID token claims:\n%s", p.IDToken)
	}
	if !strings.Contains(p.AccessToken, `"sub": "auth0|`) || !strings.Contains(p.AccessToken, `"scope"`) {
		t.Errorf("access token claims:\n%s", p.AccessToken)
	}
	if !strings.Contains(p.Userinfo, `"email": "`+email+`"`) || !strings.Contains(p.Userinfo, `"sub": "auth0|`) {
		t.Errorf("userinfo:\n%s", p.Userinfo)
	}
}

// TestBrowserDevModeSignupLogoutLogin: a person opens the dev test page,
// signs up, sees the tokens, logs out and logs in again with the form,
// in headless Chromium.
func TestBrowserDevModeSignupLogoutLogin(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	origin := devServer(t)
	const email, password = "ada@example.org", "correct horse battery"

	err := chromedp.Do(ctx,
		chromedp.Navigate(origin+"/test"),
		chromedp.Click(link("Log in")),
		chromedp.WaitVisible(heading("Log in")),
		chromedp.Click(link("Sign up")),
		chromedp.WaitVisible(heading("Sign up")),
		fillAndContinue(email, password),
	)
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	first := readTestPage(ctx, t)
	checkLoggedIn(t, first, email)

	err = chromedp.Do(ctx,
		chromedp.Click(link("Log out")),
		chromedp.WaitVisible(link("Log in")),
		chromedp.WaitNotPresent(chromedp.ID("id-token-claims")),
	)
	if err != nil {
		t.Fatalf("log out: %v", err)
	}
	if p := readTestPage(ctx, t); p.Path != "/test" || p.IDToken != "" {
		t.Errorf("after logout: %+v", p)
	}

	// The session is gone: Log in shows the form again.
	err = chromedp.Do(ctx,
		chromedp.Click(link("Log in")),
		chromedp.WaitVisible(heading("Log in")),
		fillAndContinue(email, password),
	)
	if err != nil {
		t.Fatalf("log in again: %v", err)
	}
	second := readTestPage(ctx, t)
	checkLoggedIn(t, second, email)
	sub := func(claims string) string {
		_, rest, _ := strings.Cut(claims, `"sub": "`)
		s, _, _ := strings.Cut(rest, `"`)
		return s
	}
	if sub(first.IDToken) == "" || sub(first.IDToken) != sub(second.IDToken) {
		t.Errorf("sub changed between signup and login: %q %q", sub(first.IDToken), sub(second.IDToken))
	}
}

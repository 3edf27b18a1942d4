package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/internal/browsertest"
)

// mfaChrome is a headless Chromium tab (with a virtual passkey
// authenticator) logging in to authd as the client "chrome", whose
// redirect_uri is a small server of the test that records what the
// browser brings back: so the code reaches an independent client (the
// go-oidc RP) exactly as a real app would get it.
type mfaChrome struct {
	t   *testing.T
	e   *authdtest.Env
	ctx context.Context
	rp  *authdtest.RP
	cb  chan url.Values
	// hooked: mfaFetchHook is installed in every new document.
	hooked bool
}

func newMFAChrome(t *testing.T, opts []authdtest.Option, srcs ...string) *mfaChrome {
	t.Helper()
	ctx := browsertest.New(t, 60*time.Second)
	if _, err := browsertest.AddPasskeyAuthenticator(ctx); err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	cb := make(chan url.Values, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/callback" {
			cb <- r.URL.Query()
		}
		_, _ = fmt.Fprint(w, "<!doctype html><title>app</title><h1>App</h1>")
	}))
	t.Cleanup(srv.Close)
	redirect := srv.URL + "/callback"
	opts = append(opts, authdtest.Configure(func(c *config.Config) {
		spa, _ := c.Client("spa")
		cl := *spa
		cl.ClientID, cl.Name, cl.RedirectURIs = "chrome", "Chrome App", []string{redirect}
		c.Clients = append(c.Clients, cl)
	}))
	e := mfaEnv(t, opts, srcs...)
	return &mfaChrome{t: t, e: e, ctx: ctx, rp: e.RP("chrome", "", redirect), cb: cb}
}

func (m *mfaChrome) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	m.t.Helper()
	if err := chromedp.Do(m.ctx, steps...); err != nil {
		loc, _ := chromedp.Run(m.ctx, chromedp.Evaluate[string](`location.href + " | " + document.body.innerText.slice(0, 300)`))
		m.t.Fatalf("%s: %v (at %s)", what, err, loc)
	}
}

func (m *mfaChrome) eval(js string) string {
	m.t.Helper()
	v, err := chromedp.Run(m.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		m.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// header sends an extra request header (X-Forwarded-For) from now on.
func (m *mfaChrome) header(k, v string) {
	m.t.Helper()
	m.do("set header", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{k: v}})
		return chromedp.Void{}, err
	})
}

// start opens a new authorization request.
func (m *mfaChrome) start(extra ...string) authdtest.Auth {
	m.t.Helper()
	a := m.rp.AuthURL()
	if len(extra) == 2 {
		a = m.rp.AuthURL(authdtest.Param(extra[0], extra[1]))
	}
	m.do("authorize", chromedp.Navigate(a.URL))
	return a
}

// password fills the login form.
func (m *mfaChrome) password(email string) {
	m.t.Helper()
	m.do("password",
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SetValue(chromedp.ID("email"), email),
		chromedp.SetValue(chromedp.ID("password"), actPW),
		chromedp.Submit(chromedp.ID("password")),
	)
}

// code types a code into the page's "Code" field and submits.
func (m *mfaChrome) code(code string) {
	m.t.Helper()
	m.do("code",
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SetValue(chromedp.ID("code"), code),
		chromedp.Submit(chromedp.ID("code")),
	)
}

// textOf waits for the element and returns its text.
func (m *mfaChrome) textOf(id string) string {
	m.t.Helper()
	m.do("wait #"+id, chromedp.WaitVisible(chromedp.ID(id)))
	return m.eval(`document.getElementById("` + id + `").textContent.trim()`)
}

// path waits until the page is at path. Evaluations can fail while a
// navigation swaps the document, so it simply asks again.
func (m *mfaChrome) path(path string) {
	m.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(m.ctx, chromedp.Evaluate[bool](`location.pathname === "`+path+`" && document.readyState === "complete"`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := chromedp.Run(m.ctx, chromedp.Evaluate[string](`location.href + " | " + document.body.innerText.slice(0, 300)`))
	m.t.Fatalf("never reached %s (at %s)", path, loc)
}

// tokens waits for the browser to reach the client's callback and
// redeems the code there with the RP.
func (m *mfaChrome) tokens(a authdtest.Auth) *authdtest.Tokens {
	m.t.Helper()
	q := m.callback()
	if q.Get("state") != a.State || q.Get("code") == "" {
		m.t.Fatalf("callback %v", q)
	}
	tok, err := m.rp.Exchange(a, q.Get("code"))
	if err != nil {
		m.t.Fatalf("exchange: %v", err)
	}
	return tok
}

func (m *mfaChrome) callback() url.Values {
	m.t.Helper()
	select {
	case q := <-m.cb:
		return q
	case <-time.After(15 * time.Second):
		loc, _ := chromedp.Run(m.ctx, chromedp.Evaluate[string](`location.href + " | " + document.body.innerText.slice(0, 300)`))
		m.t.Fatalf("the browser never reached the client callback (at %s)\nlogs: %s", loc, m.e.Logs.String())
		return nil
	}
}

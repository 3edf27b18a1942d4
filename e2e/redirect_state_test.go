package e2e

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	_ "modernc.org/sqlite"

	"github.com/authd/authd/internal/authdtest"
)

// The /continue state (spec §6.1–6.2, behaviour 39): opaque, single use,
// bound to the browser, expiring with the login. Every refusal is the
// invalid_request error page, never a redirect, and leaves the suspended
// login as it was.

func continueRefused(t *testing.T, p *authdtest.Page) {
	t.Helper()
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "invalid_request") || p.Header.Get("Location") != "" {
		t.Fatalf("want a 400 invalid_request page, got %d %s: %s", p.Status, p.Header.Get("Location"), p.Alert())
	}
}

func TestRedirectContinueRefusals(t *testing.T) {
	e, uid := rdEnv(t, rdBind(rdAction{name: "ask", src: redirector})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	state := loc.Query().Get("state")
	if len(state) < 40 {
		t.Errorf("state %q is too short to be unguessable", state)
	}

	t.Run("missing state", func(t *testing.T) {
		continueRefused(t, b.Get(e.URL+"/continue"))
		continueRefused(t, b.Post(e.URL+"/continue", url.Values{"session_token": {"x"}}))
	})
	t.Run("unknown state", func(t *testing.T) {
		continueRefused(t, b.Get(e.URL+"/continue?state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
	})
	t.Run("state from another browser", func(t *testing.T) {
		// A stolen state is unknown to the thief, and trying it does not
		// burn it for its owner.
		thief := rdBrowser(e)
		continueRefused(t, comeBack(t, e, thief, state, uid, map[string]any{"favorite_color": "black"}))
	})

	// The owner still continues: none of the above changed the login.
	cb := rdCallback(t, comeBack(t, e, b, state, uid, map[string]any{"favorite_color": "green"}))
	rdExchange(t, rp, a, cb)
	if got := e.User(uid).UserMetadata["favorite_color"]; got != "green" {
		t.Fatalf("favorite_color = %v", got)
	}

	t.Run("replayed state", func(t *testing.T) {
		continueRefused(t, comeBack(t, e, b, state, uid, map[string]any{"favorite_color": "red"}))
		if got := e.User(uid).UserMetadata["favorite_color"]; got != "green" {
			t.Errorf("a replay changed the metadata to %v", got)
		}
	})
}

// The state expires with the transaction and the purge removes it.
func TestRedirectContinueStateExpires(t *testing.T) {
	e, uid := rdEnv(t, rdBind(rdAction{name: "ask", src: redirector})...)
	b := rdBrowser(e)
	_, loc := sendAway(t, e, b, e.SPA())
	state := loc.Query().Get("state")
	if n := countContinueStates(t, e); n != 1 {
		t.Fatalf("%d stored continue states, want 1", n)
	}
	e.Clock.Advance(2 * time.Hour) // past the login's lifetime (1 h)
	continueRefused(t, comeBack(t, e, b, state, uid, map[string]any{"favorite_color": "green"}))
	if err := e.Store().PurgeExpired(context.Background(), e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := countContinueStates(t, e); n != 0 {
		t.Errorf("%d continue states left after the purge", n)
	}
	if md := e.User(uid).UserMetadata; len(md) != 0 {
		t.Errorf("expired login wrote metadata: %v", md)
	}
}

func countContinueStates(t *testing.T, e *authdtest.Env) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.Dir, "authd.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM continue_states").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A cross-site POST /continue carries no SameSite=Lax cookie; authd
// bounces it through a same-origin re-post instead of losing the login,
// and does not replace the browser's id cookie on the way.
func TestRedirectCrossSitePostBounces(t *testing.T) {
	e, uid := rdEnv(t, rdBind(rdAction{name: "ask", src: redirector})...)
	b, rp := rdBrowser(e), e.SPA()
	a, loc := sendAway(t, e, b, rp)
	state := loc.Query().Get("state")
	form := url.Values{"state": {state}, "session_token": {returnToken(t, longSecret, state, uid, map[string]any{"favorite_color": "green"})}}

	req, _ := http.NewRequest(http.MethodPost, e.URL+"/continue", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", rdExternal)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req) // no cookie jar: what the browser sends cross-site
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/continue"`) || !strings.Contains(page, state) ||
		!strings.Contains(page, "/u/static/formpost.js") {
		t.Fatalf("cross-site POST: %d\n%s", resp.StatusCode, page)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("the bounce sets cookies: %v", sc)
	}
	// The page's re-post (its hidden fields, from our origin) carries the
	// cookie and continues the login.
	rdExchange(t, rp, a, rdCallback(t, b.Post(e.URL+"/continue", hiddenFields(t, page))))
	if got := e.User(uid).UserMetadata["favorite_color"]; got != "green" {
		t.Errorf("favorite_color = %v", got)
	}
}

// hiddenFields are the hidden inputs of a page.
func hiddenFields(t *testing.T, page string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			m := map[string]string{}
			for _, a := range n.Attr {
				m[a.Key] = a.Val
			}
			if m["type"] == "hidden" {
				out.Add(m["name"], m["value"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

package login_test

// Attacks on the login pages through the real server: brute force (group B),
// session, cookies and CSRF (group E), hostile input (group F). Each
// invariant has its own test.

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/authd/authd/internal/authdtest"
)

const (
	pw          = "correct horse battery"
	email       = "ada@example.org"
	wrongMsg    = "Wrong email or password."
	blockedMsg  = "Your account has been blocked after multiple consecutive login attempts. Try again later or contact your administrator."
	connection  = "Username-Password-Authentication"
	spaCallback = "http://127.0.0.1:5555/callback"
	hostile     = "\"><svg onload=alert(1)>&x=1\r\nSet-Cookie: pwned=1"
)

// loginPage starts an authorization request of the SPA in b and returns
// the login form.
func loginPage(t *testing.T, e *authdtest.Env, b *authdtest.Browser, extra ...string) *authdtest.Page {
	t.Helper()
	a := e.SPA().AuthURL()
	u := a.URL
	for i := 0; i+1 < len(extra); i += 2 {
		u += "&" + url.QueryEscape(extra[i]) + "=" + url.QueryEscape(extra[i+1])
	}
	p := b.Get(u)
	if p.Status != http.StatusOK || p.H1() != "Log in" {
		t.Fatalf("login page: %d %q %q", p.Status, p.H1(), p.Alert())
	}
	return p
}

func submit(p *authdtest.Page, mail, password string) *authdtest.Page {
	p.T.Helper()
	return p.Submit("Continue", map[string]string{"Email": mail, "Password": password})
}

// wantLoggedIn: the login ended at the client with a code.
func wantLoggedIn(t *testing.T, p *authdtest.Page) {
	t.Helper()
	if p.Header.Get("Location") == "" {
		t.Fatalf("not logged in: %d %q alert %q", p.Status, p.H1(), p.Alert())
	}
	if cb := p.Location(); !strings.HasPrefix(cb.String(), spaCallback) || cb.Query().Get("code") == "" {
		t.Fatalf("login ended at %s", cb)
	}
}

// failLogins submits n wrong passwords and returns the last page.
func failLogins(t *testing.T, p *authdtest.Page, n int) *authdtest.Page {
	t.Helper()
	for i := range n {
		p = submit(p, email, "wrong password")
		if p.Status != http.StatusUnauthorized || p.Alert() != wrongMsg {
			t.Fatalf("wrong password %d: %d %q", i+1, p.Status, p.Alert())
		}
	}
	return p
}

func wantBlocked(t *testing.T, p *authdtest.Page) {
	t.Helper()
	if p.Status != http.StatusTooManyRequests || p.Alert() != blockedMsg {
		t.Errorf("want blocked (429, %q): %d %q", blockedMsg, p.Status, p.Alert())
	}
	if loc := p.Header.Get("Location"); loc != "" {
		t.Errorf("blocked login redirected to %s", loc)
	}
}

func withJar(b *authdtest.Browser) *cookiejar.Jar { return b.Client.Jar.(*cookiejar.Jar) }

func cookie(b *authdtest.Browser, e *authdtest.Env, name string) string {
	u, _ := url.Parse(e.URL)
	for _, c := range withJar(b).Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func plant(b *authdtest.Browser, e *authdtest.Env, name, value string) {
	u, _ := url.Parse(e.URL)
	withJar(b).SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// loggedIn reports whether b has an SSO session: /u/account shows the
// account instead of the login form.
func loggedIn(t *testing.T, e *authdtest.Env, b *authdtest.Browser) bool {
	t.Helper()
	p := b.Get(e.URL + "/u/account")
	switch p.H1() {
	case "Your account":
		return true
	case "Log in":
		return false
	}
	t.Fatalf("/u/account: %d %q", p.Status, p.H1())
	return false
}

// formOf returns the action and the values a browser would post from the
// page's first POST form (hidden fields included).
func formOf(t *testing.T, p *authdtest.Page) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	var action string
	values := url.Values{}
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode && n.Data == "form" && action == "" && strings.EqualFold(attr(n, "method"), "post") {
			a, _ := p.URL.Parse(attr(n, "action"))
			action, inForm = a.String(), true
		}
		if inForm && n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			values.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	if action == "" {
		t.Fatalf("no POST form on %s", p.URL)
	}
	return action, values
}

func attr(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

func failures(t *testing.T, e *authdtest.Env, mail, ip string) int {
	t.Helper()
	n, _, err := e.Store().Failures(context.Background(), "pwd", mail, ip)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func userCount(t *testing.T, e *authdtest.Env) int {
	t.Helper()
	list, err := e.Store().ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// --- brute force (checklist B24–B29) ---

func TestBruteForceBlocksAfterMaxAttempts(t *testing.T) {
	e := authdtest.New(t)
	u := e.CreateUser(email, pw)
	p := failLogins(t, loginPage(t, e, e.Browser()), 5)
	// The right password no longer helps, in this browser or a fresh one.
	wantBlocked(t, submit(p, email, pw))
	wantBlocked(t, submit(loginPage(t, e, e.Browser()), email, pw))
	if got := e.User(u.ID); got.LoginsCount != 0 {
		t.Errorf("a blocked login was counted: %d", got.LoginsCount)
	}
}

func TestBruteForceIgnoresForwardedForFromUntrustedPeer(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	failLogins(t, loginPage(t, e, e.Browser()), 5)
	b := e.Browser()
	b.Header.Set("X-Forwarded-For", "203.0.113.7")
	wantBlocked(t, submit(loginPage(t, e, b), email, pw))
}

func TestBruteForceIsPerIPBehindTrustedProxy(t *testing.T) {
	e := authdtest.New(t, authdtest.YAML(`trusted_proxies: ["127.0.0.1/32"]`))
	e.CreateUser(email, pw)
	attacker := e.Browser()
	attacker.Header.Set("X-Forwarded-For", "198.51.100.1")
	p := failLogins(t, loginPage(t, e, attacker), 5)
	wantBlocked(t, submit(p, email, pw))
	// The owner, from another address, is not locked out (no lockout DoS).
	owner := e.Browser()
	owner.Header.Set("X-Forwarded-For", "198.51.100.2")
	wantLoggedIn(t, submit(loginPage(t, e, owner), email, pw))
	// A spoofed hop before the client's own address changes nothing.
	attacker.Header.Set("X-Forwarded-For", "198.51.100.2, 198.51.100.1")
	wantBlocked(t, submit(loginPage(t, e, attacker), email, pw))
}

func TestBruteForceBlockExpires(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	failLogins(t, loginPage(t, e, b), 5)
	e.Clock.Advance(14 * time.Minute)
	wantBlocked(t, submit(loginPage(t, e, b), email, pw))
	e.Clock.Advance(time.Minute + time.Second)
	wantLoggedIn(t, submit(loginPage(t, e, b), email, pw))
	// A success clears the count: one more mistake does not block again.
	p := failLogins(t, loginPage(t, e, e.Browser()), 1)
	wantLoggedIn(t, submit(p, email, pw))
}

func TestUnknownEmailAndWrongPasswordLookTheSame(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	wrong := submit(loginPage(t, e, b), email, "not the password")
	unknown := submit(loginPage(t, e, b), "nobody@example.org", "not the password")
	if wrong.Status != unknown.Status || wrong.Alert() != unknown.Alert() || wrong.Alert() != wrongMsg {
		t.Errorf("wrong password %d %q, unknown email %d %q", wrong.Status, wrong.Alert(), unknown.Status, unknown.Alert())
	}
	if wrong.H1() != unknown.H1() {
		t.Errorf("headings differ: %q %q", wrong.H1(), unknown.H1())
	}
}

func TestHugePasswordRefusedWithoutHashing(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	for name, size := range map[string]int{"1 MB": 1 << 20, "2 kB": 2 << 10} {
		t.Run(name, func(t *testing.T) {
			action, form := formOf(t, loginPage(t, e, b))
			form.Set("email", email)
			form.Set("password", strings.Repeat("p", size))
			start := time.Now()
			p := b.Post(action, form)
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
			if p.Status < 400 || p.Status >= 500 {
				t.Errorf("status %d, want 4xx", p.Status)
			}
			// Not hashed: a checked password would have counted a failure.
			if n := failures(t, e, email, "127.0.0.1"); n != 0 {
				t.Errorf("%d failures recorded: the password was checked", n)
			}
		})
	}
}

// --- CSRF (checklist E53) ---

// forms are the state-changing forms of the login pages, each with what
// its success would change.
func csrfForms(t *testing.T, e *authdtest.Env, b *authdtest.Browser) map[string]*authdtest.Page {
	login := loginPage(t, e, b)
	signup := b.Get(e.URL + "/u/signup?state=" + url.QueryEscape(login.URL.Query().Get("state")))
	if signup.H1() != "Sign up" {
		t.Fatalf("signup page: %d %q", signup.Status, signup.H1())
	}
	return map[string]*authdtest.Page{"login": login, "signup": signup}
}

func wantNoStateChange(t *testing.T, e *authdtest.Env, b *authdtest.Browser, users int) {
	t.Helper()
	if n := userCount(t, e); n != users {
		t.Errorf("users %d, want %d: a forged signup went through", n, users)
	}
	u, err := e.Store().GetUserByEmail(context.Background(), connection, email)
	if err != nil || u.LoginsCount != 0 {
		t.Errorf("forged login counted (%v)", err)
	}
	if loggedIn(t, e, b) {
		t.Error("forged request created a session")
	}
}

func TestCSRFMissingTokenRefused(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	for name, p := range csrfForms(t, e, b) {
		t.Run(name, func(t *testing.T) {
			action, form := formOf(t, p)
			form.Del("csrf_token")
			form.Set("email", map[string]string{"login": email, "signup": "new@example.org"}[name])
			form.Set("password", pw)
			if r := b.Post(action, form); r.Status != http.StatusForbidden {
				t.Errorf("status %d, want 403", r.Status)
			}
			wantNoStateChange(t, e, b, 1)
		})
	}
}

func TestCSRFTokenOfAnotherBrowserRefused(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	_, theirs := formOf(t, loginPage(t, e, e.Browser()))
	b := e.Browser()
	for name, p := range csrfForms(t, e, b) {
		t.Run(name, func(t *testing.T) {
			action, form := formOf(t, p)
			if form.Get("csrf_token") == theirs.Get("csrf_token") {
				t.Fatal("two browsers got the same CSRF token")
			}
			form.Set("csrf_token", theirs.Get("csrf_token"))
			form.Set("email", map[string]string{"login": email, "signup": "new@example.org"}[name])
			form.Set("password", pw)
			if r := b.Post(action, form); r.Status != http.StatusForbidden {
				t.Errorf("status %d, want 403", r.Status)
			}
			wantNoStateChange(t, e, b, 1)
		})
	}
}

func TestCSRFForeignOriginRefused(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	for name, p := range csrfForms(t, e, b) {
		t.Run(name, func(t *testing.T) {
			action, form := formOf(t, p)
			form.Set("email", map[string]string{"login": email, "signup": "new@example.org"}[name])
			form.Set("password", pw)
			b.Header.Set("Origin", "https://evil.example")
			r := b.Post(action, form)
			b.Header.Del("Origin")
			if r.Status != http.StatusForbidden {
				t.Errorf("status %d, want 403", r.Status)
			}
			wantNoStateChange(t, e, b, 1)
		})
	}
}

func TestLogoutFormNeedsCSRF(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	wantLoggedIn(t, submit(loginPage(t, e, b), email, pw))
	if r := b.Post(e.URL+"/u/logout", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", r.Status)
	}
	if !loggedIn(t, e, b) {
		t.Error("a forged logout ended the session")
	}
}

// --- sessions (checklist E54–E58) ---

func TestSessionCookieAttributes(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	p := loginPage(t, e, b)
	b.StopAt = append(b.StopAt, e.URL+"/")
	p = submit(p, email, pw)
	var found bool
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name != "authd_session" {
			continue
		}
		found = true
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || len(c.Value) < 22 {
			t.Errorf("session cookie %+v", c)
		}
	}
	if !found {
		t.Fatalf("login set no session cookie: %v", p.Header["Set-Cookie"])
	}
}

func TestSessionFixationPlantedCookieReplaced(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	const planted = "attacker-knows-this-session-value-0123456789"
	b := e.Browser()
	plant(b, e, "authd_session", planted)
	wantLoggedIn(t, submit(loginPage(t, e, b), email, pw))
	if got := cookie(b, e, "authd_session"); got == planted || got == "" {
		t.Errorf("session cookie after login %q", got)
	}
	attacker := e.Browser()
	plant(attacker, e, "authd_session", planted)
	if loggedIn(t, e, attacker) {
		t.Error("the planted session value was promoted at login")
	}
}

func TestLogoutThenReplayedSessionCookie(t *testing.T) {
	for _, how := range []string{"v2/logout", "logout form"} {
		t.Run(how, func(t *testing.T) {
			e := authdtest.New(t)
			e.CreateUser(email, pw)
			b := e.Browser()
			wantLoggedIn(t, submit(loginPage(t, e, b), email, pw))
			old := cookie(b, e, "authd_session")
			if how == "v2/logout" {
				b.Get(e.URL + "/v2/logout?client_id=spa&returnTo=" + url.QueryEscape("http://127.0.0.1:5555/"))
			} else {
				account := b.Get(e.URL + "/u/account")
				if p := account.Submit("Log out", nil); p.H1() != "Log in" {
					t.Fatalf("after Log out: %d %q", p.Status, p.H1())
				}
			}
			if loggedIn(t, e, b) {
				t.Fatal("still logged in after logout")
			}
			replay := e.Browser()
			plant(replay, e, "authd_session", old)
			if loggedIn(t, e, replay) {
				t.Error("the old session cookie still works after logout")
			}
			a := e.SPA().AuthURL(authdtest.Param("prompt", "none"))
			if q := replay.Get(a.URL).Location().Query(); q.Get("error") != "login_required" {
				t.Errorf("prompt=none with the old cookie: %v", q)
			}
		})
	}
}

func TestAuthRequestFromAnotherBrowserRefused(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	victim := loginPage(t, e, e.Browser())
	state := victim.URL.Query().Get("state")
	other := e.Browser()
	if p := other.Get(e.URL + "/u/login?state=" + url.QueryEscape(state)); p.Status != http.StatusForbidden || p.H1() == "Log in" {
		t.Errorf("GET login of another browser's request: %d %q", p.Status, p.H1())
	}
	// Posting it with this browser's own valid CSRF token.
	action, form := formOf(t, loginPage(t, e, other))
	form.Set("state", state)
	form.Set("email", email)
	form.Set("password", pw)
	if p := other.Post(action, form); p.Status != http.StatusForbidden || p.Header.Get("Location") != "" {
		t.Errorf("POST login of another browser's request: %d %s", p.Status, p.Header.Get("Location"))
	}
	if p := other.Get(e.URL + "/authorize/callback?id=" + url.QueryEscape(state)); p.Status != http.StatusForbidden || p.Header.Get("Location") != "" {
		t.Errorf("callback of another browser's request: %d %s", p.Status, p.Header.Get("Location"))
	}
	if p := other.Get(e.URL + "/u/signup?state=" + url.QueryEscape(state)); p.Status != http.StatusForbidden {
		t.Errorf("signup of another browser's request: %d", p.Status)
	}
}

// --- headers (checklist E57) ---

func TestEveryPageSendsFramingAndSniffingHeaders(t *testing.T) {
	e := authdtest.New(t)
	b := e.Browser()
	b.StopAt = append(b.StopAt, e.URL+"/")
	login := loginPage(t, e, e.Browser())
	state := url.QueryEscape(login.URL.Query().Get("state"))
	pages := map[string]*authdtest.Page{
		"login (state)":         login,
		"login":                 b.Get(e.URL + "/u/login"),
		"signup":                b.Get(e.URL + "/u/signup?state=" + state),
		"login expired":         b.Get(e.URL + "/u/login?state=nope"),
		"authorize error":       b.Get(e.URL + "/authorize?client_id=nope&response_type=code"),
		"authorize redirect":    b.Get(e.URL + "/authorize?" + url.Values{"client_id": {"spa"}, "response_type": {"code"}, "redirect_uri": {spaCallback}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}, "scope": {"openid"}}.Encode()),
		"logged out":            b.Get(e.URL + "/u/logout"),
		"account (redirect)":    b.Get(e.URL + "/u/account"),
		"callback error":        b.Get(e.URL + "/authorize/callback?id=nope"),
		"csrf refusal":          b.Post(e.URL+"/u/login", url.Values{"email": {email}}),
		"not found":             b.Get(e.URL + "/u/nothing-here"),
		"login (other browser)": b.Get(e.URL + "/u/login?state=" + state),
	}
	for name, p := range pages {
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s (%d): CSP %q", name, p.Status, csp)
		}
		if p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s (%d): X-Frame-Options %q", name, p.Status, p.Header.Get("X-Frame-Options"))
		}
		if p.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q", name, p.Status, p.Header.Get("X-Content-Type-Options"))
		}
	}
}

// --- hostile input (checklist F59, F60) ---

func TestHostileLoginHintEscaped(t *testing.T) {
	e := authdtest.New(t)
	b := e.Browser()
	b.StopAt = append(b.StopAt, e.URL+"/u/")
	a := e.SPA().AuthURL(authdtest.Param("login_hint", hostile))
	p := b.Get(a.URL)
	if loc := p.Header.Get("Location"); loc == "" || strings.ContainsAny(loc, "\r\n<>\" ") {
		t.Fatalf("redirect to the login page: %d %q", p.Status, loc)
	}
	b.StopAt = b.StopAt[:len(b.StopAt)-1]
	p = b.Get(p.Location().String())
	if p.H1() != "Log in" {
		t.Fatalf("login page: %d %q", p.Status, p.H1())
	}
	if strings.Contains(p.Body, "<svg onload") {
		t.Errorf("login_hint reflected unescaped")
	}
	if strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), ";"), "pwned") {
		t.Error("header injection through login_hint")
	}
	// The field shows the hint as text (HTML parsing turns CRLF into LF).
	if _, form := formOf(t, p); form.Get("email") != strings.ReplaceAll(hostile, "\r\n", "\n") {
		t.Errorf("login_hint in the email field %q", form.Get("email"))
	}
}

func TestHostileStateOnLoginPageEscaped(t *testing.T) {
	e := authdtest.New(t)
	p := e.Browser().Get(e.URL + "/u/login?state=" + url.QueryEscape(hostile))
	if p.Status < 400 || p.Status >= 500 || strings.Contains(p.Body, "<svg onload") {
		t.Errorf("hostile state on the login page: %d", p.Status)
	}
}

func TestSQLMetacharactersInEmail(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	for _, v := range []string{"' OR 1=1--", "ada@example.org' OR '1'='1", "ada@example.org\x00", "\"; DROP TABLE users;--@x.org"} {
		p := submit(loginPage(t, e, b), v, pw)
		if p.Status >= 500 || p.Header.Get("Location") != "" {
			t.Errorf("login as %q: %d %s", v, p.Status, p.Header.Get("Location"))
		}
		p = b.Get(e.URL + "/u/signup?state=" + url.QueryEscape(loginPage(t, e, b).URL.Query().Get("state")))
		p = submit(p, v, pw)
		if p.Status >= 500 || p.Header.Get("Location") != "" {
			t.Errorf("signup as %q: %d %s", v, p.Status, p.Header.Get("Location"))
		}
	}
	if n := userCount(t, e); n != 1 {
		t.Errorf("%d users after the injection attempts", n)
	}
	wantLoggedIn(t, submit(loginPage(t, e, b), email, pw))
}

// --- signup (checklist B28) ---

func signupPage(t *testing.T, e *authdtest.Env, b *authdtest.Browser) *authdtest.Page {
	t.Helper()
	p := loginPage(t, e, b)
	p = b.Get(e.URL + "/u/signup?state=" + url.QueryEscape(p.URL.Query().Get("state")))
	if p.H1() != "Sign up" {
		t.Fatalf("signup page: %d %q", p.Status, p.H1())
	}
	return p
}

func TestSignupDuplicateEmail(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	for _, m := range []string{email, "ADA@Example.org", " ada@example.org "} {
		p := submit(signupPage(t, e, b), m, "another good password")
		if p.Status != http.StatusConflict || p.Alert() != "The user already exists." {
			t.Errorf("signup %q: %d %q", m, p.Status, p.Alert())
		}
	}
	if n := userCount(t, e); n != 1 {
		t.Errorf("%d users", n)
	}
	// The existing password still works: the duplicate changed nothing.
	wantLoggedIn(t, submit(loginPage(t, e, b), email, pw))
}

func TestSignupShortPassword(t *testing.T) {
	e := authdtest.New(t)
	p := submit(signupPage(t, e, e.Browser()), email, "short")
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Alert(), "at least 8 characters") {
		t.Errorf("short password: %d %q", p.Status, p.Alert())
	}
	if n := userCount(t, e); n != 0 {
		t.Errorf("%d users", n)
	}
}

func TestSignupBadEmail(t *testing.T) {
	e := authdtest.New(t)
	b := e.Browser()
	for _, m := range []string{"not-an-email", "a@", "Ada <ada@example.org>", "a b@example.org", strings.Repeat("a", 250) + "@example.org", ""} {
		p := submit(signupPage(t, e, b), m, pw)
		if p.Status != http.StatusBadRequest || p.Alert() != "Enter a valid email address." {
			t.Errorf("email %q: %d %q", m, p.Status, p.Alert())
		}
	}
	if n := userCount(t, e); n != 0 {
		t.Errorf("%d users", n)
	}
}

func TestSignupStoresArgon2idHash(t *testing.T) {
	e := authdtest.New(t)
	wantLoggedIn(t, submit(signupPage(t, e, e.Browser()), email, pw))
	u, err := e.Store().GetUserByEmail(context.Background(), connection, email)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(u.PasswordHash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" {
		t.Fatalf("password hash %q, want argon2id m=19456,t=2,p=1", u.PasswordHash)
	}
	if len(parts[4]) < 22 || len(parts[5]) < 43 || strings.Contains(u.PasswordHash, pw) {
		t.Errorf("salt %q / key %q too short", parts[4], parts[5])
	}
}

// RFC 9700 §4.12: after a POST carrying credentials the browser is sent
// on with 303, never 307 (which would re-post the password).
func TestLoginPOSTAnswers303(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser(email, pw)
	b := e.Browser()
	p := loginPage(t, e, b)
	b.StopAt = append(b.StopAt, e.URL+"/")
	if p = submit(p, email, pw); p.Status != http.StatusSeeOther {
		t.Errorf("login POST answered %d, want 303", p.Status)
	}
	b2 := e.Browser()
	p = signupPage(t, e, b2)
	b2.StopAt = append(b2.StopAt, e.URL+"/")
	if p = submit(p, "bob@example.org", pw); p.Status != http.StatusSeeOther {
		t.Errorf("signup POST answered %d, want 303", p.Status)
	}
}

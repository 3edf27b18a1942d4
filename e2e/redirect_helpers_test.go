package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/authdtest"
)

// Helpers shared by the redirect-action tests (issue #5): action
// bindings, the external site's side of the session-token protocol, and
// the steps of a suspended login.

const rdPassword = "correct horse battery"

// longSecret is the shared secret wherever go-jose plays the external
// site: go-jose refuses HMAC keys shorter than the hash (RFC 7518 §3.2),
// while the seed's own "s3cr3t" needs the plain-HMAC path of hs256Sign.
const longSecret = "redirect-tests-shared-secret-0123456789"

// rdExternal is where the test actions send people; the cookie-jar
// browser stops there and the test plays the site.
const rdExternal = "https://my-app.example.com"

// rdAction is one post-login action.
type rdAction struct {
	name, src string
	secrets   map[string]string
}

// rdBind configures the actions in order; every action gets the shared
// secret unless it names its own.
func rdBind(bs ...rdAction) []authdtest.Option { return rdBindTimeout("", bs...) }

// rdBindTimeout also sets actions.timeout (the per-execution budget).
func rdBindTimeout(timeout string, bs ...rdAction) []authdtest.Option {
	var y strings.Builder
	y.WriteString("actions:\n")
	if timeout != "" {
		fmt.Fprintf(&y, "  timeout: %s\n", timeout)
	}
	y.WriteString("  post-login:\n")
	var opts []authdtest.Option
	for _, b := range bs {
		sec := b.secrets
		if sec == nil {
			sec = map[string]string{"MY_SHARED_SECRET": longSecret}
		}
		fmt.Fprintf(&y, "    - name: %s\n      file: %s.js\n      secrets: {", b.name, b.name)
		first := true
		for k, v := range sec {
			if !first {
				y.WriteString(", ")
			}
			first = false
			fmt.Fprintf(&y, "%s: %q", k, v)
		}
		y.WriteString("}\n")
		opts = append(opts, authdtest.File(b.name+".js", b.src))
	}
	return append(opts, authdtest.YAML(y.String()))
}

// seedSource is the seed page's redirect example, byte for byte.
func seedSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/seed/redirect.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// redirector sends the user away and, on return, validates the token and
// copies favorite_color into an ID token claim and the user metadata.
const redirector = `exports.onExecutePostLogin = async (event, api) => {
  api.redirect.sendUserTo("https://my-app.example.com/ask", { query: { session_token:
    api.redirect.encodeToken({ secret: event.secrets.MY_SHARED_SECRET, payload: { email: event.user.email } }) } });
};
exports.onContinuePostLogin = async (event, api) => {
  const p = api.redirect.validateToken({ secret: event.secrets.MY_SHARED_SECRET });
  api.user.setUserMetadata("favorite_color", p.favorite_color);
  api.idToken.setCustomClaim("https://x.test/color", p.favorite_color);
};
`

// rdEnv starts authd with a user and the given actions.
func rdEnv(t *testing.T, opts ...authdtest.Option) (*authdtest.Env, string) {
	t.Helper()
	e := authdtest.New(t, opts...)
	u := e.CreateUser("ada@example.org", rdPassword)
	return e, u.ID
}

// rdBrowser is a cookie-jar browser that does not follow the redirect to
// the external site.
func rdBrowser(e *authdtest.Env) *authdtest.Browser {
	b := e.Browser()
	b.StopAt = append(b.StopAt, rdExternal)
	return b
}

// sendAway logs in until the browser is sent to the external site and
// returns the authorization request and that URL.
func sendAway(t *testing.T, e *authdtest.Env, b *authdtest.Browser, rp *authdtest.RP, extra ...oauth2.AuthCodeOption) (authdtest.Auth, *url.URL) {
	t.Helper()
	a, loc := e.Login(b, rp, "ada@example.org", rdPassword, extra...)
	if !strings.HasPrefix(loc.String(), rdExternal) {
		t.Fatalf("not sent to the external site: %s", loc)
	}
	if loc.Query().Get("state") == "" {
		t.Fatalf("no state added to %s", loc)
	}
	return a, loc
}

// comeBack is the external site's return: POST /continue with the state
// and a token carrying the claims (state, sub, iss, iat, exp defaulted).
func comeBack(t *testing.T, e *authdtest.Env, b *authdtest.Browser, state, sub string, extra map[string]any) *authdtest.Page {
	t.Helper()
	return b.Post(e.URL+"/continue", url.Values{"state": {state}, "session_token": {returnToken(t, longSecret, state, sub, extra)}})
}

// returnToken is what the external site sends back: the standard claims,
// the /continue state, and extra (a nil value removes a claim).
func returnToken(t *testing.T, secret, state, sub string, extra map[string]any) string {
	now := time.Now().Unix()
	claims := map[string]any{"sub": sub, "iss": rdExternal, "iat": now, "exp": now + 60, "state": state}
	for k, v := range extra {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	return hs256Sign(t, secret, claims)
}

// hs256Sign signs like the external site would: with go-jose where the
// key is long enough for it, else with plain HMAC-SHA256.
func hs256Sign(t *testing.T, secret string, claims map[string]any) string {
	t.Helper()
	if len(secret) >= 32 {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	body, _ := json.Marshal(claims)
	in := rdB64(`{"alg":"HS256","typ":"JWT"}`) + "." + rdB64(string(body))
	return in + "." + base64.RawURLEncoding.EncodeToString(rdMAC(secret, in))
}

// hs256Verify checks a session token like the external site would and
// returns its header and claims.
func hs256Verify(t *testing.T, secret, tok string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	var header, claims map[string]any
	decodePart(t, parts[0], &header)
	if len(secret) >= 32 {
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256})
		if err != nil {
			t.Fatalf("parse session token: %v", err)
		}
		if err := parsed.Claims([]byte(secret), &claims); err != nil {
			t.Fatalf("session token does not verify: %v", err)
		}
		return header, claims
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if header["alg"] != "HS256" || !hmac.Equal(sig, rdMAC(secret, parts[0]+"."+parts[1])) {
		t.Fatalf("session token does not verify with the shared secret: %v", header)
	}
	decodePart(t, parts[1], &claims)
	return header, claims
}

func rdMAC(secret, in string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(in))
	return m.Sum(nil)
}

func rdB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodePart(t *testing.T, part string, v any) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil || json.Unmarshal(raw, v) != nil {
		t.Fatalf("bad JWT part %q", part)
	}
}

// rdCallback checks that a response sends the browser to the SPA's
// redirect_uri and returns that URL.
func rdCallback(t *testing.T, p *authdtest.Page) *url.URL {
	t.Helper()
	loc := p.Location()
	if !strings.HasPrefix(loc.String(), "http://127.0.0.1:5555/callback") {
		t.Fatalf("not at the client: %d %s (h1 %q, alert %q)", p.Status, loc, p.H1(), p.Alert())
	}
	return loc
}

// deniedWith asserts an access_denied callback with that description.
func deniedWith(t *testing.T, a authdtest.Auth, cb *url.URL, prefix string) string {
	t.Helper()
	q := cb.Query()
	if q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), prefix) || q.Get("code") != "" || q.Get("state") != a.State {
		t.Fatalf("want access_denied %q…, got %s", prefix, cb)
	}
	return q.Get("error_description")
}

// rdExchange redeems the code of a successful callback.
func rdExchange(t *testing.T, rp *authdtest.RP, a authdtest.Auth, cb *url.URL) *authdtest.Tokens {
	t.Helper()
	tok, err := rp.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// rdRuns counts the executions of an action handler in the server log.
func rdRuns(e *authdtest.Env, action, handler string) int {
	n := 0
	for _, line := range strings.Split(e.Logs.String(), "\n") {
		var l struct{ Msg, Action, Handler string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "action" && l.Action == action && l.Handler == handler {
			n++
		}
	}
	return n
}

package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
)

// The redirect seed (§10.9–11) through the real server: the 302 to the
// external site, its session token, and the resume at /continue.

// actHS256Verify checks a compact JWT against secret and returns its header
// and claims.
func actHS256Verify(t testing.TB, tok, secret string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("session token signature does not verify with the shared secret")
	}
	var h, c map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &c) != nil {
		t.Fatalf("undecodable JWT %q", tok)
	}
	return h, c
}

func actHS256Sign(claims map[string]any, secret string) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	p := base64.RawURLEncoding.EncodeToString(b)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestActionsSeedRedirect(t *testing.T) {
	before := `exports.onExecutePostLogin = async (event, api) => { console.log("before ran"); };`
	e := actEnv(t, nil,
		act{Name: "before", Src: before},
		act{Name: "redirect", Src: actSeed(t, "redirect"), Secrets: map[string]string{"MY_SHARED_SECRET": "s3cr3t"}})
	u := e.CreateUser("ada@example.org", actPW)
	spa := e.SPA()
	b := e.Browser()
	b.StopAt = append(b.StopAt, "https://my-app.example.com")

	a := spa.AuthURL()
	p := b.Get(a.URL).Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": actPW})
	loc := p.Location()
	if loc.Scheme != "https" || loc.Host != "my-app.example.com" || (loc.Path != "" && loc.Path != "/") {
		t.Fatalf("redirected to %s, want https://my-app.example.com", loc)
	}
	q := loc.Query()
	state, token := q.Get("state"), q.Get("session_token")
	if state == "" || token == "" || state == a.State {
		t.Fatalf("want session_token and a server state (not the client's): %s", loc)
	}
	h, c := actHS256Verify(t, token, "s3cr3t")
	if h["alg"] != "HS256" || h["typ"] != "JWT" {
		t.Errorf("header %v", h)
	}
	host := strings.TrimPrefix(e.URL, "http://")
	if c["sub"] != u.ID || c["iss"] != host || c["email"] != "ada@example.org" || c["ip"] != "127.0.0.1" {
		t.Errorf("claims %v (want sub %s, iss %s)", c, u.ID, host)
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 900 {
		t.Errorf("exp - iat = %v, want 900", exp-iat)
	}

	// The app posts back a token carrying the state and the answer.
	now := time.Now().Unix()
	back := actHS256Sign(map[string]any{"sub": u.ID, "iss": "https://my-app.example.com", "iat": now, "exp": now + 60,
		"state": state, "favorite_color": "green"}, "s3cr3t")
	p = b.Post(e.URL+"/continue", url.Values{"state": {state}, "session_token": {back}})
	tok, err := spa.Exchange(a, authdtest.Code(t, a, p.Location()))
	if err != nil {
		t.Fatalf("exchange after resume: %v", err)
	}
	if tok.Claims["sub"] != u.ID {
		t.Errorf("sub %v", tok.Claims["sub"])
	}
	if got := e.User(u.ID).UserMetadata["favorite_color"]; got != "green" {
		t.Errorf("favorite_color %v, want green", got)
	}
	if n := actRan(t, e, "before"); n != 1 {
		t.Errorf("the action before the redirect ran %d times, want 1", n)
	}
	// Replaying the used state is refused with 400 (no redirect).
	if p := b.Post(e.URL+"/continue", url.Values{"state": {state}, "session_token": {back}}); p.Status != http.StatusBadRequest {
		t.Errorf("replayed /continue: %d", p.Status)
	}

	// §10.11: now that the colour is known the seed returns early.
	tok = actTokens(t, e, spa, "ada@example.org")
	if tok.Claims["sub"] != u.ID {
		t.Errorf("second login: %v", tok.Claims)
	}
}

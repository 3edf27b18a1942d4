package login

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"
)

// Cookies and CSRF. Three cookies, all HttpOnly, SameSite=Lax, Path=/,
// Secure (and __Host- prefixed) when the issuer is https:
//
//	authd_bid      a random browser id, set on first contact; login
//	               transactions and /continue states are bound to it, and
//	               CSRF tokens are derived from it.
//	authd_session  the SSO session; a new value at every login (no
//	               fixation); the store keeps only its SHA-256.
//	authd_mfa_rb   the MFA remember-browser token (signed, per user).
type cookies struct {
	secure bool
	key    []byte // HMAC key for CSRF tokens
}

func (c cookies) name(base string) string {
	if c.secure {
		return "__Host-" + base
	}
	return base
}

func (c cookies) set(w http.ResponseWriter, base, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: c.name(base), Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (c cookies) clear(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{
		Name: c.name(base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (c cookies) get(r *http.Request, base string) string {
	ck, err := r.Cookie(c.name(base))
	if err != nil {
		return ""
	}
	return ck.Value
}

type browserKey struct{}

// browser is the per-request browser identity.
type browser struct {
	raw string // cookie value
	id  string // SHA-256 hex of raw: what the store binds to
}

// BrowserMiddleware makes sure every request has a browser id cookie and
// puts the id in the context (the OIDC layer binds auth requests to it).
func (h *Handler) BrowserMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := h.ck.get(r, "authd_bid")
		if len(raw) < 32 || len(raw) > 64 {
			raw = randomToken()
			h.ck.set(w, "authd_bid", raw, 365*24*time.Hour)
		}
		b := browser{raw: raw, id: hashToken(raw)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), browserKey{}, b)))
	})
}

// BrowserID returns the hashed browser id of the request (see
// BrowserMiddleware), "" when there is none.
func BrowserID(ctx context.Context) string {
	b, _ := ctx.Value(browserKey{}).(browser)
	return b.id
}

func browserOf(r *http.Request) browser {
	b, _ := r.Context().Value(browserKey{}).(browser)
	return b
}

// csrfToken is HMAC(key, browser id): stateless, bound to this browser.
func (c cookies) csrfToken(b browser) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("csrf\x00" + b.id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF verifies the token of a state-changing request and, when the
// browser sent one, that Origin is our own.
func (h *Handler) checkCSRF(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || u.Scheme+"://"+u.Host != h.origin {
			return false
		}
	}
	b := browserOf(r)
	if b.id == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf_token")
	}
	want := h.ck.csrfToken(b)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

package login

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/config"
	"github.com/authd/authd/geoip"
	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// Deps is what the login handlers need. Trigger returns the current
// post-login actions (they are reloaded atomically on SIGHUP).
type Deps struct {
	Config   *config.Config
	Store    store.Store
	Web      *web.Renderer
	Trigger  func() *actions.Trigger
	GeoIP    *geoip.DB
	TOTP     *mfa.TOTP
	Sealer   *mfa.Sealer
	Passkeys *mfa.Passkeys
	Logger   *slog.Logger
	Now      func() time.Time
	// CallbackURL is the OIDC layer's /authorize/callback URL for an auth
	// request: where a finished (or failed) login goes.
	CallbackURL func(authRequestID string) string
	// Observe is told the outcome of every login attempt (metrics).
	Observe func(outcome string)
}

// Handler serves the login pages and runs the login pipeline.
type Handler struct {
	Deps
	ck        cookies
	origin    string // scheme://host of the issuer
	dummyHash string
	limiter   *kdfLimiter
}

func New(d Deps) *Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Observe == nil {
		d.Observe = func(string) {}
	}
	u, _ := url.Parse(d.Config.Issuer)
	return &Handler{
		Deps:      d,
		ck:        cookies{secure: u.Scheme == "https", key: d.Config.Secrets.CookieKey},
		origin:    u.Scheme + "://" + u.Host,
		dummyHash: dummyHash(),
		limiter:   newKDFLimiter(),
	}
}

// Register mounts the pages on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/login", h.getLogin)
	mux.HandleFunc("POST /u/login", h.postLogin)
	mux.HandleFunc("GET /u/signup", h.getSignup)
	mux.HandleFunc("POST /u/signup", h.postSignup)
	mux.HandleFunc("GET /u/account", h.getAccount)
	mux.HandleFunc("POST /u/logout", h.postLogout)
	mux.HandleFunc("GET /u/logout", h.getLoggedOut)
	mux.Handle("GET /u/static/", http.StripPrefix("/u/static/", h.Web.Static()))
	h.registerMFA(mux)
	h.registerPasskeys(mux)
	h.registerContinue(mux)
}

// page fills the common page fields.
func (h *Handler) base(r *http.Request, title string) web.Base {
	return web.Base{Title: title, CSRF: h.ck.csrfToken(browserOf(r))}
}

// fail renders the error page: used only before the client's
// redirect_uri is trusted, or when there is no client to return to.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	b := h.base(r, heading)
	err := h.Web.Error(w, status, web.ErrorPage{Base: b, Status: status, Heading: heading, Message: msg, RequestID: RequestID(r.Context())})
	if err != nil {
		h.Logger.Error("render error page", "err", err)
	}
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.Logger.ErrorContext(r.Context(), "login", "err", err, "path", r.URL.Path)
	h.fail(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
}

// loadRequest loads the auth request named by ?state= (or the form's
// state) and checks that it belongs to this browser.
func (h *Handler) loadRequest(w http.ResponseWriter, r *http.Request) (*store.AuthRequest, bool) {
	id := r.FormValue("state")
	if id == "" {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "This login link is incomplete. Start again from the application.")
		return nil, false
	}
	ar, err := h.Store.GetAuthRequest(r.Context(), id)
	if err != nil || !ar.ExpiresAt.After(h.Now()) {
		h.fail(w, r, http.StatusBadRequest, "Login expired", "This login has expired or is unknown. Start again from the application.")
		return nil, false
	}
	if ar.BrowserID != browserOf(r).id {
		// Login CSRF: a transaction started in another browser.
		h.fail(w, r, http.StatusForbidden, "Invalid request", "This login was started in another browser. Start again from the application.")
		return nil, false
	}
	if ar.Done || ar.ErrorCode != "" {
		http.Redirect(w, r, h.CallbackURL(ar.ID), http.StatusSeeOther)
		return nil, false
	}
	return ar, true
}

func (h *Handler) client(ar *store.AuthRequest) *config.Client {
	c, _ := h.Config.Client(ar.ClientID)
	if c == nil {
		return &config.Client{ClientID: ar.ClientID, Name: ar.ClientID}
	}
	return c
}

func hasPrompt(ar *store.AuthRequest, p string) bool {
	for _, v := range ar.Prompt {
		if v == p {
			return true
		}
	}
	return false
}

func loginURL(state string) string   { return "/u/login?state=" + url.QueryEscape(state) }
func signupURL(state string) string  { return "/u/signup?state=" + url.QueryEscape(state) }
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

type requestIDKey struct{}

// WithRequestID stores the request id for logs and error pages.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Fail renders the error page (the OIDC layer uses it before a client's
// redirect_uri can be trusted).
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	h.fail(w, r, status, heading, msg)
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

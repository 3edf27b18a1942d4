package login

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// Messages shown on the login form. A wrong password and an unknown
// email get the same words (and the same KDF time).
const (
	msgWrongCredentials = "Wrong email or password."
	msgBlocked          = "Your account has been blocked after multiple consecutive login attempts. Try again later or contact your administrator."
	maxEmailBytes       = 254
)

func (h *Handler) getLogin(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("state") == "" {
		// Standalone login (for /u/account): no client to return to.
		h.renderLogin(w, r, http.StatusOK, "", "", "")
		return
	}
	ar, ok := h.loadRequest(w, r)
	if !ok || h.resumeMFA(w, r, ar) {
		return
	}
	if sess, u := h.currentSession(r); sess != nil && !hasPrompt(ar, "login") && h.maxAgeOK(ar, sess) {
		// SSO: an existing session skips the form.
		h.authenticated(w, r, ar, u, sess, "")
		return
	}
	if hasPrompt(ar, "none") {
		st, _ := readState(ar)
		h.finishWithError(w, r, ar, st, "login_required", "Login required", nil)
		return
	}
	h.renderLogin(w, r, http.StatusOK, ar.ID, ar.LoginHint, "")
}

func (h *Handler) maxAgeOK(ar *store.AuthRequest, sess *store.Session) bool {
	if ar.MaxAge < 0 {
		return true
	}
	return h.Now().Sub(sess.AuthenticatedAt) <= time.Duration(ar.MaxAge)*time.Second
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, state, email, errMsg string) {
	b := h.base(r, "Log in")
	b.Error = errMsg
	name := "authd"
	if state != "" {
		if ar, err := h.Store.GetAuthRequest(r.Context(), state); err == nil {
			name = h.client(ar).Name
		}
	}
	page := web.LoginPage{
		Base: b, State: state, Email: email, ClientName: name,
		SignupURL: signupURL(state), Signup: h.Config.Login.Signup && state != "",
		Passkeys: h.Passkeys != nil, Action: "/u/login",
		ReturnTo:         safeReturn(r.FormValue("return_to")),
		PasskeyBeginURL:  "/u/passkey-login/begin",
		PasskeyFinishURL: "/u/passkey-login/finish",
	}
	if err := h.Web.Login(w, status, page); err != nil {
		h.Logger.Error("render login", "err", err)
	}
}

func (h *Handler) postLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "Invalid request", "The form was too large.")
		return
	}
	if !h.checkCSRF(r) {
		h.fail(w, r, http.StatusForbidden, "Invalid request", "Your session expired. Go back and try again.")
		return
	}
	state := r.PostFormValue("state")
	var ar *store.AuthRequest
	if state != "" {
		var ok bool
		if ar, ok = h.loadRequest(w, r); !ok {
			return
		}
	}
	email := normalizeEmail(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	if email == "" || password == "" || len(email) > maxEmailBytes || len(password) > maxPasswordBytes {
		h.renderLogin(w, r, http.StatusBadRequest, state, email, msgWrongCredentials)
		return
	}
	u, ok, blocked, err := h.checkPassword(r, email, password)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if blocked {
		h.Observe("blocked")
		h.renderLogin(w, r, http.StatusTooManyRequests, state, email, msgBlocked)
		return
	}
	if !ok {
		h.Observe("wrong_credentials")
		h.renderLogin(w, r, http.StatusUnauthorized, state, email, msgWrongCredentials)
		return
	}
	sess, err := h.newSession(w, r, u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if ar == nil {
		http.Redirect(w, r, cmp.Or(safeReturn(r.PostFormValue("return_to")), "/u/account"), http.StatusSeeOther)
		return
	}
	h.authenticated(w, r, ar, u, sess, "pwd")
}

// checkPassword applies the brute-force limit per (email, IP), then checks
// the password (against a dummy hash when the email is unknown).
func (h *Handler) checkPassword(r *http.Request, email, password string) (u *store.User, ok, blocked bool, err error) {
	ctx := r.Context()
	ip := ClientIP(r, h.Config.TrustedProxies)
	bf := h.Config.Login.BruteForce
	now := h.Now()
	n, last, err := h.Store.Failures(ctx, "pwd", email, ip)
	if err != nil {
		return nil, false, false, err
	}
	if n >= bf.MaxAttempts && now.Sub(last) < bf.BlockFor {
		return nil, false, true, nil
	}
	u, err = h.Store.GetUserByEmail(ctx, connectionName, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, false, err
	}
	hash := h.dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	var match, upgrade bool
	if err := h.limiter.do(ctx, func() { match, upgrade, _ = CheckPassword(hash, password) }); err != nil {
		return nil, false, false, err
	}
	if u == nil || !match {
		if _, err := h.Store.RecordFailure(ctx, "pwd", email, ip, now, bf.BlockFor); err != nil {
			return nil, false, false, err
		}
		return nil, false, false, nil
	}
	if n > 0 {
		if err := h.Store.ClearFailures(ctx, "pwd", email, ip); err != nil {
			return nil, false, false, err
		}
	}
	if upgrade {
		if nh, err := HashPassword(password); err == nil {
			_ = h.Store.SetPasswordHash(ctx, u.ID, nh, time.Time{})
		}
	}
	return u, true, false, nil
}

func (h *Handler) getSignup(w http.ResponseWriter, r *http.Request) {
	if !h.Config.Login.Signup {
		h.fail(w, r, http.StatusNotFound, "Sign up is disabled", "Ask your administrator for an account.")
		return
	}
	ar, ok := h.loadRequest(w, r)
	if !ok {
		return
	}
	h.renderSignup(w, r, http.StatusOK, ar.ID, "", "")
}

func (h *Handler) renderSignup(w http.ResponseWriter, r *http.Request, status int, state, email, errMsg string) {
	b := h.base(r, "Sign up")
	b.Error = errMsg
	page := web.SignupPage{Base: b, State: state, Email: email, LoginURL: loginURL(state), MinLength: h.Config.Login.PasswordPolicy.MinLength, Action: "/u/signup"}
	if err := h.Web.Signup(w, status, page); err != nil {
		h.Logger.Error("render signup", "err", err)
	}
}

func (h *Handler) postSignup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "Invalid request", "The form was too large.")
		return
	}
	if !h.Config.Login.Signup {
		h.fail(w, r, http.StatusNotFound, "Sign up is disabled", "Ask your administrator for an account.")
		return
	}
	if !h.checkCSRF(r) {
		h.fail(w, r, http.StatusForbidden, "Invalid request", "Your session expired. Go back and try again.")
		return
	}
	ar, ok := h.loadRequest(w, r)
	if !ok {
		return
	}
	email := normalizeEmail(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	if _, err := mail.ParseAddress(email); err != nil || len(email) > maxEmailBytes || strings.ContainsAny(email, " <>") {
		h.renderSignup(w, r, http.StatusBadRequest, ar.ID, email, "Enter a valid email address.")
		return
	}
	if min := h.Config.Login.PasswordPolicy.MinLength; len([]rune(password)) < min || len(password) > maxPasswordBytes {
		h.renderSignup(w, r, http.StatusBadRequest, ar.ID, email, passwordPolicyMessage(min))
		return
	}
	u, err := h.CreateUser(r, email, password)
	if errors.Is(err, store.ErrConflict) {
		h.renderSignup(w, r, http.StatusConflict, ar.ID, email, "The user already exists.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	sess, err := h.newSession(w, r, u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.authenticated(w, r, ar, u, sess, "pwd")
}

func passwordPolicyMessage(min int) string {
	return "Your password must be at least " + strconv.Itoa(min) + " characters long."
}

// CreateUser makes a database user with an Auth0-shaped id.
func (h *Handler) CreateUser(r *http.Request, email, password string) (*store.User, error) {
	var hash string
	var err error
	if lerr := h.limiter.do(r.Context(), func() { hash, err = HashPassword(password) }); lerr != nil {
		return nil, lerr
	}
	if err != nil {
		return nil, err
	}
	now := h.Now().UTC()
	u := &store.User{
		ID: NewUserID(), Connection: connectionName, Email: email, PasswordHash: hash,
		Name: email, Nickname: strings.SplitN(email, "@", 2)[0],
		CreatedAt: now, UpdatedAt: now,
	}
	if err := h.Store.CreateUser(r.Context(), u); err != nil {
		return nil, err
	}
	return u, nil
}

// NewUserID returns auth0|<24 hex>.
func NewUserID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "auth0|" + hex.EncodeToString(b)
}

// safeReturn keeps only local paths, so return_to is no open redirect.
func safeReturn(s string) string {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") {
		return s
	}
	return ""
}

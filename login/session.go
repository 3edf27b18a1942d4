package login

import (
	"net/http"
	"slices"
	"time"

	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// newSession starts a fresh SSO session for userID: a new random cookie
// value every time, so a cookie planted before login is never promoted
// (session fixation).
//
// A session opened inside a login transaction (the request names its
// state) is pending: only the first factor is proven, and the actions
// may still deny the login or ask for a second factor. Its
// AuthenticatedAt stays zero until the pipeline finishes (finish sets
// it), and currentSession ignores it, so neither SSO nor /u/account can
// use a password whose MFA is still pending. A standalone login (no
// state: /u/account) runs no pipeline and is complete at once.
func (h *Handler) newSession(w http.ResponseWriter, r *http.Request, userID string) (*store.Session, error) {
	now := h.Now().UTC()
	token := randomToken()
	ip := ClientIP(r, h.Config.TrustedProxies)
	authenticatedAt := now
	if r.FormValue("state") != "" {
		authenticatedAt = time.Time{}
	}
	s := &store.Session{
		ID: hashToken(token), UserID: userID,
		CreatedAt: now, AuthenticatedAt: authenticatedAt, UpdatedAt: now,
		ExpiresAt: now.Add(h.Config.Login.SessionTTL),
		InitialIP: ip, LastIP: ip, InitialUA: r.UserAgent(), LastUA: r.UserAgent(),
	}
	if old := h.ck.get(r, "authd_session"); old != "" {
		_ = h.Store.DeleteSession(r.Context(), hashToken(old))
	}
	if err := h.Store.CreateSession(r.Context(), s); err != nil {
		return nil, err
	}
	h.ck.set(w, "authd_session", token, h.Config.Login.SessionTTL)
	return s, nil
}

// currentSession returns the live SSO session of the request and its
// user; a pending session (its login has not finished) is none.
func (h *Handler) currentSession(r *http.Request) (*store.Session, *store.User) {
	token := h.ck.get(r, "authd_session")
	if token == "" {
		return nil, nil
	}
	s, err := h.Store.GetSession(r.Context(), hashToken(token))
	if err != nil || !s.ExpiresAt.After(h.Now()) || pendingSession(s) {
		return nil, nil
	}
	u, err := h.Store.GetUser(r.Context(), s.UserID)
	if err != nil {
		return nil, nil
	}
	return s, u
}

// pendingSession: the session's login transaction has not finished.
func pendingSession(s *store.Session) bool { return s.AuthenticatedAt.IsZero() }

// EndSession deletes the browser's SSO session (logout endpoints).
func (h *Handler) EndSession(w http.ResponseWriter, r *http.Request) {
	if token := h.ck.get(r, "authd_session"); token != "" {
		_ = h.Store.DeleteSession(r.Context(), hashToken(token))
	}
	h.ck.clear(w, "authd_session")
}

func (h *Handler) postLogout(w http.ResponseWriter, r *http.Request) {
	if !h.checkCSRF(r) {
		h.fail(w, r, http.StatusForbidden, "Invalid request", "Your session expired. Go back and try again.")
		return
	}
	h.EndSession(w, r)
	http.Redirect(w, r, "/u/login", http.StatusSeeOther)
}

func (h *Handler) getLoggedOut(w http.ResponseWriter, r *http.Request) {
	if err := h.Web.LoggedOut(w, http.StatusOK, web.LoggedOutPage{Base: h.base(r, "Logged out"), LoginURL: "/u/login"}); err != nil {
		h.Logger.Error("render logged out", "err", err)
	}
}

// accountSession is the signed-in user allowed to manage their factors.
// A session only proves the first factor, and adding a passkey or
// removing the authenticator app would otherwise turn a stolen password
// into a way round MFA; so a user who has any second factor must have
// used a passkey or completed a second factor in this session. Otherwise
// they are sent to sign in, or to the challenge (step-up).
func (h *Handler) accountSession(w http.ResponseWriter, r *http.Request) (*store.Session, *store.User, bool) {
	sess, u := h.currentSession(r)
	if sess == nil {
		http.Redirect(w, r, "/u/login?return_to=%2Fu%2Faccount", http.StatusSeeOther)
		return nil, nil, false
	}
	if !h.steppedUp(r, sess, u) {
		http.Redirect(w, r, "/u/mfa-otp-challenge", http.StatusSeeOther)
		return nil, nil, false
	}
	return sess, u, true
}

func (h *Handler) steppedUp(r *http.Request, sess *store.Session, u *store.User) bool {
	strong := slices.ContainsFunc(sess.Methods, func(m store.AuthMethod) bool { return m.Name == "mfa" || m.Name == "passkey" })
	return strong || (!h.hasTOTP(r, u.ID) && !h.hasPasskeys(r, u.ID))
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) {
	_, u, ok := h.accountSession(w, r)
	if !ok {
		return
	}
	page := web.AccountPage{
		Base: h.base(r, "Your account"), Email: u.Email, Name: u.Name,
		LogoutAction: "/u/logout", RemovePasskeyAction: "/u/passkey-remove",
		RemoveTOTPAction: "/u/mfa-otp-remove", TOTPSetupURL: "/u/mfa-otp-enrollment",
		PasskeyBeginURL: "/u/passkey-register/begin", PasskeyFinishURL: "/u/passkey-register/finish",
	}
	if f, err := h.Store.GetTOTP(r.Context(), u.ID); err == nil && f.Confirmed {
		page.HasTOTP = true
	}
	if creds, err := h.Store.ListWebAuthnCredentials(r.Context(), u.ID); err == nil {
		for _, c := range creds {
			page.Passkeys = append(page.Passkeys, web.PasskeyItem{ID: b64url(c.ID), Name: c.Name, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt})
		}
	}
	if err := h.Web.Account(w, http.StatusOK, page); err != nil {
		h.Logger.Error("render account", "err", err)
	}
}

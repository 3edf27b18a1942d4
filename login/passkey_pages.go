package login

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
)

func (h *Handler) registerPasskeys(mux *http.ServeMux) {
	mux.HandleFunc("POST /u/passkey-login/begin", h.passkeyLoginBegin)
	mux.HandleFunc("POST /u/passkey-login/finish", h.passkeyLoginFinish)
	mux.HandleFunc("POST /u/passkey-register/begin", h.passkeyRegisterBegin)
	mux.HandleFunc("POST /u/passkey-register/finish", h.passkeyRegisterFinish)
	mux.HandleFunc("POST /u/passkey-mfa/begin", h.passkeyMFABegin)
	mux.HandleFunc("POST /u/passkey-mfa/finish", h.passkeyMFAFinish)
	mux.HandleFunc("GET /u/passkey-offer", h.getPasskeyOffer)
	mux.HandleFunc("POST /u/passkey-offer", h.postPasskeyOffer)
	mux.HandleFunc("POST /u/passkey-remove", h.postPasskeyRemove)
	h.registerPasskeyEnroll(mux)
}

// withState makes the JSON body's state visible to the form-based
// loaders (loadRequest and friends read r.FormValue("state")).
func withState(r *http.Request, state string) {
	r.Form = url.Values{"state": {state}}
	r.PostForm = r.Form
}

// passkeyJSON opens every passkey endpoint: passkeys enabled, then the
// JSON body (CSRF-checked by readJSON) and its state.
func (h *Handler) passkeyJSON(w http.ResponseWriter, r *http.Request) (body []byte, state string, ok bool) {
	if h.passkeysOff(w) {
		return nil, "", false
	}
	return h.readJSON(w, r)
}

func (h *Handler) passkeysOff(w http.ResponseWriter) bool {
	if h.Passkeys == nil {
		jsonError(w, http.StatusNotFound, "Passkeys are not enabled.")
		return true
	}
	return false
}

// passkeyLoginBegin starts "Continue with a passkey" (and the login
// page's autofill): a discoverable ceremony, no email needed.
func (h *Handler) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := h.passkeyJSON(w, r); !ok {
		return
	}
	opts, id, err := h.Passkeys.BeginLogin(r.Context())
	if err != nil {
		h.Logger.ErrorContext(r.Context(), "passkey login begin", "err", err)
		jsonError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
		return
	}
	h.begun(w, waLogin, opts, id)
}

// passkeyLoginFinish verifies the assertion and logs its owner in: into
// the waiting login (state), or a standalone session for /u/account.
func (h *Handler) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	body, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	id := h.ceremonyID(w, r, waLogin, body)
	withState(r, state)
	asJSON(w, func(cw http.ResponseWriter) (int, string) {
		var ar *store.AuthRequest
		if state != "" {
			if ar, ok = h.loadRequest(cw, r); !ok {
				return 0, ""
			}
		}
		u, _, err := h.Passkeys.FinishLogin(r.Context(), id, body)
		if err != nil {
			h.passkeyRefused(r, "login", err)
			return http.StatusUnauthorized, msgPasskeyRejected
		}
		sess, err := h.newSession(cw, r, u.ID)
		if err != nil {
			h.serverError(cw, r, err)
			return 0, ""
		}
		if ar == nil {
			// No pipeline runs for a standalone login; the session
			// remembers that a passkey opened it (account step-up).
			now := h.Now().UTC()
			if _, err := h.Store.RecordLogin(r.Context(), u.ID, now, ClientIP(r, h.Config.TrustedProxies)); err != nil {
				h.serverError(cw, r, err)
				return 0, ""
			}
			sess.Methods = append(sess.Methods, store.AuthMethod{Name: "passkey", Timestamp: now})
			if err := h.Store.UpdateSession(r.Context(), sess); err != nil {
				h.serverError(cw, r, err)
				return 0, ""
			}
			http.Redirect(cw, r, "/u/account", http.StatusSeeOther)
			return 0, ""
		}
		h.authenticated(cw, r, ar, u, sess, "passkey")
		return 0, ""
	})
}

// passkeyRefused logs why a passkey failed; the person sees one message.
func (h *Handler) passkeyRefused(r *http.Request, ceremony string, err error) {
	level := "info"
	if errors.Is(err, mfa.ErrCloneDetected) {
		level = "warn" // an authenticator may have been cloned
	}
	h.Logger.WarnContext(r.Context(), "passkey refused", "ceremony", ceremony, "severity", level, "err", err)
	h.Observe("passkey_refused")
}

// registerUser is who may add a passkey: the account page's stepped-up
// user, or the user of a just-finished login on the passkey offer.
func (h *Handler) registerUser(w http.ResponseWriter, r *http.Request, state string) (*store.User, *store.AuthRequest, bool) {
	if state == "" {
		_, u, ok := h.accountSession(w, r)
		return u, nil, ok
	}
	ar, u, ok := h.loadOffer(w, r, state)
	return u, ar, ok
}

// loaded runs a loader that answers failures with pages or redirects
// and, when it fails, answers with a JSON error instead.
func loaded[T any](w http.ResponseWriter, status int, msg string, load func(w http.ResponseWriter) (T, bool)) (T, bool) {
	c := &capture{ResponseWriter: w}
	v, ok := load(c)
	if !ok {
		w.Header().Del("Location")
		w.Header().Del("Content-Type")
		jsonError(w, status, msg)
	}
	return v, ok
}

func (h *Handler) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	_, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	withState(r, state)
	u, ok := loaded(w, http.StatusForbidden, msgSignInAgain, func(cw http.ResponseWriter) (*store.User, bool) {
		u, _, ok := h.registerUser(cw, r, state)
		return u, ok
	})
	if !ok {
		return
	}
	opts, id, err := h.Passkeys.BeginRegistration(r.Context(), u)
	if err != nil {
		h.Logger.ErrorContext(r.Context(), "passkey register begin", "err", err)
		jsonError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
		return
	}
	h.begun(w, waRegister, opts, id)
}

const msgSignInAgain = "Sign in again to manage your passkeys."

// passkeyRegisterFinish stores the new passkey; from the offer it goes on
// to the client, from the account page back to it.
func (h *Handler) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	body, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	id := h.ceremonyID(w, r, waRegister, body)
	withState(r, state)
	type who struct {
		u  *store.User
		ar *store.AuthRequest
	}
	s, ok := loaded(w, http.StatusForbidden, msgSignInAgain, func(cw http.ResponseWriter) (who, bool) {
		u, ar, ok := h.registerUser(cw, r, state)
		return who{u, ar}, ok
	})
	if !ok {
		return
	}
	cred, err := h.Passkeys.FinishRegistration(r.Context(), s.u, id, body)
	if err != nil {
		h.passkeyRefused(r, "register", err)
		msg := "The passkey could not be added. Try again."
		if errors.Is(err, mfa.ErrCredentialExists) {
			msg = "This passkey is already registered."
		}
		jsonError(w, http.StatusBadRequest, msg)
		return
	}
	// Like enrolling an authenticator app, adding a passkey proves it: the
	// session may go on managing the factors it now has.
	if sess, su := h.currentSession(r); sess != nil && su.ID == s.u.ID {
		if err := h.sessionFactor(r, sess, passkeyFactorType(cred)); err != nil {
			h.Logger.WarnContext(r.Context(), "passkey: mark session", "err", err)
		}
	}
	next := "/u/account"
	if s.ar != nil {
		next = h.CallbackURL(s.ar.ID)
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": next})
}

// passkeyMFABegin starts a passkey as the second factor of a waiting login
// (or the account step-up, without state).
func (h *Handler) passkeyMFABegin(w http.ResponseWriter, r *http.Request) {
	_, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	withState(r, state)
	v, ok := loaded(w, http.StatusBadRequest, msgNotWaiting, func(cw http.ResponseWriter) (verifier, bool) {
		return h.verifierOf(cw, r)
	})
	if !ok {
		return
	}
	if !v.allowed("webauthn") {
		jsonError(w, http.StatusBadRequest, msgNotWaiting)
		return
	}
	opts, id, err := h.Passkeys.BeginMFA(r.Context(), v.u)
	if errors.Is(err, mfa.ErrNoPasskeys) {
		jsonError(w, http.StatusBadRequest, "You have no passkey yet.")
		return
	}
	if err != nil {
		h.Logger.ErrorContext(r.Context(), "passkey mfa begin", "err", err)
		jsonError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
		return
	}
	h.begun(w, waMFA, opts, id)
}

const msgNotWaiting = "This login is not waiting for a passkey. Start again from the application."

func (h *Handler) passkeyMFAFinish(w http.ResponseWriter, r *http.Request) {
	body, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	id := h.ceremonyID(w, r, waMFA, body)
	withState(r, state)
	asJSON(w, func(cw http.ResponseWriter) (int, string) {
		v, ok := h.verifierOf(cw, r)
		if !ok {
			return 0, ""
		}
		if !v.allowed("webauthn") {
			return http.StatusBadRequest, msgNotWaiting
		}
		cred, err := h.Passkeys.FinishMFA(r.Context(), v.u, id, body)
		if err != nil {
			h.passkeyRefused(r, "mfa", err)
			return http.StatusUnauthorized, msgPasskeyRejected
		}
		h.factorDone(cw, r, v, passkeyFactorType(cred), false)
		return 0, ""
	})
}

// passkeyFactorType names the factor as Auth0 does: a passkey on this
// device (or synced, or via a phone) is webauthn-platform; a security key
// over USB, NFC or Bluetooth is webauthn-roaming.
func passkeyFactorType(c *store.WebAuthnCredential) string {
	roaming := len(c.Transports) > 0
	for _, t := range c.Transports {
		if t == "internal" || t == "hybrid" {
			roaming = false
		}
	}
	if roaming {
		return "webauthn-roaming"
	}
	return "webauthn-platform"
}

// postPasskeyRemove deletes one of the signed-in user's passkeys.
func (h *Handler) postPasskeyRemove(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	_, u, ok := h.accountSession(w, r)
	if !ok {
		return
	}
	credID, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("passkey_id"))
	if err != nil || len(credID) == 0 {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "Unknown passkey.")
		return
	}
	// The store deletes by (user, id): another user's passkey id is
	// simply not found.
	if err := h.Store.DeleteWebAuthnCredential(r.Context(), u.ID, credID); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/u/account", http.StatusSeeOther)
}

package login

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
)

// mfaSatisfied: a second factor completed in this transaction, or a valid
// remember-browser cookie for this user when the action allowed it.
func (h *Handler) mfaSatisfied(r *http.Request, st *txState, u *store.User) bool {
	if st.MFA.EnrollPasskey {
		// enrollWith a passkey: a new passkey, or one the user already had
		// and has just used; a step-up with the authenticator app is not it.
		return slices.ContainsFunc(st.Methods, func(m store.AuthMethod) bool { return m.Name == "mfa" && isWebAuthn(m.Type) })
	}
	if slices.ContainsFunc(st.Methods, func(m store.AuthMethod) bool { return m.Name == "mfa" }) {
		return true
	}
	if st.MFA.AllowRememberBrowser && !st.MFA.ResumeActions {
		if tok := h.ck.get(r, "authd_mfa_rb"); tok != "" && mfa.VerifyRemember(h.Config.Secrets.CookieKey, tok, u.ID, h.Now()) {
			return true
		}
	}
	return false
}

// startMFA persists the waiting transaction and sends the browser to the
// challenge, or to enrollment when the user has no factor yet.
func (h *Handler) startMFA(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, st *txState, u *store.User) {
	st.Step = stepMFA
	if err := writeState(ar, st); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.UpdateAuthRequest(r.Context(), ar); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, h.mfaPage(r, st, u)+"?state="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

// mfaPage is the page where the user proves (or first enrolls) the
// second factor the transaction waits for.
func (h *Handler) mfaPage(r *http.Request, st *txState, u *store.User) string {
	hasTOTP := h.hasTOTP(r, u.ID)
	creds, _ := h.Store.ListWebAuthnCredentials(r.Context(), u.ID)
	if st.MFA.EnrollPasskey {
		if h.passkeyStepUpNeeded(r, st, u) {
			return "/u/mfa-otp-challenge"
		}
		return "/u/passkey-enrollment"
	}
	if !hasTOTP && (len(creds) == 0 || st.MFA.Enroll) {
		return "/u/mfa-otp-enrollment"
	}
	return "/u/mfa-otp-challenge"
}

// resumeMFA sends a browser that comes back to the login page of a
// transaction waiting for its second factor (say, from the OIDC callback
// it reached too early) to that step, rather than to a new password: the
// session the password opened is pending and counts for nothing else.
func (h *Handler) resumeMFA(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest) bool {
	st, err := readState(ar)
	if err != nil || st.Step != stepMFA || st.MFA == nil || ar.UserID == "" {
		return false
	}
	u, err := h.Store.GetUser(r.Context(), ar.UserID)
	if err != nil {
		return false
	}
	http.Redirect(w, r, h.mfaPage(r, st, u)+"?state="+url.QueryEscape(ar.ID), http.StatusSeeOther)
	return true
}

func isWebAuthn(typ string) bool { return typ == "webauthn-platform" || typ == "webauthn-roaming" }

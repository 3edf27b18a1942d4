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
	page := "/u/mfa-otp-challenge"
	totp, err := h.Store.GetTOTP(r.Context(), u.ID)
	hasTOTP := err == nil && totp.Confirmed
	creds, _ := h.Store.ListWebAuthnCredentials(r.Context(), u.ID)
	if !hasTOTP && (len(creds) == 0 || st.MFA.Enroll) {
		page = "/u/mfa-otp-enrollment"
	}
	http.Redirect(w, r, page+"?state="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

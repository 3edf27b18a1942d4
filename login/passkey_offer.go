package login

import (
	"net/http"

	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// The passkey offer (login.offer_passkey): after a password login has
// finished — actions run, MFA done, the auth request marked done — and
// before the browser returns to the client, a person without a passkey is
// asked whether to create one. Either way the next stop is the callback.

// loadOffer checks that state is a finished login of this browser, made
// with the offer on, by the signed-in user.
func (h *Handler) loadOffer(w http.ResponseWriter, r *http.Request, state string) (*store.AuthRequest, *store.User, bool) {
	ar, err := h.Store.GetAuthRequest(r.Context(), state)
	if err != nil || !ar.ExpiresAt.After(h.Now()) {
		h.fail(w, r, http.StatusBadRequest, "Login expired", "This login has expired or is unknown. Start again from the application.")
		return nil, nil, false
	}
	if ar.BrowserID != browserOf(r).id {
		h.fail(w, r, http.StatusForbidden, "Invalid request", "This login was started in another browser. Start again from the application.")
		return nil, nil, false
	}
	st, err := readState(ar)
	if err != nil {
		h.serverError(w, r, err)
		return nil, nil, false
	}
	if !ar.Done || ar.ErrorCode != "" || !h.offerPasskey(r, st, ar.UserID) {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "There is nothing to set up for this login.")
		return nil, nil, false
	}
	sess, u := h.currentSession(r)
	if sess == nil || u.ID != ar.UserID || sess.ID != ar.SessionID {
		h.fail(w, r, http.StatusForbidden, "Invalid request", "Sign in again to add a passkey.")
		return nil, nil, false
	}
	return ar, u, true
}

// offerPasskey: the login was made for the offer (a password, no passkey
// yet), and adding one would not get round a second factor — a user with
// an authenticator app must have used it in this login, as on /u/account.
func (h *Handler) offerPasskey(r *http.Request, st *txState, userID string) bool {
	if !st.OfferPasskey || st.Passkey || h.Passkeys == nil {
		return false
	}
	return completedMFA(st) || !h.hasTOTP(r, userID)
}

func (h *Handler) getPasskeyOffer(w http.ResponseWriter, r *http.Request) {
	ar, _, ok := h.loadOffer(w, r, r.FormValue("state"))
	if !ok {
		return
	}
	page := web.PasskeyOfferPage{Base: h.base(r, "Create a passkey?"), State: ar.ID, Action: "/u/passkey-offer",
		PasskeyBeginURL: "/u/passkey-register/begin", PasskeyFinishURL: "/u/passkey-register/finish"}
	if err := h.Web.PasskeyOffer(w, http.StatusOK, page); err != nil {
		h.Logger.Error("render passkey offer", "err", err)
	}
}

// postPasskeyOffer is "Not now": on to the client.
func (h *Handler) postPasskeyOffer(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	ar, _, ok := h.loadOffer(w, r, r.PostFormValue("state"))
	if !ok {
		return
	}
	http.Redirect(w, r, h.CallbackURL(ar.ID), http.StatusSeeOther)
}

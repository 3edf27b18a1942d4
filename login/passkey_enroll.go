package login

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// Passkey enrollment inside a login: an action's
// api.authentication.enrollWith({type: "webauthn-platform"}) (or
// enrollWithAny with a webauthn type first) pauses the pipeline until the
// user has registered a passkey; the registration ceremony is bound to the
// waiting transaction (?state=, this browser, the step), and the next
// action then sees the completed mfa entry.
//
// The password alone must not add a factor next to one the user already
// has (a stolen password would then get round their MFA), so such a user
// first proves a factor they have (passkeyStepUpNeeded).

func (h *Handler) registerPasskeyEnroll(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/passkey-enrollment", h.getPasskeyEnroll)
	mux.HandleFunc("POST /u/passkey-enrollment/begin", h.passkeyEnrollBegin)
	mux.HandleFunc("POST /u/passkey-enrollment/finish", h.passkeyEnrollFinish)
}

// waEnroll is the ceremony kind (cookie name) of a mid-login enrollment.
const waEnroll = "e"

const msgNotEnrolling = "This login is not waiting for a new passkey. Start again from the application."

// passkeyStepUpNeeded: the user has a second factor and has not used one
// in this transaction yet.
func (h *Handler) passkeyStepUpNeeded(r *http.Request, st *txState, u *store.User) bool {
	return !completedMFA(st) && (h.hasTOTP(r, u.ID) || h.hasPasskeys(r, u.ID))
}

// passkeyEnrollTx loads the transaction named by state and checks that it
// waits for a passkey to be enrolled, now.
func (h *Handler) passkeyEnrollTx(w http.ResponseWriter, r *http.Request) (*mfaTx, bool) {
	tx, ok := h.loadMFA(w, r)
	if !ok {
		return nil, false
	}
	if h.Passkeys == nil || !tx.st.MFA.EnrollPasskey || h.passkeyStepUpNeeded(r, tx.st, tx.u) {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", msgNotEnrolling)
		return nil, false
	}
	return tx, true
}

func (h *Handler) getPasskeyEnroll(w http.ResponseWriter, r *http.Request) {
	tx, ok := h.loadMFA(w, r)
	if !ok {
		return
	}
	switch {
	case h.Passkeys == nil || !tx.st.MFA.EnrollPasskey:
		h.fail(w, r, http.StatusBadRequest, "Invalid request", msgNotEnrolling)
		return
	case h.passkeyStepUpNeeded(r, tx.st, tx.u):
		http.Redirect(w, r, "/u/mfa-otp-challenge?state="+url.QueryEscape(tx.ar.ID), http.StatusSeeOther)
		return
	}
	page := web.PasskeyOfferPage{Base: h.base(r, "Create a passkey"), State: tx.ar.ID, Required: true,
		PasskeyBeginURL: "/u/passkey-enrollment/begin", PasskeyFinishURL: "/u/passkey-enrollment/finish"}
	if err := h.Web.PasskeyOffer(w, http.StatusOK, page); err != nil {
		h.Logger.Error("render passkey enrollment", "err", err)
	}
}

func (h *Handler) passkeyEnrollBegin(w http.ResponseWriter, r *http.Request) {
	_, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	withState(r, state)
	tx, ok := loaded(w, http.StatusBadRequest, msgNotEnrolling, func(cw http.ResponseWriter) (*mfaTx, bool) {
		return h.passkeyEnrollTx(cw, r)
	})
	if !ok {
		return
	}
	opts, id, err := h.Passkeys.BeginRegistration(r.Context(), tx.u)
	if err != nil {
		h.Logger.ErrorContext(r.Context(), "passkey enroll begin", "err", err)
		jsonError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
		return
	}
	h.begun(w, waEnroll, opts, id)
}

// passkeyEnrollFinish stores the new passkey, records it as this login's
// second factor and resumes the pipeline.
func (h *Handler) passkeyEnrollFinish(w http.ResponseWriter, r *http.Request) {
	body, state, ok := h.passkeyJSON(w, r)
	if !ok {
		return
	}
	id := h.ceremonyID(w, r, waEnroll, body)
	withState(r, state)
	asJSON(w, func(cw http.ResponseWriter) (int, string) {
		tx, ok := h.passkeyEnrollTx(cw, r)
		if !ok {
			return 0, ""
		}
		cred, err := h.Passkeys.FinishRegistration(r.Context(), tx.u, id, body)
		if err != nil {
			h.passkeyRefused(r, "enroll", err)
			if errors.Is(err, mfa.ErrCredentialExists) {
				return http.StatusBadRequest, "This passkey is already registered."
			}
			return http.StatusBadRequest, "The passkey could not be added. Try again."
		}
		h.recordFactor(r, tx, passkeyFactorType(cred))
		h.advance(cw, r, tx.ar, tx.st)
		return 0, ""
	})
}

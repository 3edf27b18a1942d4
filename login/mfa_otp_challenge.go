package login

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

const (
	msgWrongCode     = "Wrong code. Try again."
	msgWrongRecovery = "Wrong recovery code. Try again."
)

func (h *Handler) registerMFA(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/mfa-otp-enrollment", h.getOTPEnroll)
	mux.HandleFunc("POST /u/mfa-otp-enrollment", h.postOTPEnroll)
	mux.HandleFunc("POST /u/mfa-otp-enrollment/done", h.postEnrollDone)
	mux.HandleFunc("GET /u/mfa-otp-challenge", h.getOTPChallenge)
	mux.HandleFunc("POST /u/mfa-otp-challenge", h.postOTPChallenge)
	mux.HandleFunc("GET /u/recovery-code", h.getRecovery)
	mux.HandleFunc("POST /u/recovery-code", h.postRecovery)
	mux.HandleFunc("POST /u/mfa-otp-remove", h.postOTPRemove)
}

func (h *Handler) getOTPChallenge(w http.ResponseWriter, r *http.Request) {
	v, ok := h.verifierOf(w, r)
	if !ok {
		return
	}
	if !h.hasTOTP(r, v.u.ID) && !h.hasPasskeys(r, v.u.ID) {
		http.Redirect(w, r, "/u/mfa-otp-enrollment"+stateQuery(v.state()), http.StatusSeeOther)
		return
	}
	h.renderChallenge(w, r, http.StatusOK, v, "")
}

func (h *Handler) renderChallenge(w http.ResponseWriter, r *http.Request, status int, v verifier, errMsg string) {
	b := h.base(r, "Verify your identity")
	b.Error = errMsg
	page := web.OTPChallengePage{
		Base: b, State: v.state(), Action: "/u/mfa-otp-challenge",
		AllowRemember: v.tx != nil && h.rememberAllowed(v.tx.st),
	}
	if v.tx != nil && h.hasTOTP(r, v.u.ID) && v.allowed("recovery-code") {
		page.RecoveryURL = "/u/recovery-code?state=" + url.QueryEscape(v.state())
	}
	if v.allowed("webauthn") && h.hasPasskeys(r, v.u.ID) {
		page.PasskeyMFA = true
		page.PasskeyBeginURL = "/u/passkey-mfa/begin"
		page.PasskeyFinishURL = "/u/passkey-mfa/finish"
	}
	if err := h.Web.OTPChallenge(w, status, page); err != nil {
		h.Logger.Error("render otp challenge", "err", err)
	}
}

func (h *Handler) postOTPChallenge(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	v, ok := h.verifierOf(w, r)
	if !ok {
		return
	}
	if !v.allowed("otp") {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "This login asks for another kind of verification.")
		return
	}
	ctx := r.Context()
	f, err := h.Store.GetTOTP(ctx, v.u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !f.Confirmed) {
		http.Redirect(w, r, "/u/mfa-otp-enrollment"+stateQuery(v.state()), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	secret, err := h.Sealer.Open(f.SecretEnc)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	step, err := h.TOTP.Verify(string(secret), r.PostFormValue("code"), f.LastStep)
	if err == nil {
		// The store's compare-and-set is the real replay guard: of two
		// concurrent posts of one code, only one moves last_step.
		err = h.Store.UseTOTPStep(ctx, v.u.ID, step)
		if err != nil && !errors.Is(err, store.ErrConsumed) {
			h.serverError(w, r, err)
			return
		}
	}
	if err != nil {
		if h.wrongCode(w, r, v) {
			return
		}
		h.renderChallenge(w, r, http.StatusUnauthorized, v, msgWrongCode)
		return
	}
	h.factorDone(w, r, v, "otp", r.PostFormValue("remember") != "")
}

func (h *Handler) getRecovery(w http.ResponseWriter, r *http.Request) {
	tx, ok := h.challengeTx(w, r)
	if !ok {
		return
	}
	h.renderRecovery(w, r, http.StatusOK, tx, "")
}

func (h *Handler) renderRecovery(w http.ResponseWriter, r *http.Request, status int, tx *mfaTx, errMsg string) {
	b := h.base(r, "Use a recovery code")
	b.Error = errMsg
	page := web.RecoveryCodePage{Base: b, State: tx.ar.ID, Action: "/u/recovery-code",
		ChallengeURL: "/u/mfa-otp-challenge?state=" + url.QueryEscape(tx.ar.ID)}
	if err := h.Web.RecoveryCode(w, status, page); err != nil {
		h.Logger.Error("render recovery code", "err", err)
	}
}

// postRecovery consumes a recovery code. The person has just used their
// only code, so a new one is made and shown before the login goes on.
func (h *Handler) postRecovery(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	tx, ok := h.challengeTx(w, r)
	if !ok {
		return
	}
	if !tx.st.factorAllowed("recovery-code") {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "This login asks for another kind of verification.")
		return
	}
	code := strings.TrimSpace(r.PostFormValue("recovery_code"))
	err := store.ErrNotFound
	if code != "" && len(code) <= 64 {
		err = h.Store.UseRecoveryCode(r.Context(), tx.u.ID, mfa.HashRecoveryCode(code), h.Now().UTC())
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConsumed) {
		h.serverError(w, r, err)
		return
	}
	if err != nil {
		if h.wrongCode(w, r, verifier{tx: tx, u: tx.u}) {
			return
		}
		h.renderRecovery(w, r, http.StatusUnauthorized, tx, msgWrongRecovery)
		return
	}
	h.recordFactor(r, tx, "recovery-code")
	if !h.saveTx(w, r, tx) {
		return
	}
	h.showNewRecoveryCode(w, r, tx.u.ID, tx.ar.ID)
}

// challengeTx is verifierOf for pages that exist only inside a login.
func (h *Handler) challengeTx(w http.ResponseWriter, r *http.Request) (*mfaTx, bool) {
	if r.FormValue("state") == "" {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "This login link is incomplete. Start again from the application.")
		return nil, false
	}
	v, ok := h.verifierOf(w, r)
	return v.tx, ok
}

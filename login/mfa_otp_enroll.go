package login

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// Authenticator-app enrollment, in two places: inside a login that must
// enroll (?state=, the transaction waits at the MFA step) and from
// /u/account (no state, the SSO session says who). A confirmed factor is
// never replaced here: someone holding only the password must not be able
// to swap the victim's authenticator for their own. Removing it first
// needs a full login (/u/account) or an admin (authd users mfa reset).

// enrollSubject is the transaction that must enroll, or the signed-in
// (and, if they have factors, stepped-up) user of /u/account.
func (h *Handler) enrollSubject(w http.ResponseWriter, r *http.Request) (verifier, bool) {
	if r.FormValue("state") == "" {
		sess, u, ok := h.accountSession(w, r)
		return verifier{sess: sess, u: u}, ok
	}
	return h.verifierOf(w, r)
}

// alreadyEnrolled sends a user who has an authenticator app to the
// challenge (in a login) or back to the account page.
func (h *Handler) alreadyEnrolled(w http.ResponseWriter, r *http.Request, s verifier) bool {
	if !h.hasTOTP(r, s.u.ID) {
		return false
	}
	if s.tx != nil {
		http.Redirect(w, r, "/u/mfa-otp-challenge?state="+url.QueryEscape(s.tx.ar.ID), http.StatusSeeOther)
	} else {
		http.Redirect(w, r, "/u/account", http.StatusSeeOther)
	}
	return true
}

func (h *Handler) getOTPEnroll(w http.ResponseWriter, r *http.Request) {
	s, ok := h.enrollSubject(w, r)
	if !ok || h.alreadyEnrolled(w, r, s) {
		return
	}
	// A fresh secret each time the page is shown; it only counts once a
	// code from it has been verified.
	en, err := h.TOTP.Enroll(s.u.Email)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	sealed, err := h.Sealer.Seal([]byte(en.Secret))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.SaveTOTP(r.Context(), &store.TOTPFactor{UserID: s.u.ID, SecretEnc: sealed, CreatedAt: h.Now().UTC()}); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.renderEnroll(w, r, http.StatusOK, s, en, "")
}

func (h *Handler) renderEnroll(w http.ResponseWriter, r *http.Request, status int, s verifier, en mfa.Enrollment, errMsg string) {
	b := h.base(r, "Set up your authenticator app")
	b.Error = errMsg
	page := web.OTPEnrollPage{Base: b, State: s.state(), Secret: en.Secret, Action: "/u/mfa-otp-enrollment"}
	if len(en.QRPNG) > 0 {
		// Our own PNG encoder produced the data: URI.
		page.QRCode = template.URL(en.QRDataURI())
	}
	if err := h.Web.OTPEnroll(w, status, page); err != nil {
		h.Logger.Error("render otp enroll", "err", err)
	}
}

func (h *Handler) postOTPEnroll(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	s, ok := h.enrollSubject(w, r)
	if !ok || h.alreadyEnrolled(w, r, s) {
		return
	}
	ctx := r.Context()
	f, err := h.Store.GetTOTP(ctx, s.u.ID)
	if errors.Is(err, store.ErrNotFound) {
		// The pending secret is gone (reset meanwhile): start over.
		http.Redirect(w, r, "/u/mfa-otp-enrollment"+stateQuery(s.state()), http.StatusSeeOther)
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
	if err != nil {
		if s.tx != nil && h.wrongCode(w, r, s) {
			return
		}
		// Same secret again: the person has already added it to the app.
		h.renderEnroll(w, r, http.StatusUnauthorized, s, h.reEnrollment(s.u.Email, string(secret)), msgWrongCode)
		return
	}
	f.Confirmed = true
	f.LastStep = step
	if err := h.Store.SaveTOTP(ctx, f); err != nil {
		h.serverError(w, r, err)
		return
	}
	// Enrolling proved the new factor: the login (or the account
	// session) counts it as a completed second factor.
	if s.tx != nil {
		h.recordFactor(r, s.tx, "otp")
		if !h.saveTx(w, r, s.tx) {
			return
		}
	} else if err := h.sessionFactor(r, s.sess, "otp"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.showNewRecoveryCode(w, r, s.u.ID, s.state())
}

// reEnrollment rebuilds the page data (QR code included) for a pending
// secret: Enroll reads its secret from Rand, so feeding it the secret's
// own bytes yields the same key with the same parameters.
func (h *Handler) reEnrollment(account, secret string) mfa.Enrollment {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err == nil {
		t := *h.TOTP
		t.Rand = bytes.NewReader(raw)
		if en, err := t.Enroll(account); err == nil && en.Secret == secret {
			return en
		}
	}
	return mfa.Enrollment{Secret: secret}
}

// showNewRecoveryCode replaces the user's recovery codes with a fresh one
// and shows it once; its Continue goes to /u/mfa-otp-enrollment/done.
func (h *Handler) showNewRecoveryCode(w http.ResponseWriter, r *http.Request, userID, state string) {
	code, err := mfa.NewRecoveryCode(rand.Reader)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.SetRecoveryCodes(r.Context(), userID, []string{mfa.HashRecoveryCode(code)}); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	page := web.RecoveryCodeShownPage{Base: h.base(r, "Save your recovery code"), State: state, Code: code, Action: "/u/mfa-otp-enrollment/done"}
	if err := h.Web.RecoveryCodeShown(w, http.StatusOK, page); err != nil {
		h.Logger.Error("render recovery code", "err", err)
	}
}

// postEnrollDone is the Continue after the recovery code: the factor was
// completed before the code was shown, so the login goes on.
func (h *Handler) postEnrollDone(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	if r.PostFormValue("state") == "" {
		http.Redirect(w, r, "/u/account", http.StatusSeeOther)
		return
	}
	tx, ok := h.loadMFA(w, r)
	if !ok {
		return
	}
	if !completedMFA(tx.st) {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "Verify your identity first.")
		return
	}
	h.advance(w, r, tx.ar, tx.st)
}

func (h *Handler) postOTPRemove(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	_, u, ok := h.accountSession(w, r)
	if !ok {
		return
	}
	if err := h.Store.DeleteFactors(r.Context(), u.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/u/account", http.StatusSeeOther)
}

func stateQuery(state string) string {
	if state == "" {
		return ""
	}
	return "?state=" + url.QueryEscape(state)
}

package login

import (
	"net/http"
	"slices"
	"time"

	"github.com/authd/authd/mfa"
	"github.com/authd/authd/store"
)

// rememberFor is how long "Remember this browser" skips the challenge.
const rememberFor = 30 * 24 * time.Hour

// msgMFALocked ends a transaction after too many wrong codes.
const msgMFALocked = "Too many failed attempts"

// mfaTx is a login transaction waiting for a second factor.
type mfaTx struct {
	ar *store.AuthRequest
	st *txState
	u  *store.User
}

// loadMFA loads the transaction named by state and checks that it belongs
// to this browser and is waiting at the MFA step. Every MFA page starts
// here, so a page reached out of order (or from another browser) does
// nothing.
func (h *Handler) loadMFA(w http.ResponseWriter, r *http.Request) (*mfaTx, bool) {
	ar, ok := h.loadRequest(w, r)
	if !ok {
		return nil, false
	}
	return h.mfaOf(w, r, ar)
}

func (h *Handler) mfaOf(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest) (*mfaTx, bool) {
	st, err := readState(ar)
	if err != nil {
		h.serverError(w, r, err)
		return nil, false
	}
	if st.Step != stepMFA || st.MFA == nil || ar.UserID == "" {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "This login is not waiting for a second factor. Start again from the application.")
		return nil, false
	}
	u, err := h.Store.GetUser(r.Context(), ar.UserID)
	if err != nil {
		h.serverError(w, r, err)
		return nil, false
	}
	return &mfaTx{ar: ar, st: st, u: u}, true
}

// factorAllowed: challengeWith*/enrollWith* may restrict the factor types;
// multifactor.enable allows every factor authd has.
func (st *txState) factorAllowed(kind string) bool {
	if st.MFA == nil || len(st.MFA.Factors) == 0 {
		return true
	}
	if st.MFA.EnrollPasskey {
		// Before adding a passkey, a user who has a factor proves it with
		// whichever they have (step-up); the requirement itself is met
		// only by a passkey (mfaSatisfied).
		return true
	}
	switch kind {
	case "webauthn":
		return slices.Contains(st.MFA.Factors, "webauthn-platform") || slices.Contains(st.MFA.Factors, "webauthn-roaming")
	case "recovery-code":
		// Recovery codes stand in for the authenticator app they came with.
		return slices.Contains(st.MFA.Factors, "recovery-code") || slices.Contains(st.MFA.Factors, "otp")
	}
	return slices.Contains(st.MFA.Factors, kind)
}

// mfaLocked reports whether the user's second factor is locked after
// max_attempts wrong codes within block_for (counted per user, from any
// IP: a code is 20 bits, so the limit must not multiply by addresses).
func (h *Handler) mfaLocked(r *http.Request, userID string) (bool, error) {
	bf := h.Config.Login.BruteForce
	n, last, err := h.Store.Failures(r.Context(), "otp", userID, "")
	if err != nil {
		return false, err
	}
	return n >= bf.MaxAttempts && h.Now().Sub(last) < bf.BlockFor, nil
}

// verifier is who is proving a second factor: a login transaction waiting
// at the MFA step (?state=), or the signed-in user of /u/account stepping
// up before changing their factors (no state; tx nil).
type verifier struct {
	tx   *mfaTx
	sess *store.Session
	u    *store.User
}

func (v verifier) state() string {
	if v.tx == nil {
		return ""
	}
	return v.tx.ar.ID
}

func (v verifier) allowed(kind string) bool {
	return v.tx == nil || v.tx.st.factorAllowed(kind)
}

// verifierOf loads the transaction (or the session) and refuses a user
// whose second factor is locked.
func (h *Handler) verifierOf(w http.ResponseWriter, r *http.Request) (verifier, bool) {
	var v verifier
	if r.FormValue("state") == "" {
		v.sess, v.u = h.currentSession(r)
		if v.sess == nil {
			http.Redirect(w, r, "/u/login?return_to=%2Fu%2Faccount", http.StatusSeeOther)
			return v, false
		}
	} else {
		tx, ok := h.loadMFA(w, r)
		if !ok {
			return v, false
		}
		v.tx, v.u = tx, tx.u
	}
	locked, err := h.mfaLocked(r, v.u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return v, false
	}
	if locked {
		h.lockedOut(w, r, v)
		return v, false
	}
	return v, true
}

// wrongCode records a failed code. With the limit reached it ends the
// transaction (true); otherwise the caller shows the form again.
func (h *Handler) wrongCode(w http.ResponseWriter, r *http.Request, v verifier) bool {
	bf := h.Config.Login.BruteForce
	n, err := h.Store.RecordFailure(r.Context(), "otp", v.u.ID, "", h.Now(), bf.BlockFor)
	if err != nil {
		h.serverError(w, r, err)
		return true
	}
	h.Observe("wrong_mfa_code")
	if n >= bf.MaxAttempts {
		h.lockedOut(w, r, v)
		return true
	}
	return false
}

// lockedOut ends the transaction with access_denied (the client learns
// why), or shows the account page's user an error.
func (h *Handler) lockedOut(w http.ResponseWriter, r *http.Request, v verifier) {
	h.Logger.WarnContext(r.Context(), "mfa locked", "user_id", v.u.ID)
	if v.tx == nil {
		h.fail(w, r, http.StatusTooManyRequests, msgMFALocked, "Your second factor is locked after too many wrong codes. Try again later.")
		return
	}
	h.finishWithError(w, r, v.tx.ar, v.tx.st, "access_denied", msgMFALocked, v.tx.st.Commands)
}

// factorDone records a completed second factor. In a login it sets the
// remember-browser cookie when the person asked and the action allowed
// it, and resumes the pipeline; on /u/account the session is marked as
// stepped up.
func (h *Handler) factorDone(w http.ResponseWriter, r *http.Request, v verifier, typ string, remember bool) {
	if v.tx == nil {
		if err := h.sessionFactor(r, v.sess, typ); err != nil {
			h.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/u/account", http.StatusSeeOther)
		return
	}
	tx := v.tx
	now := h.recordFactor(r, tx, typ)
	if remember && h.rememberAllowed(tx.st) {
		tx.st.Remember = true
		h.ck.set(w, "authd_mfa_rb", mfa.RememberToken(h.Config.Secrets.CookieKey, tx.u.ID, now.Add(rememberFor)), rememberFor)
	}
	h.advance(w, r, tx.ar, tx.st)
}

// sessionFactor adds a second factor proven outside a login to the SSO
// session (account step-up).
func (h *Handler) sessionFactor(r *http.Request, sess *store.Session, typ string) error {
	if err := h.Store.ClearFailures(r.Context(), "otp", sess.UserID, ""); err != nil {
		return err
	}
	now := h.Now().UTC()
	sess.Methods = append(sess.Methods, store.AuthMethod{Name: "mfa", Type: typ, Timestamp: now})
	sess.UpdatedAt = now
	return h.Store.UpdateSession(r.Context(), sess)
}

// rememberAllowed: only multifactor.enable(…, {allowRememberBrowser:
// true}); a challengeWith always challenges.
func (h *Handler) rememberAllowed(st *txState) bool {
	return st.MFA != nil && st.MFA.AllowRememberBrowser && !st.MFA.ResumeActions
}

// hasTOTP reports whether the user has a confirmed authenticator app.
func (h *Handler) hasTOTP(r *http.Request, userID string) bool {
	f, err := h.Store.GetTOTP(r.Context(), userID)
	return err == nil && f.Confirmed
}

func (h *Handler) hasPasskeys(r *http.Request, userID string) bool {
	if h.Passkeys == nil {
		return false
	}
	creds, err := h.Store.ListWebAuthnCredentials(r.Context(), userID)
	return err == nil && len(creds) > 0
}

// recordFactor adds the completed factor to the transaction's methods
// (event.authentication.methods, amr) and forgets earlier wrong codes.
func (h *Handler) recordFactor(r *http.Request, tx *mfaTx, typ string) time.Time {
	now := h.Now().UTC()
	if err := h.Store.ClearFailures(r.Context(), "otp", tx.u.ID, ""); err != nil {
		h.Logger.WarnContext(r.Context(), "clear mfa failures", "err", err)
	}
	tx.st.Methods = append(tx.st.Methods, store.AuthMethod{Name: "mfa", Type: typ, Timestamp: now})
	return now
}

func completedMFA(st *txState) bool {
	return slices.ContainsFunc(st.Methods, func(m store.AuthMethod) bool { return m.Name == "mfa" })
}

// saveTx persists the transaction without moving it on.
func (h *Handler) saveTx(w http.ResponseWriter, r *http.Request, tx *mfaTx) bool {
	if err := writeState(tx.ar, tx.st); err != nil {
		h.serverError(w, r, err)
		return false
	}
	if err := h.Store.UpdateAuthRequest(r.Context(), tx.ar); err != nil {
		h.serverError(w, r, err)
		return false
	}
	return true
}

// parseForm reads a small form post and checks its CSRF token.
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "Invalid request", "The form was too large.")
		return false
	}
	if !h.checkCSRF(r) {
		h.fail(w, r, http.StatusForbidden, "Invalid request", "Your session expired. Go back and try again.")
		return false
	}
	return true
}

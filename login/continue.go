package login

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/authd/authd/store"
)

// Redirect actions (spec §4.6, §6): api.redirect.sendUserTo suspends the
// login; the browser comes back to /continue with the state we added.

func (h *Handler) registerContinue(mux *http.ServeMux) {
	mux.HandleFunc("GET /continue", h.resume)
	mux.HandleFunc("POST /continue", h.resume)
}

// continueHash binds a /continue state to the browser it was issued to:
// the store key is SHA-256(state, browser id), so the same state presented
// by another browser is simply unknown — it cannot burn the real one.
func continueHash(state, browserID string) string {
	return hashToken(state + "\x00" + browserID)
}

// sendAway persists the suspended login and sends the browser to the
// action's URL with an opaque, single-use state.
func (h *Handler) sendAway(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, st *txState) {
	red := st.Commands.Redirect
	target, err := url.Parse(red.URL)
	if err != nil || (target.Scheme != "https" && target.Scheme != "http") {
		h.finishWithError(w, r, ar, st, "access_denied", "Invalid redirect URL", nil)
		return
	}
	state := randomToken()
	cs := &store.ContinueState{
		Hash: continueHash(state, browserOf(r).id), AuthRequestID: ar.ID,
		BrowserID: browserOf(r).id, ExpiresAt: ar.ExpiresAt,
	}
	if err := h.Store.CreateContinueState(r.Context(), cs); err != nil {
		h.serverError(w, r, err)
		return
	}
	st.Step = stepSuspended
	st.Paused = true
	st.Next = red.Index
	st.Resume = true
	if err := writeState(ar, st); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.UpdateAuthRequest(r.Context(), ar); err != nil {
		h.serverError(w, r, err)
		return
	}
	if target.Path == "" {
		// WHATWG URL (what sendUserTo's url means in Node) serializes an
		// http(s) URL with an empty path as "/": https://x.test/?state=…
		target.Path = "/"
	}
	q := target.Query()
	q.Set("state", state)
	target.RawQuery = q.Encode()
	h.Observe("redirected")
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// resume serves GET and POST /continue.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "invalid_request: the request could not be read.")
		return
	}
	if h.crossSiteReturn(r) {
		h.bounce(w, r)
		return
	}
	state := r.FormValue("state")
	if state == "" {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "invalid_request: missing state parameter.")
		return
	}
	cs, err := h.Store.ConsumeContinueState(r.Context(), continueHash(state, browserOf(r).id), h.Now())
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConsumed) {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "invalid_request: the state is unknown, expired or already used.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ar, err := h.Store.GetAuthRequest(r.Context(), cs.AuthRequestID)
	if err != nil || !ar.ExpiresAt.After(h.Now()) {
		h.fail(w, r, http.StatusBadRequest, "Login expired", "invalid_request: this login has expired.")
		return
	}
	st, err := readState(ar)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if st.Step != stepSuspended {
		h.fail(w, r, http.StatusBadRequest, "Invalid request", "invalid_request: this login is not waiting to continue.")
		return
	}
	st.Step = stepActions
	st.Resume = true
	if st.Commands != nil {
		st.Commands.Redirect = nil
	}
	h.advance(w, r, ar, st)
}

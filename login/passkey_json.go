package login

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// The passkey endpoints speak JSON with web/static/passkey.js: begin
// answers {"publicKey": …}, finish answers {"redirect": url}, errors are
// {"error": message}. The CSRF token travels in X-CSRF-Token.

// The ceremony id that Begin* returns goes back only in an HttpOnly
// cookie (passkey.js never sees it), which also binds the ceremony to the
// browser that began it. One cookie per ceremony kind, so the login
// page's background autofill and a second-factor ceremony do not clash.
const (
	waLoginCookie = "authd_wa_login"
	waRegCookie   = "authd_wa_reg"
	waMFACookie   = "authd_wa_mfa"
)

const msgPasskeyRejected = "That passkey was not accepted. Try again or use another way to log in."

// readJSON checks CSRF and reads a passkey request body and its "state".
func (h *Handler) readJSON(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	if !h.checkCSRF(r) {
		jsonError(w, http.StatusForbidden, "Your session expired. Reload the page and try again.")
		return nil, "", false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var in struct {
		State string `json:"state"`
	}
	if err != nil || json.Unmarshal(body, &in) != nil {
		jsonError(w, http.StatusBadRequest, "The request could not be read.")
		return nil, "", false
	}
	return body, in.State, true
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// begun sends the options and keeps the ceremony id in its cookie.
func (h *Handler) begun(w http.ResponseWriter, cookie string, options []byte, id string) {
	h.ck.set(w, cookie, id, 5*time.Minute)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(options)
}

// ceremonyID takes (and clears) the ceremony id of a finish.
func (h *Handler) ceremonyID(w http.ResponseWriter, r *http.Request, cookie string) string {
	id := h.ck.get(r, cookie)
	h.ck.clear(w, cookie)
	return id
}

// asJSON runs a page handler (the login pipeline answers with redirects
// and error pages) and turns its answer into passkey.js's JSON: a redirect
// becomes {"redirect": url}, anything else an error. Headers such as
// Set-Cookie pass through. run may instead return its own error message
// (with a status) before writing anything.
func asJSON(w http.ResponseWriter, run func(w http.ResponseWriter) (int, string)) {
	c := &capture{ResponseWriter: w}
	errStatus, msg := run(c)
	h := w.Header()
	loc := h.Get("Location")
	h.Del("Location")
	h.Del("Content-Type")
	switch {
	case msg != "":
		jsonError(w, errStatus, msg)
	case c.status >= 300 && c.status < 400 && loc != "":
		writeJSON(w, http.StatusOK, map[string]string{"redirect": loc})
	case c.status >= 400:
		jsonError(w, c.status, "Something went wrong. Please try again.")
	default:
		jsonError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
	}
}

// capture records the status and drops the body of a page handler.
type capture struct {
	http.ResponseWriter
	status int
}

func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return len(b), nil
}

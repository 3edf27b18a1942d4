package login

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// The passkey endpoints speak JSON with web/static/passkey.js: begin
// answers {"publicKey": …}, finish answers {"redirect": url}, errors are
// {"error": message}. The CSRF token travels in X-CSRF-Token.

// The ceremony id that Begin* returns goes back only in an HttpOnly
// cookie (passkey.js never sees it), which also binds the ceremony to the
// browser that began it. The cookie is named after the kind and the
// WebAuthn challenge, and finish finds it from the challenge the browser
// signed (in clientDataJSON): the login page's background autofill and a
// click on its button begin two ceremonies at once, and one cookie name
// would let the later answer overwrite the other's id.
const (
	waLogin    = "l"
	waRegister = "r"
	waMFA      = "m"
)

// waCookie names the cookie of one ceremony; 16 base64url characters
// (96 bits) of the challenge tell concurrent ceremonies apart.
func waCookie(kind, challenge string) string {
	if len(challenge) > 16 {
		challenge = challenge[:16]
	}
	return "authd_wa_" + kind + "_" + challenge
}

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
func (h *Handler) begun(w http.ResponseWriter, kind string, options []byte, id string) {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil || o.PublicKey.Challenge == "" {
		jsonError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
		return
	}
	h.ck.set(w, waCookie(kind, o.PublicKey.Challenge), id, 5*time.Minute)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(options)
}

// ceremonyID takes (and clears) the id of the ceremony whose challenge
// the browser's answer signed; "" when there is none (the mfa package
// then refuses the answer).
func (h *Handler) ceremonyID(w http.ResponseWriter, r *http.Request, kind string, body []byte) string {
	var in struct {
		Response struct {
			ClientDataJSON string `json:"clientDataJSON"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(in.Response.ClientDataJSON, "="))
	if err != nil {
		return ""
	}
	var cd struct {
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(raw, &cd) != nil || cd.Challenge == "" {
		return ""
	}
	name := waCookie(kind, cd.Challenge)
	id := h.ck.get(r, name)
	if id != "" {
		h.ck.clear(w, name)
	}
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

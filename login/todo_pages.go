package login

import "net/http"

// Placeholders replaced by the MFA and passkey pages.
func (h *Handler) registerMFA(mux *http.ServeMux)      {}
func (h *Handler) registerPasskeys(mux *http.ServeMux) {}

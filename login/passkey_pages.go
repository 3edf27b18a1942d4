package login

import "net/http"

func (h *Handler) registerPasskeys(mux *http.ServeMux) {}

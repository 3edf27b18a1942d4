package server

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/authd/authd/config"
	"github.com/authd/authd/web"
)

// The dev-mode /test page is an OIDC client of authd itself (public
// client authd-dev, code flow with PKCE S256): it starts a login, redeems
// the code and shows the decoded tokens and userinfo.

const testCookie = "authd_test_tx"

func (s *Server) registerTestPage(mux *http.ServeMux, renderer *web.Renderer) {
	redirect := s.cfg.Issuer + "test/callback"
	render := func(w http.ResponseWriter, r *http.Request, p web.TestPage) {
		p.Issuer, p.ClientID, p.LoginURL = s.cfg.Issuer, config.DevClientID, "/test/login"
		p.LogoutURL = "/v2/logout?client_id=" + config.DevClientID + "&returnTo=" + url.QueryEscape(s.cfg.Issuer+"test")
		if err := renderer.Test(w, http.StatusOK, p); err != nil {
			s.log.Error("render test page", "err", err)
		}
	}
	mux.HandleFunc("GET /test", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, web.TestPage{})
	})
	mux.HandleFunc("GET /test/login", func(w http.ResponseWriter, r *http.Request) {
		verifier, state := randomString(), randomString()
		sum := sha256.Sum256([]byte(verifier))
		http.SetCookie(w, &http.Cookie{Name: testCookie, Value: state + "." + verifier, Path: "/test", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 600})
		q := url.Values{
			"client_id": {config.DevClientID}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {"openid profile email offline_access read:dev"}, "audience": {config.DevAPI},
			"state": {state}, "nonce": {randomString()},
			"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		}
		http.Redirect(w, r, "/authorize?"+q.Encode(), http.StatusFound)
	})
	mux.HandleFunc("GET /test/callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ck, err := r.Cookie(testCookie)
		state, verifier, _ := strings.Cut(func() string {
			if err != nil {
				return ""
			}
			return ck.Value
		}(), ".")
		switch {
		case q.Get("error") != "":
			render(w, r, web.TestPage{Error: q.Get("error") + ": " + q.Get("error_description")})
			return
		case state == "" || q.Get("state") != state:
			render(w, r, web.TestPage{Error: "state mismatch: start the login again"})
			return
		}
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {config.DevClientID},
			"code": {q.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
		var tok struct {
			AccessToken string `json:"access_token"`
			IDToken     string `json:"id_token"`
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := s.call(http.MethodPost, "/oauth/token", "", strings.NewReader(form.Encode()), &tok); err != nil || tok.Error != "" {
			render(w, r, web.TestPage{Error: "token request failed: " + tok.Error + " " + tok.Description})
			return
		}
		var info map[string]any
		_ = s.call(http.MethodGet, "/userinfo", tok.AccessToken, nil, &info)
		render(w, r, web.TestPage{LoggedIn: true, IDToken: tok.IDToken, AccessToken: tok.AccessToken,
			IDTokenClaims: prettyClaims(tok.IDToken), AccessTokenClaims: prettyClaims(tok.AccessToken), Userinfo: pretty(info)})
	})
}

// call makes an in-process request to authd's own endpoint.
func (s *Server) call(method, path, bearer string, body *strings.Reader, out any) error {
	var req *http.Request
	if body != nil {
		req = httptest.NewRequest(method, path, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return json.Unmarshal(rec.Body.Bytes(), out)
}

func prettyClaims(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return string(raw)
	}
	return buf.String()
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func randomString() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

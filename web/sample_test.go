package web

import (
	"html/template"
	"net/http"
	"time"
)

// pageCase renders one page with sample data and says what interface.md §5 and the
// brief require on it.
type pageCase struct {
	name    string
	render  func(r *Renderer, w http.ResponseWriter) error
	h1      string
	inputs  map[string]map[string]string // label → attributes the control must have
	buttons []string
	links   map[string]string // text → href
	ids     []string          // elements that must exist
}

// samplePages fills every text field with s, so the same cases serve the happy path
// (a plain s) and the escaping test (a hostile s). Fixed, structural values (URLs of
// our own endpoints) stay plain so link and form checks keep their meaning.
func samplePages(s string) []pageCase {
	base := Base{CSRF: "csrf-" + s, Info: ""}
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	qr := template.URL("data:image/png;base64,iVBORw0KGgo=")
	return []pageCase{
		{
			name: PageLogin,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.Login(w, http.StatusOK, LoginPage{Base: base, State: "st-" + s, Email: s, ClientName: s,
					SignupURL: "/u/signup?state=abc", Signup: true, Passkeys: true, Action: "/u/login?state=abc", ReturnTo: "/u/account?x=" + s,
					PasskeyBeginURL: "/u/passkey/login/begin", PasskeyFinishURL: "/u/passkey/login/finish"})
			},
			h1: "Log in",
			inputs: map[string]map[string]string{
				"Email":    {"name": "email", "type": "email", "autocomplete": "username webauthn"},
				"Password": {"name": "password", "type": "password", "autocomplete": "current-password"},
			},
			buttons: []string{"Continue", "Continue with a passkey"},
			links:   map[string]string{"Sign up": "/u/signup?state=abc"},
			ids:     []string{"passkey-login"},
		},
		{
			name: PageSignup,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.Signup(w, http.StatusOK, SignupPage{Base: base, State: s, Email: s, ClientName: s,
					LoginURL: "/u/login?state=abc", MinLength: 8, Action: "/u/signup"})
			},
			h1: "Sign up",
			inputs: map[string]map[string]string{
				"Email":    {"name": "email", "type": "email"},
				"Password": {"name": "password", "type": "password", "autocomplete": "new-password", "minlength": "8"},
			},
			buttons: []string{"Continue"},
			links:   map[string]string{"Log in": "/u/login?state=abc"},
		},
		{
			name: PageOTPEnroll,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.OTPEnroll(w, http.StatusOK, OTPEnrollPage{Base: base, State: s, Secret: s, QRCode: qr, Action: "/u/mfa-otp-enrollment"})
			},
			h1:      "Set up your authenticator app",
			inputs:  map[string]map[string]string{"Code": {"name": "code", "inputmode": "numeric", "autocomplete": "one-time-code"}},
			buttons: []string{"Continue"},
			ids:     []string{"totp-secret"},
		},
		{
			name: PageRecoveryCodeShown,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.RecoveryCodeShown(w, http.StatusOK, RecoveryCodeShownPage{Base: base, State: s, Code: s, Action: "/u/recovery-code-shown"})
			},
			h1:      "Save your recovery code",
			buttons: []string{"Continue"},
			ids:     []string{"recovery-code"},
		},
		{
			name: PageOTPChallenge,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.OTPChallenge(w, http.StatusOK, OTPChallengePage{Base: base, State: s, Action: "/u/mfa-otp-challenge",
					RecoveryURL: "/u/recovery-code?state=abc", AllowRemember: true, PasskeyMFA: true,
					PasskeyBeginURL: "/u/passkey/mfa/begin", PasskeyFinishURL: "/u/passkey/mfa/finish"})
			},
			h1: "Verify your identity",
			inputs: map[string]map[string]string{
				"Code":                              {"name": "code", "autocomplete": "one-time-code"},
				"Remember this browser for 30 days": {"name": "remember", "type": "checkbox"},
			},
			buttons: []string{"Continue", "Use a passkey instead"},
			links:   map[string]string{"Use a recovery code": "/u/recovery-code?state=abc"},
			ids:     []string{"passkey-mfa"},
		},
		{
			name: PageRecoveryCode,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.RecoveryCode(w, http.StatusOK, RecoveryCodePage{Base: base, State: s, Action: "/u/recovery-code", ChallengeURL: "/u/mfa-otp-challenge"})
			},
			h1:      "Use a recovery code",
			inputs:  map[string]map[string]string{"Recovery code": {"name": "recovery_code"}},
			buttons: []string{"Continue"},
		},
		{
			name: PagePasskeyOffer,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.PasskeyOffer(w, http.StatusOK, PasskeyOfferPage{Base: base, State: s, Action: "/u/passkey-offer",
					PasskeyBeginURL: "/u/passkey/register/begin", PasskeyFinishURL: "/u/passkey/register/finish"})
			},
			h1:      "Create a passkey?",
			buttons: []string{"Add a passkey", "Not now"},
			ids:     []string{"passkey-register"},
		},
		{
			name: PageAccount,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.Account(w, http.StatusOK, AccountPage{Base: base, Email: s, Name: s,
					Passkeys: []PasskeyItem{
						{ID: s, Name: s, CreatedAt: when, LastUsedAt: when},
						{ID: "AAAA", Name: "", CreatedAt: when},
					},
					HasTOTP: true, LogoutAction: "/u/logout", RemovePasskeyAction: "/u/account/passkeys/remove",
					RemoveTOTPAction: "/u/account/totp/remove", TOTPSetupURL: "/u/mfa-otp-enrollment?from=account",
					PasskeyBeginURL: "/u/passkey/register/begin", PasskeyFinishURL: "/u/passkey/register/finish"})
			},
			h1:      "Your account",
			buttons: []string{"Add a passkey", "Remove", "Log out"},
			ids:     []string{"passkey-register"},
		},
		{
			name: PageAccount + " (no TOTP)",
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.Account(w, http.StatusOK, AccountPage{Base: base, Email: s, LogoutAction: "/u/logout",
					TOTPSetupURL: "/u/mfa-otp-enrollment?from=account", PasskeyBeginURL: "/b", PasskeyFinishURL: "/f"})
			},
			h1:      "Your account",
			buttons: []string{"Add a passkey", "Set up authenticator app", "Log out"},
		},
		{
			name: PageLoggedOut,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.LoggedOut(w, http.StatusOK, LoggedOutPage{Base: base, LoginURL: "/u/login"})
			},
			h1:    "You are logged out",
			links: map[string]string{"Log in": "/u/login"},
		},
		{
			name: PageError,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.Error(w, http.StatusBadRequest, ErrorPage{Base: base, Heading: "Bad request " + s, Message: s, RequestID: s})
			},
			h1: "Bad request " + s,
		},
		{
			name: PageTest,
			render: func(r *Renderer, w http.ResponseWriter) error {
				return r.Test(w, http.StatusOK, TestPage{Base: base, Issuer: s, ClientID: s, LoginURL: "/authorize?client_id=dev",
					LogoutURL: "/v2/logout?client_id=dev", LoggedIn: true,
					IDTokenClaims: `{"sub": "` + s + `"}`, AccessTokenClaims: `{"aud": "` + s + `"}`, Userinfo: `{"email": "` + s + `"}`,
					IDToken: s, AccessToken: s, Error: s})
			},
			h1:    "authd test page",
			links: map[string]string{"Log in": "/authorize?client_id=dev", "Log out": "/v2/logout?client_id=dev"},
			ids:   []string{"id-token-claims", "access-token-claims", "userinfo"},
		},
	}
}

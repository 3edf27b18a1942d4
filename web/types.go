package web

import (
	"html/template"
	"time"
)

// Base is embedded in every page struct; the shared layout reads it.
type Base struct {
	Title string // <title>; empty uses the page's own title
	CSRF  string // goes into every form (csrf_token) and <meta name="csrf-token"> for passkey.js
	Error string // shown in the page's role="alert" element; keep it a fixed, safe message
	Info  string // a neutral notice (role="status"), e.g. "Passkey added."
}

// LoginPage is /u/login. The passkey button appears when Passkeys is set; it and the
// browser's passkey autofill call PasskeyBeginURL then PasskeyFinishURL.
type LoginPage struct {
	Base
	State            string // auth request id, posted back as "state"
	Email            string // prefilled (login_hint or the last attempt)
	ClientName       string // "to continue to …"; omitted when empty
	SignupURL        string
	Signup           bool // show the "Sign up" link
	Passkeys         bool // show "Continue with a passkey" and enable autofill
	Action           string
	PasskeyBeginURL  string
	PasskeyFinishURL string
	// ReturnTo is the local path a standalone login (no auth request)
	// goes back to, e.g. /u/account.
	ReturnTo string
}

// SignupPage is /u/signup.
type SignupPage struct {
	Base
	State      string
	Email      string
	ClientName string
	LoginURL   string
	MinLength  int // password minimum length; 0 leaves it to the server
	Action     string
}

// OTPEnrollPage is /u/mfa-otp-enrollment.
type OTPEnrollPage struct {
	Base
	State  string
	Secret string       // base32 TOTP secret, shown for manual entry
	QRCode template.URL // data:image/png;base64,… of the otpauth:// URI; only our own encoder may fill it
	Action string
}

// RecoveryCodeShownPage shows the recovery code once, after TOTP enrollment.
type RecoveryCodeShownPage struct {
	Base
	State  string
	Code   string
	Action string
}

// OTPChallengePage is /u/mfa-otp-challenge.
type OTPChallengePage struct {
	Base
	State            string
	Action           string
	RecoveryURL      string // "Use a recovery code"
	AllowRemember    bool   // show "Remember this browser for 30 days" (name="remember", value="1")
	PasskeyMFA       bool   // show "Use a passkey instead"
	PasskeyBeginURL  string
	PasskeyFinishURL string
}

// RecoveryCodePage is /u/recovery-code.
type RecoveryCodePage struct {
	Base
	State        string
	Action       string
	ChallengeURL string // back to the authenticator-app code
}

// PasskeyOfferPage offers to create a passkey after a password login. "Not now" posts
// the form with skip=1. With Required (an action's enrollWith), the login cannot go on
// without one: the page asks for it and has no "Not now".
type PasskeyOfferPage struct {
	Base
	State            string
	Action           string
	PasskeyBeginURL  string
	PasskeyFinishURL string
	Required         bool
}

// PasskeyItem is one registered passkey on the account page.
type PasskeyItem struct {
	ID         string // base64url credential id, posted as passkey_id to remove it
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero = never used
}

// AccountPage is /u/account. "Add a passkey" appears when PasskeyBeginURL is set.
type AccountPage struct {
	Base
	Email               string
	Name                string
	Passkeys            []PasskeyItem
	HasTOTP             bool
	LogoutAction        string // POST target of "Log out"
	RemovePasskeyAction string // POST with passkey_id
	RemoveTOTPAction    string // POST
	TOTPSetupURL        string // GET target of "Set up authenticator app"; its query is kept
	PasskeyBeginURL     string
	PasskeyFinishURL    string
}

// LoggedOutPage is shown after a logout without a (valid) return URL.
type LoggedOutPage struct {
	Base
	LoginURL string // "Log in" link; omitted when empty
}

// ErrorPage is every error shown on our own pages. Heading and Message must be safe,
// fixed texts: never put internal error strings in them.
type ErrorPage struct {
	Base
	Status    int    // defaults to the status passed to Error
	Heading   string // defaults to the status text
	Message   string
	RequestID string
}

// TestPage is the dev-mode /test page.
type TestPage struct {
	Base
	Issuer            string
	ClientID          string
	LoginURL          string
	LogoutURL         string
	LoggedIn          bool
	IDTokenClaims     string // pretty JSON
	AccessTokenClaims string // pretty JSON
	Userinfo          string // pretty JSON
	IDToken           string // raw JWT
	AccessToken       string // raw JWT
	Error             string // e.g. the error/error_description the client got back
}

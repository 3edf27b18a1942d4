package web

import "net/http"

// Login renders LoginPage.
func (r *Renderer) Login(w http.ResponseWriter, status int, p LoginPage) error {
	return r.Render(w, status, PageLogin, p)
}

// Signup renders SignupPage.
func (r *Renderer) Signup(w http.ResponseWriter, status int, p SignupPage) error {
	return r.Render(w, status, PageSignup, p)
}

// OTPEnroll renders OTPEnrollPage.
func (r *Renderer) OTPEnroll(w http.ResponseWriter, status int, p OTPEnrollPage) error {
	return r.Render(w, status, PageOTPEnroll, p)
}

// RecoveryCodeShown renders RecoveryCodeShownPage.
func (r *Renderer) RecoveryCodeShown(w http.ResponseWriter, status int, p RecoveryCodeShownPage) error {
	return r.Render(w, status, PageRecoveryCodeShown, p)
}

// OTPChallenge renders OTPChallengePage.
func (r *Renderer) OTPChallenge(w http.ResponseWriter, status int, p OTPChallengePage) error {
	return r.Render(w, status, PageOTPChallenge, p)
}

// RecoveryCode renders RecoveryCodePage.
func (r *Renderer) RecoveryCode(w http.ResponseWriter, status int, p RecoveryCodePage) error {
	return r.Render(w, status, PageRecoveryCode, p)
}

// PasskeyOffer renders PasskeyOfferPage.
func (r *Renderer) PasskeyOffer(w http.ResponseWriter, status int, p PasskeyOfferPage) error {
	return r.Render(w, status, PagePasskeyOffer, p)
}

// Account renders AccountPage.
func (r *Renderer) Account(w http.ResponseWriter, status int, p AccountPage) error {
	return r.Render(w, status, PageAccount, p)
}

// LoggedOut renders LoggedOutPage.
func (r *Renderer) LoggedOut(w http.ResponseWriter, status int, p LoggedOutPage) error {
	return r.Render(w, status, PageLoggedOut, p)
}

// Error renders ErrorPage, filling Status and Heading from status when they are empty.
func (r *Renderer) Error(w http.ResponseWriter, status int, p ErrorPage) error {
	if p.Status == 0 {
		p.Status = status
	}
	if p.Heading == "" {
		p.Heading = statusText(p.Status)
	}
	return r.Render(w, status, PageError, p)
}

// Test renders TestPage.
func (r *Renderer) Test(w http.ResponseWriter, status int, p TestPage) error {
	return r.Render(w, status, PageTest, p)
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Something went wrong"
}

package e2e

import (
	"context"
	"reflect"
	"testing"

	"github.com/authd/authd/store"
)

// mfaFactorsClaim puts event.user.multifactor and enrolledFactors in the
// ID token.
const mfaFactorsClaim = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://authd.test/factors",
    JSON.stringify({ multifactor: event.user.multifactor, enrolled: event.user.enrolledFactors }));
};`

// mfaFactors checks what the actions saw of the user's factors.
func mfaFactors(t *testing.T, claims map[string]any, when string, providers []any, types ...string) {
	t.Helper()
	got := actJSONClaim(t, claims, "https://authd.test/factors")
	enrolled := []any{}
	for _, ty := range types {
		enrolled = append(enrolled, map[string]any{"type": ty})
	}
	want := map[string]any{"multifactor": providers, "enrolled": enrolled}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the actions saw %v, want %v", when, got, want)
	}
}

// event.user.multifactor and enrolledFactors follow the user's factors:
// an action after enrollWith sees the factor enrolled in the same login,
// and each refresh sees the factors as they are at that refresh.
func TestMFAEnrolledFactorsInEvent(t *testing.T) {
	e := mfaEnv(t, nil, `exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.protocol !== "oauth2-refresh-token" && event.user.enrolledFactors.length === 0) {
    api.authentication.enrollWith({ type: "otp" });
  }
};`, mfaFactorsClaim)
	u := e.CreateUser("ada@example.org", actPW)
	spa := e.SPA("openid", "offline_access")

	a, p := mfaPassword(t, e, e.Browser(), spa, "ada@example.org")
	mfaAt(t, p, "/u/mfa-otp-enrollment")
	p = p.Submit("Continue", map[string]string{"Code": mfaCode(t, e, p.ByID("totp-secret"))})
	p = p.Submit("Continue", nil) // past the recovery code
	tok := mfaExchange(t, spa, a, p)
	mfaFactors(t, tok.Claims, "login, after enrollWith", []any{"google-authenticator"}, "otp")
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}

	ctx := context.Background()
	cred := &store.WebAuthnCredential{ID: []byte("cred-1"), UserID: u.ID, PublicKey: []byte{1}, AAGUID: make([]byte, 16)}
	refresh := func(when string, providers []any, types ...string) {
		t.Helper()
		r, err := spa.Refresh(tok.RefreshToken)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		tok = r
		mfaFactors(t, r.Claims, when, providers, types...)
	}
	refresh("refresh", []any{"google-authenticator"}, "otp")
	if err := e.Store().AddWebAuthnCredential(ctx, cred); err != nil {
		t.Fatal(err)
	}
	refresh("refresh with a passkey", []any{"google-authenticator"}, "otp", "webauthn-platform")
	if err := e.Store().DeleteFactors(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	refresh("refresh after the TOTP reset", []any{}, "webauthn-platform")
	if err := e.Store().DeleteWebAuthnCredential(ctx, u.ID, cred.ID); err != nil {
		t.Fatal(err)
	}
	refresh("refresh without factors", []any{})
}

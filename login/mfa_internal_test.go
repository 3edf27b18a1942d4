package login

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/authd/authd/store"
)

// challengeWith* may name factor types; recovery codes go with otp.
func TestFactorAllowed(t *testing.T) {
	anyF := &txState{MFA: &mfaRequirement{Provider: "any"}}
	otp := &txState{MFA: &mfaRequirement{Factors: []string{"otp"}}}
	roaming := &txState{MFA: &mfaRequirement{Factors: []string{"webauthn-roaming"}}}
	for _, c := range []struct {
		st   *txState
		kind string
		want bool
	}{
		{anyF, "otp", true}, {anyF, "webauthn", true}, {anyF, "recovery-code", true},
		{otp, "otp", true}, {otp, "recovery-code", true}, {otp, "webauthn", false},
		{roaming, "webauthn", true}, {roaming, "otp", false}, {roaming, "recovery-code", false},
	} {
		if got := c.st.factorAllowed(c.kind); got != c.want {
			t.Errorf("factors %v, %s: %v", c.st.MFA.Factors, c.kind, got)
		}
	}
}

// enrollWith*: the first factor authd can enroll, in the action's order,
// decides between a passkey and the authenticator app.
func TestEnrollsPasskey(t *testing.T) {
	for factors, want := range map[string]bool{
		"":                            false,
		"otp":                         false,
		"webauthn-platform":           true,
		"webauthn-roaming,otp":        true,
		"otp,webauthn-platform":       false,
		"phone,push,webauthn-roaming": true,
		"recovery-code,phone":         false,
	} {
		if got := enrollsPasskey(strings.Split(factors, ",")); got != want {
			t.Errorf("%q: %v, want %v", factors, got, want)
		}
	}
	// Before enrolling a passkey, any factor the user has is a step-up.
	enroll := &txState{MFA: &mfaRequirement{Factors: []string{"webauthn-platform"}, Enroll: true, EnrollPasskey: true}}
	for _, kind := range []string{"otp", "recovery-code", "webauthn"} {
		if !enroll.factorAllowed(kind) {
			t.Errorf("passkey enrollment refuses the step-up with %s", kind)
		}
	}
}

func TestPasskeyFactorType(t *testing.T) {
	for transports, want := range map[string]string{
		"":             "webauthn-platform",
		"internal":     "webauthn-platform",
		"hybrid,usb":   "webauthn-platform",
		"usb":          "webauthn-roaming",
		"nfc,ble":      "webauthn-roaming",
		"internal,ble": "webauthn-platform",
	} {
		var ts []string
		if transports != "" {
			ts = strings.Split(transports, ",")
		}
		if got := passkeyFactorType(&store.WebAuthnCredential{Transports: ts}); got != want {
			t.Errorf("%q: %s, want %s", transports, got, want)
		}
	}
}

// The ceremony cookie is found from the challenge inside clientDataJSON,
// taken once, and nothing is found for a body without one.
func TestCeremonyIDFromChallenge(t *testing.T) {
	h := &Handler{}
	rec := httptest.NewRecorder()
	h.begun(rec, waLogin, []byte(`{"publicKey":{"challenge":"AAAABBBBCCCCDDDDEEEE"}}`), "ceremony-1")
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	good := []byte(`{"response":{"clientDataJSON":"` + b64url([]byte(`{"challenge":"AAAABBBBCCCCDDDDEEEE"}`)) + `"}}`)
	w := httptest.NewRecorder()
	if id := h.ceremonyID(w, req, waLogin, good); id != "ceremony-1" {
		t.Fatalf("id %q", id)
	}
	if cs := w.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Errorf("cookie not cleared: %v", cs)
	}
	if id := h.ceremonyID(httptest.NewRecorder(), req, waMFA, good); id != "" {
		t.Errorf("another ceremony kind found %q", id)
	}
	other := []byte(`{"response":{"clientDataJSON":"` + b64url([]byte(`{"challenge":"ZZZZBBBBCCCCDDDDEEEE"}`)) + `"}}`)
	for _, b := range [][]byte{other, []byte(`{}`), []byte(`not json`)} {
		if id := h.ceremonyID(httptest.NewRecorder(), req, waLogin, b); id != "" {
			t.Errorf("%s: found %q", b, id)
		}
	}
}

func TestAMRAfterSecondFactor(t *testing.T) {
	got := amrOf([]store.AuthMethod{{Name: "pwd"}, {Name: "mfa", Type: "otp"}})
	if !slices.Equal(got, []string{"pwd", "mfa", "otp"}) {
		t.Errorf("amr %v", got)
	}
}

package mfa

import (
	"bytes"
	"encoding/base32"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
)

// rfcSecret is the RFC 6238 Appendix B SHA-1 seed "12345678901234567890".
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

var totpNow = time.Date(2030, 6, 1, 12, 0, 15, 0, time.UTC)

func pinned(at time.Time) *TOTP {
	return &TOTP{Issuer: "authd", Now: func() time.Time { return at }}
}

func codeAt(t *testing.T, at time.Time) string {
	t.Helper()
	c, err := GenerateCode(rfcSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPRFC6238Vector(t *testing.T) {
	// RFC 6238 Appendix B: T=59 gives 94287082; six digits keep "287082".
	if got := codeAt(t, time.Unix(59, 0)); got != "287082" {
		t.Fatalf("code at T=59 = %s, want 287082", got)
	}
	step, err := pinned(time.Unix(59, 0)).Verify(rfcSecret, "287082", -1)
	if err != nil || step != 1 {
		t.Fatalf("Verify = %d, %v; want step 1", step, err)
	}
}

func TestTOTPCorrectCodeReturnsStep(t *testing.T) {
	step, err := pinned(totpNow).Verify(rfcSecret, codeAt(t, totpNow), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := totpNow.Unix() / 30; step != want {
		t.Fatalf("step = %d, want %d", step, want)
	}
}

// TestTOTPReplaySameStep is checklist item 31: once the store recorded
// the step, the same code is a replay.
func TestTOTPReplaySameStep(t *testing.T) {
	v := pinned(totpNow)
	code := codeAt(t, totpNow)
	step, err := v.Verify(rfcSecret, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(rfcSecret, code, step); !errors.Is(err, ErrReplay) {
		t.Fatalf("second use: err = %v, want ErrReplay", err)
	}
}

// TestTOTPOlderCodeAfterNewerUse: a still-valid code of an earlier step
// must not be accepted once a later step was used (RFC 6238 §5.2).
func TestTOTPOlderCodeAfterNewerUse(t *testing.T) {
	v := pinned(totpNow)
	nowStep := totpNow.Unix() / 30
	old := codeAt(t, totpNow.Add(-30*time.Second))
	if _, err := v.Verify(rfcSecret, old, nowStep); !errors.Is(err, ErrReplay) {
		t.Fatalf("err = %v, want ErrReplay", err)
	}
}

// TestTOTPDriftWindow is checklist item 32: one step either side only.
func TestTOTPDriftWindow(t *testing.T) {
	tests := []struct {
		name   string
		offset int64
		ok     bool
	}{
		{"step -2", -2, false},
		{"step -1", -1, true},
		{"step 0", 0, true},
		{"step +1", 1, true},
		{"step +2", 2, false},
	}
	nowStep := totpNow.Unix() / 30
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := codeAt(t, totpNow.Add(time.Duration(tt.offset)*30*time.Second))
			step, err := pinned(totpNow).Verify(rfcSecret, code, 0)
			if tt.ok {
				if err != nil || step != nowStep+tt.offset {
					t.Fatalf("Verify = %d, %v; want step %d", step, err, nowStep+tt.offset)
				}
				return
			}
			if !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("err = %v, want ErrInvalidCode", err)
			}
		})
	}
}

func TestTOTPWrongCode(t *testing.T) {
	good := codeAt(t, totpNow)
	wrong := []byte(good)
	wrong[5] = '0' + (wrong[5]-'0'+1)%10
	if _, err := pinned(totpNow).Verify(rfcSecret, string(wrong), 0); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("err = %v, want ErrInvalidCode", err)
	}
}

func TestTOTPMalformedCode(t *testing.T) {
	good := codeAt(t, totpNow)
	tests := []struct{ name, code string }{
		{"empty", ""},
		{"five digits", good[:5]},
		{"seven digits", good + "0"},
		{"letter", good[:5] + "a"},
		{"sign", "+" + good[1:]},
		{"arabic-indic digits", "١٢٣٤٥٦"},
		{"fullwidth digits", "１２３４５６"},
		{"dash", good[:3] + "-" + good[3:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pinned(totpNow).Verify(rfcSecret, tt.code, 0); !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("Verify(%q): err = %v, want ErrInvalidCode", tt.code, err)
			}
		})
	}
}

func TestTOTPCodeWithSpacesAccepted(t *testing.T) {
	good := codeAt(t, totpNow)
	if _, err := pinned(totpNow).Verify(rfcSecret, " "+good[:3]+" "+good[3:]+" ", 0); err != nil {
		t.Fatalf("spaced code rejected: %v", err)
	}
}

func TestTOTPBadSecretIsNotInvalidCode(t *testing.T) {
	_, err := pinned(totpNow).Verify("not base32!", "123456", 0)
	if err == nil || errors.Is(err, ErrInvalidCode) {
		t.Fatalf("corrupt secret: err = %v, want a server error", err)
	}
}

// TestTOTPSecretAtLeast160Bits is checklist item 35.
func TestTOTPSecretAtLeast160Bits(t *testing.T) {
	e, err := (&TOTP{Issuer: "authd"}).Enroll("alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw)*8 < 160 {
		t.Fatalf("secret has %d bits, want >= 160", len(raw)*8)
	}
}

func TestTOTPEnrollURL(t *testing.T) {
	e, err := (&TOTP{Issuer: "Acme Corp"}).Enroll("alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	k, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/") || k.Issuer() != "Acme Corp" ||
		k.AccountName() != "alice@example.com" || k.Secret() != e.Secret ||
		k.Period() != 30 || k.Digits() != otp.DigitsSix || k.Algorithm() != otp.AlgorithmSHA1 {
		t.Fatalf("unexpected URL %s", e.URL)
	}
	// The enrolled secret verifies with the app's code.
	now := time.Now()
	code, _ := GenerateCode(e.Secret, now)
	if _, err := pinned(now).Verify(e.Secret, code, 0); err != nil {
		t.Fatalf("enrolled secret does not verify: %v", err)
	}
}

func TestTOTPEnrollQRIsPNG(t *testing.T) {
	e, err := (&TOTP{Issuer: "authd"}).Enroll("alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(e.QRPNG))
	if err != nil {
		t.Fatalf("QR is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("QR image is %v", b)
	}
	if !strings.HasPrefix(e.QRDataURI(), "data:image/png;base64,iVBOR") {
		t.Fatalf("data URI starts %q", e.QRDataURI()[:40])
	}
}

func TestTOTPEnrollUsesInjectedRandomness(t *testing.T) {
	e, err := (&TOTP{Issuer: "authd", Rand: bytes.NewReader(make([]byte, 20))}).Enroll("a@b.c")
	if err != nil {
		t.Fatal(err)
	}
	if e.Secret != strings.Repeat("A", 32) {
		t.Fatalf("secret from zero randomness = %q", e.Secret)
	}
	if _, err := (&TOTP{Issuer: "authd", Rand: bytes.NewReader(nil)}).Enroll("a@b.c"); err == nil {
		t.Fatal("enrolment without randomness succeeded")
	}
}

func TestTOTPEnrollNeedsIssuer(t *testing.T) {
	if _, err := (&TOTP{}).Enroll("a@b.c"); err == nil {
		t.Fatal("enrolment without issuer succeeded")
	}
}

func TestEnrollmentLogValueHidesSecret(t *testing.T) {
	e := Enrollment{Secret: "SECRETSECRET", URL: "otpauth://totp/x?secret=SECRETSECRET"}
	if strings.Contains(e.LogValue().String(), "SECRET") {
		t.Fatal("LogValue leaks the secret")
	}
}

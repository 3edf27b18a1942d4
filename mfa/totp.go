package mfa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	qrcode "github.com/skip2/go-qrcode"
)

// TOTP parameters: the authenticator-app defaults every app understands
// (RFC 6238 with SHA-1, 6 digits, 30 s) and a 160-bit secret, the HMAC-SHA1
// block-size recommendation of RFC 4226 §4 R6.
const (
	totpPeriod     = 30
	totpDigits     = otp.DigitsSix
	totpSecretSize = 20
	// totpSkew is how many steps either side of now are accepted: one,
	// for clock drift and typing time (RFC 6238 §5.2, the pquerna and
	// Keycloak default). Never widen it without a resync design (§6).
	totpSkew = 1
	qrSize   = 256
)

// TOTP enrols and verifies authenticator apps. The zero Now and Rand mean
// time.Now and crypto/rand.
type TOTP struct {
	Issuer string
	Now    func() time.Time
	Rand   io.Reader
}

// Enrollment is what the enrolment page shows once: the secret as text,
// the otpauth:// URL and the same URL as a PNG QR code.
type Enrollment struct {
	Secret string // base32, no padding
	URL    string // otpauth://totp/...
	QRPNG  []byte
}

// QRDataURI is the QR code as a data: URI for an <img src>, so the page
// needs no second request (and the secret never sits behind a URL).
func (e Enrollment) QRDataURI() string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG)
}

// LogValue keeps the secret out of logs.
func (e Enrollment) LogValue() slog.Value {
	return slog.StringValue("[totp enrollment]")
}

func (t *TOTP) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *TOTP) rand() io.Reader {
	if t.Rand != nil {
		return t.Rand
	}
	return rand.Reader
}

// Enroll makes a new secret for account (usually the email). The caller
// seals Secret, saves it unconfirmed, and confirms it only after a first
// successful Verify (security checklist item 35).
func (t *TOTP) Enroll(account string) (Enrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      t.Issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      totpDigits,
		Algorithm:   otp.AlgorithmSHA1,
		Rand:        t.rand(),
	})
	if err != nil {
		return Enrollment{}, fmt.Errorf("mfa: totp enroll: %w", err)
	}
	png, err := qrcode.Encode(key.URL(), qrcode.Medium, qrSize)
	if err != nil {
		return Enrollment{}, fmt.Errorf("mfa: totp qr code: %w", err)
	}
	return Enrollment{Secret: key.Secret(), URL: key.URL(), QRPNG: png}, nil
}

// Verify checks code against secret for the steps now−1, now and now+1 and
// returns the step it matched. A match at or before lastStep (the step the
// store last accepted) is ErrReplay. Verify is only the first half of the
// replay guard: the caller must then call store.UseTOTPStep(step), whose
// atomic compare-and-set makes a concurrent second use of the same code
// lose (ErrConsumed).
func (t *TOTP) Verify(secret, code string, lastStep int64) (int64, error) {
	code = normalizedCode(code)
	if !isDigits(code, totpDigits.Length()) {
		return 0, fmt.Errorf("%w: want %d digits", ErrInvalidCode, totpDigits.Length())
	}
	now := t.now().Unix() / totpPeriod
	matched, replayed := int64(-1), false
	// Every candidate step is computed and compared, whatever matched
	// earlier, so timing does not tell which step (if any) matched.
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		if step < 0 {
			continue
		}
		want, err := hotpCode(secret, step)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if step <= lastStep {
			replayed = true
			continue
		}
		matched = step
	}
	switch {
	case matched >= 0:
		return matched, nil
	case replayed:
		return 0, ErrReplay
	default:
		return 0, ErrInvalidCode
	}
}

// GenerateCode is the code an authenticator app shows at time at. authd
// itself never needs it; tests and the browser suite do.
func GenerateCode(secret string, at time.Time) (string, error) {
	return hotpCode(secret, at.Unix()/totpPeriod)
}

func hotpCode(secret string, step int64) (string, error) {
	code, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{
		Digits:    totpDigits,
		Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("mfa: totp secret: %w", err)
	}
	return code, nil
}

// normalizedCode drops the spaces people type or apps display ("123 456").
func normalizedCode(code string) string {
	return strings.ReplaceAll(strings.TrimSpace(code), " ", "")
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package mfa

import (
	"testing"
	"time"
)

// Fuzz targets for every parser of untrusted input: they must never
// panic, and must never accept what they did not mint.

func FuzzVerifyRemember(f *testing.F) {
	k := key(9)
	now := time.Unix(1_900_000_000, 0)
	f.Add(RememberToken(k, "auth0|u1", now.Add(time.Hour)))
	f.Add("1.")
	f.Add(".")
	f.Add("99999999999999999999.AAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		if VerifyRemember(k, tok, "auth0|u2", now) {
			t.Fatalf("token %q verified for a user nobody minted one for", tok)
		}
	})
}

func FuzzTOTPVerify(f *testing.F) {
	v := pinned(time.Unix(1_900_000_000, 0))
	f.Add("123456")
	f.Add(" 12 34 56 ")
	f.Add("١٢٣٤٥٦")
	f.Fuzz(func(t *testing.T, code string) {
		step, err := v.Verify(rfcSecret, code, 0)
		if err == nil && !isDigits(normalizedCode(code), 6) {
			t.Fatalf("accepted malformed code %q (step %d)", code, step)
		}
	})
}

func FuzzSealerOpen(f *testing.F) {
	s, _ := NewSealer(key(1))
	ct, _ := s.Seal([]byte("secret"))
	f.Add(ct)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		plain, err := s.Open(in)
		if err == nil && string(plain) != "secret" {
			t.Fatalf("opened forged input to %q", plain)
		}
	})
}

func FuzzHashRecoveryCode(f *testing.F) {
	f.Add("7KQ2-M9XD-0TZB-41WN-E5HC")
	f.Fuzz(func(t *testing.T, code string) {
		if HashRecoveryCode(code) != HashRecoveryCode(NormalizeRecoveryCode(code)) {
			t.Fatalf("normalization of %q is not idempotent", code)
		}
	})
}

package mfa

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// crockford is Crockford's base32 alphabet: digits and upper-case letters
// without I, L, O and U, so a code read aloud or copied from paper has no
// look-alike characters (and no accidental words).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Recovery codes are 20 Crockford characters (5 bits each = 100 bits) in
// five dash-separated groups of four.
const (
	recoveryChars = 20
	recoveryGroup = 4
)

// NewRecoveryCode returns a fresh code such as "7KQ2-M9XD-0TZB-4RWN-E5HC"
// using randomness from r (crypto/rand.Reader in production).
func NewRecoveryCode(r io.Reader) (string, error) {
	buf := make([]byte, recoveryChars)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", fmt.Errorf("mfa: recovery code: %w", err)
	}
	var b strings.Builder
	for i, c := range buf {
		if i > 0 && i%recoveryGroup == 0 {
			b.WriteByte('-')
		}
		// 256 is a multiple of 32, so the low five bits of a uniform byte
		// are uniform: no modulo bias.
		b.WriteByte(crockford[c&31])
	}
	return b.String(), nil
}

// HashRecoveryCode is what the store keeps and UseRecoveryCode looks up.
//
// A plain SHA-256 is enough here, unlike for passwords: the code carries
// 100 random bits, so an attacker holding the hash has nothing to guess
// from a dictionary and 2^100 work to brute-force it; a slow hash would only
// cost us CPU per attempt. Being unsalted and deterministic is what lets
// the store find the code with one indexed lookup.
//
// Input is normalized as Crockford intends: case, spaces and dashes are
// ignored, and O, I and L are read as 0, 1 and 1.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(NormalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}

// NormalizeRecoveryCode returns the canonical form of code: upper case, no
// separators, look-alike letters mapped to digits.
func NormalizeRecoveryCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch r {
		case '-', ' ', '\t', '\n', '\r':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

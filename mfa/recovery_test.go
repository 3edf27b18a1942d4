package mfa

import (
	"bytes"
	"crypto/rand"
	"regexp"
	"strings"
	"testing"
)

var recoveryFormat = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$`)

func TestRecoveryCodeFormat(t *testing.T) {
	for i := 0; i < 200; i++ {
		c, err := NewRecoveryCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !recoveryFormat.MatchString(c) {
			t.Fatalf("code %q has the wrong format", c)
		}
		if strings.ContainsAny(c, "ILOU") {
			t.Fatalf("code %q has an ambiguous character", c)
		}
	}
}

// TestRecoveryCodeEntropy: 20 symbols of a 32-symbol alphabet, each from a
// whole random byte, is 100 bits; every symbol must be reachable and codes
// must not repeat.
func TestRecoveryCodeEntropy(t *testing.T) {
	if bits := recoveryChars * 5; bits < 100 {
		t.Fatalf("recovery codes carry %d bits, want >= 100", bits)
	}
	seen := map[string]bool{}
	symbols := map[rune]bool{}
	for i := 0; i < 1000; i++ {
		c, _ := NewRecoveryCode(rand.Reader)
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true
		for _, r := range strings.ReplaceAll(c, "-", "") {
			symbols[r] = true
		}
	}
	if len(symbols) != 32 {
		t.Fatalf("saw %d distinct symbols, want 32", len(symbols))
	}
}

func TestRecoveryCodeUsesInjectedRandomness(t *testing.T) {
	a, _ := NewRecoveryCode(bytes.NewReader(make([]byte, 20)))
	if a != "0000-0000-0000-0000-0000" {
		t.Fatalf("zero randomness gave %q", a)
	}
	if _, err := NewRecoveryCode(bytes.NewReader(make([]byte, 5))); err == nil {
		t.Fatal("short randomness accepted")
	}
}

func TestRecoveryCodeNormalization(t *testing.T) {
	want := HashRecoveryCode("7KQ2-M9XD-0TZB-41WN-E5HC")
	for _, in := range []string{
		"7KQ2M9XD0TZB41WNE5HC",
		"7kq2-m9xd-0tzb-41wn-e5hc",
		" 7KQ2 M9XD 0TZB 41WN E5HC ",
		"7KQ2-M9XD-OTZB-4IWN-E5HC", // O for 0, I for 1
		"7KQ2-M9XD-oTZB-4lWN-E5HC", // o for 0, l for 1
	} {
		if got := HashRecoveryCode(in); got != want {
			t.Errorf("HashRecoveryCode(%q) differs from the canonical form", in)
		}
	}
	if HashRecoveryCode("7KQ2-M9XD-0TZB-41WN-E5HD") == want {
		t.Error("a different code hashes the same")
	}
}

func TestRecoveryCodeHashStable(t *testing.T) {
	// SHA-256 of "00000000000000000000" (20 zeros): the stored hash must never change
	// between releases, or every issued code stops working.
	const code = "0000-0000-0000-0000-0000"
	const want = "a7d351f3de399c746064a53c69959ab10312a003ec63985bcd86fb6dc1c402d5"
	got := HashRecoveryCode(code)
	if len(got) != 64 || got != HashRecoveryCode(code) {
		t.Fatalf("hash %q is not a stable 64-hex digest", got)
	}
	if got != want {
		t.Fatalf("HashRecoveryCode(%q) = %s, want %s", code, got, want)
	}
}

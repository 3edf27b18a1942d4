package mfa

import (
	"bytes"
	"errors"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestSealerRoundTrip(t *testing.T) {
	s, err := NewSealer(key(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range [][]byte{nil, []byte("x"), []byte("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), bytes.Repeat([]byte{7}, 4096)} {
		ct, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) >= 8 && bytes.Contains(ct, plain) {
			t.Fatal("ciphertext contains the plaintext")
		}
		got, err := s.Open(ct)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("round trip: got %q want %q", got, plain)
		}
		if s.NeedsReseal(ct) {
			t.Fatal("fresh ciphertext needs reseal")
		}
	}
}

func TestSealerNoncesDiffer(t *testing.T) {
	s, _ := NewSealer(key(1))
	a, _ := s.Seal([]byte("same"))
	b, _ := s.Seal([]byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestSealerTamperDetected(t *testing.T) {
	s, _ := NewSealer(key(1))
	ct, _ := s.Seal([]byte("secret"))
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if _, err := s.Open(bad); !errors.Is(err, ErrSealed) {
			t.Fatalf("flipping byte %d: err = %v, want ErrSealed", i, err)
		}
	}
	for _, n := range []int{0, 3, 16, len(ct) - 1} {
		if _, err := s.Open(ct[:n]); !errors.Is(err, ErrSealed) {
			t.Fatalf("truncated to %d: err = %v, want ErrSealed", n, err)
		}
	}
}

func TestSealerOldKeyDecrypts(t *testing.T) {
	old, _ := NewSealer(key(1))
	ct, _ := old.Seal([]byte("sealed before rotation"))

	rotated, err := NewSealer(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rotated.Open(ct)
	if err != nil || string(got) != "sealed before rotation" {
		t.Fatalf("Open with old key: %q, %v", got, err)
	}
	if !rotated.NeedsReseal(ct) {
		t.Fatal("ciphertext under an old key does not report NeedsReseal")
	}
	fresh, _ := rotated.Seal(got)
	if rotated.NeedsReseal(fresh) {
		t.Fatal("resealed ciphertext still needs reseal")
	}
	if _, err := old.Open(fresh); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old sealer opened new-key data: %v", err)
	}
}

func TestSealerKeyIDMismatch(t *testing.T) {
	a, _ := NewSealer(key(1))
	b, _ := NewSealer(key(2))
	ct, _ := a.Seal([]byte("secret"))
	if _, err := b.Open(ct); !errors.Is(err, ErrUnknownKey) || !errors.Is(err, ErrSealed) {
		t.Fatalf("unknown key id: err = %v, want ErrSealed+ErrUnknownKey", err)
	}
	// Relabel the ciphertext with b's key id: the id is authenticated data
	// and the key is wrong anyway, so Open must still fail.
	bct, _ := b.Seal([]byte("other"))
	forged := append(bytes.Clone(bct[:sealKeyIDSize]), ct[sealKeyIDSize:]...)
	if _, err := b.Open(forged); !errors.Is(err, ErrSealed) {
		t.Fatalf("relabelled ciphertext: err = %v, want ErrSealed", err)
	}
}

func TestNewSealerRejectsBadKeys(t *testing.T) {
	tests := []struct {
		name    string
		current []byte
		old     [][]byte
	}{
		{"empty", nil, nil},
		{"short", make([]byte, 16), nil},
		{"long", make([]byte, 33), nil},
		{"bad old", key(1), [][]byte{make([]byte, 31)}},
		{"duplicate old", key(1), [][]byte{key(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSealer(tt.current, tt.old...); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

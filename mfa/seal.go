package mfa

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
)

// Sealed layout: keyID (4) || nonce (12) || AES-256-GCM ciphertext+tag.
// The key id is authenticated as additional data, so it cannot be swapped
// to steer Open towards another key.
const (
	sealKeySize   = 32
	sealKeyIDSize = 4
	sealNonceSize = 12
	sealOverhead  = sealKeyIDSize + sealNonceSize + 16
)

// Sealer encrypts small secrets at rest (TOTP secrets, signing keys) with
// AES-256-GCM. It seals with the current key and opens with any configured
// key, so rotation is: make the new key current, list the old one in old,
// reseal what NeedsReseal reports, then drop the old key.
type Sealer struct {
	current sealKey
	keys    map[[sealKeyIDSize]byte]cipher.AEAD
	// Rand supplies nonces; nil means crypto/rand. Tests may pin it.
	Rand io.Reader
}

type sealKey struct {
	id   [sealKeyIDSize]byte
	aead cipher.AEAD
}

// NewSealer builds a Sealer from 32-byte keys. Two keys with the same id
// (the same key twice, or a 32-bit collision) are refused rather than
// letting Open guess.
func NewSealer(current []byte, old ...[]byte) (*Sealer, error) {
	cur, err := newSealKey(current)
	if err != nil {
		return nil, fmt.Errorf("mfa: current sealing key: %w", err)
	}
	s := &Sealer{current: cur, keys: map[[sealKeyIDSize]byte]cipher.AEAD{cur.id: cur.aead}}
	for i, k := range old {
		sk, err := newSealKey(k)
		if err != nil {
			return nil, fmt.Errorf("mfa: old sealing key %d: %w", i, err)
		}
		if _, dup := s.keys[sk.id]; dup {
			return nil, fmt.Errorf("mfa: old sealing key %d repeats another key (id %x)", i, sk.id)
		}
		s.keys[sk.id] = sk.aead
	}
	return s, nil
}

func newSealKey(key []byte) (sealKey, error) {
	if len(key) != sealKeySize {
		return sealKey{}, fmt.Errorf("need %d bytes, got %d", sealKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealKey{}, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealKey{}, fmt.Errorf("gcm: %w", err)
	}
	return sealKey{id: sealKeyID(key), aead: aead}, nil
}

// sealKeyID names a key by a domain-separated hash, so the id published in
// every ciphertext is not a plain hash of the key used elsewhere. Four
// bytes only pick the key; they say nothing useful about a 256-bit key.
func sealKeyID(key []byte) [sealKeyIDSize]byte {
	sum := sha256.Sum256(append([]byte("authd/mfa/seal-key-id\x00"), key...))
	var id [sealKeyIDSize]byte
	copy(id[:], sum[:])
	return id
}

// Seal encrypts plain with the current key under a fresh random nonce.
func (s *Sealer) Seal(plain []byte) ([]byte, error) {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	out := make([]byte, sealKeyIDSize+sealNonceSize, sealOverhead+len(plain))
	copy(out, s.current.id[:])
	nonce := out[sealKeyIDSize:]
	if _, err := io.ReadFull(r, nonce); err != nil {
		return nil, fmt.Errorf("mfa: seal nonce: %w", err)
	}
	return s.current.aead.Seal(out, nonce, plain, out[:sealKeyIDSize]), nil
}

// Open decrypts what Seal produced with the current or an old key. Any
// tampering, truncation or unknown key id is ErrSealed.
func (s *Sealer) Open(ct []byte) ([]byte, error) {
	if len(ct) < sealOverhead {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrSealed, len(ct))
	}
	var id [sealKeyIDSize]byte
	copy(id[:], ct)
	aead, ok := s.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: %w (id %x)", ErrSealed, ErrUnknownKey, id)
	}
	nonce := ct[sealKeyIDSize : sealKeyIDSize+sealNonceSize]
	plain, err := aead.Open(nil, nonce, ct[sealKeyIDSize+sealNonceSize:], ct[:sealKeyIDSize])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSealed, err)
	}
	return plain, nil
}

// NeedsReseal reports whether ct was sealed with a key other than the
// current one (an old key, or one no longer configured), so a rotation job
// knows what to Open and Seal again.
func (s *Sealer) NeedsReseal(ct []byte) bool {
	return len(ct) < sealKeyIDSize || !bytes.Equal(ct[:sealKeyIDSize], s.current.id[:])
}

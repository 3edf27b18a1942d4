package config

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the length of every server key (encryption and cookie keys).
const KeySize = 32

var errKeyFormat = errors.New("must be 32 bytes written as base64 or as 64 hex characters")

// ParseKey decodes a 32-byte key written as 64 hex characters or as base64
// (standard or URL alphabet, padded or not), the forms `openssl rand -hex
// 32` and `openssl rand -base64 32` print.
func ParseKey(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding,
	} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, errKeyFormat
			}
			return k, nil
		}
	}
	return nil, errKeyFormat
}

// devSecrets is the JSON form of the dev secrets file.
type devSecrets struct {
	EncryptionKey string `json:"encryption_key"`
	CookieKey     string `json:"cookie_key"`
}

// LoadOrCreateDevSecrets returns the dev-mode secrets stored at path,
// creating the file (mode 0600) with fresh keys from rand on first start.
// Keeping them on disk lets encrypted TOTP secrets, signing keys and
// cookies survive a restart of the dev server.
func LoadOrCreateDevSecrets(path string, rand io.Reader) (Secrets, error) {
	s, err := readDevSecrets(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	s = Secrets{EncryptionKey: make([]byte, KeySize), CookieKey: make([]byte, KeySize)}
	if _, err := io.ReadFull(rand, s.EncryptionKey); err != nil {
		return Secrets{}, fmt.Errorf("dev secrets: generate key: %w", err)
	}
	if _, err := io.ReadFull(rand, s.CookieKey); err != nil {
		return Secrets{}, fmt.Errorf("dev secrets: generate key: %w", err)
	}
	data, err := json.MarshalIndent(devSecrets{
		EncryptionKey: base64.StdEncoding.EncodeToString(s.EncryptionKey),
		CookieKey:     base64.StdEncoding.EncodeToString(s.CookieKey),
	}, "", "  ")
	if err != nil {
		return Secrets{}, fmt.Errorf("dev secrets: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Secrets{}, fmt.Errorf("dev secrets: %w", err)
	}
	// O_EXCL: if another process created the file meanwhile, use its keys
	// rather than overwrite them.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readDevSecrets(path)
	}
	if err != nil {
		return Secrets{}, fmt.Errorf("dev secrets: %w", err)
	}
	_, werr := f.Write(append(data, '\n'))
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return Secrets{}, fmt.Errorf("dev secrets: write %s: %w", path, err)
	}
	return s, nil
}

func readDevSecrets(path string) (Secrets, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Secrets{}, err
	}
	var raw devSecrets
	if err := json.Unmarshal(data, &raw); err != nil {
		return Secrets{}, fmt.Errorf("dev secrets %s: %w (delete the file to generate new keys)", path, err)
	}
	var s Secrets
	if s.EncryptionKey, err = ParseKey(raw.EncryptionKey); err != nil {
		return Secrets{}, fmt.Errorf("dev secrets %s: encryption_key %w", path, err)
	}
	if s.CookieKey, err = ParseKey(raw.CookieKey); err != nil {
		return Secrets{}, fmt.Errorf("dev secrets %s: cookie_key %w", path, err)
	}
	return s, nil
}

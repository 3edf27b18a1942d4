package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
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

package actions

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// The redirect session tokens are HS256 JWTs keyed with an action secret.
// go-jose v4 refuses HMAC keys shorter than the hash (RFC 7518 §3.2), but
// Auth0 accepts any secret and the seed uses "s3cr3t", so the two HS256
// operations are written out here; only HS256 is ever accepted on input.

var jwtHeaderHS256 = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func signHS256(claims map[string]any, secret []byte) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := jwtHeaderHS256 + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

var (
	errMalformedToken = errors.New("Malformed token.")
	errAlgorithm      = errors.New("Unexpected token algorithm, only HS256 is accepted.")
	errSignature      = errors.New("Invalid signature.")
)

// verifyHS256 checks the structure, the algorithm and the signature (in
// constant time) and returns the claims.
func verifyHS256(token string, secret []byte) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errMalformedToken
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, errMalformedToken
	}
	var header struct {
		Alg  string `json:"alg"`
		Crit []any  `json:"crit"`
	}
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		return nil, errMalformedToken
	}
	if header.Alg != "HS256" || header.Crit != nil {
		return nil, errAlgorithm
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errMalformedToken
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, errSignature
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errMalformedToken
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, errMalformedToken
	}
	return claims, nil
}

package mfa

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// Remember-browser tokens let a browser skip the second factor for one
// user until a time. Format: "<expiry unix seconds>.<base64url HMAC>".
// The user id is not in the token: the verifier supplies the user it is
// about to log in, so a token copied between accounts never verifies.

// minRememberKey is the shortest HMAC key VerifyRemember trusts; a short
// or empty key would make tokens forgeable, so verification fails closed.
const minRememberKey = 16

// RememberToken mints a token for userID valid until expires. key is a
// server secret (the cookie key, 32 bytes).
func RememberToken(key []byte, userID string, expires time.Time) string {
	exp := expires.Unix()
	return strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(rememberMAC(key, userID, exp))
}

// VerifyRemember reports whether token was minted with key for userID and
// is not expired at now. Malformed, forged, expired or other-user tokens
// are all just false.
func VerifyRemember(key []byte, token, userID string, now time.Time) bool {
	if len(key) < minRememberKey || userID == "" {
		return false
	}
	expStr, macStr, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil || strconv.FormatInt(exp, 10) != expStr {
		return false // only the canonical form, so one token has one spelling
	}
	mac, err := base64.RawURLEncoding.DecodeString(macStr)
	if err != nil {
		return false
	}
	// Check the MAC before the expiry so that a forged token costs the
	// same as a genuine one (hmac.Equal is constant-time).
	if !hmac.Equal(mac, rememberMAC(key, userID, exp)) {
		return false
	}
	return now.Unix() < exp
}

// rememberMAC signs a domain label, the length-prefixed user id and the
// expiry, so no (user, expiry) pair can be re-split into another.
func rememberMAC(key []byte, userID string, exp int64) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("authd/mfa/remember-browser/v1\x00"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(userID)))
	m.Write(n[:])
	m.Write([]byte(userID))
	binary.BigEndian.PutUint64(n[:], uint64(exp))
	m.Write(n[:])
	return m.Sum(nil)
}

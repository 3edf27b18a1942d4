package login

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's minimum recommendation (m=19 MiB, t=2,
// p=1). Stored in the PHC string so they can be raised later: a hash with
// weaker parameters is upgraded on the next successful login.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
	// maxPasswordBytes caps the input before hashing: a 1 MB password is
	// refused without spending KDF time on it.
	maxPasswordBytes = 1024
)

var errBadHash = errors.New("malformed password hash")

// HashPassword returns an argon2id PHC string.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC hash, and whether
// the hash should be upgraded to the current parameters.
func CheckPassword(hash, password string) (ok, upgrade bool, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, errBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && (m < argonMemory || t < argonTime), nil
}

// dummyHash is checked against when the email is unknown, so an unknown
// email costs the same time as a wrong password (no user enumeration).
func dummyHash() string {
	h, err := HashPassword("authd-dummy-password")
	if err != nil {
		panic(err) // crypto/rand failing is not recoverable
	}
	return h
}

package mfa

import "errors"

// Sentinel errors. Functions wrap them with detail for logs; callers test
// with errors.Is and show their own fixed message, never err.Error(), to
// the person logging in.
var (
	// ErrInvalidCode: a TOTP code that is malformed or matches none of the
	// accepted time steps.
	ErrInvalidCode = errors.New("mfa: invalid code")
	// ErrReplay: a TOTP code that matches a time step already used
	// (RFC 6238 §5.2: a verifier must not accept an OTP twice).
	ErrReplay = errors.New("mfa: code already used")

	// ErrSealed: sealed data is truncated or was tampered with, or the key
	// that sealed it is not configured.
	ErrSealed = errors.New("mfa: cannot open sealed data")
	// ErrUnknownKey: the sealed data names a key id that is neither the
	// current nor an old key (wrapped together with ErrSealed).
	ErrUnknownKey = errors.New("mfa: sealed with an unknown key")

	// ErrChallenge: the WebAuthn ceremony id is unknown, used, expired, or
	// belongs to another kind of ceremony or another user.
	ErrChallenge = errors.New("mfa: unknown, used or expired passkey challenge")
	// ErrPasskeyInvalid: the browser's WebAuthn response failed
	// verification (origin, RP ID hash, flags, signature, user handle,
	// unknown credential, malformed JSON).
	ErrPasskeyInvalid = errors.New("mfa: passkey response rejected")
	// ErrCloneDetected: the authenticator's signature counter did not
	// advance, so the private key may exist twice. The credential is
	// flagged (CloneWarning) and refused from then on.
	ErrCloneDetected = errors.New("mfa: passkey signature counter regressed (possible clone)")
	// ErrCredentialExists: a registration produced a credential id that is
	// already registered (W3C WebAuthn §7.1 step 17 says fail).
	ErrCredentialExists = errors.New("mfa: passkey already registered")
	// ErrNoPasskeys: a second-factor ceremony for a user without passkeys.
	ErrNoPasskeys = errors.New("mfa: user has no passkeys")
)

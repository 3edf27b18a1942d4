// Package mfa owns authd's second factors and the cryptography around them:
//
//   - TOTP authenticator apps (RFC 6238): enrolment with a server-rendered QR
//     code and verification that reports the matched time step, so the
//     caller can make replays lose in the store's atomic UseTOTPStep;
//   - recovery codes: high-entropy one-time codes and their storage hash;
//   - Sealer: AES-256-GCM sealing of secrets at rest (TOTP secrets, signing
//     keys) with key ids, so keys can rotate without a flag day;
//   - remember-browser tokens: HMAC-signed "skip MFA on this browser until"
//     values bound to one user;
//   - Passkeys: a thin wrapper over go-webauthn for registration,
//     discoverable (usernameless) login and passkey-as-second-factor, with
//     the ceremony state kept in the store, never in process memory, so any
//     replica can finish a ceremony another one began.
//
// The package holds no HTTP handlers: the login pipeline calls it and maps
// its sentinel errors to fixed page messages. Clocks and randomness are
// injected everywhere so tests can pin them.
package mfa

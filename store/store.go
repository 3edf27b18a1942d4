package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Implementations wrap driver errors but always let callers
// test with errors.Is against these.
var (
	// ErrNotFound: no row with that key (or it expired).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique key already exists (for example a second user
	// with the same email in one connection).
	ErrConflict = errors.New("store: conflict")
	// ErrConsumed: a single-use value (code, refresh token, challenge,
	// continue state, TOTP step, recovery code) was already used.
	ErrConsumed = errors.New("store: already used")
)

// Store is everything authd keeps. Every method is safe for concurrent use
// from many goroutines and, for the PostgreSQL implementation, from many
// processes: the single-use operations (ConsumeAuthCode, RotateRefreshToken,
// ConsumeContinueState, ConsumeWebAuthnChallenge, UseTOTPStep,
// UseRecoveryCode) are atomic compare-and-set operations, so exactly one of
// several concurrent callers wins.
type Store interface {
	Users
	Sessions
	AuthRequests
	Tokens
	Keys
	Failures
	Factors
	Cache

	// Ping reports whether the database answers (readiness).
	Ping(ctx context.Context) error
	// Migrate applies pending schema migrations; it is idempotent and safe
	// to call from several processes at once.
	Migrate(ctx context.Context) error
	// PurgeExpired deletes rows whose lifetime ended before now: auth
	// requests, codes, continue states, challenges, sessions, grants and
	// refresh tokens, cache entries and retired keys; and failure counters
	// whose last failure is older than FailureRetention.
	PurgeExpired(ctx context.Context, now time.Time) error
	Close() error
}

// Users holds database-connection users.
type Users interface {
	// CreateUser inserts u. u.ID must be set. ErrConflict if the
	// (connection, email) pair exists.
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id string) (*User, error)
	// GetUserByEmail looks the email up case-insensitively (emails are
	// stored lower-cased) within one connection.
	GetUserByEmail(ctx context.Context, connection, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	// DeleteUser removes the user and everything hanging off it: sessions,
	// refresh tokens, factors, credentials, roles.
	DeleteUser(ctx context.Context, id string) error
	SetPasswordHash(ctx context.Context, id, hash string, at time.Time) error
	// UpdateMetadata merges the patches into user_metadata and app_metadata
	// per top-level key (a nil value deletes the key) in one transaction and
	// returns the updated user. A nil patch leaves that object alone.
	UpdateMetadata(ctx context.Context, id string, userPatch, appPatch map[string]any, at time.Time) (*User, error)
	// RecordLogin increments logins_count and sets last_login / last_ip.
	RecordLogin(ctx context.Context, id string, at time.Time, ip string) (*User, error)
	AddRoles(ctx context.Context, id string, roles ...string) error
	RemoveRoles(ctx context.Context, id string, roles ...string) error
}

// Sessions are SSO browser sessions (the authd_session cookie).
type Sessions interface {
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, id string) (*Session, error)
	// UpdateSession overwrites the mutable fields (methods, clients,
	// last-seen data, expiry).
	UpdateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID string) error
}

// AuthRequests hold the login transaction from /authorize to the code, and
// the authorization codes issued for them.
type AuthRequests interface {
	CreateAuthRequest(ctx context.Context, r *AuthRequest) error
	GetAuthRequest(ctx context.Context, id string) (*AuthRequest, error)
	// UpdateAuthRequest overwrites the login-progress fields of r.
	UpdateAuthRequest(ctx context.Context, r *AuthRequest) error
	DeleteAuthRequest(ctx context.Context, id string) error

	// SaveAuthCode stores the hash of a code for an auth request.
	SaveAuthCode(ctx context.Context, c *AuthCode) error
	// ConsumeAuthCode marks the code used and returns it with its auth
	// request. A second call returns the code with ErrConsumed (so the
	// caller can revoke what the first use issued); an expired or unknown
	// code is ErrNotFound.
	ConsumeAuthCode(ctx context.Context, codeHash string, now time.Time) (*AuthCode, *AuthRequest, error)
	// SetAuthCodeGrant records which grant a consumed code produced.
	SetAuthCodeGrant(ctx context.Context, codeHash, grantID string) error

	// CreateContinueState stores a /continue state for a suspended login.
	CreateContinueState(ctx context.Context, c *ContinueState) error
	// ConsumeContinueState marks it used and returns it; ErrConsumed if it
	// was used, ErrNotFound if unknown or expired.
	ConsumeContinueState(ctx context.Context, hash string, now time.Time) (*ContinueState, error)
}

// Tokens are grants (what one login, or one code exchange, gave one client)
// and their refresh tokens (opaque, stored hashed, rotated). Access tokens
// are JWTs whose jti names their grant, so revoking a grant revokes them
// too (/userinfo checks the grant).
type Tokens interface {
	// CreateGrant inserts g and, when rt is not nil, its first refresh
	// token, in one transaction.
	CreateGrant(ctx context.Context, g *Grant, rt *RefreshToken) error
	GetGrant(ctx context.Context, id string) (*Grant, error)
	// SetGrantClaims stores the claims an action added to the grant's ID
	// token; /userinfo serves them. GrantClaims reads them back (nil when
	// none were set). ErrNotFound for an unknown grant.
	SetGrantClaims(ctx context.Context, grantID string, claims map[string]any) error
	GrantClaims(ctx context.Context, grantID string) (map[string]any, error)
	// GetRefreshToken returns the token row whatever its state.
	GetRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// RotateRefreshToken atomically marks oldHash used and inserts next
	// (same grant). If oldHash was already used or revoked, it revokes the
	// whole grant and returns ErrConsumed; nothing is inserted.
	RotateRefreshToken(ctx context.Context, oldHash string, next *RefreshToken, now time.Time) error
	// RevokeGrant revokes a grant and every refresh token of it.
	RevokeGrant(ctx context.Context, grantID string, now time.Time) error
	// RevokeUserGrants revokes every grant of a user (password reset,
	// user deleted, session.revoke).
	RevokeUserGrants(ctx context.Context, userID string, now time.Time) error
}

// Keys are the signing keys.
type Keys interface {
	ListSigningKeys(ctx context.Context) ([]*SigningKey, error)
	// InsertSigningKey adds k and, in the same transaction, retires the
	// keys active before it (RetireAt = k.ActivateAt, RemoveAt = removeOld).
	InsertSigningKey(ctx context.Context, k *SigningKey, removeOld time.Time) error
}

// FailureRetention is how long an idle failure counter is kept: longer
// than any block window authd applies.
const FailureRetention = 30 * 24 * time.Hour

// Failures count failed attempts for brute-force protection.
type Failures interface {
	// RecordFailure adds one failure for (kind, subject, ip) and returns the
	// number of consecutive failures including this one. Failures older
	// than window are forgotten first.
	RecordFailure(ctx context.Context, kind, subject, ip string, now time.Time, window time.Duration) (int, error)
	// Failures returns the current count and the time of the last failure.
	Failures(ctx context.Context, kind, subject, ip string) (int, time.Time, error)
	// ClearFailures forgets the failures for subject; ip == "" clears all IPs.
	ClearFailures(ctx context.Context, kind, subject, ip string) error
}

// Factors are MFA factors: TOTP, recovery codes, WebAuthn credentials and
// the short-lived WebAuthn ceremony challenges.
type Factors interface {
	SaveTOTP(ctx context.Context, f *TOTPFactor) error
	GetTOTP(ctx context.Context, userID string) (*TOTPFactor, error)
	// UseTOTPStep records step as used if it is later than the last used
	// step; otherwise ErrConsumed (replay).
	UseTOTPStep(ctx context.Context, userID string, step int64) error
	// DeleteFactors removes TOTP and recovery codes (not passkeys).
	DeleteFactors(ctx context.Context, userID string) error

	SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	// UseRecoveryCode consumes one code; ErrNotFound if no unused code has
	// that hash.
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error

	AddWebAuthnCredential(ctx context.Context, c *WebAuthnCredential) error
	ListWebAuthnCredentials(ctx context.Context, userID string) ([]*WebAuthnCredential, error)
	GetWebAuthnCredential(ctx context.Context, credentialID []byte) (*WebAuthnCredential, error)
	// UpdateWebAuthnCredential stores the sign count, flags and last use.
	UpdateWebAuthnCredential(ctx context.Context, c *WebAuthnCredential) error
	DeleteWebAuthnCredential(ctx context.Context, userID string, credentialID []byte) error

	SaveWebAuthnChallenge(ctx context.Context, c *WebAuthnChallenge) error
	ConsumeWebAuthnChallenge(ctx context.Context, id string, now time.Time) (*WebAuthnChallenge, error)
}

// Cache is api.cache: small string values shared by the post-login
// actions, with an expiry.
type Cache interface {
	CacheGet(ctx context.Context, key string, now time.Time) (value string, expiresAt time.Time, err error)
	CacheSet(ctx context.Context, key, value string, expiresAt time.Time) error
	CacheDelete(ctx context.Context, key string) error
}

package store

import (
	"log/slog"
	"time"
)

// User is a database-connection user. Metadata maps hold JSON values
// (string, float64, bool, nil, []any, map[string]any).
type User struct {
	ID                string // auth0|<24 hex>
	Connection        string // Username-Password-Authentication by default
	Email             string // lower-cased
	EmailVerified     bool
	Name              string
	Nickname          string
	GivenName         string
	FamilyName        string
	Picture           string
	PasswordHash      string // PHC string, argon2id
	UserMetadata      map[string]any
	AppMetadata       map[string]any
	Roles             []string // sorted, unique
	LoginsCount       int
	LastLogin         time.Time // zero until the first login
	LastIP            string
	LastPasswordReset time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// A summary of the user's factors, read in the same query as the user
	// (CreateUser ignores it): event.user.multifactor and enrolledFactors
	// need no further round trip.
	HasTOTP    bool // a confirmed TOTP factor
	HasPasskey bool // at least one WebAuthn credential
}

// LogValue keeps the password hash out of logs.
func (u *User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_id", u.ID), slog.String("connection", u.Connection))
}

// AuthMethod is one entry of event.authentication.methods.
type AuthMethod struct {
	Name      string    `json:"name"`
	Timestamp time.Time `json:"timestamp"`
	Type      string    `json:"type,omitempty"`
}

// Session is an SSO browser session. ID is the SHA-256 (hex) of the cookie
// value, so a database leak does not leak live cookies.
type Session struct {
	ID              string
	UserID          string
	Methods         []AuthMethod
	Clients         []string
	CreatedAt       time.Time
	AuthenticatedAt time.Time // last time a first factor was used
	UpdatedAt       time.Time
	ExpiresAt       time.Time
	InitialIP       string
	LastIP          string
	InitialUA       string
	LastUA          string
}

// AuthRequest is one login transaction, from /authorize until its code is
// redeemed. The first block is fixed at /authorize; the second records the
// login's progress and is rewritten by UpdateAuthRequest.
type AuthRequest struct {
	ID                  string
	ClientID            string
	RedirectURI         string
	Scopes              []string
	State               string
	Nonce               string
	ResponseType        string
	ResponseMode        string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAge              int64 // seconds; -1 when absent
	ACRValues           []string
	UILocales           []string
	LoginHint           string
	Audience            string            // API identifier, "" for none
	Query               map[string]string // the /authorize parameters, for event.request.query
	BrowserID           string            // hash of the browser cookie that started it
	CreatedAt           time.Time
	ExpiresAt           time.Time

	UserID    string
	SessionID string
	AuthTime  time.Time
	AMR       []string
	// Done means the login finished successfully: a code may be issued.
	Done bool
	// ErrorCode/ErrorDescription end the login with an OAuth error sent to
	// the client (access_denied from an action, interaction_required, ...).
	ErrorCode        string
	ErrorDescription string
	// Pipeline is the login pipeline's own serialized state (which step,
	// accumulated action commands, suspension); opaque to the store.
	Pipeline []byte
	// Results of the pipeline that land in the tokens.
	IDClaims      map[string]any
	AccessClaims  map[string]any
	GrantedScopes []string // access-token scopes after actions
}

// AuthCode maps a code (by hash) to its auth request.
type AuthCode struct {
	Hash          string
	AuthRequestID string
	ExpiresAt     time.Time
	UsedAt        time.Time // zero while unused
	GrantID       string    // set after the exchange
}

// ContinueState is the state parameter of a login suspended by
// api.redirect.sendUserTo, bound to the browser that was sent away.
type ContinueState struct {
	Hash          string
	AuthRequestID string
	BrowserID     string
	ExpiresAt     time.Time
	UsedAt        time.Time
}

// RefreshToken is one generation of a grant's refresh token.
type RefreshToken struct {
	Hash      string
	ID        string // public id (event.refresh_token.id), stable per token
	GrantID   string // the family; reuse revokes the whole grant
	ClientID  string
	UserID    string
	SessionID string
	Audience  string
	Scopes    []string // what the grant allows (requested and granted at login)
	AuthTime  time.Time
	AMR       []string
	Methods   []AuthMethod // authentication methods of the login that minted it
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while current
	RevokedAt time.Time // zero while live
	// LastExchangedAt is when the grant was last refreshed (zero: never).
	LastExchangedAt time.Time
}

// Grant is what one code exchange (or client-credentials call) gave one
// client. Its ID is the prefix of every access token jti it issued.
type Grant struct {
	ID        string
	ClientID  string
	UserID    string // "" for client credentials
	CreatedAt time.Time
	ExpiresAt time.Time // the longest any token of it can live
	RevokedAt time.Time // zero while live
}

// SigningKey is a token signing key. PrivateJWK is a JSON Web Key,
// encrypted when a key-encryption key is configured.
type SigningKey struct {
	ID         string // kid
	Algorithm  string // RS256, ES256, EdDSA
	PrivateJWK []byte
	PublicJWK  []byte
	CreatedAt  time.Time
	ActivateAt time.Time
	RetireAt   time.Time // zero while it is (or will be) the active key
	RemoveAt   time.Time // zero until retired; then dropped from the JWKS after this
}

// TOTPFactor is an authenticator-app secret, encrypted at rest.
type TOTPFactor struct {
	UserID    string
	SecretEnc []byte
	Confirmed bool
	LastStep  int64
	CreatedAt time.Time
}

// WebAuthnCredential is a registered passkey.
type WebAuthnCredential struct {
	ID              []byte
	UserID          string
	Name            string
	PublicKey       []byte
	AttestationType string
	AAGUID          []byte
	SignCount       uint32
	Transports      []string
	UserVerified    bool
	BackupEligible  bool
	BackupState     bool
	CloneWarning    bool
	CreatedAt       time.Time
	LastUsedAt      time.Time
}

// WebAuthnChallenge is the server side of one registration or login
// ceremony; single use.
type WebAuthnChallenge struct {
	ID        string
	UserID    string // "" for discoverable login
	Kind      string // "register" | "login"
	Data      []byte // webauthn.SessionData as JSON
	ExpiresAt time.Time
}

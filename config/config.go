package config

import "time"

// Config is a validated authd configuration. Paths are absolute (resolved
// against the config file's folder) and durations parsed.
type Config struct {
	// Path is the file it was loaded from; "" in dev mode.
	Path string
	// Dev is true only for the built-in dev configuration.
	Dev bool

	Issuer         string // always ends with "/"
	Listen         string
	TLS            TLS
	TrustedProxies []string // CIDRs
	Storage        Storage
	Signing        Signing
	Tokens         Tokens
	Login          Login
	MFA            MFA
	Passkeys       Passkeys
	GeoIP          GeoIP
	Secrets        Secrets
	Clients        []Client
	ClientGrants   []ClientGrant
	APIs           []API
	Roles          []Role
	Actions        Actions
	Log            Log
}

type TLS struct {
	CertFile string
	KeyFile  string
}

type Storage struct {
	Driver string // sqlite | postgres
	DSN    string // for sqlite a file path or file: URI, resolved
}

type Signing struct {
	Algorithm string // RS256 | ES256 | EdDSA
}

type Tokens struct {
	AccessTokenTTL       time.Duration
	IDTokenTTL           time.Duration
	RefreshTokenTTL      time.Duration
	RefreshTokenRotation bool
}

type Login struct {
	Signup         bool
	PasswordPolicy PasswordPolicy
	BruteForce     BruteForce
	SessionTTL     time.Duration // SSO session absolute lifetime, default 72h
	// OfferPasskey: after a password login without a passkey, offer to
	// create one.
	OfferPasskey bool
}

type PasswordPolicy struct {
	MinLength int
}

type BruteForce struct {
	MaxAttempts int
	BlockFor    time.Duration
}

type MFA struct {
	TOTP TOTP
}

type TOTP struct {
	Issuer string
}

type Passkeys struct {
	RPID          string
	RPDisplayName string
	Origins       []string
}

type GeoIP struct {
	Database string
}

// Secrets are server keys. EncryptionKey protects TOTP secrets and signing
// keys at rest; CookieKey signs cookies and CSRF tokens. Both are 32 bytes
// given as base64 or hex in config; in dev mode they are generated and
// stored next to the database.
type Secrets struct {
	EncryptionKey     []byte
	OldEncryptionKeys [][]byte
	CookieKey         []byte
}

type Client struct {
	ClientID          string
	Name              string
	AppType           string // spa | regular_web | native | non_interactive
	ClientSecret      string
	RedirectURIs      []string
	AllowedLogoutURLs []string
	AllowedOrigins    []string
	GrantTypes        []string
	Metadata          map[string]string
	// DevLocalhost (dev client only): any http://localhost:* redirect
	// URI and origin is accepted.
	DevLocalhost bool
}

// Public reports whether the client has no secret (spa, native).
func (c *Client) Public() bool { return c.AppType == "spa" || c.AppType == "native" }

type ClientGrant struct {
	ClientID string
	Audience string
	Scope    []string
}

type API struct {
	Identifier         string
	Name               string
	Scopes             []string
	AllowOfflineAccess bool
	TokenLifetime      time.Duration
}

type Role struct {
	Name        string
	Description string
}

type Actions struct {
	PostLogin []Action
	Timeout   time.Duration
	Fetch     Fetch
}

type Action struct {
	Name    string
	File    string // absolute
	Source  []byte // read at load
	Secrets map[string]string
}

// Fetch limits the global fetch() offered to actions.
type Fetch struct {
	// AllowHosts are host names (exact, or "*.example.com") and CIDRs
	// that fetch may reach; empty means any public address.
	AllowHosts []string
	// AllowPrivate lets fetch reach loopback and private addresses
	// (tests, or an internal service on purpose).
	AllowPrivate bool
	Timeout      time.Duration
}

type Log struct {
	Level  string // debug | info | warn | error
	Format string // json | text | "" (auto: text on a terminal)
}

// Client returns the client with that id.
func (c *Config) Client(id string) (*Client, bool) {
	for i := range c.Clients {
		if c.Clients[i].ClientID == id {
			return &c.Clients[i], true
		}
	}
	return nil, false
}

// API returns the API with that identifier.
func (c *Config) API(identifier string) (*API, bool) {
	for i := range c.APIs {
		if c.APIs[i].Identifier == identifier {
			return &c.APIs[i], true
		}
	}
	return nil, false
}

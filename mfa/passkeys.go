package mfa

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/authd/authd/store"
)

// PasskeyStore is the part of store.Store that Passkeys uses.
type PasskeyStore interface {
	GetUser(ctx context.Context, id string) (*store.User, error)
	AddWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential) error
	ListWebAuthnCredentials(ctx context.Context, userID string) ([]*store.WebAuthnCredential, error)
	GetWebAuthnCredential(ctx context.Context, credentialID []byte) (*store.WebAuthnCredential, error)
	UpdateWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential) error
	SaveWebAuthnChallenge(ctx context.Context, c *store.WebAuthnChallenge) error
	ConsumeWebAuthnChallenge(ctx context.Context, id string, now time.Time) (*store.WebAuthnChallenge, error)
}

// PasskeyConfig is the relying party. RPID is the registrable domain the
// passkeys are bound to (no scheme, no port); Origins are the exact
// browser origins allowed to run ceremonies (https://login.example.com).
type PasskeyConfig struct {
	RPID          string
	RPDisplayName string
	Origins       []string
	// ChallengeTTL bounds how long a begun ceremony may be finished;
	// default 5 minutes.
	ChallengeTTL time.Duration
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// DefaultChallengeTTL is used when PasskeyConfig.ChallengeTTL is zero.
const DefaultChallengeTTL = 5 * time.Minute

// Passkeys runs WebAuthn ceremonies against the store. It is safe for
// concurrent use and keeps no per-ceremony state: Begin* saves the session
// data as a store challenge, Finish* consumes it (single use, expiring), so
// any replica can finish what another began.
type Passkeys struct {
	wa   *webauthn.WebAuthn
	st   PasskeyStore
	ttl  time.Duration
	now  func() time.Time
	rand io.Reader
}

// NewPasskeys validates cfg and builds the relying party: resident keys
// (discoverable credentials) and user verification are both required, and
// no attestation is asked for (authd trusts no authenticator vendor, so
// attestation would only cost privacy).
func NewPasskeys(cfg PasskeyConfig, st PasskeyStore) (*Passkeys, error) {
	if st == nil {
		return nil, errors.New("mfa: passkeys need a store")
	}
	if cfg.RPID == "" || cfg.RPDisplayName == "" || len(cfg.Origins) == 0 {
		return nil, errors.New("mfa: passkeys need RPID, RPDisplayName and at least one origin")
	}
	p := &Passkeys{st: st, ttl: cfg.ChallengeTTL, now: cfg.Now, rand: cfg.Rand}
	if p.ttl <= 0 {
		p.ttl = DefaultChallengeTTL
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.rand == nil {
		p.rand = rand.Reader
	}
	required := true
	// The library's own timeout enforcement reads the wall clock, so it
	// stays off; expiry is the challenge row's ExpiresAt against p.now.
	// The timeouts set here are only the hint sent to the browser.
	timeout := webauthn.TimeoutConfig{Timeout: p.ttl, TimeoutUVD: p.ttl}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          cfg.RPID,
		RPDisplayName: cfg.RPDisplayName,
		RPOrigins:     append([]string(nil), cfg.Origins...),
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			RequireResidentKey: &required,
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			UserVerification:   protocol.VerificationRequired,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts:              webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
		// Password managers and browsers add extension outputs nobody
		// asked for; authd acts on no extension output, so ignoring the
		// unrequested ones changes no security decision and avoids
		// failing real users' ceremonies.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("mfa: passkeys config: %w", err)
	}
	p.wa = wa
	return p, nil
}

// rejected wraps a go-webauthn error as ErrPasskeyInvalid, keeping the
// library's developer detail for logs.
func rejected(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.DevInfo != "" {
		return fmt.Errorf("%w: %w (%s)", ErrPasskeyInvalid, err, pe.DevInfo)
	}
	return fmt.Errorf("%w: %w", ErrPasskeyInvalid, err)
}

package mfa

import (
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/authd/authd/store"
)

// waUser adapts a store user and its credentials to webauthn.User. The
// user handle is the user id's bytes ("auth0|" + 24 hex, well under the
// 64-byte limit): it is stable, not personal data, and lets a discoverable
// login name its owner directly.
type waUser struct {
	u     *store.User
	creds []*store.WebAuthnCredential
}

func (w waUser) WebAuthnID() []byte { return []byte(w.u.ID) }

// WebAuthnName is what the authenticator's account picker shows.
func (w waUser) WebAuthnName() string {
	if w.u.Email != "" {
		return w.u.Email
	}
	return w.u.ID
}

func (w waUser) WebAuthnDisplayName() string {
	if w.u.Name != "" {
		return w.u.Name
	}
	return w.WebAuthnName()
}

func (w waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, 0, len(w.creds))
	for _, c := range w.creds {
		out = append(out, toWA(c))
	}
	return out
}

func (w waUser) descriptors() []protocol.CredentialDescriptor {
	return webauthn.Credentials(w.WebAuthnCredentials()).CredentialDescriptors()
}

// toWA is the credential record go-webauthn verifies an assertion against.
// UP is recorded as set because every stored credential was registered
// with it; the flags that matter for verification are BE (must not change)
// and UV (latched).
func toWA(c *store.WebAuthnCredential) webauthn.Credential {
	flags := protocol.FlagUserPresent
	if c.UserVerified {
		flags |= protocol.FlagUserVerified
	}
	if c.BackupEligible {
		flags |= protocol.FlagBackupEligible
	}
	if c.BackupState {
		flags |= protocol.FlagBackupState
	}
	transports := make([]protocol.AuthenticatorTransport, 0, len(c.Transports))
	for _, t := range c.Transports {
		transports = append(transports, protocol.AuthenticatorTransport(t))
	}
	return webauthn.Credential{
		ID:              c.ID,
		PublicKey:       c.PublicKey,
		AttestationType: c.AttestationType,
		Transport:       transports,
		Flags:           webauthn.NewCredentialFlags(flags),
		Authenticator: webauthn.Authenticator{
			AAGUID:       c.AAGUID,
			SignCount:    c.SignCount,
			CloneWarning: c.CloneWarning,
		},
	}
}

// fromWA is the store row for a credential that just registered.
func fromWA(userID string, c *webauthn.Credential, now time.Time) *store.WebAuthnCredential {
	transports := make([]string, 0, len(c.Transport))
	for _, t := range c.Transport {
		transports = append(transports, string(t))
	}
	return &store.WebAuthnCredential{
		ID:              c.ID,
		UserID:          userID,
		Name:            "Passkey",
		PublicKey:       c.PublicKey,
		AttestationType: c.AttestationType,
		AAGUID:          c.Authenticator.AAGUID,
		SignCount:       c.Authenticator.SignCount,
		Transports:      transports,
		UserVerified:    c.Flags.UserVerified,
		BackupEligible:  c.Flags.BackupEligible,
		BackupState:     c.Flags.BackupState,
		CreatedAt:       now,
	}
}

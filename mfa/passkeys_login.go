package mfa

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/authd/authd/store"
)

// BeginLogin starts a discoverable ("Continue with a passkey") login: no
// allowCredentials, so the authenticator offers the passkeys it holds for
// the RP ID, and user verification is required.
func (p *Passkeys) BeginLogin(ctx context.Context) (options []byte, challengeID string, err error) {
	challenge, err := p.random(challengeBytes)
	if err != nil {
		return nil, "", err
	}
	assertion, sd, err := p.wa.BeginDiscoverableLogin(
		webauthn.WithChallenge(challenge),
		webauthn.WithUserVerification(protocol.VerificationRequired),
	)
	if err != nil {
		return nil, "", fmt.Errorf("mfa: begin passkey login: %w", err)
	}
	return p.begun(ctx, kindLogin, "", assertion, sd)
}

// FinishLogin verifies a discoverable assertion and returns the user it
// authenticates and the updated credential. The credential is looked up
// by id and its owner must be the assertion's userHandle (checklist 40).
func (p *Passkeys) FinishLogin(ctx context.Context, challengeID string, body []byte) (*store.User, *store.WebAuthnCredential, error) {
	sd, err := p.consume(ctx, challengeID, kindLogin, "")
	if err != nil {
		return nil, nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return nil, nil, rejected(err)
	}
	stored, err := p.st.GetWebAuthnCredential(ctx, parsed.RawID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w: unknown credential", ErrPasskeyInvalid)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: look up passkey: %w", err)
	}
	if !bytes.Equal(parsed.Response.UserHandle, []byte(stored.UserID)) {
		return nil, nil, fmt.Errorf("%w: user handle does not own the credential", ErrPasskeyInvalid)
	}
	u, err := p.st.GetUser(ctx, stored.UserID)
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: passkey owner: %w", err)
	}
	creds, err := p.st.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: list passkeys: %w", err)
	}
	owner := waUser{u: u, creds: creds}
	// ValidatePasskeyLogin checks type=webauthn.get, challenge, origin,
	// rpIdHash, UP, UV (required in the session), BE consistency, the
	// userHandle again and the signature.
	_, _, err = p.wa.ValidatePasskeyLogin(func(_, _ []byte) (webauthn.User, error) { return owner, nil }, sd, parsed)
	if err != nil {
		return nil, nil, rejected(err)
	}
	cred, err := p.recordUse(ctx, stored, parsed)
	if err != nil {
		return nil, nil, err
	}
	return u, cred, nil
}

// BeginMFA starts a passkey ceremony as the second factor for u, who has
// passed a first factor: allowCredentials lists u's passkeys.
func (p *Passkeys) BeginMFA(ctx context.Context, u *store.User) (options []byte, challengeID string, err error) {
	creds, err := p.st.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, "", fmt.Errorf("mfa: list passkeys: %w", err)
	}
	if len(creds) == 0 {
		return nil, "", ErrNoPasskeys
	}
	challenge, err := p.random(challengeBytes)
	if err != nil {
		return nil, "", err
	}
	assertion, sd, err := p.wa.BeginLogin(waUser{u: u, creds: creds},
		webauthn.WithChallenge(challenge),
		webauthn.WithUserVerification(protocol.VerificationRequired),
	)
	if err != nil {
		return nil, "", fmt.Errorf("mfa: begin passkey mfa: %w", err)
	}
	return p.begun(ctx, kindLogin, u.ID, assertion, sd)
}

// FinishMFA verifies u's assertion for the ceremony challengeID and
// returns the updated credential. The credential must be one of u's.
func (p *Passkeys) FinishMFA(ctx context.Context, u *store.User, challengeID string, body []byte) (*store.WebAuthnCredential, error) {
	sd, err := p.consume(ctx, challengeID, kindLogin, u.ID)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return nil, rejected(err)
	}
	creds, err := p.st.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("mfa: list passkeys: %w", err)
	}
	// ValidateLogin additionally checks the credential is in the
	// session's allow list and owned by u.
	if _, err := p.wa.ValidateLogin(waUser{u: u, creds: creds}, sd, parsed); err != nil {
		return nil, rejected(err)
	}
	for _, c := range creds {
		if bytes.Equal(c.ID, parsed.RawID) {
			return p.recordUse(ctx, c, parsed)
		}
	}
	return nil, fmt.Errorf("%w: credential not owned by the user", ErrPasskeyInvalid)
}

// recordUse applies the sign-counter rule to a verified assertion and
// stores the new counter, backup state and last use.
//
// W3C WebAuthn §7.2 step 21 leaves a counter that did not advance to RP
// policy. authd refuses the login and flags the credential (CloneWarning),
// and a flagged credential stays refused until it is removed: two copies of
// a private key mean the key can no longer prove who holds it. Counters
// that stay 0 (synced passkeys never count) are not a regression.
func (p *Passkeys) recordUse(ctx context.Context, stored *store.WebAuthnCredential, parsed *protocol.ParsedCredentialAssertionData) (*store.WebAuthnCredential, error) {
	ad := parsed.Response.AuthenticatorData
	// Already enforced by go-webauthn from the session; checked again here
	// because these flags are the whole point of a passkey factor.
	if !ad.Flags.UserPresent() || !ad.Flags.UserVerified() {
		return nil, fmt.Errorf("%w: user presence and verification are required", ErrPasskeyInvalid)
	}
	c := *stored
	if c.CloneWarning {
		return nil, fmt.Errorf("%w: credential is flagged", ErrCloneDetected)
	}
	if c.SignCount > 0 && ad.Counter <= c.SignCount {
		c.CloneWarning = true
		if err := p.st.UpdateWebAuthnCredential(ctx, &c); err != nil {
			return nil, errors.Join(ErrCloneDetected, fmt.Errorf("mfa: flag passkey: %w", err))
		}
		return nil, fmt.Errorf("%w: stored %d, asserted %d", ErrCloneDetected, stored.SignCount, ad.Counter)
	}
	c.SignCount = ad.Counter
	c.BackupState = ad.Flags.HasBackupState()
	c.UserVerified = true
	c.LastUsedAt = p.now()
	if err := p.st.UpdateWebAuthnCredential(ctx, &c); err != nil {
		return nil, fmt.Errorf("mfa: update passkey: %w", err)
	}
	return &c, nil
}

package mfa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/authd/authd/store"
)

// BeginRegistration starts adding a passkey for u (who must already be
// signed in). options is the JSON {"publicKey":{...}} for
// navigator.credentials.create (after the page decodes its base64url
// fields); challengeID goes back with the browser's answer. Credentials u
// already has are excluded, so an authenticator is not registered twice.
func (p *Passkeys) BeginRegistration(ctx context.Context, u *store.User) (options []byte, challengeID string, err error) {
	creds, err := p.st.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, "", fmt.Errorf("mfa: list passkeys: %w", err)
	}
	challenge, err := p.random(challengeBytes)
	if err != nil {
		return nil, "", err
	}
	user := waUser{u: u, creds: creds}
	creation, sd, err := p.wa.BeginRegistration(user,
		webauthn.WithExclusions(user.descriptors()),
		func(o *protocol.PublicKeyCredentialCreationOptions) error {
			o.Challenge = challenge
			return nil
		},
	)
	if err != nil {
		return nil, "", fmt.Errorf("mfa: begin passkey registration: %w", err)
	}
	return p.begun(ctx, kindRegister, u.ID, creation, sd)
}

// FinishRegistration verifies the browser's PublicKeyCredential JSON for
// the ceremony challengeID and stores the new credential. The challenge is
// consumed whatever the outcome.
func (p *Passkeys) FinishRegistration(ctx context.Context, u *store.User, challengeID string, body []byte) (*store.WebAuthnCredential, error) {
	sd, err := p.consume(ctx, challengeID, kindRegister, u.ID)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return nil, rejected(err)
	}
	creds, err := p.st.ListWebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("mfa: list passkeys: %w", err)
	}
	// CreateCredential checks type=webauthn.create, challenge, origin,
	// rpIdHash, UP and UV (required in the session), the attestation
	// ("none" is all we ask for) and the BE/BS combination.
	cred, err := p.wa.CreateCredential(waUser{u: u, creds: creds}, sd, parsed)
	if err != nil {
		return nil, rejected(err)
	}
	// W3C WebAuthn §7.1: a credential id already registered, to anyone,
	// fails the ceremony rather than moving the credential.
	if _, err := p.st.GetWebAuthnCredential(ctx, cred.ID); err == nil {
		return nil, ErrCredentialExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("mfa: look up passkey: %w", err)
	}
	row := fromWA(u.ID, cred, p.now())
	if err := p.st.AddWebAuthnCredential(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, ErrCredentialExists
		}
		return nil, fmt.Errorf("mfa: save passkey: %w", err)
	}
	return row, nil
}

// begun saves the session data and renders the options for the browser.
func (p *Passkeys) begun(ctx context.Context, kind, userID string, options any, sd *webauthn.SessionData) ([]byte, string, error) {
	js, err := json.Marshal(options)
	if err != nil {
		return nil, "", fmt.Errorf("mfa: passkey options: %w", err)
	}
	id, err := p.save(ctx, kind, userID, sd)
	if err != nil {
		return nil, "", err
	}
	return js, id, nil
}

package mfa

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/authd/authd/store"
)

// Challenge kinds as stored. A second-factor ceremony is a "login" bound
// to a user; a discoverable login is a "login" with no user.
const (
	kindRegister = "register"
	kindLogin    = "login"
)

const (
	challengeIDBytes = 16 // 128-bit ceremony id, the handle the page posts back
	challengeBytes   = 32 // the WebAuthn challenge itself (spec minimum 16)
)

func (p *Passkeys) random(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(p.rand, b); err != nil {
		return nil, fmt.Errorf("mfa: passkey randomness: %w", err)
	}
	return b, nil
}

// save stores the ceremony's session data and returns its id.
func (p *Passkeys) save(ctx context.Context, kind, userID string, sd *webauthn.SessionData) (string, error) {
	raw, err := p.random(challengeIDBytes)
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(sd)
	if err != nil {
		return "", fmt.Errorf("mfa: passkey session data: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	err = p.st.SaveWebAuthnChallenge(ctx, &store.WebAuthnChallenge{
		ID:        id,
		UserID:    userID,
		Kind:      kind,
		Data:      data,
		ExpiresAt: p.now().Add(p.ttl),
	})
	if err != nil {
		return "", fmt.Errorf("mfa: save passkey challenge: %w", err)
	}
	return id, nil
}

// consume takes the challenge out of the store before anything is
// verified, so every challenge gets exactly one verification attempt,
// successful or not (W3C WebAuthn §13.4.3; checklist item 37). It then
// checks that the challenge was begun for this kind of ceremony and user.
func (p *Passkeys) consume(ctx context.Context, id, kind, userID string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	now := p.now()
	ch, err := p.st.ConsumeWebAuthnChallenge(ctx, id, now)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConsumed) {
		return sd, fmt.Errorf("%w: %w", ErrChallenge, err)
	}
	if err != nil {
		return sd, fmt.Errorf("mfa: consume passkey challenge: %w", err)
	}
	// The store already refuses expired rows; checking again keeps the
	// expiry a property of this package rather than of one backend.
	if !now.Before(ch.ExpiresAt) {
		return sd, fmt.Errorf("%w: expired at %s", ErrChallenge, ch.ExpiresAt)
	}
	if ch.Kind != kind || ch.UserID != userID {
		return sd, fmt.Errorf("%w: begun for another ceremony", ErrChallenge)
	}
	if err := json.Unmarshal(ch.Data, &sd); err != nil {
		return sd, fmt.Errorf("mfa: passkey session data: %w", err)
	}
	return sd, nil
}

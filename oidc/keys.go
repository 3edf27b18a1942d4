package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/authd/authd/store"
)

// Sealer encrypts private keys at rest (mfa.Sealer satisfies it).
type Sealer interface {
	Seal(plain []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// keyRing is the in-memory view of the signing keys: the one that signs
// and every key still published. It is rebuilt from the store on a timer
// (so a rotation on another replica is picked up within keyRefresh) and
// swapped atomically, so the token endpoint never touches the store for
// keys.
type keyRing struct {
	active    *signingKey
	published []jose.JSONWebKey
	loadedAt  time.Time
}

type signingKey struct {
	id     string
	alg    jose.SignatureAlgorithm
	signer jose.Signer
	public jose.JSONWebKey
}

// Keys manages signing keys: created on first start, persisted in the
// store, rotated by `authd keys rotate`.
type Keys struct {
	st     store.Keys
	alg    string
	sealer Sealer
	now    func() time.Time
	// retain is how long a retired key stays published: the longest
	// token lifetime plus a JWKS cache margin.
	retain time.Duration
	ring   atomic.Pointer[keyRing]
}

// keyRefresh bounds how long a replica keeps signing with a key another
// replica has retired (and how long before it publishes a new one).
const keyRefresh = 30 * time.Second

func NewKeys(st store.Keys, alg string, sealer Sealer, retain time.Duration, now func() time.Time) *Keys {
	if now == nil {
		now = time.Now
	}
	return &Keys{st: st, alg: alg, sealer: sealer, retain: retain, now: now}
}

// Load reads the keys from the store, creating the first one if there is
// none for the configured algorithm.
func (k *Keys) Load(ctx context.Context) error {
	ring, err := k.read(ctx)
	if err != nil {
		return err
	}
	if ring.active == nil || string(ring.active.alg) != k.alg {
		if _, err := k.Rotate(ctx); err != nil {
			return err
		}
		return nil
	}
	k.ring.Store(ring)
	return nil
}

// Refresh reloads the ring if it is older than keyRefresh.
func (k *Keys) Refresh(ctx context.Context) error {
	r := k.ring.Load()
	if r != nil && k.now().Sub(r.loadedAt) < keyRefresh {
		return nil
	}
	ring, err := k.read(ctx)
	if err != nil {
		return err
	}
	if ring.active != nil {
		k.ring.Store(ring)
	}
	return nil
}

// Rotate creates a new active key; the old ones stay published for retain.
func (k *Keys) Rotate(ctx context.Context) (*store.SigningKey, error) {
	now := k.now().UTC()
	sk, err := generateKey(k.alg, now)
	if err != nil {
		return nil, err
	}
	if k.sealer != nil {
		if sk.PrivateJWK, err = k.sealer.Seal(sk.PrivateJWK); err != nil {
			return nil, fmt.Errorf("seal signing key: %w", err)
		}
	}
	if err := k.st.InsertSigningKey(ctx, sk, now.Add(k.retain)); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	ring, err := k.read(ctx)
	if err != nil {
		return nil, err
	}
	k.ring.Store(ring)
	return sk, nil
}

func (k *Keys) read(ctx context.Context) (*keyRing, error) {
	rows, err := k.st.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	now := k.now()
	ring := &keyRing{loadedAt: now}
	var activeRow *store.SigningKey
	for _, row := range rows {
		if !row.RemoveAt.IsZero() && !row.RemoveAt.After(now) {
			continue
		}
		var pub jose.JSONWebKey
		if err := pub.UnmarshalJSON(row.PublicJWK); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
		}
		ring.published = append(ring.published, pub)
		if row.RetireAt.IsZero() && !row.ActivateAt.After(now) {
			if activeRow == nil || row.ActivateAt.After(activeRow.ActivateAt) {
				activeRow = row
			}
		}
	}
	if activeRow != nil {
		sk, err := k.signer(activeRow)
		if err != nil {
			return nil, err
		}
		ring.active = sk
	}
	return ring, nil
}

func (k *Keys) signer(row *store.SigningKey) (*signingKey, error) {
	raw := row.PrivateJWK
	if k.sealer != nil {
		var err error
		if raw, err = k.sealer.Open(raw); err != nil {
			return nil, fmt.Errorf("open signing key %s: %w", row.ID, err)
		}
	}
	var priv jose.JSONWebKey
	if err := priv.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
	}
	alg := jose.SignatureAlgorithm(row.Algorithm)
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", row.ID)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: priv.Key}, opts)
	if err != nil {
		return nil, fmt.Errorf("signer for key %s: %w", row.ID, err)
	}
	var pub jose.JSONWebKey
	if err := pub.UnmarshalJSON(row.PublicJWK); err != nil {
		return nil, err
	}
	return &signingKey{id: row.ID, alg: alg, signer: signer, public: pub}, nil
}

func (k *Keys) current() (*keyRing, error) {
	r := k.ring.Load()
	if r == nil || r.active == nil {
		return nil, fmt.Errorf("no active signing key")
	}
	return r, nil
}

// Sign signs claims with the active key.
func (k *Keys) Sign(claims any) (string, error) {
	r, err := k.current()
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := r.active.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Published returns the public keys to serve at the JWKS endpoint.
func (k *Keys) Published() []jose.JSONWebKey {
	if r := k.ring.Load(); r != nil {
		return r.published
	}
	return nil
}

// Verify checks a JWT we signed and returns its payload.
func (k *Keys) Verify(token string) ([]byte, error) {
	algs := []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}
	sig, err := jose.ParseSigned(token, algs)
	if err != nil {
		return nil, err
	}
	if len(sig.Signatures) != 1 {
		return nil, fmt.Errorf("expected one signature")
	}
	kid := sig.Signatures[0].Header.KeyID
	for _, pub := range k.Published() {
		if pub.KeyID == kid {
			return sig.Verify(pub.Key)
		}
	}
	return nil, fmt.Errorf("unknown key id")
}

func generateKey(alg string, now time.Time) (*store.SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case "RS256":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", alg, err)
	}
	pubJWK := jose.JSONWebKey{Key: priv.Public(), Algorithm: alg, Use: "sig"}
	thumb, err := pubJWK.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	// The kid is the RFC 7638 thumbprint plus the creation second, so two
	// keys never share a kid.
	stamp := sha256.Sum256(fmt.Appendf(thumb, "%d", now.UnixNano()))
	kid := base64.RawURLEncoding.EncodeToString(stamp[:16])
	pubJWK.KeyID = kid
	privJWK := jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: alg, Use: "sig"}
	pubJSON, err := pubJWK.MarshalJSON()
	if err != nil {
		return nil, err
	}
	privJSON, err := privJWK.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return &store.SigningKey{
		ID: kid, Algorithm: alg, PrivateJWK: privJSON, PublicJWK: pubJSON,
		CreatedAt: now, ActivateAt: now,
	}, nil
}

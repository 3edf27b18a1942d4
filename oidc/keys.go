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
	"sync"
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

// keyRing is the in-memory view of the signing keys: the keys that may
// sign (the active one and, after a rotation, the next one with its
// activation time) and every key still published. It is rebuilt from the
// store every KeyRefresh (so a rotation on another replica is picked up)
// and swapped atomically, so the token endpoint never touches the store
// for keys.
type keyRing struct {
	signers   []*signingKey
	published []jose.JSONWebKey
	loadedAt  time.Time
}

type signingKey struct {
	id         string
	alg        jose.SignatureAlgorithm
	signer     jose.Signer
	public     jose.JSONWebKey
	activateAt time.Time
	retireAt   time.Time // zero: no successor known
}

// active is the key that signs at now: the latest activated one that is
// not retired. The switch from one key to the next happens at the next
// key's activation time on every replica that has loaded it, without
// another read of the store.
func (r *keyRing) active(now time.Time) *signingKey {
	var best, fallback *signingKey
	for _, s := range r.signers {
		if s.activateAt.After(now) {
			continue
		}
		if fallback == nil || s.activateAt.After(fallback.activateAt) {
			fallback = s
		}
		if !s.retireAt.IsZero() && !s.retireAt.After(now) {
			continue
		}
		if best == nil || s.activateAt.After(best.activateAt) {
			best = s
		}
	}
	if best == nil {
		// Cannot happen with the store's invariant (a key retires when its
		// successor activates); signing with a retired key that is still
		// published beats failing every token request.
		return fallback
	}
	return best
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
	// loadMu keeps a slow read from replacing a newer ring.
	loadMu sync.Mutex
	// lastMiss (unix nanoseconds) rate-limits the reloads an unknown kid
	// triggers, so forged tokens cannot hammer the store.
	lastMiss atomic.Int64
}

// KeyRefresh is how often every replica re-reads the signing keys
// (Server.Maintain); it bounds how long a replica takes to publish a key
// rotated elsewhere and to stop signing with a retired one.
const KeyRefresh = 30 * time.Second

// ActivationDelay is how long after `authd keys rotate` the new key starts
// signing. Until then it is only published: every replica loads it within
// KeyRefresh, so when any replica signs with it, all of them (and their
// JWKS) already know it. The margin covers a slow read and clock skew.
const ActivationDelay = KeyRefresh + 10*time.Second

// missReload is the least time between two reloads caused by a token
// whose kid is not in the ring.
const missReload = time.Second

func NewKeys(st store.Keys, alg string, sealer Sealer, retain time.Duration, now func() time.Time) *Keys {
	if now == nil {
		now = time.Now
	}
	return &Keys{st: st, alg: alg, sealer: sealer, retain: retain, now: now}
}

// Load reads the keys from the store, creating the first one, active at
// once, if none signs with the configured algorithm.
func (k *Keys) Load(ctx context.Context) error {
	ring, err := k.read(ctx)
	if err != nil {
		return err
	}
	if a := ring.active(k.now()); a == nil || string(a.alg) != k.alg {
		// First start, or signing.algorithm changed: nothing signs with
		// the configured algorithm, so the new key cannot wait.
		_, err := k.rotate(ctx, k.now().UTC())
		return err
	}
	k.ring.Store(ring)
	return nil
}

// Refresh reloads the ring if it is older than KeyRefresh.
func (k *Keys) Refresh(ctx context.Context) error {
	r := k.ring.Load()
	if r != nil && k.now().Sub(r.loadedAt) < KeyRefresh {
		return nil
	}
	return k.Reload(ctx)
}

// Reload re-reads the keys from the store now.
func (k *Keys) Reload(ctx context.Context) error {
	k.loadMu.Lock()
	defer k.loadMu.Unlock()
	ring, err := k.read(ctx)
	if err != nil {
		return err
	}
	if len(ring.signers) > 0 {
		k.ring.Store(ring)
	}
	return nil
}

// Rotate creates the next key and retires the current one when it
// activates. The new key is published at once but signs only from its
// ActivateAt, ActivationDelay from now, so that no replica signs with a
// key the others do not publish yet. With no active key (an empty store)
// it is active at once. The old keys stay published for retain after the
// switch.
func (k *Keys) Rotate(ctx context.Context) (*store.SigningKey, error) {
	now := k.now().UTC()
	current, err := k.read(ctx)
	if err != nil {
		return nil, err
	}
	at := now
	if current.active(now) != nil {
		at = now.Add(ActivationDelay)
	}
	return k.rotate(ctx, at)
}

func (k *Keys) rotate(ctx context.Context, activateAt time.Time) (*store.SigningKey, error) {
	now := k.now().UTC()
	sk, err := generateKey(k.alg, now)
	if err != nil {
		return nil, err
	}
	sk.ActivateAt = activateAt
	if k.sealer != nil {
		if sk.PrivateJWK, err = k.sealer.Seal(sk.PrivateJWK); err != nil {
			return nil, fmt.Errorf("seal signing key: %w", err)
		}
	}
	// Tokens signed by the old key until activateAt live for up to
	// retain more.
	if err := k.st.InsertSigningKey(ctx, sk, activateAt.Add(k.retain)); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	if err := k.Reload(ctx); err != nil {
		return nil, err
	}
	return sk, nil
}

func (k *Keys) read(ctx context.Context) (*keyRing, error) {
	rows, err := k.st.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	now := k.now()
	ring := &keyRing{loadedAt: now}
	for _, row := range rows {
		if !row.RemoveAt.IsZero() && !row.RemoveAt.After(now) {
			continue
		}
		var pub jose.JSONWebKey
		if err := pub.UnmarshalJSON(row.PublicJWK); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
		}
		ring.published = append(ring.published, pub)
		if !row.RetireAt.IsZero() && !row.RetireAt.After(now) {
			continue // verification only
		}
		sk, err := k.signer(row)
		if err != nil {
			return nil, err
		}
		ring.signers = append(ring.signers, sk)
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
	if rk, ok := priv.Key.(*rsa.PrivateKey); ok {
		// go-jose fills in the CRT values but not crypto/rsa's own
		// precomputation; without this every signature redoes it (~100 µs).
		rk.Precompute()
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
	return &signingKey{id: row.ID, alg: alg, signer: signer, public: pub,
		activateAt: row.ActivateAt, retireAt: row.RetireAt}, nil
}

func (k *Keys) current() (*signingKey, error) {
	if r := k.ring.Load(); r != nil {
		if a := r.active(k.now()); a != nil {
			return a, nil
		}
	}
	return nil, fmt.Errorf("no active signing key")
}

// ActiveKeyID is the kid that signs now (tests, diagnostics).
func (k *Keys) ActiveKeyID() string {
	if a, err := k.current(); err == nil {
		return a.id
	}
	return ""
}

// Sign signs claims with the active key.
func (k *Keys) Sign(claims any) (string, error) {
	a, err := k.current()
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := a.signer.Sign(payload)
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
	pub, ok := k.published(kid)
	if !ok && k.reloadOnMiss() {
		pub, ok = k.published(kid)
	}
	if !ok {
		return nil, fmt.Errorf("unknown key id")
	}
	return sig.Verify(pub.Key)
}

func (k *Keys) published(kid string) (jose.JSONWebKey, bool) {
	for _, pub := range k.Published() {
		if pub.KeyID == kid {
			return pub, true
		}
	}
	return jose.JSONWebKey{}, false
}

// reloadOnMiss re-reads the keys because a token names a kid we do not
// publish: another replica may have loaded a key before us (normally
// impossible thanks to ActivationDelay, but a replica whose refreshes
// failed catches up here). At most once per missReload; it reports
// whether it reloaded.
func (k *Keys) reloadOnMiss() bool {
	now := k.now().UnixNano()
	last := k.lastMiss.Load()
	if now-last < int64(missReload) || !k.lastMiss.CompareAndSwap(last, now) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return k.Reload(ctx) == nil
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

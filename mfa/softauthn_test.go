package mfa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// softAuthn is a software WebAuthn authenticator plus the browser around
// it: it answers the options JSON authd produces with the credential JSON
// a browser would post, built by hand (ECDSA P-256, CBOR, "none"
// attestation) so every field can also be tampered with.
type softAuthn struct {
	key     *ecdsa.PrivateKey
	credID  []byte
	handle  []byte // the user handle it stored at registration
	counter uint32
	be, bs  bool
	// synced authenticators (passkey providers) never count: always 0.
	synced bool
	origin string
}

// Authenticator data flags (W3C WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// ceremony describes one response; tests change fields to forge it.
type ceremony struct {
	Type       string // clientDataJSON.type
	Challenge  string // base64url, from the options unless overridden
	Origin     string
	RPID       string // hashed into rpIdHash
	Flags      byte
	Counter    uint32
	UserHandle []byte
	CredID     []byte
}

func newSoftAuthn(t *testing.T, origin string) *softAuthn {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &softAuthn{key: k, credID: id, origin: origin}
}

type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		AuthenticatorSelection struct {
			ResidentKey      string `json:"residentKey"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
		ExcludeCredentials []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	} `json:"publicKey"`
}

type requestOptions struct {
	PublicKey struct {
		Challenge        string `json:"challenge"`
		RPID             string `json:"rpId"`
		UserVerification string `json:"userVerification"`
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

func (a *softAuthn) flags() byte {
	f := byte(flagUP | flagUV)
	if a.be {
		f |= flagBE
	}
	if a.bs {
		f |= flagBS
	}
	return f
}

// registerCeremony is what an honest authenticator does with options.
func (a *softAuthn) registerCeremony(t *testing.T, options []byte) (ceremony, creationOptions) {
	t.Helper()
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatalf("creation options: %v", err)
	}
	handle, err := base64.RawURLEncoding.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		t.Fatalf("user.id: %v", err)
	}
	return ceremony{
		Type:       "webauthn.create",
		Challenge:  o.PublicKey.Challenge,
		Origin:     a.origin,
		RPID:       o.PublicKey.RP.ID,
		Flags:      a.flags() | flagAT,
		Counter:    a.counter,
		UserHandle: handle,
		CredID:     a.credID,
	}, o
}

// attest builds the registration response JSON for c.
func (a *softAuthn) attest(t *testing.T, c ceremony) []byte {
	t.Helper()
	a.handle = c.UserHandle
	cose, err := cbor.Marshal(map[int]any{
		1:  2,  // kty: EC2
		3:  -7, // alg: ES256
		-1: 1,  // crv: P-256
		-2: pad32(a.key.PublicKey.X.Bytes()),
		-3: pad32(a.key.PublicKey.Y.Bytes()),
	})
	if err != nil {
		t.Fatal(err)
	}
	authData := a.authData(c)
	authData = append(authData, make([]byte, 16)...) // AAGUID: none
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(c.CredID)))
	authData = append(authData, c.CredID...)
	authData = append(authData, cose...)
	attObj, err := cbor.Marshal(map[string]any{
		"fmt":      "none",
		"attStmt":  map[string]any{},
		"authData": authData,
	})
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, map[string]any{
		"id":    b64(c.CredID),
		"rawId": b64(c.CredID),
		"type":  "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64(clientData(t, c)),
			"attestationObject": b64(attObj),
			"transports":        []string{"internal", "hybrid"},
		},
		"clientExtensionResults":  map[string]any{},
		"authenticatorAttachment": "platform",
	})
}

// assertCeremony is what an honest authenticator does with options: it
// signs with the next counter value and returns its stored user handle.
func (a *softAuthn) assertCeremony(t *testing.T, options []byte) (ceremony, requestOptions) {
	t.Helper()
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatalf("request options: %v", err)
	}
	if !a.synced {
		a.counter++
	}
	return ceremony{
		Type:       "webauthn.get",
		Challenge:  o.PublicKey.Challenge,
		Origin:     a.origin,
		RPID:       o.PublicKey.RPID,
		Flags:      a.flags(),
		Counter:    a.counter,
		UserHandle: a.handle,
		CredID:     a.credID,
	}, o
}

// sign builds the assertion response JSON for c.
func (a *softAuthn) sign(t *testing.T, c ceremony) []byte {
	t.Helper()
	authData := a.authData(c)
	cdj := clientData(t, c)
	cdh := sha256.Sum256(cdj)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), cdh[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	resp := map[string]any{
		"clientDataJSON":    b64(cdj),
		"authenticatorData": b64(authData),
		"signature":         b64(sig),
	}
	if c.UserHandle != nil {
		resp["userHandle"] = b64(c.UserHandle)
	}
	return mustJSON(t, map[string]any{
		"id":                      b64(c.CredID),
		"rawId":                   b64(c.CredID),
		"type":                    "public-key",
		"response":                resp,
		"clientExtensionResults":  map[string]any{},
		"authenticatorAttachment": "platform",
	})
}

func (a *softAuthn) authData(c ceremony) []byte {
	rp := sha256.Sum256([]byte(c.RPID))
	out := append([]byte(nil), rp[:]...)
	out = append(out, c.Flags)
	return binary.BigEndian.AppendUint32(out, c.Counter)
}

func clientData(t *testing.T, c ceremony) []byte {
	return mustJSON(t, map[string]any{
		"type":        c.Type,
		"challenge":   c.Challenge,
		"origin":      c.Origin,
		"crossOrigin": false,
	})
}

func pad32(b []byte) []byte {
	out := make([]byte, 32)
	copy(out[32-len(b):], b)
	return out
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/authd/authd/oidc"
	"github.com/authd/authd/store/postgres/pgtest"
)

// jwks fetches the key set one replica publishes (bypassing any cache).
func (c *cluster) jwks(t *testing.T, name string) *jose.JSONWebKeySet {
	t.Helper()
	resp, err := c.client(name).Get(c.issuer + ".well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jwks on %s: %d", name, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("jwks on %s: %v", name, err)
	}
	return &set
}

// kidOf reads the kid header of a JWT.
func kidOf(t *testing.T, jwt string) string {
	t.Helper()
	sig, err := jose.ParseSigned(jwt, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil {
		t.Fatalf("parse jwt: %v", err)
	}
	return sig.Signatures[0].Header.KeyID
}

// verifyWith checks a JWT's signature against a key set.
func verifyWith(t *testing.T, set *jose.JSONWebKeySet, jwt string) error {
	t.Helper()
	sig, err := jose.ParseSigned(jwt, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil {
		return err
	}
	keys := set.Key(sig.Signatures[0].Header.KeyID)
	if len(keys) == 0 {
		return errUnknownKid
	}
	_, err = sig.Verify(keys[0].Key)
	return err
}

var errUnknownKid = &kidError{}

type kidError struct{}

func (*kidError) Error() string { return "kid not in the key set" }

// TestPostgresReplicaKeyRotation: `authd keys rotate` (against A's config)
// publishes the new key on both replicas before either signs with it;
// both switch at its activation time without a restart, and a token
// signed by A with the new key verifies through B's JWKS, as does a token
// of the old key.
func TestPostgresReplicaKeyRotation(t *testing.T) {
	t.Parallel()
	c := newPostgresPair(t, clusterOpt{})
	before := c.login(t, "A", "A")
	oldKid := kidOf(t, before.AccessToken)

	out := c.run("keys", "rotate", "--config", c.replica("A").config)
	m := regexp.MustCompile(`new key (\S+) \(RS256\) is published now and starts signing at (\S+) \(in `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("keys rotate printed %q, want the new kid and its activation time", out)
	}
	newKid := m[1]
	activateAt, err := time.Parse(time.RFC3339, m[2])
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(activateAt); d < oidc.KeyRefresh || d > oidc.ActivationDelay+time.Second {
		t.Fatalf("new key activates in %v, want between KeyRefresh (%v) and ActivationDelay (%v)", d, oidc.KeyRefresh, oidc.ActivationDelay)
	}
	if list := c.run("keys", "list", "--config", c.replica("B").config); !strings.Contains(list, newKid+"  RS256  next (published") {
		t.Fatalf("keys list does not show the next key:\n%s", list)
	}

	// Until activation every token is signed with the old key, and both
	// replicas publish the new one before that moment.
	published := map[string]bool{}
	for time.Now().Before(activateAt.Add(-time.Second)) && len(published) < 2 {
		for _, name := range []string{"A", "B"} {
			if len(c.jwks(t, name).Key(newKid)) > 0 {
				published[name] = true
			}
		}
		tok := c.login(t, "", "")
		if kid := kidOf(t, tok.AccessToken); kid != oldKid {
			t.Fatalf("a token signed with %q before the new key's activation (old %q, new %q)", kid, oldKid, newKid)
		}
		time.Sleep(time.Second)
	}
	if len(published) < 2 {
		t.Fatalf("before activation only %v publish the new key", published)
	}

	time.Sleep(time.Until(activateAt) + time.Second)
	after := c.login(t, "A", "A")
	if kid := kidOf(t, after.AccessToken); kid != newKid {
		t.Fatalf("A signs with %q after activation, want the new key %q", kid, newKid)
	}
	if kid := kidOf(t, c.login(t, "B", "B").AccessToken); kid != newKid {
		t.Fatalf("B signs with %q after activation, want the new key %q", kid, newKid)
	}
	setB := c.jwks(t, "B")
	for name, jwt := range map[string]string{"new id token": after.Extra("id_token").(string),
		"new access token": after.AccessToken, "old id token": before.Extra("id_token").(string)} {
		if err := verifyWith(t, setB, jwt); err != nil {
			t.Fatalf("%s does not verify through B's JWKS: %v", name, err)
		}
	}
	if _, status := c.rp(t, "B").Userinfo(after.AccessToken); status != http.StatusOK {
		t.Fatalf("userinfo on B with A's new-key token: %d", status)
	}
	if _, status := c.rp(t, "A").Userinfo(before.AccessToken); status != http.StatusOK {
		t.Fatalf("userinfo with an old-key token after rotation: %d", status)
	}
}

// TestPostgresReplicasFirstStart: replicas started together on an empty
// store, without `authd migrate`, may each make a first key; within
// seconds they sign with the same one and publish the same set.
func TestPostgresReplicasFirstStart(t *testing.T) {
	c := newCluster(t, clusterOpt{replicas: 2, driver: "postgres", dsn: pgtest.TestDSN(t), noMigrate: true})
	c.createUser(replicaEmail, replicaPassword)
	time.Sleep(3 * time.Second) // past the early reload (2 s after start)
	kidA := kidOf(t, c.login(t, "A", "A").AccessToken)
	kidB := kidOf(t, c.login(t, "B", "B").AccessToken)
	if kidA != kidB {
		t.Fatalf("A signs with %q, B with %q", kidA, kidB)
	}
	for _, name := range []string{"A", "B"} {
		for _, kid := range []string{kidA, kidB} {
			if len(c.jwks(t, name).Key(kid)) == 0 {
				t.Fatalf("%s does not publish %q", name, kid)
			}
		}
	}
}

// TestPostgresMigrateCLI: `authd migrate` prepares an empty PostgreSQL
// schema (tables and the first signing key), is idempotent, and the
// key commands work against it.
func TestPostgresMigrateCLI(t *testing.T) {
	dsn := pgtest.TestDSN(t)
	c := &cluster{tb: t, bin: buildAuthd(t), dir: t.TempDir()}
	cfg := filepath.Join(c.dir, "authd.yaml")
	yaml := "issuer: http://localhost:9400/\nstorage: { driver: postgres, dsn: \"" + dsn + "\" }\n" +
		"secrets: { encryption_key: \"" + replicaSecret(32) + "\", cookie_key: \"" + replicaSecret(32) + "\" }\n" +
		"signing: { algorithm: ES256 }\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	first := c.run("migrate", "--config", cfg)
	m := regexp.MustCompile(`(?m)^migrations applied\nsigning key (\S+) \(ES256\) created$`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first migrate printed %q", first)
	}
	if again := c.run("migrate", "--config", cfg); again != "migrations applied\n" {
		t.Fatalf("second migrate printed %q, want only \"migrations applied\"", again)
	}
	if list := c.run("keys", "list", "--config", cfg); !strings.Contains(list, m[1]+"  ES256  active") {
		t.Fatalf("keys list:\n%s", list)
	}
	if out := c.run("keys", "rotate", "--config", cfg); !strings.Contains(out, "is published now and starts signing at") {
		t.Fatalf("keys rotate with an active key printed %q", out)
	}
	if list := c.run("keys", "list", "--config", cfg); !strings.Contains(list, "active (until ") || !strings.Contains(list, "next (published, signs from ") {
		t.Fatalf("keys list after rotate:\n%s", list)
	}
	id := c.runIn(replicaPassword+"\n", "users", "create", "--email", "grace@example.com", "--password-stdin", "--config", cfg)
	if !strings.Contains(id, `"email": "grace@example.com"`) && !strings.Contains(id, `"email":"grace@example.com"`) {
		t.Fatalf("users create on PostgreSQL printed %q", id)
	}
}

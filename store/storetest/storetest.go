package storetest

import (
	"testing"

	"github.com/authd/authd/store"
)

// test is one conformance check, run on a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// group is the tests of one entity.
type group struct {
	name  string
	tests []test
}

// Run runs the whole suite; each subtest gets its own store from open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []group{
		{"Users", userTests()},
		{"Sessions", sessionTests()},
		{"AuthRequests", authRequestTests()},
		{"Codes", codeTests()},
		{"ContinueStates", continueTests()},
		{"Grants", grantTests()},
		{"Keys", keyTests()},
		{"Failures", failureTests()},
		{"TOTP", totpTests()},
		{"RecoveryCodes", recoveryTests()},
		{"WebAuthn", webauthnTests()},
		{"Cache", cacheTests()},
		{"PurgeExpired", purgeTests()},
		{"Store", storeTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.fn(t, open(t))
				})
			}
		})
	}
}

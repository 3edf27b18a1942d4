// Package storetest is the conformance suite for store.Store: the contract
// of the store package written as tests. Every backend runs it from its
// own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
//	}
//
// open must return a fresh, migrated, empty store and arrange its Close
// (t.Cleanup); Run opens one store per subtest. All times are passed
// explicitly and have microsecond precision, so a backend that stores
// microseconds (PostgreSQL timestamptz) passes too.
//
// Where store's method comments leave a choice open, the suite pins the
// behaviour authd's callers rely on:
//   - deleting or updating one keyed row that does not exist is ErrNotFound
//     (DeleteUser, DeleteSession, DeleteAuthRequest, CacheDelete,
//     DeleteWebAuthnCredential, Update*); bulk deletes of nothing succeed;
//   - a value is valid while now is before its ExpiresAt;
//   - returned times are in UTC and the zero time round-trips as zero;
//   - user metadata maps are never nil, roles come back sorted;
//   - Failures of an unknown key is (0, zero time, nil); RecordFailure
//     restarts the count when the previous failure is older than window;
//   - a second ConsumeWebAuthnChallenge is ErrConsumed; a used recovery code
//     is ErrNotFound (the UseRecoveryCode comment);
//   - a replayed auth code is ErrConsumed even after its auth request was
//     deleted, and carries the GrantID recorded by SetAuthCodeGrant;
//   - DeleteUser leaves the user's grants deleted or revoked.
package storetest

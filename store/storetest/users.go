package storetest

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func userTests() []test {
	return []test{
		{"CreateGet", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got, u, "user")
		}},
		{"CreateConflictSameID", func(t *testing.T, s store.Store) {
			createUser(t, s, 1)
			u := newUser(1)
			u.Email = "other@example.com"
			mustIs(t, s.CreateUser(t.Context(), u), store.ErrConflict, "CreateUser with a taken id")
		}},
		{"CreateConflictEmailAnyCase", func(t *testing.T, s store.Store) {
			createUser(t, s, 1)
			u := newUser(2)
			u.Email = "USER1@Example.com"
			mustIs(t, s.CreateUser(t.Context(), u), store.ErrConflict, "CreateUser with a taken email")
		}},
		{"SameEmailOtherConnection", func(t *testing.T, s store.Store) {
			createUser(t, s, 1)
			u := newUser(2)
			u.Email, u.Connection = "user1@example.com", "other-db"
			must(t, s.CreateUser(t.Context(), u), "CreateUser in another connection")
			got, err := s.GetUserByEmail(t.Context(), "other-db", "user1@example.com")
			must(t, err, "GetUserByEmail")
			same(t, got.ID, u.ID, "user id")
		}},
		{"EmailStoredLowerCase", func(t *testing.T, s store.Store) {
			u := newUser(1)
			u.Email = "Mixed.Case@Example.COM"
			must(t, s.CreateUser(t.Context(), u), "CreateUser")
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got.Email, "mixed.case@example.com", "email")
		}},
		{"GetByEmailCaseInsensitive", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			for _, email := range []string{"user1@example.com", "USER1@EXAMPLE.COM", "User1@Example.Com"} {
				got, err := s.GetUserByEmail(t.Context(), conn, email)
				must(t, err, "GetUserByEmail "+email)
				same(t, got, u, "user by "+email)
			}
		}},
		{"GetMissing", func(t *testing.T, s store.Store) {
			createUser(t, s, 1)
			_, err := s.GetUser(t.Context(), "auth0|nobody")
			mustIs(t, err, store.ErrNotFound, "GetUser")
			_, err = s.GetUserByEmail(t.Context(), conn, "nobody@example.com")
			mustIs(t, err, store.ErrNotFound, "GetUserByEmail unknown email")
			_, err = s.GetUserByEmail(t.Context(), "other-db", "user1@example.com")
			mustIs(t, err, store.ErrNotFound, "GetUserByEmail other connection")
		}},
		{"List", func(t *testing.T, s store.Store) {
			users, err := s.ListUsers(t.Context())
			must(t, err, "ListUsers empty")
			same(t, len(users), 0, "users in an empty store")
			var want []*store.User
			for n := range 3 {
				want = append(want, createUser(t, s, n+1))
			}
			users, err = s.ListUsers(t.Context())
			must(t, err, "ListUsers")
			sort.Slice(users, func(i, j int) bool { return users[i].ID < users[j].ID })
			same(t, users, want, "users")
		}},
		{"ZeroTimesStayZero", func(t *testing.T, s store.Store) {
			u := newUser(1)
			u.CreatedAt, u.UpdatedAt = time.Time{}, time.Time{}
			must(t, s.CreateUser(t.Context(), u), "CreateUser")
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			for name, tm := range map[string]time.Time{"LastLogin": got.LastLogin,
				"LastPasswordReset": got.LastPasswordReset, "CreatedAt": got.CreatedAt, "UpdatedAt": got.UpdatedAt} {
				if !tm.IsZero() {
					t.Errorf("%s = %v, want the zero time", name, tm)
				}
			}
		}},
		{"MetadataNeverNilRolesSorted", func(t *testing.T, s store.Store) {
			u := newUser(1)
			u.UserMetadata, u.AppMetadata, u.Roles = nil, nil, []string{"zeta", "alpha", "mid"}
			must(t, s.CreateUser(t.Context(), u), "CreateUser")
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			if got.UserMetadata == nil || got.AppMetadata == nil {
				t.Fatalf("metadata maps are nil: %v %v", got.UserMetadata, got.AppMetadata)
			}
			same(t, got.Roles, []string{"alpha", "mid", "zeta"}, "roles")
		}},
		{"SetPasswordHash", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SetPasswordHash(t.Context(), u.ID, "$argon2id$new", at(time.Hour)), "SetPasswordHash")
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got.PasswordHash, "$argon2id$new", "hash")
			same(t, got.LastPasswordReset, at(time.Hour), "LastPasswordReset")
			mustIs(t, s.SetPasswordHash(t.Context(), "auth0|nobody", "x", at(0)), store.ErrNotFound, "SetPasswordHash unknown user")
		}},
		{"UpdateMetadataMergesTopLevelKeys", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			got, err := s.UpdateMetadata(t.Context(), u.ID,
				map[string]any{"color": "red", "added": []any{"a"}, "n": nil, "absent": nil}, nil, at(time.Hour))
			must(t, err, "UpdateMetadata")
			want := map[string]any{
				"color":  "red",
				"added":  []any{"a"},
				"nested": map[string]any{"a": true, "list": []any{"x", float64(1)}},
			}
			same(t, got.UserMetadata, want, "returned user_metadata")
			same(t, got.AppMetadata, u.AppMetadata, "app_metadata (nil patch)")
			same(t, got.UpdatedAt, at(time.Hour), "UpdatedAt")
			stored, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, stored, got, "stored user")
		}},
		{"UpdateMetadataReplacesNestedObjects", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			got, err := s.UpdateMetadata(t.Context(), u.ID,
				map[string]any{"nested": map[string]any{"b": float64(2)}},
				map[string]any{"plan": nil, "tier": map[string]any{"x": "y"}}, at(time.Hour))
			must(t, err, "UpdateMetadata")
			same(t, got.UserMetadata["nested"], map[string]any{"b": float64(2)}, "nested object (replaced, not merged)")
			same(t, got.AppMetadata, map[string]any{"tier": map[string]any{"x": "y"}}, "app_metadata")
		}},
		{"UpdateMetadataUnknownUser", func(t *testing.T, s store.Store) {
			_, err := s.UpdateMetadata(t.Context(), "auth0|nobody", map[string]any{"a": "b"}, nil, at(0))
			mustIs(t, err, store.ErrNotFound, "UpdateMetadata")
		}},
		{"RecordLogin", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			got, err := s.RecordLogin(t.Context(), u.ID, at(time.Hour), "198.51.100.7")
			must(t, err, "RecordLogin")
			same(t, got.LoginsCount, 1, "LoginsCount")
			got, err = s.RecordLogin(t.Context(), u.ID, at(2*time.Hour), "198.51.100.8")
			must(t, err, "RecordLogin")
			same(t, got.LoginsCount, 2, "LoginsCount")
			same(t, got.LastLogin, at(2*time.Hour), "LastLogin")
			same(t, got.LastIP, "198.51.100.8", "LastIP")
			stored, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, stored, got, "stored user")
			_, err = s.RecordLogin(t.Context(), "auth0|nobody", at(0), "")
			mustIs(t, err, store.ErrNotFound, "RecordLogin unknown user")
		}},
		{"Roles", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.AddRoles(t.Context(), u.ID, "writer", "admin", "writer"), "AddRoles")
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got.Roles, []string{"admin", "reader", "writer"}, "roles after add")
			must(t, s.RemoveRoles(t.Context(), u.ID, "admin", "never-had"), "RemoveRoles")
			got, err = s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got.Roles, []string{"reader", "writer"}, "roles after remove")
			mustIs(t, s.AddRoles(t.Context(), "auth0|nobody", "x"), store.ErrNotFound, "AddRoles unknown user")
			mustIs(t, s.RemoveRoles(t.Context(), "auth0|nobody", "x"), store.ErrNotFound, "RemoveRoles unknown user")
		}},
		{"FactorSummary", testFactorSummary},
		{"DeleteCascades", testDeleteUserCascades},
		{"DeleteUnknown", func(t *testing.T, s store.Store) {
			mustIs(t, s.DeleteUser(t.Context(), "auth0|nobody"), store.ErrNotFound, "DeleteUser")
		}},
		{"ConcurrentRecordLoginCountsExactly", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			const each = 5
			errs := race(racers, func(i int) error {
				for j := range each {
					if _, err := s.RecordLogin(t.Context(), u.ID, at(time.Duration(i*each+j)), "192.0.2.9"); err != nil {
						return err
					}
				}
				return nil
			})
			for i, err := range errs {
				must(t, err, fmt.Sprintf("goroutine %d", i))
			}
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			same(t, got.LoginsCount, racers*each, "LoginsCount")
		}},
		{"ConcurrentUpdateMetadataLosesNothing", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			errs := race(racers, func(i int) error {
				_, err := s.UpdateMetadata(t.Context(), u.ID, map[string]any{fmt.Sprintf("k%02d", i): float64(i)},
					map[string]any{fmt.Sprintf("a%02d", i): true}, at(time.Minute))
				return err
			})
			for i, err := range errs {
				must(t, err, fmt.Sprintf("goroutine %d", i))
			}
			got, err := s.GetUser(t.Context(), u.ID)
			must(t, err, "GetUser")
			for i := range racers {
				if got.UserMetadata[fmt.Sprintf("k%02d", i)] != float64(i) || got.AppMetadata[fmt.Sprintf("a%02d", i)] != true {
					t.Fatalf("update %d lost: %v / %v", i, got.UserMetadata, got.AppMetadata)
				}
			}
		}},
	}
}

// testFactorSummary: every read of a user carries HasTOTP (a confirmed
// TOTP factor) and HasPasskey (at least one WebAuthn credential), as they
// stand at that read, and only the user's own factors count.
func testFactorSummary(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := createUser(t, s, 1), createUser(t, s, 2)
	must(t, s.SaveTOTP(ctx, &store.TOTPFactor{UserID: other.ID, SecretEnc: []byte("x"), Confirmed: true}), "SaveTOTP other")
	must(t, s.AddWebAuthnCredential(ctx, newCredential("c-other", other.ID)), "AddWebAuthnCredential other")
	n := 0
	check := func(when string, totp, passkey bool) {
		t.Helper()
		n++
		reads := map[string]func() (*store.User, error){
			"GetUser":        func() (*store.User, error) { return s.GetUser(ctx, u.ID) },
			"GetUserByEmail": func() (*store.User, error) { return s.GetUserByEmail(ctx, conn, u.Email) },
			"ListUsers": func() (*store.User, error) {
				us, err := s.ListUsers(ctx)
				for _, x := range us {
					if x.ID == u.ID {
						return x, err
					}
				}
				return nil, fmt.Errorf("user not listed (err %v)", err)
			},
			"RecordLogin": func() (*store.User, error) { return s.RecordLogin(ctx, u.ID, at(time.Duration(n)), "192.0.2.1") },
			"UpdateMetadata": func() (*store.User, error) {
				return s.UpdateMetadata(ctx, u.ID, map[string]any{"n": float64(n)}, nil, at(time.Duration(n)))
			},
		}
		for name, read := range reads {
			got, err := read()
			must(t, err, name+" "+when)
			same(t, [2]bool{got.HasTOTP, got.HasPasskey}, [2]bool{totp, passkey}, name+" [HasTOTP HasPasskey] "+when)
		}
	}
	check("without factors", false, false)
	must(t, s.SaveTOTP(ctx, &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("x"), CreatedAt: at(0)}), "SaveTOTP")
	check("with an unconfirmed TOTP", false, false)
	must(t, s.SaveTOTP(ctx, &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("x"), Confirmed: true, CreatedAt: at(0)}), "SaveTOTP confirmed")
	check("with a confirmed TOTP", true, false)
	must(t, s.AddWebAuthnCredential(ctx, newCredential("c1", u.ID)), "AddWebAuthnCredential")
	must(t, s.AddWebAuthnCredential(ctx, newCredential("c2", u.ID)), "AddWebAuthnCredential")
	check("with TOTP and two passkeys", true, true)
	must(t, s.DeleteFactors(ctx, u.ID), "DeleteFactors")
	check("after DeleteFactors", false, true)
	must(t, s.DeleteWebAuthnCredential(ctx, u.ID, []byte("c1")), "DeleteWebAuthnCredential c1")
	check("with one passkey left", false, true)
	must(t, s.DeleteWebAuthnCredential(ctx, u.ID, []byte("c2")), "DeleteWebAuthnCredential c2")
	check("after removing the passkeys", false, false)
}

// testDeleteUserCascades: deleting a user removes everything hanging off
// it and nothing of anyone else.
func testDeleteUserCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := createUser(t, s, 1), createUser(t, s, 2)
	for _, id := range []string{u.ID, other.ID} {
		must(t, s.CreateSession(ctx, newSession("sess-"+id, id)), "CreateSession")
		createGrant(t, s, "grant-"+id, "rt-"+id, id)
		must(t, s.SaveTOTP(ctx, &store.TOTPFactor{UserID: id, SecretEnc: []byte("sealed"), CreatedAt: at(0)}), "SaveTOTP")
		must(t, s.SetRecoveryCodes(ctx, id, []string{"rc-" + id}), "SetRecoveryCodes")
		must(t, s.AddWebAuthnCredential(ctx, newCredential("cred-"+id, id)), "AddWebAuthnCredential")
	}

	must(t, s.DeleteUser(ctx, u.ID), "DeleteUser")

	_, err := s.GetUser(ctx, u.ID)
	mustIs(t, err, store.ErrNotFound, "GetUser after delete")
	_, err = s.GetUserByEmail(ctx, conn, u.Email)
	mustIs(t, err, store.ErrNotFound, "GetUserByEmail after delete")
	_, err = s.GetSession(ctx, "sess-"+u.ID)
	mustIs(t, err, store.ErrNotFound, "GetSession of deleted user")
	_, err = s.GetRefreshToken(ctx, "rt-"+u.ID)
	mustIs(t, err, store.ErrNotFound, "GetRefreshToken of deleted user")
	if g, err := s.GetGrant(ctx, "grant-"+u.ID); err == nil && g.RevokedAt.IsZero() {
		t.Fatalf("grant of deleted user is still live: %+v", g)
	} else if err != nil {
		mustIs(t, err, store.ErrNotFound, "GetGrant of deleted user")
	}
	_, err = s.GetTOTP(ctx, u.ID)
	mustIs(t, err, store.ErrNotFound, "GetTOTP of deleted user")
	mustIs(t, s.UseRecoveryCode(ctx, u.ID, "rc-"+u.ID, at(0)), store.ErrNotFound, "UseRecoveryCode of deleted user")
	_, err = s.GetWebAuthnCredential(ctx, []byte("cred-"+u.ID))
	mustIs(t, err, store.ErrNotFound, "GetWebAuthnCredential of deleted user")
	creds, err := s.ListWebAuthnCredentials(ctx, u.ID)
	must(t, err, "ListWebAuthnCredentials")
	same(t, len(creds), 0, "credentials of deleted user")

	// Re-creating the id starts from nothing: no roles come back.
	fresh := newUser(1)
	fresh.Roles = nil
	must(t, s.CreateUser(ctx, fresh), "CreateUser again")
	got, err := s.GetUser(ctx, fresh.ID)
	must(t, err, "GetUser")
	same(t, len(got.Roles), 0, "roles of re-created user")

	// The other user kept everything.
	_, err = s.GetSession(ctx, "sess-"+other.ID)
	must(t, err, "GetSession of other user")
	rt, err := s.GetRefreshToken(ctx, "rt-"+other.ID)
	must(t, err, "GetRefreshToken of other user")
	same(t, rt.RevokedAt.IsZero(), true, "other user's token live")
	_, err = s.GetTOTP(ctx, other.ID)
	must(t, err, "GetTOTP of other user")
	must(t, s.UseRecoveryCode(ctx, other.ID, "rc-"+other.ID, at(0)), "UseRecoveryCode of other user")
	_, err = s.GetWebAuthnCredential(ctx, []byte("cred-"+other.ID))
	must(t, err, "GetWebAuthnCredential of other user")
}

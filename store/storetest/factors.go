package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func totpTests() []test {
	return []test{
		{"SaveGetReplace", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			f := &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("sealed-1"), CreatedAt: at(0)}
			must(t, s.SaveTOTP(t.Context(), f), "SaveTOTP")
			got, err := s.GetTOTP(t.Context(), u.ID)
			must(t, err, "GetTOTP")
			same(t, got, f, "factor")
			f2 := &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("sealed-2"), Confirmed: true, LastStep: 7, CreatedAt: at(time.Hour)}
			must(t, s.SaveTOTP(t.Context(), f2), "SaveTOTP again")
			got, err = s.GetTOTP(t.Context(), u.ID)
			must(t, err, "GetTOTP")
			same(t, got, f2, "replaced factor")
			_, err = s.GetTOTP(t.Context(), "auth0|nobody")
			mustIs(t, err, store.ErrNotFound, "GetTOTP unknown")
		}},
		{"StepReplayRejected", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SaveTOTP(t.Context(), &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("x"), Confirmed: true}), "SaveTOTP")
			must(t, s.UseTOTPStep(t.Context(), u.ID, 100), "step 100")
			mustIs(t, s.UseTOTPStep(t.Context(), u.ID, 100), store.ErrConsumed, "step 100 again")
			mustIs(t, s.UseTOTPStep(t.Context(), u.ID, 99), store.ErrConsumed, "earlier step 99")
			must(t, s.UseTOTPStep(t.Context(), u.ID, 101), "step 101")
			got, err := s.GetTOTP(t.Context(), u.ID)
			must(t, err, "GetTOTP")
			same(t, got.LastStep, int64(101), "LastStep")
			mustIs(t, s.UseTOTPStep(t.Context(), "auth0|nobody", 5), store.ErrNotFound, "UseTOTPStep without factor")
		}},
		{"DeleteFactorsKeepsPasskeys", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SaveTOTP(t.Context(), &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("x")}), "SaveTOTP")
			must(t, s.SetRecoveryCodes(t.Context(), u.ID, []string{"r1"}), "SetRecoveryCodes")
			must(t, s.AddWebAuthnCredential(t.Context(), newCredential("c1", u.ID)), "AddWebAuthnCredential")
			must(t, s.DeleteFactors(t.Context(), u.ID), "DeleteFactors")
			_, err := s.GetTOTP(t.Context(), u.ID)
			mustIs(t, err, store.ErrNotFound, "GetTOTP after DeleteFactors")
			mustIs(t, s.UseRecoveryCode(t.Context(), u.ID, "r1", at(0)), store.ErrNotFound, "recovery code after DeleteFactors")
			_, err = s.GetWebAuthnCredential(t.Context(), []byte("c1"))
			must(t, err, "passkey after DeleteFactors")
			must(t, s.DeleteFactors(t.Context(), u.ID), "DeleteFactors with nothing left")
		}},
		{"ConcurrentUseStepOneWinner", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SaveTOTP(t.Context(), &store.TOTPFactor{UserID: u.ID, SecretEnc: []byte("x"), Confirmed: true, LastStep: 10}), "SaveTOTP")
			errs := race(racers, func(int) error { return s.UseTOTPStep(t.Context(), u.ID, 11) })
			oneWinner(t, errs, store.ErrConsumed)
		}},
	}
}

func recoveryTests() []test {
	return []test{
		{"UseOnce", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SetRecoveryCodes(t.Context(), u.ID, []string{"r1", "r2"}), "SetRecoveryCodes")
			must(t, s.UseRecoveryCode(t.Context(), u.ID, "r1", at(0)), "use r1")
			mustIs(t, s.UseRecoveryCode(t.Context(), u.ID, "r1", at(time.Minute)), store.ErrNotFound, "r1 again")
			mustIs(t, s.UseRecoveryCode(t.Context(), u.ID, "nope", at(0)), store.ErrNotFound, "unknown code")
			must(t, s.UseRecoveryCode(t.Context(), u.ID, "r2", at(0)), "use r2")
		}},
		{"BoundToUser", func(t *testing.T, s store.Store) {
			a, b := createUser(t, s, 1), createUser(t, s, 2)
			must(t, s.SetRecoveryCodes(t.Context(), a.ID, []string{"r1"}), "SetRecoveryCodes")
			mustIs(t, s.UseRecoveryCode(t.Context(), b.ID, "r1", at(0)), store.ErrNotFound, "another user's code")
			must(t, s.UseRecoveryCode(t.Context(), a.ID, "r1", at(0)), "owner's code")
		}},
		{"SetReplacesAll", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SetRecoveryCodes(t.Context(), u.ID, []string{"old1", "old2"}), "SetRecoveryCodes")
			must(t, s.UseRecoveryCode(t.Context(), u.ID, "old1", at(0)), "use old1")
			must(t, s.SetRecoveryCodes(t.Context(), u.ID, []string{"new1", "old1"}), "SetRecoveryCodes again")
			mustIs(t, s.UseRecoveryCode(t.Context(), u.ID, "old2", at(0)), store.ErrNotFound, "replaced code")
			must(t, s.UseRecoveryCode(t.Context(), u.ID, "new1", at(0)), "new code")
			must(t, s.UseRecoveryCode(t.Context(), u.ID, "old1", at(0)), "re-issued code is fresh")
		}},
		{"ConcurrentUseOneWinner", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			must(t, s.SetRecoveryCodes(t.Context(), u.ID, []string{"r1", "r2"}), "SetRecoveryCodes")
			errs := race(racers, func(int) error { return s.UseRecoveryCode(t.Context(), u.ID, "r1", at(0)) })
			oneWinner(t, errs, store.ErrNotFound)
			must(t, s.UseRecoveryCode(t.Context(), u.ID, "r2", at(0)), "the other code is untouched")
		}},
	}
}

func newCredential(id, userID string) *store.WebAuthnCredential {
	return &store.WebAuthnCredential{
		ID:              []byte(id),
		UserID:          userID,
		Name:            "key " + id,
		PublicKey:       []byte{0xa5, 0x01, 0x02},
		AttestationType: "none",
		AAGUID:          make([]byte, 16),
		SignCount:       10,
		Transports:      []string{"internal", "hybrid"},
		UserVerified:    true,
		BackupEligible:  true,
		CreatedAt:       at(0),
	}
}

func webauthnTests() []test {
	return []test{
		{"AddGetList", func(t *testing.T, s store.Store) {
			u, other := createUser(t, s, 1), createUser(t, s, 2)
			c1, c2 := newCredential("c1", u.ID), newCredential("c2", u.ID)
			c2.CreatedAt, c2.SignCount = at(time.Hour), 4294967295
			for _, c := range []*store.WebAuthnCredential{c1, c2, newCredential("c3", other.ID)} {
				must(t, s.AddWebAuthnCredential(t.Context(), c), "AddWebAuthnCredential")
			}
			got, err := s.GetWebAuthnCredential(t.Context(), []byte("c2"))
			must(t, err, "GetWebAuthnCredential")
			same(t, got, c2, "credential (max uint32 sign count)")
			list, err := s.ListWebAuthnCredentials(t.Context(), u.ID)
			must(t, err, "ListWebAuthnCredentials")
			same(t, list, []*store.WebAuthnCredential{c1, c2}, "user's credentials")
			_, err = s.GetWebAuthnCredential(t.Context(), []byte("nope"))
			mustIs(t, err, store.ErrNotFound, "GetWebAuthnCredential unknown")
		}},
		{"AddConflict", func(t *testing.T, s store.Store) {
			u, other := createUser(t, s, 1), createUser(t, s, 2)
			must(t, s.AddWebAuthnCredential(t.Context(), newCredential("c1", u.ID)), "AddWebAuthnCredential")
			mustIs(t, s.AddWebAuthnCredential(t.Context(), newCredential("c1", other.ID)), store.ErrConflict,
				"the same credential id for another user")
		}},
		{"UpdateStoresCounterFlagsLastUse", func(t *testing.T, s store.Store) {
			u := createUser(t, s, 1)
			c := newCredential("c1", u.ID)
			must(t, s.AddWebAuthnCredential(t.Context(), c), "AddWebAuthnCredential")
			upd := *c
			upd.SignCount, upd.BackupState, upd.CloneWarning, upd.UserVerified = 11, true, true, false
			upd.LastUsedAt = at(time.Hour)
			upd.Name, upd.PublicKey = "renamed", []byte("evil key")
			must(t, s.UpdateWebAuthnCredential(t.Context(), &upd), "UpdateWebAuthnCredential")
			got, err := s.GetWebAuthnCredential(t.Context(), []byte("c1"))
			must(t, err, "GetWebAuthnCredential")
			want := upd
			want.Name, want.PublicKey = c.Name, c.PublicKey
			same(t, got, &want, "updated credential (public key never changes)")
			mustIs(t, s.UpdateWebAuthnCredential(t.Context(), newCredential("nope", u.ID)), store.ErrNotFound, "update unknown")
		}},
		{"DeleteOnlyOwn", func(t *testing.T, s store.Store) {
			u, other := createUser(t, s, 1), createUser(t, s, 2)
			must(t, s.AddWebAuthnCredential(t.Context(), newCredential("c1", u.ID)), "AddWebAuthnCredential")
			mustIs(t, s.DeleteWebAuthnCredential(t.Context(), other.ID, []byte("c1")), store.ErrNotFound, "delete another user's passkey")
			_, err := s.GetWebAuthnCredential(t.Context(), []byte("c1"))
			must(t, err, "passkey survives a foreign delete")
			must(t, s.DeleteWebAuthnCredential(t.Context(), u.ID, []byte("c1")), "DeleteWebAuthnCredential")
			_, err = s.GetWebAuthnCredential(t.Context(), []byte("c1"))
			mustIs(t, err, store.ErrNotFound, "GetWebAuthnCredential after delete")
			mustIs(t, s.DeleteWebAuthnCredential(t.Context(), u.ID, []byte("c1")), store.ErrNotFound, "delete twice")
		}},
		{"ChallengeConsumeOnce", func(t *testing.T, s store.Store) {
			c := &store.WebAuthnChallenge{ID: "ch1", UserID: "auth0|1", Kind: "login", Data: []byte(`{"challenge":"abc"}`), ExpiresAt: at(5 * time.Minute)}
			must(t, s.SaveWebAuthnChallenge(t.Context(), c), "SaveWebAuthnChallenge")
			got, err := s.ConsumeWebAuthnChallenge(t.Context(), "ch1", at(time.Minute))
			must(t, err, "ConsumeWebAuthnChallenge")
			same(t, got, c, "challenge")
			_, err = s.ConsumeWebAuthnChallenge(t.Context(), "ch1", at(time.Minute))
			mustIs(t, err, store.ErrConsumed, "second ConsumeWebAuthnChallenge")
		}},
		{"ChallengeUnknownOrExpired", func(t *testing.T, s store.Store) {
			c := &store.WebAuthnChallenge{ID: "ch1", Kind: "register", Data: []byte("{}"), ExpiresAt: at(5 * time.Minute)}
			must(t, s.SaveWebAuthnChallenge(t.Context(), c), "SaveWebAuthnChallenge")
			_, err := s.ConsumeWebAuthnChallenge(t.Context(), "nope", at(0))
			mustIs(t, err, store.ErrNotFound, "unknown challenge")
			_, err = s.ConsumeWebAuthnChallenge(t.Context(), "ch1", at(5*time.Minute))
			mustIs(t, err, store.ErrNotFound, "challenge at its expiry")
			mustIs(t, s.SaveWebAuthnChallenge(t.Context(), c), store.ErrConflict, "SaveWebAuthnChallenge twice")
		}},
		{"ChallengeConcurrentConsumeOneWinner", func(t *testing.T, s store.Store) {
			c := &store.WebAuthnChallenge{ID: "ch1", Kind: "login", Data: []byte("{}"), ExpiresAt: at(5 * time.Minute)}
			must(t, s.SaveWebAuthnChallenge(t.Context(), c), "SaveWebAuthnChallenge")
			errs := race(racers, func(int) error {
				got, err := s.ConsumeWebAuthnChallenge(t.Context(), "ch1", at(time.Minute))
				if err == nil && got.ID != "ch1" {
					return fmt.Errorf("winner got challenge %q", got.ID)
				}
				return err
			})
			oneWinner(t, errs, store.ErrConsumed)
		}},
	}
}

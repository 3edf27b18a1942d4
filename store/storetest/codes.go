package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func codeTests() []test {
	return []test{
		{"ConsumeOnce", func(t *testing.T, s store.Store) {
			r := newAuthRequest("ar1")
			must(t, s.CreateAuthRequest(t.Context(), r), "CreateAuthRequest")
			must(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar1")), "SaveAuthCode")
			code, req, err := s.ConsumeAuthCode(t.Context(), "c1", at(time.Minute))
			must(t, err, "ConsumeAuthCode")
			want := newAuthCode("c1", "ar1")
			want.UsedAt = at(time.Minute)
			same(t, code, want, "code")
			same(t, req, r, "auth request")
		}},
		{"ReplayIsConsumedWithGrant", func(t *testing.T, s store.Store) {
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			must(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar1")), "SaveAuthCode")
			_, _, err := s.ConsumeAuthCode(t.Context(), "c1", at(time.Minute))
			must(t, err, "ConsumeAuthCode")
			must(t, s.SetAuthCodeGrant(t.Context(), "c1", "grant-1"), "SetAuthCodeGrant")
			code, _, err := s.ConsumeAuthCode(t.Context(), "c1", at(2*time.Minute))
			mustIs(t, err, store.ErrConsumed, "second ConsumeAuthCode")
			if code == nil {
				t.Fatal("replay returned no code; the caller cannot revoke what the first use issued")
			}
			same(t, code.GrantID, "grant-1", "GrantID on replay")
			same(t, code.UsedAt, at(time.Minute), "UsedAt keeps the first use")
		}},
		{"ReplayAfterAuthRequestDeleted", func(t *testing.T, s store.Store) {
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			must(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar1")), "SaveAuthCode")
			_, _, err := s.ConsumeAuthCode(t.Context(), "c1", at(time.Minute))
			must(t, err, "ConsumeAuthCode")
			must(t, s.SetAuthCodeGrant(t.Context(), "c1", "grant-1"), "SetAuthCodeGrant")
			must(t, s.DeleteAuthRequest(t.Context(), "ar1"), "DeleteAuthRequest")
			code, _, err := s.ConsumeAuthCode(t.Context(), "c1", at(2*time.Minute))
			mustIs(t, err, store.ErrConsumed, "replay after the exchange deleted the request")
			if code == nil || code.GrantID != "grant-1" {
				t.Fatalf("replay returned code %+v, want one with GrantID grant-1", code)
			}
		}},
		{"UnknownOrExpiredIsNotFound", func(t *testing.T, s store.Store) {
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			must(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar1")), "SaveAuthCode")
			_, _, err := s.ConsumeAuthCode(t.Context(), "nope", at(0))
			mustIs(t, err, store.ErrNotFound, "unknown code")
			_, _, err = s.ConsumeAuthCode(t.Context(), "c1", at(10*time.Minute))
			mustIs(t, err, store.ErrNotFound, "code at its expiry")
			// The expired attempt must not have used it up.
			_, _, err = s.ConsumeAuthCode(t.Context(), "c1", at(10*time.Minute-time.Microsecond))
			must(t, err, "code just before expiry")
		}},
		{"SaveConflict", func(t *testing.T, s store.Store) {
			must(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar1")), "SaveAuthCode")
			mustIs(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar2")), store.ErrConflict, "SaveAuthCode twice")
		}},
		{"SetGrantUnknown", func(t *testing.T, s store.Store) {
			mustIs(t, s.SetAuthCodeGrant(t.Context(), "nope", "g"), store.ErrNotFound, "SetAuthCodeGrant")
		}},
		{"ConcurrentConsumeOneWinner", func(t *testing.T, s store.Store) {
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			must(t, s.SaveAuthCode(t.Context(), newAuthCode("c1", "ar1")), "SaveAuthCode")
			errs := race(racers, func(i int) error {
				code, req, err := s.ConsumeAuthCode(t.Context(), "c1", at(time.Duration(i)*time.Microsecond))
				if err == nil && (code == nil || req == nil || req.ID != "ar1") {
					return fmt.Errorf("winner got code %v, request %v", code, req)
				}
				return err
			})
			oneWinner(t, errs, store.ErrConsumed)
		}},
		{"ConcurrentManyCodesAllSucceed", func(t *testing.T, s store.Store) {
			// Distinct codes consumed at once must not disturb each other
			// (a backend that batches writes must isolate each request).
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			for i := range racers {
				must(t, s.SaveAuthCode(t.Context(), newAuthCode(fmt.Sprintf("c%d", i), "ar1")), "SaveAuthCode")
			}
			errs := race(racers, func(i int) error {
				if i%2 == 1 {
					_, _, err := s.ConsumeAuthCode(t.Context(), fmt.Sprintf("missing%d", i), at(0))
					if !isErr(err, store.ErrNotFound) {
						return fmt.Errorf("unknown code: %v, want ErrNotFound", err)
					}
				}
				_, _, err := s.ConsumeAuthCode(t.Context(), fmt.Sprintf("c%d", i), at(0))
				return err
			})
			for i, err := range errs {
				must(t, err, fmt.Sprintf("goroutine %d", i))
			}
		}},
	}
}

func continueTests() []test {
	newState := func(hash string) *store.ContinueState {
		return &store.ContinueState{Hash: hash, AuthRequestID: "ar1", BrowserID: "browser-1", ExpiresAt: at(10 * time.Minute)}
	}
	return []test{
		{"ConsumeOnce", func(t *testing.T, s store.Store) {
			must(t, s.CreateContinueState(t.Context(), newState("cs1")), "CreateContinueState")
			got, err := s.ConsumeContinueState(t.Context(), "cs1", at(time.Minute))
			must(t, err, "ConsumeContinueState")
			want := newState("cs1")
			want.UsedAt = at(time.Minute)
			same(t, got, want, "continue state")
			_, err = s.ConsumeContinueState(t.Context(), "cs1", at(2*time.Minute))
			mustIs(t, err, store.ErrConsumed, "second ConsumeContinueState")
		}},
		{"UnknownOrExpiredIsNotFound", func(t *testing.T, s store.Store) {
			must(t, s.CreateContinueState(t.Context(), newState("cs1")), "CreateContinueState")
			_, err := s.ConsumeContinueState(t.Context(), "nope", at(0))
			mustIs(t, err, store.ErrNotFound, "unknown state")
			_, err = s.ConsumeContinueState(t.Context(), "cs1", at(10*time.Minute))
			mustIs(t, err, store.ErrNotFound, "state at its expiry")
		}},
		{"CreateConflict", func(t *testing.T, s store.Store) {
			must(t, s.CreateContinueState(t.Context(), newState("cs1")), "CreateContinueState")
			mustIs(t, s.CreateContinueState(t.Context(), newState("cs1")), store.ErrConflict, "CreateContinueState twice")
		}},
		{"ConcurrentConsumeOneWinner", func(t *testing.T, s store.Store) {
			must(t, s.CreateContinueState(t.Context(), newState("cs1")), "CreateContinueState")
			errs := race(racers, func(int) error {
				_, err := s.ConsumeContinueState(t.Context(), "cs1", at(time.Minute))
				return err
			})
			oneWinner(t, errs, store.ErrConsumed)
		}},
	}
}

package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func authRequestTests() []test {
	return []test{
		{"CreateGet", func(t *testing.T, s store.Store) {
			r := newAuthRequest("ar1")
			r.UserID, r.AuthTime, r.AMR = "auth0|1", at(time.Minute), []string{"pwd"}
			r.Pipeline = []byte{0, 1, 2, 255}
			r.IDClaims = map[string]any{"https://x/roles": []any{"admin"}}
			r.AccessClaims = map[string]any{"n": float64(1)}
			r.GrantedScopes = []string{"read:all"}
			must(t, s.CreateAuthRequest(t.Context(), r), "CreateAuthRequest")
			got, err := s.GetAuthRequest(t.Context(), "ar1")
			must(t, err, "GetAuthRequest")
			same(t, got, r, "auth request")
		}},
		{"CreateConflict", func(t *testing.T, s store.Store) {
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			mustIs(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), store.ErrConflict, "CreateAuthRequest twice")
		}},
		{"GetUnknown", func(t *testing.T, s store.Store) {
			_, err := s.GetAuthRequest(t.Context(), "nope")
			mustIs(t, err, store.ErrNotFound, "GetAuthRequest")
		}},
		{"UpdateOverwritesProgressOnly", func(t *testing.T, s store.Store) {
			r := newAuthRequest("ar1")
			must(t, s.CreateAuthRequest(t.Context(), r), "CreateAuthRequest")
			upd := *r
			upd.UserID, upd.SessionID, upd.AuthTime = "auth0|1", "sess", at(time.Minute)
			upd.AMR, upd.Done = []string{"pwd", "otp"}, true
			upd.ErrorCode, upd.ErrorDescription = "access_denied", "no"
			upd.Pipeline = []byte(`{"step":3}`)
			upd.IDClaims = map[string]any{"a": "b"}
			upd.AccessClaims = map[string]any{"c": []any{"d"}}
			upd.GrantedScopes = []string{"openid"}
			// Fixed at /authorize: changes must be ignored.
			upd.ClientID, upd.RedirectURI, upd.CodeChallenge = "evil", "https://evil.example", "x"
			upd.Scopes, upd.ExpiresAt = []string{"admin"}, at(100*time.Hour)
			must(t, s.UpdateAuthRequest(t.Context(), &upd), "UpdateAuthRequest")
			got, err := s.GetAuthRequest(t.Context(), "ar1")
			must(t, err, "GetAuthRequest")
			want := upd
			want.ClientID, want.RedirectURI, want.CodeChallenge = r.ClientID, r.RedirectURI, r.CodeChallenge
			want.Scopes, want.ExpiresAt = r.Scopes, r.ExpiresAt
			same(t, got, &want, "updated auth request")
		}},
		{"UpdateUnknown", func(t *testing.T, s store.Store) {
			mustIs(t, s.UpdateAuthRequest(t.Context(), newAuthRequest("nope")), store.ErrNotFound, "UpdateAuthRequest")
		}},
		{"Delete", func(t *testing.T, s store.Store) {
			must(t, s.CreateAuthRequest(t.Context(), newAuthRequest("ar1")), "CreateAuthRequest")
			must(t, s.DeleteAuthRequest(t.Context(), "ar1"), "DeleteAuthRequest")
			_, err := s.GetAuthRequest(t.Context(), "ar1")
			mustIs(t, err, store.ErrNotFound, "GetAuthRequest after delete")
			mustIs(t, s.DeleteAuthRequest(t.Context(), "ar1"), store.ErrNotFound, "DeleteAuthRequest twice")
		}},
	}
}

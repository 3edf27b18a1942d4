package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// base is the suite's "now". It has microsecond precision (PostgreSQL
// keeps microseconds) and is far from the real clock, so a backend that
// used time.Now instead of the given time would fail.
func base() time.Time { return time.Date(2031, 3, 4, 5, 6, 7, 890123000, time.UTC) }

// at is base plus d.
func at(d time.Duration) time.Time { return base().Add(d) }

const conn = "Username-Password-Authentication"

func newUser(n int) *store.User {
	return &store.User{
		ID:            fmt.Sprintf("auth0|%024x", n),
		Connection:    conn,
		Email:         fmt.Sprintf("user%d@example.com", n),
		EmailVerified: true,
		Name:          fmt.Sprintf("User %d", n),
		Nickname:      fmt.Sprintf("user%d", n),
		GivenName:     "Given",
		FamilyName:    "Family",
		Picture:       "https://example.com/p.png",
		PasswordHash:  "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		UserMetadata: map[string]any{
			"color":  "blue",
			"n":      float64(3),
			"nested": map[string]any{"a": true, "list": []any{"x", float64(1)}},
		},
		AppMetadata: map[string]any{"plan": "pro"},
		Roles:       []string{"admin", "reader"},
		CreatedAt:   at(0),
		UpdatedAt:   at(0),
	}
}

func createUser(t *testing.T, s store.Store, n int) *store.User {
	t.Helper()
	u := newUser(n)
	must(t, s.CreateUser(t.Context(), u), "CreateUser")
	return u
}

func newSession(id, userID string) *store.Session {
	return &store.Session{
		ID:     id,
		UserID: userID,
		Methods: []store.AuthMethod{
			{Name: "pwd", Timestamp: at(0)},
			{Name: "mfa", Timestamp: at(time.Minute), Type: "otp"},
		},
		Clients:         []string{"spa"},
		CreatedAt:       at(0),
		AuthenticatedAt: at(0),
		UpdatedAt:       at(time.Minute),
		ExpiresAt:       at(24 * time.Hour),
		InitialIP:       "192.0.2.1",
		LastIP:          "192.0.2.1",
		InitialUA:       "Mozilla/5.0",
		LastUA:          "Mozilla/5.0",
	}
}

func newAuthRequest(id string) *store.AuthRequest {
	return &store.AuthRequest{
		ID:                  id,
		ClientID:            "spa",
		RedirectURI:         "https://app.example.com/callback",
		Scopes:              []string{"openid", "profile", "offline_access"},
		State:               "st-" + id,
		Nonce:               "n-" + id,
		ResponseType:        "code",
		ResponseMode:        "query",
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		Prompt:              []string{"login"},
		MaxAge:              -1,
		ACRValues:           []string{"urn:x:mfa"},
		UILocales:           []string{"de", "en"},
		LoginHint:           "user1@example.com",
		Audience:            "https://api.example.com",
		Query:               map[string]string{"client_id": "spa", "audience": "https://api.example.com"},
		BrowserID:           "browser-1",
		CreatedAt:           at(0),
		ExpiresAt:           at(time.Hour),
	}
}

func newAuthCode(hash, reqID string) *store.AuthCode {
	return &store.AuthCode{Hash: hash, AuthRequestID: reqID, ExpiresAt: at(10 * time.Minute)}
}

func newGrant(id, userID string) *store.Grant {
	return &store.Grant{ID: id, ClientID: "spa", UserID: userID, CreatedAt: at(0), ExpiresAt: at(30 * 24 * time.Hour)}
}

func newRefreshToken(hash, grantID, userID string) *store.RefreshToken {
	return &store.RefreshToken{
		Hash:      hash,
		ID:        "id-" + hash,
		GrantID:   grantID,
		ClientID:  "spa",
		UserID:    userID,
		SessionID: "session-1",
		Audience:  "https://api.example.com",
		Scopes:    []string{"openid", "offline_access"},
		AuthTime:  at(0),
		AMR:       []string{"pwd", "otp"},
		Methods:   []store.AuthMethod{{Name: "pwd", Timestamp: at(0)}},
		CreatedAt: at(0),
		ExpiresAt: at(14 * 24 * time.Hour),
	}
}

// createGrant makes a user's grant with its first refresh token.
func createGrant(t *testing.T, s store.Store, grantID, rtHash, userID string) (*store.Grant, *store.RefreshToken) {
	t.Helper()
	g, rt := newGrant(grantID, userID), newRefreshToken(rtHash, grantID, userID)
	must(t, s.CreateGrant(t.Context(), g, rt), "CreateGrant")
	return g, rt
}

// racers is how many goroutines the concurrency tests start.
const racers = 20

// race runs fn(i) in racers goroutines released at the same moment and
// returns their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// oneWinner checks that exactly one error is nil and every other one
// matches loser.
func oneWinner(t *testing.T, errs []error, loser error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("goroutines %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !isErr(err, loser):
			t.Fatalf("goroutine %d: error = %v, want %v", i, err, loser)
		}
	}
	if winner < 0 {
		t.Fatalf("no goroutine succeeded")
	}
	return winner
}

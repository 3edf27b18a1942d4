package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// racers is how many callers contend for one value, spread over two
// stores with separate pools (two replicas), for rounds values.
const (
	racers = 8
	rounds = 15
)

// TestPostgresSingleUseAcrossReplicas is the cross-process guarantee of
// store.Store: whichever replica a caller hits, exactly one of several
// concurrent callers consumes a single-use value and every other one gets
// the documented loser error.
func TestPostgresSingleUseAcrossReplicas(t *testing.T) {
	a, dsn := openTest(t)
	b := openDSN(t, dsn)
	replicas := [2]*Store{a, b}
	ctx := context.Background()
	mustUser(t, a, "u1")
	if err := a.CreateAuthRequest(ctx, &store.AuthRequest{ID: "ar1", ClientID: "app",
		MaxAge: -1, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatalf("CreateAuthRequest: %v", err)
	}
	if err := a.SaveTOTP(ctx, &store.TOTPFactor{UserID: "u1", SecretEnc: []byte("s"), Confirmed: true}); err != nil {
		t.Fatalf("SaveTOTP: %v", err)
	}
	now := t0.Add(time.Minute)

	tests := []struct {
		name  string
		setup func(key string) error
		use   func(s *Store, key string) error
		loser error
	}{
		{
			name: "ConsumeAuthCode",
			setup: func(key string) error {
				return a.SaveAuthCode(ctx, &store.AuthCode{Hash: key, AuthRequestID: "ar1", ExpiresAt: t0.Add(time.Hour)})
			},
			use: func(s *Store, key string) error {
				_, _, err := s.ConsumeAuthCode(ctx, key, now)
				return err
			},
			loser: store.ErrConsumed,
		},
		{
			name: "ConsumeContinueState",
			setup: func(key string) error {
				return a.CreateContinueState(ctx, &store.ContinueState{Hash: key, AuthRequestID: "ar1", ExpiresAt: t0.Add(time.Hour)})
			},
			use: func(s *Store, key string) error {
				_, err := s.ConsumeContinueState(ctx, key, now)
				return err
			},
			loser: store.ErrConsumed,
		},
		{
			name: "ConsumeWebAuthnChallenge",
			setup: func(key string) error {
				return a.SaveWebAuthnChallenge(ctx, &store.WebAuthnChallenge{ID: key, Kind: "login", ExpiresAt: t0.Add(time.Hour)})
			},
			use: func(s *Store, key string) error {
				_, err := s.ConsumeWebAuthnChallenge(ctx, key, now)
				return err
			},
			loser: store.ErrConsumed,
		},
		{
			name:  "UseTOTPStep",
			setup: func(string) error { return nil },
			use: func(s *Store, key string) error {
				// Every racer of a round presents the same step; steps grow per round.
				var round int64
				fmt.Sscanf(key, "k%d", &round)
				return s.UseTOTPStep(ctx, "u1", 1000+round)
			},
			loser: store.ErrConsumed,
		},
		{
			name:  "UseRecoveryCode",
			setup: func(key string) error { return a.SetRecoveryCodes(ctx, "u1", []string{key, key + "-other"}) },
			use:   func(s *Store, key string) error { return s.UseRecoveryCode(ctx, "u1", key, now) },
			loser: store.ErrNotFound,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for round := range rounds {
				key := fmt.Sprintf("k%d", round)
				if err := tc.setup(key); err != nil {
					t.Fatalf("setup: %v", err)
				}
				errs := race(racers, func(i int) error { return tc.use(replicas[i%2], key) })
				wins := 0
				for i, err := range errs {
					switch {
					case err == nil:
						wins++
					case !errors.Is(err, tc.loser):
						t.Errorf("round %d caller %d: %v, want nil or %v", round, i, err, tc.loser)
					}
				}
				if wins != 1 {
					t.Fatalf("round %d: %d winners, want exactly 1", round, wins)
				}
			}
		})
	}
}

// TestPostgresRotateRefreshTokenRace: replicas rotating the same token at
// once. One wins; the others are, by definition, presenting a token that
// has just been used, so they see reuse: ErrConsumed, and the grant —
// including the winner's new token — ends revoked. Never two live tokens.
func TestPostgresRotateRefreshTokenRace(t *testing.T) {
	a, dsn := openTest(t)
	b := openDSN(t, dsn)
	replicas := [2]*Store{a, b}
	ctx := context.Background()
	mustUser(t, a, "u1")
	now := t0.Add(time.Minute)
	for round := range rounds {
		grantID := fmt.Sprintf("g%d", round)
		rt0 := mustGrant(t, a, grantID, "u1")
		errs := race(racers, func(i int) error {
			next := refreshToken(grantID, "u1", i+1)
			next.GrantID = ""
			return replicas[i%2].RotateRefreshToken(ctx, rt0.Hash, next, now)
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("round %d: callers %d and %d both rotated", round, winner, i)
				}
				winner = i
			case !errors.Is(err, store.ErrConsumed):
				t.Fatalf("round %d caller %d: %v, want nil or ErrConsumed", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody rotated", round)
		}
		// Only the winner inserted a token.
		var n int
		if err := a.pool.QueryRow(ctx, "SELECT count(*) FROM refresh_tokens WHERE grant_id = $1", grantID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("round %d: %d token rows, want 2 (old + winner's)", round, n)
		}
		won, err := b.GetRefreshToken(ctx, refreshToken(grantID, "u1", winner+1).Hash)
		if err != nil {
			t.Fatalf("winner's token: %v", err)
		}
		g, err := b.GetGrant(ctx, grantID)
		if err != nil {
			t.Fatal(err)
		}
		if racers > 1 && (g.RevokedAt.IsZero() || won.RevokedAt.IsZero()) {
			t.Fatalf("round %d: grant revoked %v, winner's token revoked %v; losers replayed a used token, want both revoked",
				round, g.RevokedAt, won.RevokedAt)
		}
	}
}

// TestPostgresRefreshReuseRevokesGrantAcrossReplicas: rotate on one
// replica, replay the old token on the other; the revocation is committed
// (visible from the first replica) although the call fails.
func TestPostgresRefreshReuseRevokesGrantAcrossReplicas(t *testing.T) {
	a, dsn := openTest(t)
	b := openDSN(t, dsn)
	ctx := context.Background()
	mustUser(t, a, "u1")
	rt0 := mustGrant(t, a, "g1", "u1")
	rt1 := refreshToken("g1", "u1", 1)
	if err := a.RotateRefreshToken(ctx, rt0.Hash, rt1, t0.Add(time.Minute)); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	replay := refreshToken("g1", "u1", 2)
	if err := b.RotateRefreshToken(ctx, rt0.Hash, replay, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrConsumed) {
		t.Fatalf("replay: %v, want ErrConsumed", err)
	}
	if _, err := a.GetRefreshToken(ctx, replay.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replay inserted its token: %v", err)
	}
	cur, err := a.GetRefreshToken(ctx, rt1.Hash)
	if err != nil {
		t.Fatal(err)
	}
	g, err := a.GetGrant(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(2 * time.Minute); !cur.RevokedAt.Equal(want) || !g.RevokedAt.Equal(want) {
		t.Fatalf("after reuse: token revoked %v, grant revoked %v, want both %v", cur.RevokedAt, g.RevokedAt, want)
	}
	if err := a.RotateRefreshToken(ctx, rt1.Hash, refreshToken("g1", "u1", 3), t0.Add(3*time.Minute)); !errors.Is(err, store.ErrConsumed) {
		t.Fatalf("rotating the revoked current token: %v, want ErrConsumed", err)
	}
}

// TestPostgresUpdateMetadataAcrossReplicas: concurrent patches of
// different keys from two replicas all land (no lost update), and a nil
// value deletes.
func TestPostgresUpdateMetadataAcrossReplicas(t *testing.T) {
	a, dsn := openTest(t)
	b := openDSN(t, dsn)
	replicas := [2]*Store{a, b}
	ctx := context.Background()
	mustUser(t, a, "u1")
	if _, err := a.UpdateMetadata(ctx, "u1", map[string]any{"gone": true}, map[string]any{"plan": "free"}, t0); err != nil {
		t.Fatal(err)
	}
	const n = 16
	errs := race(n, func(i int) error {
		_, err := replicas[i%2].UpdateMetadata(ctx, "u1", map[string]any{fmt.Sprintf("k%d", i): float64(i), "gone": nil}, nil, t0)
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	u, err := b.GetUser(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.UserMetadata) != n || u.UserMetadata["gone"] != nil {
		t.Fatalf("user_metadata = %v, want k0..k%d and no gone", u.UserMetadata, n-1)
	}
	if u.AppMetadata["plan"] != "free" {
		t.Fatalf("app_metadata = %v: a nil patch must leave it alone", u.AppMetadata)
	}
}

// TestPostgresConcurrentReplaysNoDeadlock: replays of different used
// tokens of one grant, and a rotation of its current token, racing on two
// replicas. Each replay revokes the grant (locking its tokens); without the
// grant-before-token lock order two replays would deadlock and one would
// fail with SQLSTATE 40P01 instead of ErrConsumed.
func TestPostgresConcurrentReplaysNoDeadlock(t *testing.T) {
	a, dsn := openTest(t)
	b := openDSN(t, dsn)
	replicas := [2]*Store{a, b}
	ctx := context.Background()
	mustUser(t, a, "u1")
	const gens = 4 // rt0..rt3; rt0..rt2 used, rt3 current
	for round := range rounds {
		grantID := fmt.Sprintf("g%d", round)
		cur := mustGrant(t, a, grantID, "u1")
		chain := []*store.RefreshToken{cur}
		for n := 1; n < gens; n++ {
			next := refreshToken(grantID, "u1", n)
			if err := a.RotateRefreshToken(ctx, cur.Hash, next, t0); err != nil {
				t.Fatal(err)
			}
			chain, cur = append(chain, next), next
		}
		errs := race(2*gens, func(i int) error {
			next := refreshToken(grantID, "u1", 100+i)
			return replicas[i%2].RotateRefreshToken(ctx, chain[i%gens].Hash, next, t0.Add(time.Minute))
		})
		for i, err := range errs {
			if err != nil && !errors.Is(err, store.ErrConsumed) {
				t.Fatalf("round %d caller %d (token gen %d): %v, want nil or ErrConsumed", round, i, i%gens, err)
			}
		}
		if g, err := a.GetGrant(ctx, grantID); err != nil || g.RevokedAt.IsZero() {
			t.Fatalf("round %d: grant not revoked after replays (%v)", round, err)
		}
	}
}

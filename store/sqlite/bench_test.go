package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// Run with -cpu 1: the parallel case then has 16 goroutines on one P, like
// a token endpoint with 16 requests in flight.
//
//	go test ./store/sqlite -run '^$' -bench . -cpu 1

func benchStore(b *testing.B, opts ...Option) *Store {
	b.Helper()
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	u := &store.User{ID: "auth0|bench", Connection: "db", Email: "bench@example.com"}
	if err := s.CreateUser(context.Background(), u); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchToken(hash, grant string, now time.Time) *store.RefreshToken {
	return &store.RefreshToken{Hash: hash, ID: "id-" + hash, GrantID: grant, ClientID: "spa",
		UserID: "auth0|bench", Scopes: []string{"openid", "offline_access"}, AMR: []string{"pwd"},
		Methods: []store.AuthMethod{{Name: "pwd", Timestamp: now}}, AuthTime: now, CreatedAt: now,
		ExpiresAt: now.Add(24 * time.Hour)}
}

// report adds throughput and the average group-commit size.
func report(b *testing.B, s *Store, r0, b0 int64) {
	r1, b1 := s.WriteStats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if b1 > b0 {
		b.ReportMetric(float64(r1-r0)/float64(b1-b0), "writes/commit")
	}
}

// rotateChain is one client refreshing over and over: its own grant, each
// rotation presenting the token the previous one minted.
func rotateChain(b *testing.B, s *Store, n int64, next func() bool) {
	ctx := context.Background()
	now := time.Now()
	grant := fmt.Sprintf("g%d", n)
	if err := s.CreateGrant(ctx, &store.Grant{ID: grant, ClientID: "spa", UserID: "auth0|bench",
		ExpiresAt: now.Add(24 * time.Hour)}, benchToken(grant+"-0", grant, now)); err != nil {
		b.Error(err)
		return
	}
	for i := 0; next(); i++ {
		old, nxt := fmt.Sprintf("%s-%d", grant, i), fmt.Sprintf("%s-%d", grant, i+1)
		if err := s.RotateRefreshToken(ctx, old, benchToken(nxt, grant, now), now); err != nil {
			b.Error(err)
			return
		}
	}
}

func BenchmarkRotateRefreshToken(b *testing.B) {
	for _, c := range []struct {
		name     string
		parallel bool
		opts     []Option
	}{
		{"serial", false, nil},
		{"parallel16", true, nil},
		{"parallel16-nogroupcommit", true, []Option{WithMaxBatch(1)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := benchStore(b, c.opts...)
			var chains atomic.Int64
			r0, b0 := s.WriteStats()
			b.ResetTimer()
			if c.parallel {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) { rotateChain(b, s, chains.Add(1), pb.Next) })
			} else {
				left := b.N
				rotateChain(b, s, 0, func() bool { left--; return left >= 0 })
			}
			b.StopTimer()
			report(b, s, r0, b0)
		})
	}
}

// BenchmarkCodeExchange is the token endpoint's code grant: consume the
// code, then create the grant with its first refresh token.
func BenchmarkCodeExchange(b *testing.B) {
	for _, c := range []struct {
		name     string
		parallel bool
	}{{"serial", false}, {"parallel16", true}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchStore(b)
			ctx := context.Background()
			now := time.Now()
			if err := s.CreateAuthRequest(ctx, &store.AuthRequest{ID: "ar", ClientID: "spa", ExpiresAt: now.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			// Codes are saved up front: saving is part of /authorize, not
			// of the exchange being measured.
			for i := range b.N {
				if err := s.SaveAuthCode(ctx, &store.AuthCode{Hash: fmt.Sprint("c", i), AuthRequestID: "ar", ExpiresAt: now.Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
			var seq atomic.Int64
			exchange := func() {
				i := seq.Add(1) - 1
				if _, _, err := s.ConsumeAuthCode(ctx, fmt.Sprint("c", i), now); err != nil {
					b.Error(err)
					return
				}
				g := fmt.Sprint("g", i)
				if err := s.CreateGrant(ctx, &store.Grant{ID: g, ClientID: "spa", UserID: "auth0|bench",
					ExpiresAt: now.Add(time.Hour)}, benchToken("rt"+g, g, now)); err != nil {
					b.Error(err)
				}
			}
			r0, b0 := s.WriteStats()
			b.ResetTimer()
			if c.parallel {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						exchange()
					}
				})
			} else {
				for range b.N {
					exchange()
				}
			}
			b.StopTimer()
			report(b, s, r0, b0)
		})
	}
}

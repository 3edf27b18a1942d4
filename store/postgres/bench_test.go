package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPostgresRotateRefreshToken rotates refresh tokens from parallel
// goroutines, each walking its own grant's chain (the steady state of many
// clients refreshing): one transaction with two row locks, an UPDATE and
// an INSERT per op.
func BenchmarkPostgresRotateRefreshToken(b *testing.B) {
	s, _ := openTest(b)
	ctx := context.Background()
	mustUser(b, s, "u1")
	var worker atomic.Int64
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		grantID := fmt.Sprintf("bench-g%d", worker.Add(1))
		cur := mustGrant(b, s, grantID, "u1")
		for n := 1; pb.Next(); n++ {
			next := refreshToken(grantID, "u1", n)
			if err := s.RotateRefreshToken(ctx, cur.Hash, next, now); err != nil {
				b.Errorf("rotate %s gen %d: %v", grantID, n, err)
				return
			}
			cur = next
		}
	})
}

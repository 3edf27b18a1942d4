package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/store/postgres/pgtest"
)

// BenchmarkReplicaLoad measures refresh-token grants/s and full password
// logins/s (authorize, login page, password, callback, code exchange)
// through the balancer, on SQLite with one replica and on PostgreSQL with
// one and two replicas. Everything is on loopback and the counts are
// bounded; run for example
//
//	AUTHD_TEST_POSTGRES_DSN=... go test ./e2e -run '^$' -bench ReplicaLoad -benchtime 400x
func BenchmarkReplicaLoad(b *testing.B) {
	for _, s := range []struct {
		name     string
		driver   string
		replicas int
	}{
		{"SQLite/replicas=1", "sqlite", 1},
		{"Postgres/replicas=1", "postgres", 1},
		{"Postgres/replicas=2", "postgres", 2},
	} {
		b.Run(s.name, func(b *testing.B) {
			o := clusterOpt{replicas: s.replicas, driver: s.driver}
			if s.driver == "postgres" {
				o.dsn = pgtest.TestDSN(b)
			}
			c := newCluster(b, o)
			c.createUser(replicaEmail, replicaPassword)
			b.Run("refresh", func(b *testing.B) { replicaBenchRefresh(b, c, 8) })
			b.Run("login", func(b *testing.B) { replicaBenchLogin(b, c, 4) })
			for _, r := range c.replicas {
				b.Logf("replica %s served %d requests", r.name, r.served.Load())
			}
		})
	}
}

// replicaBenchRefresh runs b.N refresh_token grants over workers token chains
// (each grant rotates its chain's refresh token).
func replicaBenchRefresh(b *testing.B, c *cluster, workers int) {
	chains := make([]string, workers)
	for i := range chains {
		chains[i] = c.login(b, "", "", "openid", "offline_access").RefreshToken
	}
	hc := c.client("")
	var next atomic.Int64
	lat := make([][]time.Duration, workers)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				resp, err := hc.PostForm(c.issuer+"oauth/token", url.Values{"grant_type": {"refresh_token"},
					"refresh_token": {chains[w]}, "client_id": {"spa"}})
				if err != nil {
					b.Errorf("refresh: %v", err)
					return
				}
				var body struct {
					RefreshToken string `json:"refresh_token"`
				}
				err = replicaDecodeJSON(resp, &body)
				if resp.StatusCode != http.StatusOK || err != nil || body.RefreshToken == "" {
					b.Errorf("refresh: %d %v", resp.StatusCode, err)
					return
				}
				chains[w] = body.RefreshToken
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "grants/s")
	b.ReportMetric(replicaP99(lat).Seconds()*1000, "p99-ms")
}

// replicaBenchLogin runs b.N full password logins.
func replicaBenchLogin(b *testing.B, c *cluster, workers int) {
	var next atomic.Int64
	var failed atomic.Int64
	lat := make([][]time.Duration, workers)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := tryStep(b, func(t testing.TB) { c.login(t, "", "") }); err != nil {
					if failed.Add(1) == 1 {
						b.Errorf("login: %v", err)
					}
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d logins failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "logins/s")
	b.ReportMetric(replicaP99(lat).Seconds()*1000, "p99-ms")
}

func replicaP99(per [][]time.Duration) time.Duration {
	all := slices.Concat(per...)
	if len(all) == 0 {
		return 0
	}
	slices.Sort(all)
	return all[len(all)*99/100]
}

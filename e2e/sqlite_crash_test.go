package e2e

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestSQLiteCrashDuringRefreshes kills authd (SIGKILL) at random moments
// while a client rotates refresh tokens as fast as it can, restarts it on
// the same SQLite file, and checks the security checklist's durability
// oracle (G64–65): the database passes integrity_check, every refresh
// token the client saw acknowledged is in the database, and of the last
// acknowledged token and the one an unanswered request may have made,
// never both are live (rotation is all or nothing).
func TestSQLiteCrashDuringRefreshes(t *testing.T) {
	c := newCluster(t, clusterOpt{replicas: 1, driver: "sqlite"})
	c.createUser(replicaEmail, replicaPassword)
	rt := c.login(t, "A", "A", "openid", "offline_access").RefreshToken
	a := c.replica("A")
	rounds := 6
	for round := range rounds {
		acked := rt
		var inFlight int // requests sent without an answer when A died
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, body, err := c.tokenPost("A", url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {acked}})
				if err != nil || status == http.StatusBadGateway {
					inFlight++
					return
				}
				if status != http.StatusOK {
					t.Errorf("round %d: refresh %d %v", round, status, body)
					return
				}
				acked = body["refresh_token"].(string)
			}
		}()
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
		c.kill(a)
		close(stop)
		<-done

		// Offline check of the file the killed process left.
		db, err := sql.Open("sqlite", c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check %q %v", round, check, err)
		}
		sum := sha256.Sum256([]byte(acked))
		var used int64
		err = db.QueryRow("SELECT used_at FROM refresh_tokens WHERE hash = ?", hex.EncodeToString(sum[:])).Scan(&used)
		if err != nil {
			t.Fatalf("round %d: the last acknowledged refresh token is not in the database: %v", round, err)
		}
		// Live tokens of the grant: the acknowledged one, or (if an
		// unanswered request committed) its successor — exactly one.
		var live int
		if err := db.QueryRow(`SELECT count(*) FROM refresh_tokens WHERE used_at = 0 AND revoked_at = 0 AND grant_id =
			(SELECT grant_id FROM refresh_tokens WHERE hash = ?)`, hex.EncodeToString(sum[:])).Scan(&live); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if live != 1 {
			t.Fatalf("round %d: %d live refresh tokens in the grant, want exactly 1", round, live)
		}
		c.start(a)
		c.waitReady(a)
		if used != 0 {
			// The unanswered request committed a rotation the client never
			// saw: presenting the old token now is reuse, which revokes the
			// grant. Start a new chain.
			rt = c.login(t, "A", "A", "openid", "offline_access").RefreshToken
			t.Logf("round %d: ok, the unanswered rotation had committed (unanswered requests: %d)", round, inFlight)
			continue
		}
		status, body, err := c.tokenPost("A", url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {acked}})
		if err != nil || status != http.StatusOK {
			t.Fatalf("round %d: the acknowledged refresh token after restart: %d %v %v", round, status, body, err)
		}
		rt = body["refresh_token"].(string)
		t.Logf("round %d: ok (unanswered requests at the kill: %d)", round, inFlight)
	}
}

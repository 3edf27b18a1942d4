package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/store/postgres"
	"github.com/authd/authd/store/postgres/pgtest"
)

// newPostgresPair starts replicas A and B on one fresh PostgreSQL schema
// with one user.
func newPostgresPair(t *testing.T, o clusterOpt) *cluster {
	t.Helper()
	o.replicas, o.driver, o.dsn = 2, "postgres", pgtest.TestDSN(t)
	c := newCluster(t, o)
	c.createUser(replicaEmail, replicaPassword)
	return c
}

// TestPostgresReplicas: two authd processes on one database behave as
// one provider: every piece of login state is in the store, and the
// single-use operations are atomic across processes.
func TestPostgresReplicas(t *testing.T) {
	c := newPostgresPair(t, clusterOpt{})

	t.Run("LoginOnACallbackOnB", func(t *testing.T) {
		// Everything on A but the authorization callback, which B serves
		// from the auth request A stored.
		c.setRule(func(r *http.Request) string {
			if r.URL.Path == "/authorize/callback" {
				return "B"
			}
			return "A"
		})
		defer c.setRule(nil)
		b := c.browser(t, "")
		rp := c.rp(t, "B")
		a := rp.AuthURL()
		page := b.Get(a.URL)
		if page.Status != http.StatusOK || page.H1() != "Log in" || page.Header.Get("X-Served-By") != "A" {
			t.Fatalf("login page: %d %q from %q, want 200 \"Log in\" from A", page.Status, page.H1(), page.Header.Get("X-Served-By"))
		}
		page = page.Submit("Continue", map[string]string{"Email": replicaEmail, "Password": replicaPassword})
		if got := page.Header.Get("X-Served-By"); got != "B" {
			t.Fatalf("the callback was served by %q, want B", got)
		}
		tok, err := rp.Exchange(a, authdtest.Code(t, a, page.Location()))
		if err != nil {
			t.Fatalf("exchange on B of a login made on A: %v", err)
		}
		if tok.IDToken.Issuer != c.issuer {
			t.Fatalf("iss %q, want %q", tok.IDToken.Issuer, c.issuer)
		}
		info, status := c.rp(t, "A").Userinfo(tok.AccessToken)
		if status != http.StatusOK || info["email"] != replicaEmail {
			t.Fatalf("userinfo on A of a token from B: %d %v", status, info)
		}
	})

	t.Run("RefreshOnBOfTokenFromA", func(t *testing.T) {
		tok := c.login(t, "A", "A", "openid", "email", "offline_access")
		if tok.RefreshToken == "" {
			t.Fatal("no refresh token")
		}
		onB, err := c.rp(t, "B").Refresh(tok.RefreshToken)
		if err != nil {
			t.Fatalf("refresh on B of a token from A: %v", err)
		}
		if onB.RefreshToken == "" || onB.RefreshToken == tok.RefreshToken {
			t.Fatal("refresh on B did not rotate the refresh token")
		}
		if onB.Claims["sub"] != tok.Claims["sub"] {
			t.Fatalf("sub %v after refresh, want %v", onB.Claims["sub"], tok.Claims["sub"])
		}
		if _, err := c.rp(t, "A").Refresh(onB.RefreshToken); err != nil {
			t.Fatalf("refresh on A of the token B rotated: %v", err)
		}
	})

	t.Run("CodeReplayedConcurrentlyOnAAndB", func(t *testing.T) {
		for round := range 4 {
			rp := c.rp(t, "A")
			a, cb := c.env(t).Login(c.browser(t, "A"), rp, replicaEmail, replicaPassword)
			code := authdtest.Code(t, a, cb)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"spa"},
				"redirect_uri": {"http://127.0.0.1:5555/callback"}, "code_verifier": {a.Verifier}}
			statuses := raceAB(t, func(name string) (int, map[string]any) {
				status, body, err := c.tokenPost(name, form)
				if err != nil {
					t.Errorf("token on %s: %v", name, err)
				}
				return status, body
			})
			if ok := statuses[http.StatusOK]; ok != 1 || statuses[http.StatusBadRequest] != 1 {
				t.Fatalf("round %d: statuses %v, want exactly one 200 and one 400", round, statuses)
			}
		}
	})

	t.Run("RefreshReusedConcurrentlyOnAAndB", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for round := range 4 {
			tok := c.login(t, "B", "A", "openid", "offline_access")
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {"spa"}}
			var mu sync.Mutex
			var issued []string
			statuses := raceAB(t, func(name string) (int, map[string]any) {
				status, body, err := c.tokenPost(name, form)
				if err != nil {
					t.Errorf("token on %s: %v", name, err)
				}
				if rt, _ := body["refresh_token"].(string); status == http.StatusOK {
					mu.Lock()
					issued = append(issued, rt)
					mu.Unlock()
				}
				return status, body
			})
			// One request rotates; the other is a reuse of a used token,
			// which revokes the whole grant (RFC 9700 §4.14.2).
			if statuses[http.StatusOK] != 1 || statuses[http.StatusBadRequest] != 1 {
				t.Fatalf("round %d: statuses %v, want exactly one 200 and one 400", round, statuses)
			}
			grantID, _, _ := strings.Cut(tok.Access["jti"].(string), ".")
			g, err := st.GetGrant(context.Background(), grantID)
			if err != nil {
				t.Fatal(err)
			}
			if g.RevokedAt.IsZero() {
				t.Fatalf("round %d: grant %s not revoked after a concurrent reuse", round, grantID)
			}
			status, body, _ := c.tokenPost("B", url.Values{"grant_type": {"refresh_token"},
				"refresh_token": {issued[0]}, "client_id": {"spa"}})
			if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
				t.Fatalf("round %d: the token issued by the winner still refreshes: %d %v", round, status, body)
			}
			if _, status := c.rp(t, "B").Userinfo(tok.AccessToken); status != http.StatusUnauthorized {
				t.Fatalf("round %d: userinfo with an access token of the revoked grant: %d, want 401", round, status)
			}
		}
	})
}

// raceAB sends one request to A and one to B at the same instant and
// counts the statuses.
func raceAB(t *testing.T, send func(name string) (int, map[string]any)) map[int]int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	statuses := map[int]int{}
	for _, name := range []string{"A", "B"} {
		wg.Go(func() {
			<-start
			status, _ := send(name)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses
}

// TestPostgresReplicaActionsReload: SIGHUP reloads the actions of the
// replica that receives it and of no other; a rolling deploy signals one
// replica after the other.
func TestPostgresReplicaActionsReload(t *testing.T) {
	const action = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://e2e.example.com/version", "%s");
};
`
	c := newPostgresPair(t, clusterOpt{
		yaml:  "actions:\n  post-login:\n    - { name: version, file: version.js }\n",
		files: map[string]string{"version.js": strings.Replace(action, "%s", "v1", 1)},
	})
	version := func(on string) any {
		t.Helper()
		return c.login(t, on, on).Claims["https://e2e.example.com/version"]
	}
	if a, b := version("A"), version("B"); a != "v1" || b != "v1" {
		t.Fatalf("before the deploy: A %v, B %v; want v1 on both", a, b)
	}
	if err := os.WriteFile(filepath.Join(c.dir, "version.js"), []byte(strings.Replace(action, "%s", "v2", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"A", "B"} {
		r := c.replica(name)
		if err := r.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if !pollUntil(10*time.Second, func() bool { return strings.Contains(r.logs.String(), "actions reloaded") }) {
			t.Fatalf("replica %s did not log the reload:\n%s", name, r.logs.String())
		}
		if got := version(name); got != "v2" {
			t.Fatalf("replica %s after its SIGHUP: %v, want v2", name, got)
		}
		if i == 0 {
			if got := version("B"); got != "v1" {
				t.Fatalf("replica B before its SIGHUP: %v, want v1 (each replica reloads on its own)", got)
			}
		}
	}
}

package e2e

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
)

// TestPostgresReplicaKill: kill -9 of replica A while logins are under
// way. Logins parked on A (on the login page, or between the password
// and the callback) finish on B; logins running through the balancer
// keep succeeding once it routes around A. Only a request A was
// answering at the instant it died may fail.
func TestPostgresReplicaKill(t *testing.T) {
	c := newPostgresPair(t, clusterOpt{})
	creds := map[string]string{"Email": replicaEmail, "Password": replicaPassword}

	type parked struct {
		b    *authdtest.Browser
		rp   *authdtest.RP
		a    authdtest.Auth
		page *authdtest.Page
	}
	var logins []parked
	for i := range 4 {
		b := c.browser(t, "A")
		b.StopAt = append(b.StopAt, c.issuer+"authorize/callback")
		rp := c.rp(t, "")
		a := rp.AuthURL()
		page := b.Get(a.URL)
		if page.H1() != "Log in" || page.Header.Get("X-Served-By") != "A" {
			t.Fatalf("login %d: %q from %q, want the login page from A", i, page.H1(), page.Header.Get("X-Served-By"))
		}
		if i%2 == 1 {
			// Password checked on A; the callback is still to come.
			page = page.Submit("Continue", creds)
			if loc := page.Location(); loc.Path != "/authorize/callback" {
				t.Fatalf("login %d: after the password, redirect to %s", i, loc)
			}
		}
		logins = append(logins, parked{b, rp, a, page})
	}

	// Full logins through the balancer, round robin over A and B, before
	// and after the kill.
	type result struct {
		start time.Time
		err   error
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				err := tryStep(t, func(st testing.TB) { c.login(st, "", "") })
				mu.Lock()
				results = append(results, result{start, err})
				mu.Unlock()
			}
		})
	}
	count := func(since time.Time) (ok, failed int) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range results {
			if r.start.Before(since) {
				continue
			}
			if r.err != nil {
				failed++
			} else {
				ok++
			}
		}
		return ok, failed
	}
	if !pollUntil(20*time.Second, func() bool { ok, _ := count(time.Time{}); return ok >= 6 }) {
		close(stop)
		wg.Wait()
		t.Fatalf("no logins through both replicas before the kill: %v", results)
	}
	servedByA := c.replica("A").served.Load()
	c.kill(c.replica("A"))
	// Logins that started while A was dying may have had a request cut
	// mid-flight; every login that starts once A is gone must succeed.
	killedAt := time.Now()

	// The parked logins finish on B.
	for i, l := range logins {
		l.b.Header.Set(routeHeader, "B")
		page := l.page
		if page.Status == http.StatusOK {
			page = page.Submit("Continue", creds)
		}
		cb := l.b.Get(page.Location().String())
		if cb.Header.Get("X-Served-By") != "B" {
			t.Fatalf("login %d: callback served by %q", i, cb.Header.Get("X-Served-By"))
		}
		tok, err := l.rp.Exchange(l.a, authdtest.Code(t, l.a, cb.Location()))
		if err != nil {
			t.Fatalf("login %d started on A: exchange after A died: %v", i, err)
		}
		if tok.Claims["email"] != replicaEmail {
			t.Fatalf("login %d: claims %v", i, tok.Claims)
		}
	}

	pollUntil(20*time.Second, func() bool { ok, _ := count(killedAt); return ok >= 9 })
	close(stop)
	wg.Wait()
	okAfter, failedAfter := count(killedAt)
	okAll, failedAll := count(time.Time{})
	t.Logf("A served %d requests before kill -9; logins: %d ok and %d failed in all, %d ok and %d failed started after the kill",
		servedByA, okAll, failedAll, okAfter, failedAfter)
	if failedAfter > 0 || okAfter < 9 {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("after A died: %d logins ok, %d failed (want ≥ 9 and 0): %v", okAfter, failedAfter, results)
	}
	mu.Lock()
	for _, r := range results {
		if r.err != nil {
			t.Logf("login in flight at the kill: %v", r.err)
		}
	}
	mu.Unlock()
	// At most the logins that had a request on A at the instant it died:
	// one per worker.
	if failedAll-failedAfter > 3 {
		t.Fatalf("%d logins failed across the kill, more than the 3 workers had in flight", failedAll-failedAfter)
	}
}

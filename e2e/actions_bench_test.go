package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/internal/authdtest"
)

// Refresh-grant benchmarks through the whole server on its real port:
// the cost of the post-login trigger on the token endpoint. Run with
//
//	go test ./e2e -run '^$' -bench Refresh
//
// Refresh tokens rotate, so each iteration redeems the token the previous
// one returned. Besides ns/op (a mean) each reports its median.
//
// BenchmarkRefreshActionsOverhead is the one the < 100 µs target is about
// (the same user refreshing again and again, so from the second refresh on
// the actions' outcome is reused; see actions/memo.go):
// it alternates blocks of the same refresh on two servers, one without
// actions and one with three seed actions, so both medians come from the
// same minutes of a shared machine (two separate runs drift apart by more
// than the difference being measured).

func BenchmarkRefreshNoActions(b *testing.B) { benchSerial(b, authdtest.New(b)) }

func BenchmarkRefreshThreeSeedActions(b *testing.B) { benchSerial(b, threeActions(b)) }

func benchSerial(b *testing.B, e *authdtest.Env) {
	r := newRefresher(b, e)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.next(b)
	}
	b.StopTimer()
	b.ReportMetric(median(r.durs), "median-ns/op")
	r.check(b)
}

func BenchmarkRefreshActionsOverhead(b *testing.B) {
	benchOverhead(b, threeActions(b))
}

// BenchmarkRefreshActionsOverheadExecuted is the same with outcome reuse
// off, so every refresh really runs the three actions in a fresh sandbox
// (as one whose actions read the clock does).
func BenchmarkRefreshActionsOverheadExecuted(b *testing.B) {
	benchOverhead(b, threeActions(b, authdtest.ActionOptions(func(o *actions.Options) { o.NoMemo = true })))
}

func benchOverhead(b *testing.B, withActions *authdtest.Env) {
	none, three := newRefresher(b, authdtest.New(b)), newRefresher(b, withActions)
	b.ResetTimer()
	// Blocks of refreshes, alternating servers: a block is long enough that
	// the other server's background work (its sandbox pool, its garbage)
	// is done when it starts, and alternating keeps drift out of the
	// comparison.
	const block = 100
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		for range n {
			none.next(b)
		}
		for range n {
			three.next(b)
		}
	}
	b.StopTimer()
	m0, m3 := median(none.durs), median(three.durs)
	b.ReportMetric(m0, "none-median-ns")
	b.ReportMetric(m3, "three-median-ns")
	b.ReportMetric(m3-m0, "added-median-ns")
	none.check(b)
	three.check(b)
}

// Roles, add-scope and profile enrichment: a claim pair, a scope change
// and a metadata write on every refresh.
func threeActions(b *testing.B, opts ...authdtest.Option) *authdtest.Env {
	return authdtest.New(b, append(actOpts("",
		act{Name: "roles", Src: actSeed(b, "roles")},
		act{Name: "add-scope", Src: actSeed(b, "add-scope")},
		act{Name: "profile-enrichment", Src: actSeed(b, "profile-enrichment")}), opts...)...)
}

// refresher redeems one user's refresh token over and over.
type refresher struct {
	e      *authdtest.Env
	client *http.Client
	rt     string
	lastID string
	durs   []time.Duration
}

func newRefresher(b *testing.B, e *authdtest.Env) *refresher {
	e.CreateUser("ada@example.org", actPW, "admin")
	spa := e.SPA("openid", "offline_access", "read:xyz")
	tok := actTokens(b, e, spa, "ada@example.org", actAudience(authdtest.API))
	return &refresher{e: e, rt: tok.RefreshToken, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}}
}

func (r *refresher) next(b *testing.B) {
	start := time.Now()
	resp, err := r.client.PostForm(r.e.URL+"/oauth/token", actRefreshForm(r.rt))
	if err != nil {
		b.Fatal(err)
	}
	var body struct {
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || body.RefreshToken == "" || body.IDToken == "" {
		b.Fatalf("refresh %d: status %d, %v", len(r.durs), resp.StatusCode, err)
	}
	r.rt, r.lastID = body.RefreshToken, body.IDToken
	r.durs = append(r.durs, time.Since(start))
}

// check reports the server's own account of the actions' time (the engine
// part of the difference) and that the last refresh really ran the
// pipeline, or really did not.
func (r *refresher) check(b *testing.B) {
	bound := len(r.e.Config.Actions.PostLogin) > 0
	if bound {
		var actNS float64
		for _, l := range actLogLines(b, r.e) {
			actNS += l["duration_ms"].(float64) * 1e6
		}
		b.ReportMetric(actNS/float64(len(r.durs)), "action-ns/op")
	}
	_, hasRoles := authdtest.DecodeJWT(b, r.lastID)["https://my-app.example.com/roles"]
	if hasRoles != bound {
		b.Fatalf("roles claim %v with %d actions bound", hasRoles, len(r.e.Config.Actions.PostLogin))
	}
}

func median(durs []time.Duration) float64 {
	s := slices.Clone(durs)
	slices.Sort(s)
	return float64(s[len(s)/2].Nanoseconds())
}

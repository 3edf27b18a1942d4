package actions

import (
	"context"
	"slices"
	"testing"
	"time"
)

func benchTrigger(b *testing.B, names ...string) {
	var list []*Action
	for _, n := range names {
		list = append(list, seedAction(b, n, nil))
	}
	trig := NewTrigger(list, Options{})
	in := Input{Event: event(map[string]any{
		"authorization.roles":    []any{"admin", "editor"},
		"request.query.audience": "https://example.com/api",
		"resource_server":        map[string]any{"identifier": "https://example.com/api"},
	}), Now: saturday}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out := trig.Run(ctx, in)
		if out.Err != nil {
			b.Fatal(out.Err)
		}
	}
}

// BenchmarkRolesAction is one execution of the roles seed action.
func BenchmarkRolesAction(b *testing.B) { benchTrigger(b, "roles") }

// BenchmarkThreeActions is roles + add-scope + profile-enrichment.
func BenchmarkThreeActions(b *testing.B) {
	benchTrigger(b, "roles", "add-scope", "profile-enrichment")
}

// BenchmarkThreeActionsWarm measures one login's latency when the server is
// not saturated: between executions the timer stops long enough for the
// sandbox pool to refill, as it does between requests. It reports the median.
func BenchmarkThreeActionsWarm(b *testing.B) {
	var list []*Action
	for _, n := range []string{"roles", "add-scope", "profile-enrichment"} {
		list = append(list, seedAction(b, n, nil))
	}
	trig := NewTrigger(list, Options{})
	in := Input{Event: event(map[string]any{"authorization.roles": []any{"admin", "editor"},
		"request.query.audience": "https://example.com/api"}), Now: saturday}
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		for len(trig.pool) < cap(trig.pool) {
			time.Sleep(100 * time.Microsecond)
		}
		b.StartTimer()
		start := time.Now()
		if out := trig.Run(ctx, in); out.Err != nil {
			b.Fatal(out.Err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
}

// BenchmarkNewSandbox is one pooled sandbox as the three seed actions need
// it: the runtime with its guards, the api and event shells, the actions'
// module code run. The pool builds one per execution, off the login's path.
func BenchmarkNewSandbox(b *testing.B) {
	var list []*Action
	for _, n := range []string{"roles", "add-scope", "profile-enrichment"} {
		list = append(list, seedAction(b, n, nil))
	}
	trig := NewTrigger(list, Options{})
	b.ReportAllocs()
	for b.Loop() {
		sb, err := newSandbox(trig.opts)
		if err != nil {
			b.Fatal(err)
		}
		sb.prepareShells(len(list))
		if !trig.preloadModules(sb) {
			b.Fatal("preload failed")
		}
	}
}

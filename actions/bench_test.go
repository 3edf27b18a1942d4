package actions

import (
	"context"
	"testing"
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

package actions

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// normalizeEvent's direct deep copy must give what the JSON round trip gives,
// and must not share anything with the caller's event.
func TestNormalizeEventMatchesJSONRoundTrip(t *testing.T) {
	type custom struct{ A int }
	tests := map[string]map[string]any{
		"default":      event(nil),
		"numbers":      {"i": 1 << 60, "i64": int64(-7), "f": 0.1, "neg0": math.Copysign(0, -1)},
		"nested nil":   {"m": map[string]any(nil), "s": []any(nil), "ss": []string(nil), "n": nil},
		"strings":      {"ss": []string{"a", "é"}, "html": "<a>&"},
		"struct":       {"c": custom{A: 1}},
		"invalid utf8": {"bad": "a\xffb", "k\xff": 1},
		"other slice":  {"ints": []int{1, 2}},
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := normalizeEvent(ev)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(ev)
			var want map[string]any
			_ = json.Unmarshal(b, &want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %#v\nwant %#v", got, want)
			}
		})
	}
	ev := event(nil)
	got, _ := normalizeEvent(ev)
	got["user"].(map[string]any)["email"] = "changed"
	got["transaction"].(map[string]any)["requested_scopes"].([]any)[0] = "changed"
	if lookupString(ev, "user", "email") != "user@example.org" || ev["transaction"].(map[string]any)["requested_scopes"].([]any)[0] != "openid" {
		t.Fatal("normalized event shares values with the caller's")
	}
	if _, err := normalizeEvent(map[string]any{"nan": math.NaN()}); err == nil {
		t.Fatal("NaN accepted")
	}
}

// Each action gets its own api and namespace objects even though the Go
// functions behind them are made once per sandbox.
func TestAPIObjectsArePerAction(t *testing.T) {
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { globalThis.first = api; api.access.extra = 1 }`,
		`exports.onExecutePostLogin = async (e, api) => {
			console.log(api !== first, api.access !== first.access, api.access.extra, api.access.deny("x") === api,
				Object.getOwnPropertyDescriptor(api, "access").configurable) }`)
	wantDeny(t, out, "x")
	if got := consoleOf(out); len(got) != 1 || got[0] != "true true undefined true false" {
		t.Fatalf("console %v", got)
	}
}

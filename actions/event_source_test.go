package actions

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// The execution normalizes the event's top-level values on first use; the
// result must be the JSON round trip's, whatever is read when.
func TestEventSourceMatchesJSONRoundTrip(t *testing.T) {
	type custom struct{ A int }
	tests := map[string]map[string]any{
		"default":      event(nil),
		"numbers":      {"i": 1 << 60, "i64": int64(-7), "f": 0.1, "neg0": math.Copysign(0, -1)},
		"nested nil":   {"m": map[string]any(nil), "s": []any(nil), "ss": []string(nil), "n": nil, "o": map[string]any{"m": map[string]any(nil)}},
		"strings":      {"ss": []string{"a", "é"}, "html": "<a>&"},
		"struct":       {"c": custom{A: 1}},
		"invalid utf8": {"bad": "a\xffb", "k\xff": 1},
		"deep invalid": {"o": map[string]any{"a": []any{"x", "a\xffb"}}},
		"other slice":  {"ints": []int{1, 2}},
		"nil":          nil,
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			if validJSON(ev) != (copyJSON(ev) != nil) {
				t.Fatalf("validJSON %v, copyJSON %v", validJSON(ev), copyJSON(ev))
			}
			src, err := newEventSource(ev)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(ev)
			want := map[string]any{}
			_ = json.Unmarshal(b, &want)
			if want == nil { // a nil event is an empty one
				want = map[string]any{}
			}
			got := map[string]any{}
			for k := range src.raw {
				got[k] = src.get(k)
				got[k] = src.get(k) // cached
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %#v\nwant %#v", got, want)
			}
			for k, v := range want {
				if m, ok := v.(map[string]any); ok != src.isObject(k) && !isArray(v) {
					t.Fatalf("%s: isObject %v for %#v", k, src.isObject(k), m)
				}
				if (src.peek(k) == nil) != (v == nil) {
					t.Fatalf("%s: peek %#v for %#v", k, src.peek(k), v)
				}
			}
		})
	}
	if _, err := newEventSource(map[string]any{"nan": math.NaN()}); err == nil {
		t.Fatal("NaN accepted")
	}
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

// The caller's event is only read: scripts' writes, api calls and the
// engine's own reads leave it as it was.
func TestEventSourceLeavesCallerEventAlone(t *testing.T) {
	ev := event(map[string]any{"authorization.roles": []string{"admin"}, "stats.logins_count": 3})
	before, _ := json.Marshal(ev)
	out := runJS(t, Input{Event: ev}, Options{}, `exports.onExecutePostLogin = async (event, api) => {
		console.log(JSON.stringify(event.authorization.roles), event.stats.logins_count === 3);
		event.user.email = "x"; event.authorization.roles.push("root"); event.user.user_metadata.k = 1;
		api.user.setUserMetadata("a", 1); api.transaction.setMetadata("t", "v") }`)
	wantOK(t, out)
	if got := consoleOf(out); got[0] != `["admin"] true` {
		t.Fatalf("console %v", got)
	}
	if after, _ := json.Marshal(ev); string(after) != string(before) {
		t.Fatalf("caller's event changed:\n%s\n%s", before, after)
	}
	if _, ok := ev["authorization"].(map[string]any)["roles"].([]string); !ok {
		t.Fatal("caller's roles replaced")
	}
}

func TestEventSourceRefusesNonJSON(t *testing.T) {
	out := runJS(t, Input{Event: map[string]any{"user": map[string]any{"n": math.Inf(1)}}}, Options{}, `exports.onExecutePostLogin = async () => {}`)
	if out.Err == nil || len(out.Logs) != 0 {
		t.Fatalf("err %v, logs %v", out.Err, out.Logs)
	}
}

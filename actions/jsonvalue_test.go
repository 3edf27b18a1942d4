package actions

import (
	"encoding/json"
	"testing"

	"github.com/dop251/goja"
)

// TestJSONPrimitiveMatchesRoundTrip: the fast path of jsonValue gives what
// JSON.stringify and a JSON parse give.
func TestJSONPrimitiveMatchesRoundTrip(t *testing.T) {
	r := goja.New()
	for _, src := range []string{`"blue"`, `""`, `"\u00e9\u4e2d"`, `"\ud800"`, `"\ufffd"`, `true`, `false`, `0`, `-0`, `42`,
		`1.5`, `-7e-7`, `1e21`, `2**53 + 2`, `NaN`, `Infinity`, `-Infinity`, `null`, `undefined`, `new String("x")`,
		`Symbol("s")`, `10n`, `[1]`, `({})`} {
		v, err := r.RunString("(" + src + ")")
		if err != nil {
			t.Fatal(src, err)
		}
		val, ok, fast := jsonPrimitive(v)
		if !fast {
			continue
		}
		out, err := r.RunString("(v) => JSON.stringify(v)")
		if err != nil {
			t.Fatal(err)
		}
		fn, _ := goja.AssertFunction(out)
		s, err := fn(goja.Undefined(), v)
		if err != nil {
			t.Fatal(src, err)
		}
		if goja.IsUndefined(s) {
			if ok {
				t.Errorf("%s: fast path ok, JSON.stringify gives undefined", src)
			}
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(s.String()), &want); err != nil {
			t.Fatal(src, err)
		}
		gotJSON, _ := json.Marshal(val)
		wantJSON, _ := json.Marshal(want)
		if !ok || string(gotJSON) != string(wantJSON) {
			t.Errorf("%s: fast path %s (ok %v), round trip %s", src, gotJSON, ok, wantJSON)
		}
	}
}

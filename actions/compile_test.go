package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCompileSyntaxErrorNamesActionFileAndLine(t *testing.T) {
	tests := []struct{ src, prefix string }{
		{"exports.onExecutePostLogin = async (event, api) => {\n  const x = ;\n}", `action "add-roles" (actions/add-roles.js:2:13): SyntaxError: `},
		{"exports.x = (", `action "add-roles" (actions/add-roles.js:`},
		{"let a; let a;", `action "add-roles" (actions/add-roles.js:1:`},
	}
	for _, tt := range tests {
		_, err := Compile("add-roles", "actions/add-roles.js", []byte(tt.src), nil)
		if err == nil || !strings.HasPrefix(err.Error(), tt.prefix) {
			t.Fatalf("src %q: err %v, want prefix %q", tt.src, err, tt.prefix)
		}
	}
}

func TestCompileLimits(t *testing.T) {
	big := []byte("//" + strings.Repeat("x", MaxSourceBytes))
	if _, err := Compile("a", "a.js", big, nil); err == nil || !strings.Contains(err.Error(), "the limit is 100000") {
		t.Fatalf("size: %v", err)
	}
	many := map[string]string{}
	for i := range MaxSecrets + 1 {
		many[fmt.Sprint("K", i)] = "v"
	}
	for name, secrets := range map[string]map[string]string{
		"count": many,
		"key":   {strings.Repeat("k", 129): "v"},
		"value": {"K": strings.Repeat("v", 4097)},
	} {
		if _, err := Compile("a", "a.js", []byte(""), secrets); err == nil {
			t.Fatalf("%s limit not enforced", name)
		}
	}
	if _, err := Compile("a", "a.js", []byte(""), map[string]string{strings.Repeat("k", 128): strings.Repeat("v", 4096)}); err != nil {
		t.Fatalf("limits are inclusive: %v", err)
	}
	list := make([]*Action, MaxActions+1)
	for i := range list {
		list[i] = compileJS(t, "a", `exports.onExecutePostLogin = async () => {}`, nil)
	}
	wantErr(t, runActions(t, Input{}, Options{}, list...), "21 actions are bound, the limit is 20")
}

func TestCompiledActionIsSharedSafely(t *testing.T) {
	a := compileJS(t, "a", `let n = 0; exports.onExecutePostLogin = async (e, api) => { n++; api.idToken.setCustomClaim("https://x.test/n", n) }`, nil)
	for range 3 {
		out := runActions(t, Input{}, Options{}, a)
		if out.Commands.IDClaims["https://x.test/n"] != float64(1) {
			t.Fatalf("module state leaked: %v", out.Commands.IDClaims)
		}
	}
}

// TestActionsTestReport checks the JSON shape of interface.md §2.
func TestActionsTestReport(t *testing.T) {
	src, _ := os.ReadFile("testdata/seed/roles.js")
	a, err := Compile("add-roles", "actions/add-roles.js", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := Test(context.Background(), a, map[string]any{"authorization": map[string]any{"roles": []any{"admin"}}}, TestOptions{Now: saturday})
	b, _ := json.Marshal(rep)
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	var want map[string]any
	_ = json.Unmarshal([]byte(`{"action": "add-roles", "handler": "onExecutePostLogin", "ok": true, "error": null,
		"deny": null,
		"id_token_claims": {"https://my-app.example.com/roles": ["admin"]},
		"access_token_claims": {"https://my-app.example.com/roles": ["admin"]},
		"scopes_added": [], "scopes_removed": [],
		"user_metadata": {}, "app_metadata": {},
		"mfa": null, "redirect": null, "console": [], "duration_ms": 0.4}`), &want)
	if d, ok := got["duration_ms"].(float64); !ok || d <= 0 {
		t.Fatalf("duration_ms %v", got["duration_ms"])
	}
	got["duration_ms"] = 0.4
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("report\n%s", b)
	}

	// A minimal event file works; errors, denies and redirects are reported.
	broken := compileJS(t, "b", `exports.onExecutePostLogin = async (e, api) => {
		console.log(e.request.geoip.continentCode, e.user.user_metadata.x); api.access.deny("nope");
		api.redirect.sendUserTo("https://x.test/", {query: {a: 1}}); api.accessToken.addScope("a"); api.accessToken.removeScope("b") }`, nil)
	rep = Test(context.Background(), broken, map[string]any{}, TestOptions{})
	if !rep.OK || *rep.Deny != "nope" || rep.Redirect.URL != "https://x.test/?a=1" || rep.Console[0] != "undefined undefined" ||
		!reflect.DeepEqual(rep.ScopesAdded, []string{"a"}) || !reflect.DeepEqual(rep.ScopesRemoved, []string{"b"}) {
		t.Fatalf("report %+v", rep)
	}
	rep = Test(context.Background(), compileJS(t, "c", `exports.onExecutePostLogin = async () => { throw new Error("boom") }`, nil), nil, TestOptions{})
	if rep.OK || rep.Error == nil || *rep.Error != "boom" {
		t.Fatalf("report %+v", rep)
	}
	rep = Test(context.Background(), broken, nil, TestOptions{Continue: true})
	if rep.OK || rep.Handler != HandlerContinue || rep.Error == nil {
		t.Fatalf("continue without handler: %+v", rep)
	}
	start := time.Now()
	rep = Test(context.Background(), compileJS(t, "d", `exports.onExecutePostLogin = async () => { for (;;) {} }`, nil), nil,
		TestOptions{Options: Options{Timeout: 100 * time.Millisecond}})
	if rep.OK || *rep.Error != TimeoutMessage || time.Since(start) > time.Second {
		t.Fatalf("timeout report %+v", rep)
	}
}

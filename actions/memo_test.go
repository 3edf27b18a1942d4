package actions

import (
	"context"
	"slices"
	"testing"
)

func refreshRun(t *testing.T, trig *Trigger, ev map[string]any) *Outcome {
	t.Helper()
	out := trig.Run(context.Background(), Input{Event: ev, Flow: FlowRefresh, Now: saturday})
	wantOK(t, out)
	return out
}

func cached(out *Outcome) bool {
	return len(out.Logs) > 0 && !slices.ContainsFunc(out.Logs, func(l Log) bool { return !l.Cached })
}

// An identical refresh gets the earlier outcome (claims, console) without
// an execution; a changed input is executed again.
func TestMemoReusesIdenticalRefresh(t *testing.T) {
	a := compileJS(t, "roles", `exports.onExecutePostLogin = async (event, api) => {
		console.log("roles", event.authorization.roles.join(","));
		api.idToken.setCustomClaim("https://x.test/roles", event.authorization.roles);
	};`, nil)
	trig := NewTrigger([]*Action{a}, Options{})
	admin := event(map[string]any{"authorization.roles": []any{"admin"}})
	first := refreshRun(t, trig, admin)
	if cached(first) {
		t.Fatal("the first refresh was served from the memo")
	}
	again := refreshRun(t, trig, event(map[string]any{"authorization.roles": []any{"admin"}}))
	if !cached(again) {
		t.Fatalf("an identical refresh executed again: %+v", again.Logs)
	}
	if got := again.Commands.IDClaims["https://x.test/roles"]; !slices.Equal(got.([]any), []any{"admin"}) {
		t.Fatalf("reused claims %v", again.Commands.IDClaims)
	}
	if got := consoleOf(again); !slices.Equal(got, []string{"roles admin"}) {
		t.Fatalf("reused console %q", got)
	}
	// The caller owns what it gets: changing it changes no later outcome.
	again.Commands.IDClaims["https://x.test/roles"] = "tampered"
	again.Logs[0].Console[0] = "tampered"

	editor := refreshRun(t, trig, event(map[string]any{"authorization.roles": []any{"editor"}}))
	if cached(editor) || !slices.Equal(editor.Commands.IDClaims["https://x.test/roles"].([]any), []any{"editor"}) {
		t.Fatalf("changed roles: cached %v, claims %v", cached(editor), editor.Commands.IDClaims)
	}
	back := refreshRun(t, trig, admin)
	if !cached(back) || !slices.Equal(back.Commands.IDClaims["https://x.test/roles"].([]any), []any{"admin"}) ||
		!slices.Equal(consoleOf(back), []string{"roles admin"}) {
		t.Fatalf("back to admin: cached %v, claims %v, console %q", cached(back), back.Commands.IDClaims, consoleOf(back))
	}
}

// Whatever the event does not decide (the clock, Math.random, timers, the
// cache, module code reading the clock) makes every refresh execute.
func TestMemoNotWhenScriptsLookOutside(t *testing.T) {
	for name, src := range map[string]string{
		"Date.now":       `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("t", Date.now()); };`,
		"new Date":       `exports.onExecutePostLogin = async (e, api) => { if (new Date().getDay() === 6) api.idToken.setCustomClaim("sat", true); };`,
		"Math.random":    `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("r", Math.random() < 2); };`,
		"api.cache":      `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("c", api.cache.get("k") === undefined); };`,
		"setTimeout":     `exports.onExecutePostLogin = async (e, api) => { await new Promise((r) => setTimeout(r, 1)); };`,
		"module Date":    `const loadedOnSaturday = new Date().getDay() === 6; exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("s", loadedOnSaturday); };`,
		"recordMethod":   `exports.onExecutePostLogin = async (e, api) => { try { api.authentication.recordMethod("https://x.test/m"); } catch (err) {} };`,
		"redirect check": `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("can", api.redirect.canRedirect()); };`,
	} {
		t.Run(name, func(t *testing.T) {
			trig := NewTrigger([]*Action{compileJS(t, "a", src, nil)}, Options{})
			fullPool(t, trig) // module code runs in the pool too
			for i := range 3 {
				if out := refreshRun(t, trig, event(nil)); cached(out) {
					t.Fatalf("refresh %d reused an outcome", i)
				}
			}
		})
	}
}

// The outcome depends on the keys an execution read: another event that
// agrees on those keys (and has the same shape) takes the same path.
func TestMemoFollowsWhatWasRead(t *testing.T) {
	a := compileJS(t, "branch", `exports.onExecutePostLogin = async (event, api) => {
		if (event.authorization.roles.includes("admin")) {
			api.idToken.setCustomClaim("email", event.user.email);
		} else {
			api.idToken.setCustomClaim("email", "hidden");
		}
	};`, nil)
	trig := NewTrigger([]*Action{a}, Options{})
	ev := func(role, email string) map[string]any {
		return event(map[string]any{"authorization.roles": []any{role}, "user.email": email})
	}
	claim := func(out *Outcome) any { return out.Commands.IDClaims["email"] }
	if out := refreshRun(t, trig, ev("admin", "a@x.test")); cached(out) || claim(out) != "a@x.test" {
		t.Fatalf("admin a: %v %v", cached(out), claim(out))
	}
	if out := refreshRun(t, trig, ev("user", "a@x.test")); cached(out) || claim(out) != "hidden" {
		t.Fatalf("user a: %v %v", cached(out), claim(out))
	}
	// Did not read user: another user with the same roles takes the same path.
	if out := refreshRun(t, trig, ev("user", "b@x.test")); !cached(out) || claim(out) != "hidden" {
		t.Fatalf("user b: %v %v", cached(out), claim(out))
	}
	// Read user: another user is executed.
	if out := refreshRun(t, trig, ev("admin", "b@x.test")); cached(out) || claim(out) != "b@x.test" {
		t.Fatalf("admin b: %v %v", cached(out), claim(out))
	}
	// The event's keys are visible to scripts: an extra key is another event.
	extra := ev("user", "a@x.test")
	extra["organization"] = map[string]any{"id": "org_1"}
	if out := refreshRun(t, trig, extra); cached(out) {
		t.Fatal("an event with another key set reused an outcome")
	}
}

// Only completed refreshes are reused: not logins, not failures; a deny is
// an outcome like any other.
func TestMemoOnlyRefreshOutcomes(t *testing.T) {
	login := NewTrigger([]*Action{compileJS(t, "a", `exports.onExecutePostLogin = async () => {};`, nil)}, Options{})
	for range 2 {
		out := login.Run(context.Background(), Input{Event: event(nil), Flow: FlowLogin, Now: saturday})
		wantOK(t, out)
		if cached(out) {
			t.Fatal("a login reused an outcome")
		}
	}
	failing := NewTrigger([]*Action{compileJS(t, "a", `exports.onExecutePostLogin = async () => { throw new Error("no"); };`, nil)}, Options{})
	for range 2 {
		out := failing.Run(context.Background(), Input{Event: event(nil), Flow: FlowRefresh, Now: saturday})
		if out.Err == nil || cached(out) {
			t.Fatalf("failing refresh: err %v, cached %v", out.Err, cached(out))
		}
	}
	deny := NewTrigger([]*Action{compileJS(t, "a", `exports.onExecutePostLogin = async (e, api) => { api.access.deny("blocked " + e.authorization.roles.length); };`, nil)}, Options{})
	refreshRun(t, deny, event(nil))
	if out := refreshRun(t, deny, event(nil)); !cached(out) || out.Commands.Deny == nil || out.Commands.Deny.Reason != "blocked 0" {
		t.Fatalf("deny: cached %v, %+v", cached(out), out.Commands.Deny)
	}
	off := NewTrigger([]*Action{compileJS(t, "a", `exports.onExecutePostLogin = async () => {};`, nil)}, Options{NoMemo: true})
	refreshRun(t, off, event(nil))
	if cached(refreshRun(t, off, event(nil))) {
		t.Fatal("NoMemo reused an outcome")
	}
}

// The digest is the same exactly when the values are the same JSON.
func TestMemoDigestIsCanonical(t *testing.T) {
	d := func(v any) string {
		t.Helper()
		in, ok := inputOf(shapeOf(nil), []string{"k"}, map[string]any{"k": v})
		if !ok {
			t.Fatalf("%#v: no digest", v)
		}
		return string(in)
	}
	same := [][2]any{
		{3, 3.0}, {int64(1) << 40, float64(1 << 40)}, {-0.0, 0.0},
		{[]string{"a", "b"}, []any{"a", "b"}},
		{map[string]any{"x": 1, "y": "z"}, map[string]any{"y": "z", "x": 1.0}},
	}
	for _, p := range same {
		if d(p[0]) != d(p[1]) {
			t.Errorf("%#v and %#v differ", p[0], p[1])
		}
	}
	differ := [][2]any{
		{"a", []any{"a"}}, {map[string]any{"a": "b"}, map[string]any{"ab": ""}},
		{map[string]any(nil), map[string]any{}}, {[]any(nil), []any{}}, {nil, "null"},
		{[]any{"a", "b"}, []any{"ab"}}, {true, "true"}, {1.0, "1"}, {[]any{[]any{}}, []any{}},
	}
	for _, p := range differ {
		if d(p[0]) == d(p[1]) {
			t.Errorf("%#v and %#v digest alike", p[0], p[1])
		}
	}
	if _, ok := inputOf(shapeOf(nil), []string{"k"}, map[string]any{"k": "\xff"}); ok {
		t.Error("invalid UTF-8 got a digest")
	}
	if _, ok := inputOf(shapeOf(nil), []string{"k"}, map[string]any{"k": struct{}{}}); ok {
		t.Error("a non-JSON value got a digest")
	}
	// The shape is the key set and which keys hold objects, not the values.
	if shapeOf(map[string]any{"a": map[string]any{}, "b": 1}) != shapeOf(map[string]any{"b": 2, "a": map[string]any{"x": 1}}) {
		t.Error("same keys and kinds, different shapes")
	}
	if shapeOf(map[string]any{"a": map[string]any{}, "b": 1}) == shapeOf(map[string]any{"a": "s", "b": 1}) {
		t.Error("an object and a string under the same key, same shape")
	}
	if shapeOf(map[string]any{"a": map[string]any{}, "b": 1}) == shapeOf(map[string]any{"a": map[string]any{}}) {
		t.Error("another key set, same shape")
	}
	// A key read but absent differs from one holding null.
	a, _ := inputOf(shapeOf(nil), []string{"k"}, map[string]any{})
	b, _ := inputOf(shapeOf(nil), []string{"k"}, map[string]any{"k": nil})
	if string(a) == string(b) {
		t.Error("absent and null digest alike")
	}
}

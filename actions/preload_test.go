package actions

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// fullPool waits until trig's pool holds prepared sandboxes, as it does
// between logins on a server, so the next Run takes a preloaded one.
func fullPool(t *testing.T, trig *Trigger) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(trig.pool) < cap(trig.pool) {
		if time.Now().After(deadline) {
			t.Fatal("the sandbox pool did not fill")
		}
		time.Sleep(time.Millisecond)
	}
}

func runTrigger(t *testing.T, trig *Trigger, in Input) *Outcome {
	t.Helper()
	if in.Now.IsZero() {
		in.Now = saturday
	}
	if in.Event == nil {
		in.Event = event(nil)
	}
	return trig.Run(context.Background(), in)
}

// Module code runs once per sandbox, ahead of the login; each login still
// gets a sandbox nobody used, so module-level state starts over.
func TestPreloadedModulesServeEachExecutionOnce(t *testing.T) {
	a := compileJS(t, "counter", `
		globalThis.loads = (globalThis.loads || 0) + 1;
		let calls = 0;
		exports.onExecutePostLogin = async (event, api) => {
			calls++;
			api.idToken.setCustomClaim("loads", globalThis.loads);
			api.idToken.setCustomClaim("calls", calls);
		};`, nil)
	trig := NewTrigger([]*Action{a}, Options{})
	fullPool(t, trig)
	for i := range 3 {
		for _, sb := range poolSnapshot(trig) {
			if sb.modules == nil {
				t.Fatalf("run %d: a pooled sandbox has no preloaded module", i)
			}
		}
		out := runTrigger(t, trig, Input{})
		wantOK(t, out)
		if got := out.Commands.IDClaims; got["loads"] != float64(1) || got["calls"] != float64(1) {
			t.Fatalf("run %d: claims %v, want loads 1 and calls 1", i, got)
		}
		fullPool(t, trig)
	}
	if !trig.preload.Load() {
		t.Fatal("preloading was switched off for a module that only defines its exports")
	}
}

// poolSnapshot drains and refills the pool to look at its sandboxes.
func poolSnapshot(trig *Trigger) []*sandbox {
	var out []*sandbox
	for len(trig.pool) > 0 {
		out = append(out, <-trig.pool)
	}
	for _, sb := range out {
		trig.pool <- sb
	}
	return out
}

// Module code that uses the engine (console here, even inside try/catch)
// belongs to an execution: preloading stops and each login loads the module
// itself, so its console output is the login's, exactly once.
func TestPreloadFallsBackWhenModuleCodeUsesTheEngine(t *testing.T) {
	for name, src := range map[string]string{
		"console":    `console.log("loading");`,
		"caught":     `try { console.log("loading"); } catch (e) { globalThis.swallowed = e; }`,
		"setTimeout": `setTimeout(() => {}, 1);`,
		"require":    `try { require("axios"); } catch (e) { console.log("loading"); }`,
	} {
		t.Run(name, func(t *testing.T) {
			a := compileJS(t, "mod", src+`
				exports.onExecutePostLogin = async (event, api) => {
					api.idToken.setCustomClaim("swallowed", globalThis.swallowed === undefined ? "no" : "yes");
				};`, nil)
			trig := NewTrigger([]*Action{a}, Options{})
			fullPool(t, trig)
			if trig.preload.Load() {
				t.Fatal("preloading still on")
			}
			for _, sb := range poolSnapshot(trig) {
				if sb.modules != nil {
					t.Fatal("a pooled sandbox kept modules from module code that used the engine")
				}
			}
			out := runTrigger(t, trig, Input{})
			wantOK(t, out)
			if got := out.Commands.IDClaims["swallowed"]; got != "no" {
				t.Fatalf("the module saw an error from the aborted preload: swallowed=%v", got)
			}
			want := []string{"loading"}
			if name == "setTimeout" {
				want = nil
			}
			if got := consoleOf(out); !slices.Equal(got, want) {
				t.Fatalf("console %q, want %q", got, want)
			}
		})
	}
}

// A module that throws fails the login with its message, preloaded or not.
func TestPreloadModuleErrorFailsTheLogin(t *testing.T) {
	a := compileJS(t, "broken", `throw new Error("boom while loading");
		exports.onExecutePostLogin = async () => {};`, nil)
	trig := NewTrigger([]*Action{a}, Options{})
	fullPool(t, trig)
	wantErr(t, runTrigger(t, trig, Input{}), "boom while loading")
	wantErr(t, runTrigger(t, trig, Input{}), "boom while loading")
}

// Module code slower than maxPreload is left to the executions, which run it
// within their own budget.
func TestPreloadSlowModuleRunsWithTheExecution(t *testing.T) {
	a := compileJS(t, "slow", `
		const until = Date.now() + 300;
		while (Date.now() < until) {}
		exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("ok", true); };`, nil)
	trig := NewTrigger([]*Action{a}, Options{})
	fullPool(t, trig)
	if trig.preload.Load() {
		t.Fatal("preloading still on after module code ran past maxPreload")
	}
	out := trig.Run(context.Background(), Input{Event: event(nil)}) // the real clock: Date.now() advances
	wantOK(t, out)
	if out.Commands.IDClaims["ok"] != true {
		t.Fatalf("claims %v", out.Commands.IDClaims)
	}
}

// A resumed login starts at its action: the module code of the actions
// before it does not run, as without preloading.
func TestPreloadResumeRunsOnlyTheRemainingModules(t *testing.T) {
	first := compileJS(t, "first", `globalThis.firstLoaded = true;
		exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo("https://example.com/x"); };`, nil)
	second := compileJS(t, "second", `
		exports.onExecutePostLogin = async () => {};
		exports.onContinuePostLogin = async (event, api) => {
			api.idToken.setCustomClaim("first_loaded", globalThis.firstLoaded === true);
		};`, nil)
	trig := NewTrigger([]*Action{first, second}, Options{})
	fullPool(t, trig)
	out := runTrigger(t, trig, Input{Start: 1, Resume: true})
	wantOK(t, out)
	if got := out.Commands.IDClaims["first_loaded"]; got != false {
		t.Fatalf("first_loaded = %v: the resumed login ran the first action's module code", got)
	}
}

// The first action to read an event key gets it built straight from the
// caller's value, later ones from the execution's template: both must see
// the same event (nil maps and slices as null, ints as numbers, keys sorted).
func TestEventFirstReadMatchesTemplate(t *testing.T) {
	ev := event(map[string]any{
		"request.query":  map[string]any{"z": "last", "a": "first", "n": 3, "big": int64(1) << 40},
		"request.body":   map[string]any(nil),
		"request.list":   []string{"b", "a"},
		"request.nested": []any{map[string]any{"k": nil, "f": 1.5, "t": true}, []any(nil)},
		"authorization":  map[string]any{"roles": []string{"admin"}},
	})
	src := `exports.onExecutePostLogin = async (event, api) => {
		api.idToken.setCustomClaim("%s", JSON.stringify([event.request, event.authorization]));
	};`
	a1 := compileJS(t, "first", strings.Replace(src, "%s", "first", 1), nil)
	a2 := compileJS(t, "second", strings.Replace(src, "%s", "second", 1), nil)
	out := runActions(t, Input{Event: ev}, Options{}, a1, a2)
	wantOK(t, out)
	first, second := out.Commands.IDClaims["first"], out.Commands.IDClaims["second"]
	if first != second {
		t.Fatalf("first read %v\nsecond read %v", first, second)
	}
	if !strings.Contains(first.(string), `"body":null`) || !strings.Contains(first.(string), `"big":1099511627776`) {
		t.Fatalf("unexpected event %v", first)
	}
}

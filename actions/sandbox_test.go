package actions

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Sandbox invariants (security checklist group D). Each is its own test.

var shortBudget = Options{Timeout: 2 * time.Second}

func TestSandboxInfiniteLoopIsInterrupted(t *testing.T) {
	start := time.Now()
	out := runJS(t, Input{}, Options{Timeout: 300 * time.Millisecond}, `exports.onExecutePostLogin = async () => { while (true) {} }`)
	wantErr(t, out, TimeoutMessage)
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("interrupt took %v", el)
	}
	// The next execution on the same trigger runs normally (goja #589).
	wantOK(t, runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => {}`))
}

func TestSandboxTryCatchLoopIsInterrupted(t *testing.T) {
	out := runJS(t, Input{}, Options{Timeout: 300 * time.Millisecond},
		`exports.onExecutePostLogin = async () => { for (;;) { try { while (true) {} } catch (e) {} } }`)
	wantErr(t, out, TimeoutMessage)
}

func TestSandboxDeepRecursion(t *testing.T) {
	start := time.Now()
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => { function f() { return f() } f() }`)
	wantErr(t, out, "Maximum call stack size exceeded")
	if el := time.Since(start); el > time.Second {
		t.Fatalf("took %v", el)
	}
}

func TestSandboxMemoryBombs(t *testing.T) {
	bombs := map[string]string{
		"repeat":       `'x'.repeat(2 ** 30)`,
		"padStart":     `'a'.padStart(2 ** 30)`,
		"padEnd":       `'a'.padEnd(2 ** 30, 'b')`,
		"array fill":   `new Array(1e9).fill(0)`,
		"length fill":  `const a = []; a.length = 1e9; a.fill(0)`,
		"array join":   `const a = []; a.length = 2 ** 24; a.join('x'.repeat(100))`,
		"join strings": `Array(1000).fill('x'.repeat(1e6)).join()`,
		"arraybuffer":  `new ArrayBuffer(2 ** 31)`,
		"typed array":  `new Float64Array(2 ** 28)`,
		"typed from":   `new Uint8Array({length: 2 ** 31})`,
		"doubling":     `for (var x = 'X', a = []; ; a.push(x += x));`,
		"push loop":    `const a = []; for (;;) a.push({x: 'some string ' + a.length})`,
	}
	for name, src := range bombs {
		t.Run(name, func(t *testing.T) {
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			out := runJS(t, Input{}, Options{Timeout: 10 * time.Second, MaxMemory: 16 << 20},
				`exports.onExecutePostLogin = async () => { `+src+` }`)
			if out.Err == nil {
				t.Fatal("bomb did not fail the execution")
			}
			msg := out.Err.Error()
			if !strings.Contains(msg, "Invalid") && !strings.Contains(msg, "allocation failed") && !strings.Contains(msg, "memory limit") {
				t.Fatalf("unexpected error %q", msg)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			t.Logf("%s: %q after %v, heap in use %d MiB", name, msg, time.Since(start).Round(time.Millisecond), after.HeapInuse>>20)
			// The interrupt lands after the native step in flight, and on a
			// loaded machine the sampler may be late: allow a wide margin
			// over MaxMemory, far below what the bombs would take.
			if after.HeapInuse > before.HeapInuse+512<<20 {
				t.Fatalf("heap grew by %d MiB", (after.HeapInuse-before.HeapInuse)>>20)
			}
		})
		runtime.GC()
	}
}

func TestSandboxGuardsKeepNormalBehaviour(t *testing.T) {
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => {
		console.log('ab'.repeat(3), '5'.padStart(3, '0'), '5'.padEnd(3, '.'), [1, 2, 3].join('-'), [1, [2, 3]].join(),
			new Array(3).fill(7).join(), Array(2).length, Array.from({length: 2}, (_, i) => i).join(), new Uint8Array([1, 2]).length,
			new Uint8Array(4).buffer.byteLength, [] instanceof Array, Array.isArray(new Array(1)), new ArrayBuffer(8) instanceof ArrayBuffer,
			Array.prototype.fill.call({length: 2}, 1)[1], String([null, undefined, 1]));
		class MyArr extends Array {}
		console.log(new MyArr() instanceof MyArr, new Date(2025, 0, 4, 12).toISOString(), new Date("2025-01-04T12:00").getHours(),
			Date.parse("2025-01-04"), typeof Date(), new Date(0).getTimezoneOffset()) }`)
	wantOK(t, out)
	want := []string{
		"ababab 005 5.. 1-2-3 1,2,3 7,7,7 2 0,1 2 4 true true true 1 ,,1",
		"true 2025-01-04T12:00:00.000Z 12 1735948800000 string 0",
	}
	if got := consoleOf(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("console\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSandboxPollutionDoesNotReachNextExecution(t *testing.T) {
	trig := NewTrigger([]*Action{compileJS(t, "p", `exports.onExecutePostLogin = async (e, api) => {
		console.log(String(({}).isAdmin), String(globalThis.leaked), JSON.parse("1"), typeof String.prototype.evil);
		Object.prototype.isAdmin = true; JSON.parse = () => "owned"; globalThis.leaked = e.user.email;
		String.prototype.evil = 1; Array.prototype.join = () => "owned" }`, nil)}, Options{})
	for i := range 3 {
		out := trig.Run(context.Background(), Input{Event: event(map[string]any{"user.email": fmt.Sprint("u", i, "@x.test")}), Now: saturday})
		wantOK(t, out)
		if got := consoleOf(out); got[0] != "undefined undefined 1 undefined" {
			t.Fatalf("execution %d saw pollution: %v", i, got)
		}
	}
}

func TestSandboxIsolateActionsSeparatesActionsOfOneLogin(t *testing.T) {
	polluter := `exports.onExecutePostLogin = async () => { Object.prototype.isAdmin = true; globalThis.leak = 1 }`
	reader := `exports.onExecutePostLogin = async () => { console.log(String(({}).isAdmin), typeof leak) }`
	out := runJS(t, Input{}, Options{IsolateActions: true}, polluter, reader)
	wantOK(t, out)
	if got := consoleOf(out); got[0] != "undefined undefined" {
		t.Fatalf("isolated action saw %v", got)
	}
	// Default: actions of one login share a runtime, as modules of one process.
	out = runJS(t, Input{}, Options{}, polluter, reader)
	if got := consoleOf(out); got[0] != "true number" {
		t.Fatalf("shared runtime: %v", got)
	}
}

func TestSandboxNoHostAccess(t *testing.T) {
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async (e, api) => {
		for (const m of ['fs', '/etc/hostname', './x', 'child_process', 'axios']) {
			try { require(m); console.log("loaded " + m) } catch (err) { console.log(err.message, err.code) }
		}
		console.log(typeof process, typeof globalThis.os, typeof Deno, typeof __dirname === 'string' && __dirname === '');
		console.log(api.constructor.constructor("return typeof process")()) }`)
	wantOK(t, out)
	want := "Cannot find module 'fs' MODULE_NOT_FOUND|Cannot find module '/etc/hostname' MODULE_NOT_FOUND|" +
		"Cannot find module './x' MODULE_NOT_FOUND|Cannot find module 'child_process' MODULE_NOT_FOUND|" +
		"Cannot find module 'axios' MODULE_NOT_FOUND|undefined undefined undefined true|undefined"
	if got := strings.Join(consoleOf(out), "|"); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestSandboxAPIExposesNoGoMethods(t *testing.T) {
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async (e, api) => {
		console.log(Object.getOwnPropertyNames(api.access).join(), Object.getOwnPropertyNames(e).sort().join()) }`)
	wantOK(t, out)
	got := consoleOf(out)[0]
	if !strings.HasPrefix(got, "deny ") || strings.ContainsAny(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") && strings.Contains(got, "Run") {
		t.Fatalf("surface %q", got)
	}
}

func TestSandboxConcurrentLoginsDoNotShareData(t *testing.T) {
	trig := NewTrigger([]*Action{compileJS(t, "c", `exports.onExecutePostLogin = async (e, api) => {
		globalThis.who = e.user.user_id;
		await new Promise(r => setTimeout(r, 1));
		api.idToken.setCustomClaim("https://x.test/who", globalThis.who + "|" + e.user.user_id) }`, nil)}, Options{})
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("auth0|", i)
			out := trig.Run(context.Background(), Input{Event: event(map[string]any{"user.user_id": id}), Now: saturday})
			if out.Err != nil || out.Commands.IDClaims["https://x.test/who"] != id+"|"+id {
				errs <- fmt.Sprint(out.Err, out.Commands.IDClaims)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestSandboxGoPanicBecomesLoginError(t *testing.T) {
	// A cache backend that panics stands in for any Go callback bug.
	out := runJS(t, Input{}, Options{Cache: &panicCache{}}, `exports.onExecutePostLogin = async (e, api) => { api.cache.get("k") }`)
	if out.Err == nil || !strings.HasPrefix(out.Err.Error(), "internal error:") {
		t.Fatalf("err %v", out.Err)
	}
}

type panicCache struct{ MemoryCache }

func (*panicCache) Get(context.Context, string) (CacheRecord, bool, error) { panic("backend bug") }

package actions

import (
	"strings"
	"testing"
	"time"
)

// The sandbox global is a plain object over a builtins object (globals.go),
// not goja's own global. Every way a script can name "the global object" or a
// built-in must land on the sandbox's guarded values, never on goja's global
// or an unguarded constructor.

// globalRoutes are the expressions that evaluate to the global object.
var globalRoutes = map[string]string{
	"globalThis":                 `globalThis`,
	"module this":                `moduleThis`,
	"sloppy function this":       `(function () { return this })()`,
	"Function":                   `Function('return this')()`,
	"new Function":               `new Function('return this')()`,
	"constructor chain":          `({}).constructor.constructor('return this')()`,
	"api constructor chain":      `api.constructor.constructor('return this')()`,
	"indirect eval":              `(0, eval)('this')`,
	"direct eval":                `eval('(function () { return this })()')`,
	"Reflect.apply":              `Reflect.apply(Function('return this'), undefined, [])`,
	"call with null":             `(function () { return this }).call(null)`,
	"bound":                      `(function () { return this }).bind(undefined)()`,
	"generator function":         `Object.getPrototypeOf(function* () {}).constructor('yield this')().next().value`,
	"globalThis.globalThis":      `globalThis.globalThis`,
	"Function in global code":    `Function('return Function("return this")()')()`,
	"setTimeout-free getter":     `Object.getOwnPropertyDescriptor(globalThis, 'globalThis').value`,
	"arrow at module level":      `(() => this)()`,
	"indirect eval nested":       `(0, eval)('(0, eval)("this")')`,
	"Function.prototype.call":    `Function.prototype.call.call(function () { return this })`,
	"Reflect.get globalThis":     `Reflect.get(Function('return this')(), 'globalThis')`,
	"getter on Object.prototype": `(() => { Object.defineProperty(Object.prototype, '__g', { get() { return this }, configurable: true }); const g = Function('return __g')(); delete Object.prototype.__g; return g })()`,
}

func TestGlobalEveryRouteIsTheSandboxGlobal(t *testing.T) {
	for name, expr := range globalRoutes {
		t.Run(name, func(t *testing.T) {
			out := runJS(t, Input{}, shortBudget, `const moduleThis = this;
			exports.onExecutePostLogin = async (event, api) => {
				const g = `+expr+`;
				const P = Object.getPrototypeOf(g);
				console.log(g === globalThis, P === Object.getPrototypeOf(globalThis), Object.getPrototypeOf(P) === Object.prototype,
					g.ArrayBuffer === ArrayBuffer, g.Uint8Array === Uint8Array, g.Date === Date, g.Array === Array,
					P.ArrayBuffer === ArrayBuffer, P.Float64Array === Float64Array, P.Date === Date, P.Array === undefined,
					Function('return ArrayBuffer')() === ArrayBuffer, (0, eval)('Date') === Date) }`)
			wantOK(t, out)
			if got := consoleOf(out)[0]; got != strings.TrimSpace(strings.Repeat("true ", 13)) {
				t.Fatalf("%s: %s", expr, got)
			}
		})
	}
}

// The guards hold whichever way a built-in is reached, including before the
// script ever named it and through the builtins object itself.
func TestGlobalGuardsHoldOnEveryRoute(t *testing.T) {
	bombs := map[string]string{
		"builtins ArrayBuffer":       `new (Object.getPrototypeOf(globalThis).ArrayBuffer)(2 ** 31)`,
		"builtins Float64Array":      `new (Object.getPrototypeOf(globalThis).Float64Array)(2 ** 28)`,
		"Function ArrayBuffer":       `new (Function('return ArrayBuffer')())(2 ** 31)`,
		"indirect eval typed array":  `(0, eval)('new Int32Array(2 ** 29)')`,
		"Reflect.construct":          `Reflect.construct(Uint8Array, [2 ** 31])`,
		"Reflect.get":                `new (Reflect.get(Reflect.getPrototypeOf(globalThis), 'BigInt64Array'))(2 ** 28)`,
		"buffer constructor":         `new (new Uint8Array(4).buffer.constructor)(2 ** 31)`,
		"encoder buffer":             `new (new TextEncoder().encode('x').buffer.constructor)(2 ** 31)`,
		"encoder, own Uint8Array":    `globalThis.Uint8Array = function (ab) { this.ab = ab }; new (new TextEncoder().encode('x').buffer.constructor)(2 ** 31)`,
		"encoder, builtins replaced": `Object.getPrototypeOf(globalThis).Uint8Array = function (ab) { this.ab = ab }; const x = new TextEncoder().encode('x'); new ((x.ab || x.buffer).constructor)(2 ** 31)`,
		"typed array constructor":    `new (new Int16Array(1).constructor)(2 ** 30)`,
		"subarray constructor":       `new (new Uint8Array(8).subarray(0).constructor)(2 ** 31)`,
		"typed from":                 `Float32Array.from({length: 2 ** 29})`,
		"subclass":                   `class B extends Object.getPrototypeOf(globalThis).ArrayBuffer {}; new B(2 ** 31)`,
		"repeat via Function":        `Function('return "x".repeat(2 ** 30)')()`,
		"repeat via prototype":       `Object.getPrototypeOf(Function('return ""')()).repeat.call('x', 2 ** 30)`,
		"Array via Function":         `new (Function('return Array')())(1e9).fill(0)`,
		"array literal constructor":  `new ([].constructor)(1e9).fill(0)`,
		"DataView first":             `new (new DataView(new ArrayBuffer(8)).buffer.constructor)(2 ** 31)`,
		"after shadowing":            `globalThis.ArrayBuffer = 1; delete globalThis.ArrayBuffer; new ArrayBuffer(2 ** 31)`,
		"after deleting builtin":     `delete Object.getPrototypeOf(globalThis).ArrayBuffer; new (new Uint8Array(1).buffer.constructor)(2 ** 31)`,
		"join, own String":           `const big = 'x'.repeat(1000); globalThis.String = () => ({ toString: () => big }); const a = []; a.length = 20000; a.join(big)`,
		"join elements, own String":  `const big = 'x'.repeat(1000); globalThis.String = () => ''; new Array(20000).fill({ toString: () => big }).join('')`,
		"with builtins":              `(0, eval)('with (Object.getPrototypeOf(globalThis)) { new Uint32Array(2 ** 30) }')`,
	}
	for name, src := range bombs {
		t.Run(name, func(t *testing.T) {
			out := runJS(t, Input{}, Options{Timeout: 10 * time.Second, MaxMemory: 16 << 20},
				`exports.onExecutePostLogin = async () => { `+src+` }`)
			if out.Err == nil {
				t.Fatal("bomb did not fail the execution")
			}
			msg := out.Err.Error()
			// The guard refused it; "memory limit" would mean it ran and the
			// watchdog caught it afterwards.
			if !strings.Contains(msg, "Invalid") && !strings.Contains(msg, "allocation failed") {
				t.Fatalf("unexpected error %q", msg)
			}
		})
	}
}

// The global behaves like Node's for what scripts commonly check.
func TestGlobalShape(t *testing.T) {
	out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => {
		console.log(Object.prototype.toString.call(globalThis), typeof SharedArrayBuffer, typeof process, 'Map' in globalThis,
			typeof Map, typeof Symbol.iterator, typeof Reflect.ownKeys, typeof structuredClone, typeof WebAssembly);
		undefined = 1; NaN = 2; Infinity = 3;
		console.log(typeof undefined, String(NaN), String(Infinity), Object.getOwnPropertyDescriptor(globalThis, 'undefined').writable);
		Map = 'mine';
		console.log(Map, globalThis.Map, delete globalThis.Map, typeof Map);
		for (const k in globalThis) if (/^[A-Z]/.test(k)) console.log('enumerable built-in', k);
		console.log(Object.keys(globalThis).sort().join());
		globalThis.Date = 5;
		console.log(Date, Function('return Date')()) }`)
	wantOK(t, out)
	want := []string{
		"[object global] undefined undefined true function symbol function undefined undefined",
		"undefined NaN Infinity false",
		"mine mine true function",
		"atob,btoa,clearImmediate,clearTimeout,console,fetch,require,setImmediate,setTimeout",
		"5 5",
	}
	if got := consoleOf(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("console\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The lazily built globals work, whichever is read first and however.
func TestGlobalLazyGlobalsWork(t *testing.T) {
	for name, first := range map[string]string{"TextDecoder first": `TextDecoder`, "URL first": `URL`, "via builtins": `Object.getPrototypeOf(globalThis).URLSearchParams`} {
		t.Run(name, func(t *testing.T) {
			out := runJS(t, Input{}, shortBudget, `exports.onExecutePostLogin = async () => {
				void `+first+`;
				const u = new URL('https://a.test/p?x=1&y=two');
				u.searchParams.set('x', '3');
				const bytes = new TextEncoder().encode('hé');
				console.log(u.href, new URLSearchParams({a: 'b c'}).toString(), bytes.length, bytes instanceof Uint8Array,
					new TextDecoder().decode(bytes), new Date(0).toISOString(), new Float64Array([1.5])[0], new DataView(new ArrayBuffer(4)).byteLength) }`)
			wantOK(t, out)
			if got := consoleOf(out)[0]; got != "https://a.test/p?x=3&y=two a=b+c 3 true hé 1970-01-01T00:00:00.000Z 1.5 4" {
				t.Fatal(got)
			}
		})
	}
}

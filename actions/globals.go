package actions

import (
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
)

var (
	//go:embed js/prelude.js
	preludeSrc string
	//go:embed js/url.js
	urlSrc string

	// Compiled once; a goja.Program is immutable and shareable.
	preludeProgram = goja.MustCompile("prelude.js", preludeSrc, true)
	urlProgram     = goja.MustCompile("url.js", urlSrc, true)
)

const gojaPkg = "github.com/dop251/goja"

// sandbox is one goja runtime with the engine's globals installed. It serves
// the actions of one execution (or one action with Options.IsolateActions)
// and is then dropped; cur is the action running in it.
type sandbox struct {
	r   *goja.Runtime
	cur *actionRun
	// intrinsics captured before any script runs, so a script replacing
	// globals cannot change how the engine throws or serializes.
	errorCtor, typeErrorCtor, rangeErrorCtor goja.Value
	parse                                    goja.Callable
	// nativeStringify is goja's own JSON.stringify; the engine calls it
	// through stringify (jsonsize.go), which bounds the output.
	nativeStringify goja.Callable
	json            jsonBudget
	// api holds the Go functions behind the api objects (see buildAPI).
	api      []apiFuncs
	apiOwner map[*goja.Object]*actionRun
	// eventAcc are the accessors of the lazily built event objects, and
	// eventOwner the action of each event (see buildEvent).
	eventAcc   map[string]eventAccessor
	eventOwner map[*goja.Object]*actionRun
	// apiShells and eventShells are api and event objects made ahead with
	// their accessors (prepareShells), one per action the sandbox will run.
	apiShells, eventShells []*goja.Object
	// modules are the actions' module.exports when their module code ran
	// while the sandbox was prepared (preload.go); nil otherwise.
	modules []*goja.Object
	// preloading is set while module code runs ahead of an execution; any
	// Go callback then aborts the preload (touched).
	preloading, touched bool
	// now is the clock scripts read (Date); moduleOutside is set when the
	// preloaded module code read the clock or Math.random.
	now           func() time.Time
	moduleOutside bool
}

// lookedOutside records that the script read something besides the event
// (the clock, Math.random, the network…): its outcome cannot be reused.
func (sb *sandbox) lookedOutside() {
	switch {
	case sb.cur != nil:
		sb.cur.ex.outside = true
	case sb.preloading:
		sb.moduleOutside = true
	}
}

// prepareShells makes the api and event objects of n actions ahead of time:
// their accessors are most of what building them costs, and a pooled
// sandbox is built off the login's critical path. An object with no owner
// yet is unreachable from scripts (no action code has run in the sandbox).
func (sb *sandbox) prepareShells(n int) {
	for range n {
		sb.apiShells = append(sb.apiShells, sb.newAPIShell())
		ev := sb.r.NewObject()
		for _, k := range shellKeys {
			acc := sb.eventAcc[k]
			_ = ev.DefineAccessorProperty(k, acc.get, acc.set, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		sb.eventShells = append(sb.eventShells, ev)
	}
	sb.prepareNamespaces(n)
}

// takeShell pops a prepared object, or returns nil.
func (sb *sandbox) takeShell(shells *[]*goja.Object) *goja.Object {
	n := len(*shells)
	if n == 0 {
		return nil
	}
	obj := (*shells)[n-1]
	*shells = (*shells)[:n-1]
	return obj
}

// newSandbox gives a fresh runtime what Node-flavoured Actions expect and
// nothing else: no process, no file system, no module loader. It runs no
// action code, so it may be built ahead of time (see pool.go).
//
// Scripts never see goja's own global object. They get a plain object that
// holds the engine's globals, whose prototype is a builtins object serving
// the ECMAScript built-ins on first read: goja builds a built-in when its
// name is first touched on its global, and defining a guard there touches it,
// so guarding ArrayBuffer, the typed arrays and Date in place cost every
// execution ~60 µs whether or not it used them. Here the guarded ones come
// from the prelude's provide() and the rest from goja's global, each when a
// script first reads it; nothing else holds goja's global.
func newSandbox(opts Options) (*sandbox, error) {
	r := goja.New()
	r.SetMaxCallStackSize(opts.MaxCallStack)
	sb := &sandbox{r: r, now: opts.Now}
	random := opts.Rand
	if random == nil {
		random = rand.Float64
	}
	r.SetRandSource(func() float64 { sb.lookedOutside(); return random() })
	r.SetTimeSource(func() time.Time { sb.lookedOutside(); return sb.now() })
	orig := r.GlobalObject()
	sb.errorCtor = orig.Get("Error")
	sb.typeErrorCtor = orig.Get("TypeError")
	sb.rangeErrorCtor = orig.Get("RangeError")
	jsonObj := orig.Get("JSON").ToObject(r)
	sb.parse, _ = goja.AssertFunction(jsonObj.Get("parse"))
	sb.nativeStringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
	sb.json.maxChars = int(opts.MaxMemory / 4)

	bi := &builtins{sb: sb, orig: orig, vals: make(map[string]goja.Value, 16)}
	global := r.NewObject()
	if err := global.SetPrototype(r.NewDynamicObject(bi)); err != nil {
		return nil, err
	}
	for _, name := range []string{"undefined", "NaN", "Infinity"} {
		if err := global.DefineDataProperty(name, orig.Get(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
			return nil, err
		}
	}
	// (value, writable, configurable, enumerable) as on goja's global
	_ = global.DefineDataPropertySymbol(goja.SymToStringTag, r.ToValue("global"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = global.DefineDataProperty("globalThis", global, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = global.Set("console", sb.newConsole())
	_ = global.Set("require", sb.kindFn(usesEngine, func(c goja.FunctionCall) goja.Value {
		name := c.Argument(0).String()
		e := sb.newError(sb.errorCtor, fmt.Sprintf("Cannot find module '%s'", name))
		_ = e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	}))
	_ = global.Set("setTimeout", sb.fn(func(c goja.FunctionCall) goja.Value { return sb.cur.setTimeout(c) }))
	_ = global.Set("setImmediate", sb.fn(func(c goja.FunctionCall) goja.Value {
		args := append([]goja.Value{c.Argument(0), r.ToValue(0)}, c.Arguments[min(1, len(c.Arguments)):]...)
		return sb.cur.setTimeout(goja.FunctionCall{This: c.This, Arguments: args})
	}))
	clear := sb.fn(func(c goja.FunctionCall) goja.Value {
		sb.cur.loop.clearTimeout(c.Argument(0).ToInteger())
		return goja.Undefined()
	})
	_ = global.Set("clearTimeout", clear)
	_ = global.Set("clearImmediate", clear)
	_ = global.Set("btoa", sb.pureFn(sb.btoa))
	_ = global.Set("atob", sb.pureFn(sb.atob))
	_ = global.Set("fetch", sb.fn(func(c goja.FunctionCall) goja.Value { return sb.cur.fetch(c) }))

	// The prelude runs while goja's global is still current (it reads the
	// original built-ins by name); scripts only ever run on ours.
	prelude, err := r.RunProgram(preludeProgram)
	if err != nil {
		return nil, err
	}
	run, _ := goja.AssertFunction(prelude)
	limit := opts.MaxMemory
	provide, err := run(goja.Undefined(), global, orig,
		r.ToValue(limit/4),  // max string length
		r.ToValue(limit/32), // max array length (goja values are 16+ bytes)
		r.ToValue(limit/4),  // max ArrayBuffer bytes
		sb.pureFn(sb.apply),
		sb.pureFn(sb.construct),
		r.NewArray(goja.SymReplace, goja.SymSplit, goja.SymIterator, goja.SymIsConcatSpreadable),
		r.ToValue(isPlainArray),
	)
	if err != nil {
		return nil, err
	}
	if bi.provide, _ = goja.AssertFunction(provide); bi.provide == nil {
		return nil, errors.New("actions: prelude returned no provider")
	}
	r.SetGlobalObject(global)
	sb.initAPI()
	sb.initEvent()
	return sb, nil
}

// Where the builtins object gets a name from: goja's global, or the
// prelude's provide() for the guarded ones. Array is neither: the prelude
// puts the guarded Array on the sandbox global itself.
const (
	fromGoja = iota + 1
	fromPrelude
)

var builtinNames = map[string]int{
	"Object": fromGoja, "Function": fromGoja, "String": fromGoja, "Number": fromGoja, "BigInt": fromGoja,
	"RegExp": fromGoja, "Boolean": fromGoja, "Proxy": fromGoja, "Reflect": fromGoja, "Error": fromGoja,
	"AggregateError": fromGoja, "TypeError": fromGoja, "ReferenceError": fromGoja, "SyntaxError": fromGoja,
	"RangeError": fromGoja, "EvalError": fromGoja, "URIError": fromGoja, "GoError": fromGoja,
	"eval": fromGoja, "Math": fromGoja, "JSON": fromGoja, "Symbol": fromGoja, "WeakSet": fromGoja,
	"WeakMap": fromGoja, "Map": fromGoja, "Set": fromGoja, "Promise": fromGoja,
	"isNaN": fromGoja, "parseInt": fromGoja, "parseFloat": fromGoja, "isFinite": fromGoja,
	"decodeURI": fromGoja, "decodeURIComponent": fromGoja, "encodeURI": fromGoja,
	"encodeURIComponent": fromGoja, "escape": fromGoja, "unescape": fromGoja,

	"Date": fromPrelude, "ArrayBuffer": fromPrelude, "DataView": fromPrelude, "Int8Array": fromPrelude,
	"Uint8Array": fromPrelude, "Uint8ClampedArray": fromPrelude, "Int16Array": fromPrelude,
	"Uint16Array": fromPrelude, "Int32Array": fromPrelude, "Uint32Array": fromPrelude,
	"Float32Array": fromPrelude, "Float64Array": fromPrelude, "BigInt64Array": fromPrelude,
	"BigUint64Array": fromPrelude, "URL": fromPrelude, "URLSearchParams": fromPrelude,
	"TextEncoder": fromPrelude, "TextDecoder": fromPrelude,
}

// builtins is the prototype of the sandbox global (a goja DynamicObject):
// the built-ins, each fetched once on first read. A script that assigns a
// built-in's name creates an own property of the global that shadows it, as
// with any prototype; writes and deletes on the builtins object itself only
// change what it serves. It lists no keys, so for-in over globalThis shows
// no built-ins, as in Node where they are not enumerable.
type builtins struct {
	sb      *sandbox
	orig    *goja.Object
	provide goja.Callable
	helpers []goja.Value          // provide's Go helpers, made on its first call
	vals    map[string]goja.Value // fetched, or written by a script
	deleted map[string]bool
}

func (b *builtins) Get(key string) goja.Value {
	if v, ok := b.vals[key]; ok {
		return v
	}
	src := builtinNames[key]
	if src == 0 || b.deleted[key] {
		return nil
	}
	var v goja.Value
	if src == fromGoja {
		v = b.orig.Get(key)
	} else {
		sb := b.sb
		if b.helpers == nil {
			b.helpers = []goja.Value{
				sb.pureFn(sb.loadURL),
				sb.pureFn(func(c goja.FunctionCall) goja.Value {
					return sb.r.ToValue(sb.r.NewArrayBuffer([]byte(c.Argument(0).String())))
				}),
				sb.pureFn(sb.utf8Decode),
			}
		}
		args := append([]goja.Value{sb.r.ToValue(key)}, b.helpers...)
		var err error
		if v, err = b.provide(goja.Undefined(), args...); err != nil {
			panic(err) // an interrupt or stack overflow while building the guard
		}
	}
	b.vals[key] = v
	return v
}

func (b *builtins) Set(key string, val goja.Value) bool {
	b.vals[key] = val
	delete(b.deleted, key)
	return true
}

func (b *builtins) Has(key string) bool {
	if _, ok := b.vals[key]; ok {
		return true
	}
	return builtinNames[key] != 0 && !b.deleted[key]
}

func (b *builtins) Delete(key string) bool {
	delete(b.vals, key)
	if builtinNames[key] != 0 {
		if b.deleted == nil {
			b.deleted = map[string]bool{}
		}
		b.deleted[key] = true
	}
	return true
}

func (b *builtins) Keys() []string { return nil }

// apply(fn, this, args) for the prelude's guards.
func (sb *sandbox) apply(c goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		sb.throwType("not a function")
	}
	v, err := fn(c.Argument(1), sb.arrayArgs(c.Argument(2))...)
	if err != nil {
		panic(err)
	}
	return v
}

// construct(Ctor, args, newTarget) for the prelude's guards. A subclass
// new.target gets its prototype on the result.
func (sb *sandbox) construct(c goja.FunctionCall) goja.Value {
	obj, err := sb.r.New(c.Argument(0), sb.arrayArgs(c.Argument(1))...)
	if err != nil {
		panic(err)
	}
	if nt, ok := c.Argument(2).(*goja.Object); ok {
		if proto, ok := nt.Get("prototype").(*goja.Object); ok && proto != obj.Prototype() {
			_ = obj.SetPrototype(proto)
		}
	}
	return obj
}

var proxyType = reflect.TypeOf(goja.Proxy{})

// isPlainArray(v) for the prelude's guards: v is an Array exotic object and
// not a Proxy (Array.isArray is true for a Proxy of an array too, whose
// length a trap can change between the guard's read and the native's).
func isPlainArray(c goja.FunctionCall) goja.Value {
	if o, ok := c.Argument(0).(*goja.Object); ok && o.ClassName() == "Array" && o.ExportType() != proxyType {
		return valueTrue
	}
	return valueFalse
}

var valueTrue, valueFalse = goja.New().ToValue(true), goja.New().ToValue(false)

func (sb *sandbox) arrayArgs(v goja.Value) []goja.Value {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	n := obj.Get("length").ToInteger()
	out := make([]goja.Value, n)
	for i := range out {
		out[i] = obj.Get(strconv.Itoa(i))
	}
	return out
}

// What a Go callback does beyond computing its result from its arguments.
const (
	// usesEngine: it acts on the running action (console, api, timers,
	// fetch, require), so module code calling it cannot be preloaded.
	usesEngine = 1 << iota
	// outside: its result depends on more than the event and the script
	// (time, timers, the network, the cache), so the execution's outcome
	// may not be reused (memo.go).
	outside
)

// fn wraps a Go callback that acts on the running action and may look
// outside (see kinds); pureFn one that only computes (the prelude's
// helpers), and kindFn anything in between.
func (sb *sandbox) fn(f func(goja.FunctionCall) goja.Value) goja.Value {
	return sb.kindFn(usesEngine|outside, f)
}

func (sb *sandbox) pureFn(f func(goja.FunctionCall) goja.Value) goja.Value {
	return sb.kindFn(0, f)
}

// kindFn wraps a Go callback so a Go panic becomes a JS Error (a login
// failure) instead of crashing the server. goja's own panics (throws,
// interrupts) pass through untouched.
func (sb *sandbox) kindFn(kind int, f func(goja.FunctionCall) goja.Value) goja.Value {
	return sb.r.ToValue(func(c goja.FunctionCall) goja.Value {
		if kind&usesEngine != 0 && sb.preloading {
			// Module code that logs, sets timers, fetches or requires
			// runs with its execution instead (preload.go). An interrupt,
			// unlike a throw, cannot be caught by the script.
			sb.touched = true
			sb.r.Interrupt(errPreloadTouched)
			return goja.Undefined()
		}
		if kind&outside != 0 {
			sb.lookedOutside()
		}
		defer func() {
			x := recover()
			if x == nil {
				return
			}
			t := reflect.TypeOf(x)
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.PkgPath() == gojaPkg {
				panic(x)
			}
			panic(sb.newError(sb.errorCtor, fmt.Sprintf("internal error: %v", x)))
		}()
		return f(c)
	})
}

func (sb *sandbox) newError(ctor goja.Value, msg string) *goja.Object {
	obj, err := sb.r.New(ctor, sb.r.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}

// throw raises an Error, TypeError or RangeError built from the intrinsics.
func (sb *sandbox) throw(msg string)      { panic(sb.newError(sb.errorCtor, msg)) }
func (sb *sandbox) throwType(msg string)  { panic(sb.newError(sb.typeErrorCtor, msg)) }
func (sb *sandbox) throwRange(msg string) { panic(sb.newError(sb.rangeErrorCtor, msg)) }

func (ar *actionRun) setTimeout(c goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		ar.throwType(`The "callback" argument must be of type function.`)
	}
	ms := c.Argument(1).ToFloat()
	if !(ms >= 1) || ms > 1<<31-1 { // NaN, <1 and overflow become 1 ms, as in Node
		ms = 1
	}
	var args []goja.Value
	if len(c.Arguments) > 2 {
		args = append(args, c.Arguments[2:]...)
	}
	return ar.r.ToValue(ar.loop.setTimeout(ar.r, fn, time.Duration(ms*float64(time.Millisecond)), args))
}

func (sb *sandbox) btoa(c goja.FunctionCall) goja.Value {
	s := c.Argument(0).String()
	b := make([]byte, 0, len(s))
	for _, ch := range s {
		if ch > 0xFF {
			sb.throw("Invalid character")
		}
		b = append(b, byte(ch))
	}
	return sb.r.ToValue(base64.StdEncoding.EncodeToString(b))
}

func (sb *sandbox) atob(c goja.FunctionCall) goja.Value {
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" \t\n\f\r", r) {
			return -1
		}
		return r
	}, c.Argument(0).String())
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		sb.throw("The string to be decoded is not correctly encoded.")
	}
	runes := make([]rune, len(b))
	for i, x := range b {
		runes[i] = rune(x)
	}
	return sb.r.ToValue(string(runes))
}

func (sb *sandbox) utf8Decode(c goja.FunctionCall) goja.Value {
	var b []byte
	switch v := c.Argument(0).Export().(type) {
	case []byte:
		b = v
	case goja.ArrayBuffer:
		b = v.Bytes()
	default:
		sb.throwType(`The "input" argument must be an ArrayBuffer or Uint8Array.`)
	}
	if !utf8.Valid(b) {
		b = []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return sb.r.ToValue(string(b))
}

func (sb *sandbox) loadURL(goja.FunctionCall) goja.Value {
	v, err := sb.r.RunProgram(urlProgram)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(v)
	mod, err := mk(goja.Undefined(), sb.pureFn(sb.parseURL))
	if err != nil {
		panic(err)
	}
	return mod
}

// rethrowUncatchable propagates interrupts and stack overflows that a Go
// callback got back from a nested JS call; swallowing them would let a
// timed-out script go on.
func rethrowUncatchable(err error) {
	switch err.(type) {
	case *goja.InterruptedError, *goja.StackOverflowError:
		panic(err)
	}
}

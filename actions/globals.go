package actions

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"reflect"
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

// installGlobals gives a fresh runtime what Node-flavoured Actions expect and
// nothing else: no process, no file system, no module loader.
func (ar *actionRun) installGlobals() error {
	r := ar.r
	global := r.GlobalObject()
	ar.errorCtor = global.Get("Error")
	ar.typeErrorCtor = global.Get("TypeError")
	ar.rangeErrorCtor = global.Get("RangeError")
	jsonObj := global.Get("JSON").ToObject(r)
	ar.stringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
	ar.parse, _ = goja.AssertFunction(jsonObj.Get("parse"))

	_ = global.Set("globalThis", global)
	_ = global.Set("console", ar.newConsole())
	_ = global.Set("require", ar.fn(func(c goja.FunctionCall) goja.Value {
		name := c.Argument(0).String()
		e := ar.newError(ar.errorCtor, fmt.Sprintf("Cannot find module '%s'", name))
		_ = e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	}))
	_ = global.Set("setTimeout", ar.fn(ar.setTimeout))
	_ = global.Set("setImmediate", ar.fn(func(c goja.FunctionCall) goja.Value {
		return ar.setTimeout(goja.FunctionCall{This: c.This, Arguments: append([]goja.Value{c.Argument(0), r.ToValue(0)}, c.Arguments[min(1, len(c.Arguments)):]...)})
	}))
	clear := ar.fn(func(c goja.FunctionCall) goja.Value {
		ar.loop.clearTimeout(c.Argument(0).ToInteger())
		return goja.Undefined()
	})
	_ = global.Set("clearTimeout", clear)
	_ = global.Set("clearImmediate", clear)
	_ = global.Set("btoa", ar.fn(ar.btoa))
	_ = global.Set("atob", ar.fn(ar.atob))
	_ = global.Set("fetch", ar.fn(ar.fetch))

	prelude, err := r.RunProgram(preludeProgram)
	if err != nil {
		return err
	}
	run, _ := goja.AssertFunction(prelude)
	limit := ar.ex.t.opts.MaxMemory
	_, err = run(goja.Undefined(), global,
		r.ToValue(limit/4),  // max string length
		r.ToValue(limit/32), // max array length (goja values are 16+ bytes)
		r.ToValue(limit/4),  // max ArrayBuffer bytes
		ar.fn(ar.loadURL),
		ar.fn(func(c goja.FunctionCall) goja.Value {
			return r.ToValue(r.NewArrayBuffer([]byte(c.Argument(0).String())))
		}),
		ar.fn(ar.utf8Decode),
	)
	return err
}

// fn wraps a Go callback so a Go panic becomes a JS Error (a login failure)
// instead of crashing the server. goja's own panics (throws, interrupts)
// pass through untouched.
func (ar *actionRun) fn(f func(goja.FunctionCall) goja.Value) goja.Value {
	return ar.r.ToValue(func(c goja.FunctionCall) goja.Value {
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
			panic(ar.newError(ar.errorCtor, fmt.Sprintf("internal error: %v", x)))
		}()
		return f(c)
	})
}

func (ar *actionRun) newError(ctor goja.Value, msg string) *goja.Object {
	obj, err := ar.r.New(ctor, ar.r.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}

// throw raises an Error, TypeError or RangeError built from the intrinsics.
func (ar *actionRun) throw(msg string)      { panic(ar.newError(ar.errorCtor, msg)) }
func (ar *actionRun) throwType(msg string)  { panic(ar.newError(ar.typeErrorCtor, msg)) }
func (ar *actionRun) throwRange(msg string) { panic(ar.newError(ar.rangeErrorCtor, msg)) }

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

func (ar *actionRun) btoa(c goja.FunctionCall) goja.Value {
	s := c.Argument(0).String()
	b := make([]byte, 0, len(s))
	for _, ch := range s {
		if ch > 0xFF {
			ar.throw("Invalid character")
		}
		b = append(b, byte(ch))
	}
	return ar.r.ToValue(base64.StdEncoding.EncodeToString(b))
}

func (ar *actionRun) atob(c goja.FunctionCall) goja.Value {
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" \t\n\f\r", r) {
			return -1
		}
		return r
	}, c.Argument(0).String())
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		ar.throw("The string to be decoded is not correctly encoded.")
	}
	runes := make([]rune, len(b))
	for i, x := range b {
		runes[i] = rune(x)
	}
	return ar.r.ToValue(string(runes))
}

func (ar *actionRun) utf8Decode(c goja.FunctionCall) goja.Value {
	var b []byte
	switch v := c.Argument(0).Export().(type) {
	case []byte:
		b = v
	case goja.ArrayBuffer:
		b = v.Bytes()
	default:
		ar.throwType(`The "input" argument must be an ArrayBuffer or Uint8Array.`)
	}
	if !utf8.Valid(b) {
		b = []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return ar.r.ToValue(string(b))
}

func (ar *actionRun) loadURL(goja.FunctionCall) goja.Value {
	v, err := ar.r.RunProgram(urlProgram)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(v)
	mod, err := mk(goja.Undefined(), ar.fn(ar.parseURL))
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

package actions

import (
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

const consoleTruncated = "[console output truncated]"

// newConsole captures console.* per action (spec §2). A line keeps
// MaxConsoleLine characters; the execution keeps MaxConsoleTotal bytes, then
// one truncation marker. Huge strings are cut before they are copied to Go.
func (sb *sandbox) newConsole() *goja.Object {
	console := sb.r.NewObject()
	// Console lines are part of the outcome (replayed with it, memo.go).
	write := sb.kindFn(usesEngine, func(c goja.FunctionCall) goja.Value {
		sb.cur.writeConsole(c.Arguments)
		return goja.Undefined()
	})
	for _, name := range []string{"log", "info", "warn", "error", "debug", "trace"} {
		_ = console.Set(name, write)
	}
	return console
}

func (ar *actionRun) writeConsole(args []goja.Value) {
	b := &ar.ex.console
	if b.truncated {
		return
	}
	var sb strings.Builder
	for i, a := range args {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(ar.formatArg(a))
		if sb.Len() > 4*MaxConsoleLine {
			break
		}
	}
	line := truncateRunes(sb.String(), MaxConsoleLine)
	if b.used+len(line) > MaxConsoleTotal {
		b.truncated = true
		ar.console = append(ar.console, consoleTruncated)
		return
	}
	b.used += len(line)
	ar.console = append(ar.console, line)
}

func (ar *actionRun) formatArg(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if s, ok := v.(goja.String); ok {
		if s.Length() > MaxConsoleLine {
			s = s.Substring(0, MaxConsoleLine+1) // one more, so the line shows it was cut
		}
		return s.String()
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String()
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return "[Function: " + obj.Get("name").String() + "]"
	}
	if obj.ClassName() == "Error" {
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
			return st.String()
		}
		return obj.Get("name").String() + ": " + obj.Get("message").String()
	}
	js, err := ar.stringify(goja.Undefined(), obj)
	if err == nil && !goja.IsUndefined(js) {
		return js.String()
	}
	rethrowUncatchable(err)
	return obj.String()
}

func truncateRunes(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

package actions

import (
	"github.com/dop251/goja"
)

// The engine serializes the claims and console values a script hands it
// with goja's JSON.stringify, a native call that Runtime.Interrupt cannot
// stop: a value with shared references (let a = [1]; a = [a, a] forty times)
// would make it write 2^40 elements. Scripts' own JSON.stringify is bounded
// in the prelude; the engine's calls pass a Go replacer instead, which counts
// the output and the nesting as the native walks the value (every value
// passes through the replacer) and is cheaper to call from the native than a
// JS one.

// jsonMaxDepth caps the nesting: goja's stringify recurses on the Go stack.
const jsonMaxDepth = 5000

// jsonBudget is the state of one engine stringify; a nested one (a toJSON
// that sets a claim) saves and restores it.
type jsonBudget struct {
	maxChars int
	total    int
	stack    []*goja.Object // the objects being serialized, outermost first
	replacer goja.Value
}

func (sb *sandbox) stringify(_ goja.Value, args ...goja.Value) (goja.Value, error) {
	if sb.json.replacer == nil {
		sb.json.replacer = sb.r.ToValue(sb.countJSON)
	}
	saved := sb.json
	sb.json.total, sb.json.stack = 0, nil
	defer func() { sb.json = saved }()
	return sb.nativeStringify(goja.Undefined(), args[0], sb.json.replacer)
}

func (sb *sandbox) countJSON(c goja.FunctionCall) goja.Value {
	b := &sb.json
	holder, _ := c.This.(*goja.Object)
	for len(b.stack) > 0 && b.stack[len(b.stack)-1] != holder {
		b.stack = b.stack[:len(b.stack)-1]
	}
	v := c.Argument(1)
	n := len(c.Argument(0).String()) + 4
	if obj, ok := v.(*goja.Object); ok {
		if len(b.stack) >= jsonMaxDepth {
			sb.throwRange("Maximum call stack size exceeded")
		}
		b.stack = append(b.stack, obj)
	} else if goja.IsString(v) {
		n += len(v.String())
	} else {
		n += 24
	}
	if b.total += n; b.total > b.maxChars {
		sb.throwRange("Invalid string length")
	}
	return v
}

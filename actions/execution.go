package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"time"
	"unicode/utf8"
)

// execution is the state of one Trigger.Run shared by its actions: the
// normalized event, the accumulating commands, the budget and the cache.
type execution struct {
	t        *Trigger
	ctx      context.Context // the caller's
	budget   context.Context // ctx until the deadline, once budgetCtx made it
	cancel   context.CancelFunc
	deadline time.Time
	now      func() time.Time
	flow     Flow
	resume   bool // starts past the first action (Input.Start > 0)
	// outside: a script read the clock, Math.random, the network or the
	// cache (see kindFn); its outcome is then not reused.
	outside bool
	// event is the caller's event, never mutated; each top-level value is
	// normalized (copied as one JSON round trip would) on first use, then
	// rebuilt into JS values per action.
	event *eventSource
	tmpl  *eventTemplate // event prepared for buildEvent, made by the first action
	cmds  *Commands
	// claimsSet records which token's claims (ID, access) an action set
	// since the last size check; claims carried in from a resume count.
	claimsSet [2]bool
	cache     CacheBackend
	wd        *watchdog
	console   consoleBudget
	// sb is the runtime shared by this execution's actions (nil until the
	// first action, and unused with Options.IsolateActions).
	sb *sandbox
}

// sandboxFor returns the runtime for the next action: the execution's own,
// or a brand-new one per action with Options.IsolateActions.
func (ex *execution) sandboxFor() (*sandbox, error) {
	if ex.sb != nil && !ex.t.opts.IsolateActions {
		return ex.sb, nil
	}
	// A resumed login starts mid-pipeline: it must not run the module code
	// of the actions before it, which a preloaded sandbox already did.
	sb, err := ex.t.takeSandbox(ex.resume)
	if err != nil {
		return nil, err
	}
	sb.now = ex.now
	if sb.moduleOutside {
		ex.outside = true
	}
	sb.r.ClearInterrupt()
	ex.wd.attach(sb.r)
	ex.sb = sb
	return sb, nil
}

func (t *Trigger) newExecution(ctx context.Context, in Input, cmds *Commands) (*execution, error) {
	event, err := newEventSource(in.Event)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(t.opts.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	now := t.clock(in)
	cache := t.opts.Cache
	if cache == nil {
		cache = NewMemoryCache(now)
	}
	if cmds.TransactionMetadata == nil {
		cmds.TransactionMetadata = map[string]any{}
		if tx, ok := event.get("transaction").(map[string]any); ok {
			if md, ok := tx["metadata"].(map[string]any); ok {
				maps.Copy(cmds.TransactionMetadata, md)
			}
		}
	}
	flow := in.Flow
	if flow == "" {
		flow = FlowLogin
	}
	return &execution{
		t: t, ctx: ctx, deadline: deadline, now: now, flow: flow, resume: in.Start > 0,
		event: event, cmds: cmds, cache: cache, claimsSet: [2]bool{len(cmds.IDClaims) > 0, len(cmds.AccessClaims) > 0},
		wd: startWatchdog(ctx, deadline, t.opts.MaxMemory),
	}, nil
}

func (ex *execution) close() {
	if ex.sb != nil && len(ex.t.pool) < cap(ex.t.pool) {
		go ex.t.refill() // see takeSandbox
	}
	ex.wd.detach()
	ex.wd.close()
	if ex.cancel != nil {
		ex.cancel()
	}
}

// budgetCtx is the caller's context ending at the execution's deadline, for
// the I/O an action starts (fetch, the cache). Made on first use: most
// executions do no I/O, and the watchdog enforces the budget on JS itself.
func (ex *execution) budgetCtx() context.Context {
	if ex.budget == nil {
		ex.budget, ex.cancel = context.WithDeadline(ex.ctx, ex.deadline)
	}
	return ex.budget
}

// normalizeEvent gives the execution a private copy of the caller's event
// holding only maps, slices and scalars it owns. JSON-shaped input (what the
// server and the tests build) is deep-copied directly; anything else takes
// one JSON round trip, whose result the direct copy reproduces exactly.
func normalizeEvent(ev map[string]any) (map[string]any, error) {
	if ev == nil {
		return map[string]any{}, nil
	}
	if out, ok := copyJSON(ev).(map[string]any); ok {
		return out, nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("actions: event is not JSON-serializable: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("actions: event: %w", err)
	}
	return out, nil
}

// copyJSON deep-copies v as a JSON round trip would, or returns nil for a
// value whose round trip it does not reproduce (structs, other map and slice
// types, NaN, invalid UTF-8 that encoding/json would replace).
func copyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return jsonNull{}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			if !utf8.ValidString(k) {
				return nil
			}
			c := copyJSON(x)
			if c == nil {
				return nil
			}
			out[k] = unwrapNull(c)
		}
		return out
	case []any:
		if v == nil {
			return jsonNull{}
		}
		out := make([]any, len(v))
		for i, x := range v {
			c := copyJSON(x)
			if c == nil {
				return nil
			}
			out[i] = unwrapNull(c)
		}
		return out
	case []string:
		if v == nil {
			return jsonNull{}
		}
		out := make([]any, len(v))
		for i, s := range v {
			if !utf8.ValidString(s) {
				return nil
			}
			out[i] = s
		}
		return out
	case string:
		if !utf8.ValidString(v) {
			return nil
		}
		return v
	case bool:
		return v
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case nil:
		return jsonNull{}
	}
	return nil
}

// jsonNull marks a JSON null inside copyJSON, whose nil means "fall back".
type jsonNull struct{}

func unwrapNull(v any) any {
	if _, ok := v.(jsonNull); ok {
		return nil
	}
	return v
}

// eventSource is an execution's view of the caller's event. The caller's map
// is only read, and only while the execution runs (the caller must not change
// it meanwhile). It was checked to be JSON-shaped up front, so a top-level
// value is normalized only when something reads it: most executions read a
// few parts of the event.
type eventSource struct {
	raw  map[string]any
	norm map[string]any // normalized top-level values; raw itself after a JSON round trip
	// read are the top-level keys the execution looked at (scripts or the
	// api on their behalf): with the key set, what its outcome depends on.
	read map[string]bool
}

func (e *eventSource) markRead(key string) {
	if e.read == nil {
		e.read = make(map[string]bool, 8)
	}
	e.read[key] = true
}

func newEventSource(ev map[string]any) (*eventSource, error) {
	if ev == nil {
		ev = map[string]any{}
	}
	if !validJSON(ev) {
		// What copyJSON cannot reproduce takes the JSON round trip at once,
		// with its errors.
		out, err := normalizeEvent(ev)
		if err != nil {
			return nil, err
		}
		return &eventSource{raw: out, norm: out}, nil
	}
	return &eventSource{raw: ev, norm: make(map[string]any, len(ev))}, nil
}

// get is the normalized top-level value of key (nil when absent).
func (e *eventSource) get(key string) any {
	e.markRead(key)
	if v, ok := e.norm[key]; ok {
		return v
	}
	raw, ok := e.raw[key]
	if !ok {
		return nil
	}
	v := unwrapNull(copyJSON(raw))
	e.norm[key] = v
	return v
}

// isObject reports whether key holds an object or an array, without
// normalizing it.
func (e *eventSource) isObject(key string) bool {
	switch v := e.raw[key].(type) {
	case map[string]any:
		return v != nil
	case []any:
		return v != nil
	case []string:
		return v != nil
	}
	return false
}

func (e *eventSource) lookup(path ...string) any {
	v := e.get(path[0])
	if len(path) == 1 {
		return v
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return lookup(m, path[1:]...)
}

// peek is lookup without normalizing: the value as the caller gave it, with a
// nil map or slice as nil. Its kind (object, array, scalar, null) is the
// normalized value's, which is all a check of the kind needs.
func (e *eventSource) peek(path ...string) any {
	e.markRead(path[0])
	var cur any = e.raw
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	switch v := cur.(type) {
	case map[string]any:
		if v == nil {
			return nil
		}
	case []any:
		if v == nil {
			return nil
		}
	case []string:
		if v == nil {
			return nil
		}
	}
	return cur
}

func (e *eventSource) lookupString(path ...string) string {
	s, _ := e.lookup(path...).(string)
	return s
}

// validJSON reports whether copyJSON reproduces v's JSON round trip.
func validJSON(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !utf8.ValidString(k) || !validJSON(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !validJSON(x) {
				return false
			}
		}
		return true
	case []string:
		for _, s := range v {
			if !utf8.ValidString(s) {
				return false
			}
		}
		return true
	case string:
		return utf8.ValidString(v)
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	case bool, int, int64, nil:
		return true
	}
	return false
}

// lookup walks nested objects of the normalized event.
func lookup(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[p]
	}
	return cur
}

func lookupString(m map[string]any, path ...string) string {
	s, _ := lookup(m, path...).(string)
	return s
}

// consoleBudget caps console output per execution (spec §2: 256 KiB).
type consoleBudget struct {
	used      int
	truncated bool
}

const (
	MaxConsoleLine  = 1024      // characters kept of one console call
	MaxConsoleTotal = 256 << 10 // bytes kept per execution
)

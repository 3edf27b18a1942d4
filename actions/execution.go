package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

// execution is the state of one Trigger.Run shared by its actions: the
// normalized event, the accumulating commands, the budget and the cache.
type execution struct {
	t        *Trigger
	ctx      context.Context
	cancel   context.CancelFunc
	deadline time.Time
	now      func() time.Time
	flow     Flow
	// event is the caller's event after one JSON round trip: private to this
	// execution, never mutated, rebuilt into JS values per action.
	event   map[string]any
	cmds    *Commands
	cache   CacheBackend
	wd      *watchdog
	console consoleBudget
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
	sb, err := ex.t.takeSandbox()
	if err != nil {
		return nil, err
	}
	sb.r.SetTimeSource(ex.now)
	sb.r.ClearInterrupt()
	ex.wd.attach(sb.r)
	ex.sb = sb
	return sb, nil
}

func (t *Trigger) newExecution(ctx context.Context, in Input, cmds *Commands) (*execution, error) {
	event, err := normalizeEvent(in.Event)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(t.opts.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	now := t.clock(in)
	cache := t.opts.Cache
	if cache == nil {
		cache = NewMemoryCache(now)
	}
	if cmds.TransactionMetadata == nil {
		cmds.TransactionMetadata = map[string]any{}
		if tx, ok := event["transaction"].(map[string]any); ok {
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
		t: t, ctx: ctx, cancel: cancel, deadline: deadline, now: now, flow: flow,
		event: event, cmds: cmds, cache: cache,
		wd: startWatchdog(ctx, deadline, t.opts.MaxMemory),
	}, nil
}

func (ex *execution) close() {
	ex.wd.detach()
	ex.wd.close()
	ex.cancel()
}

// normalizeEvent is the one JSON round trip per execution: whatever Go values
// the caller used, the engine then holds only maps, slices and scalars it owns.
func normalizeEvent(ev map[string]any) (map[string]any, error) {
	if ev == nil {
		return map[string]any{}, nil
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

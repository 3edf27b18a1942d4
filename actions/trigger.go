package actions

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Handler names (spec §2).
const (
	HandlerExecute  = "onExecutePostLogin"
	HandlerContinue = "onContinuePostLogin"
)

// Trigger is the ordered post-login actions with their options. It is
// immutable and safe for concurrent use.
type Trigger struct {
	actions []*Action
	opts    Options
	client  *http.Client
	pool    chan *sandbox
	// preload: pooled sandboxes come with the modules loaded (preload.go).
	preload atomic.Bool
	memo    *memo
}

func NewTrigger(actions []*Action, opts Options) *Trigger {
	boundRegexMatches()
	opts = opts.withDefaults()
	t := &Trigger{actions: actions, opts: opts, client: newFetchClient(opts.Fetch), pool: make(chan *sandbox, poolSize), memo: newMemo()}
	t.preload.Store(!opts.IsolateActions)
	go t.refill()
	return t
}

// Len is the number of bound actions (Outcome.Next == Len() means done).
func (t *Trigger) Len() int { return len(t.actions) }

// Run executes the pipeline of spec §5 from in.Start: each action is awaited
// in order; a deny stops it, a redirect or challenge suspends it, and an
// uncaught error, timeout or missing handler fails it (Outcome.Err).
func (t *Trigger) Run(ctx context.Context, in Input) *Outcome {
	out := &Outcome{Next: in.Start}
	cmds, err := startCommands(in)
	if err != nil {
		out.Err = &ActionError{Kind: KindError, Message: err.Error()}
		return out
	}
	defer func() { out.Commands = *cmds }()
	if len(t.actions) > MaxActions {
		out.Err = &ActionError{Kind: KindLimit, Message: fmt.Sprintf("%d actions are bound, the limit is %d", len(t.actions), MaxActions)}
		return out
	}
	memo := memoizable(in) && !t.opts.NoMemo
	var shape [sha256.Size]byte
	if memo {
		shape = shapeOf(in.Event)
		if hit := t.memo.lookup(shape, in, len(t.actions)); hit != nil {
			for _, l := range hit.Logs {
				t.observe(l)
			}
			return hit
		}
	}
	ex, err := t.newExecution(ctx, in, cmds)
	if err != nil {
		out.Err = &ActionError{Kind: KindError, Message: err.Error()}
		return out
	}
	defer ex.close()
	if memo {
		defer func() {
			if !ex.outside && out.Err == nil && !out.Suspended && out.Next == len(t.actions) {
				t.memo.store(shape, in, ex.event.read, cmds, out)
			}
		}()
	}

	for i := in.Start; i < len(t.actions); i++ {
		handler := HandlerExecute
		if in.Resume && i == in.Start {
			handler = HandlerContinue
		}
		res := ex.runAction(i, handler)
		out.Next = i + 1
		if res.skipped {
			continue
		}
		out.Logs = append(out.Logs, res.log)
		t.observe(res.log)
		if res.err != nil {
			out.Next = i
			out.Err = res.err
			return out
		}
		if err := ex.checkClaimSizes(); err != nil {
			out.Next = i
			out.Err = &ActionError{Action: t.actions[i].Name, Handler: handler, Kind: KindLimit, Message: err.Error()}
			return out
		}
		if cmds.Deny != nil {
			return out
		}
		if cmds.Redirect != nil || cmds.Challenge != nil {
			out.Suspended = true
			return out
		}
	}
	return out
}

func (t *Trigger) observe(l Log) {
	// Enabled first: the arguments would be boxed even for a discarding logger.
	if t.opts.Logger.Enabled(context.Background(), slog.LevelDebug) {
		t.opts.Logger.Debug("action executed", "action", l.Action, "handler", l.Handler,
			"outcome", l.Outcome, "duration", l.Duration, "error", l.Error)
	}
	if t.opts.Observe != nil {
		t.opts.Observe(l)
	}
}

// startCommands deep-copies in.Prior so the caller's value is never mutated,
// and drops the suspension a resume consumes.
func startCommands(in Input) (*Commands, error) {
	cmds := &Commands{}
	if in.Prior != nil {
		b, err := json.Marshal(in.Prior)
		if err != nil {
			return nil, fmt.Errorf("actions: prior commands: %w", err)
		}
		if err := json.Unmarshal(b, cmds); err != nil {
			return nil, fmt.Errorf("actions: prior commands: %w", err)
		}
	}
	if in.Resume {
		cmds.Redirect, cmds.Challenge = nil, nil
	}
	return cmds, nil
}

// clock returns the script clock: the pinned instant, else Options.Now.
func (t *Trigger) clock(in Input) func() time.Time {
	if !in.Now.IsZero() {
		pinned := in.Now.UTC()
		return func() time.Time { return pinned }
	}
	return t.opts.Now
}

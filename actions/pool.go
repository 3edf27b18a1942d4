package actions

// Building a sandbox (a goja runtime plus guards and globals) costs far more
// than running a typical action, because goja initializes each built-in on
// first touch. A few never-used sandboxes are therefore built ahead of time,
// off the login's critical path. A sandbox that ran any action code is never
// returned here: it is dropped with its execution.

const poolSize = 4

// takeSandbox returns a pre-built sandbox, or builds one when the pool is dry
// or fresh asks for one without preloaded modules. Topping the pool up is
// left to the end of the execution (execution.close) unless the pool is now
// empty: on a busy single core, a refill started now would build a sandbox
// (~0.3 ms with shells and modules) in the middle of this login whenever the
// scheduler switches goroutines (a GC slice is enough). The refill goroutine
// ends once the pool is full, so an idle Trigger leaves nothing running.
func (t *Trigger) takeSandbox(fresh bool) (*sandbox, error) {
	if fresh {
		return newSandbox(t.opts)
	}
	select {
	case sb := <-t.pool:
		if len(t.pool) == 0 {
			go t.refill()
		}
		return sb, nil
	default:
		go t.refill()
		return newSandbox(t.opts)
	}
}

// refill tops the pool up; it may race another refill and build one too
// many, which is then dropped.
func (t *Trigger) refill() {
	growStack(0)
	for len(t.pool) < cap(t.pool) {
		sb, err := newSandbox(t.opts)
		if err != nil {
			t.opts.Logger.Error("actions: building a sandbox failed", "err", err)
			return
		}
		n := len(t.actions)
		if t.opts.IsolateActions {
			n = 1
		}
		sb.prepareShells(n)
		if t.preload.Load() && !t.preloadModules(sb) {
			t.preload.Store(false)
			continue // sb ran module code: build another without
		}
		select {
		case t.pool <- sb:
		default: // full meanwhile
			return
		}
	}
}

// growStack grows a fresh goroutine's stack once to about what building a
// sandbox needs (goja's interpreter recurses deeply), instead of doubling it
// several times mid-build, each time copying it (~8% of a build).
//
//go:noinline
func growStack(i int) byte {
	var buf [32 << 10]byte
	buf[i] = 1
	return buf[(i*7)%len(buf)]
}

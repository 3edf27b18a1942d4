package actions

// Building a sandbox (a goja runtime plus guards and globals) costs far more
// than running a typical action, because goja initializes each built-in on
// first touch. A few never-used sandboxes are therefore built ahead of time,
// off the login's critical path. A sandbox that ran any action code is never
// returned here: it is dropped with its execution.

const poolSize = 4

// takeSandbox returns a pre-built sandbox, or builds one when the pool is dry,
// and starts topping the pool up. The refill goroutine ends once the pool is
// full, so an idle Trigger leaves nothing running.
func (t *Trigger) takeSandbox() (*sandbox, error) {
	go t.refill()
	select {
	case sb := <-t.pool:
		return sb, nil
	default:
		return newSandbox(t.opts)
	}
}

// refill tops the pool up; it may race another refill and build one too
// many, which is then dropped.
func (t *Trigger) refill() {
	for len(t.pool) < cap(t.pool) {
		sb, err := newSandbox(t.opts)
		if err != nil {
			t.opts.Logger.Error("actions: building a sandbox failed", "err", err)
			return
		}
		select {
		case t.pool <- sb:
		default: // full meanwhile
			return
		}
	}
}

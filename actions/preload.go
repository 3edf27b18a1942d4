package actions

import (
	"context"
	"errors"
	"time"

	"github.com/dop251/goja"
)

// Module preloading. An action's module code (everything outside its
// handlers: requires, constants, helper functions, the exports) runs when a
// pooled sandbox is prepared rather than during the login, as Auth0 loads
// an action's module when its container starts and not per login. The
// sandbox still serves exactly one execution.
//
// Module code that touches anything of the engine (console, timers, fetch,
// require, …) is not preloaded: its effects belong to an execution. The
// first such call interrupts the preload, the sandbox is dropped, and the
// Trigger stops preloading, so every execution loads the modules itself as
// before. So do module errors and module code slower than maxPreload.

// maxPreload bounds the module code of all actions when preloading; slower
// module code runs with each execution, within its budget.
const maxPreload = 250 * time.Millisecond

var errPreloadTouched = errors.New("actions: module code used the engine while preloading")

// preloadModules runs every action's module code in sb and keeps the
// exports; false means sb ran code that makes it unusable.
func (t *Trigger) preloadModules(sb *sandbox) bool {
	wd := startWatchdog(context.Background(), time.Now().Add(min(t.opts.Timeout, maxPreload)), t.opts.MaxMemory)
	defer wd.close()
	wd.attach(sb.r)
	defer wd.detach()
	sb.now = t.opts.Now
	sb.preloading = true
	defer func() { sb.preloading = false }()
	mods := make([]*goja.Object, len(t.actions))
	for i, a := range t.actions {
		exports, err := loadModule(sb.r, a)
		if err != nil || sb.touched || wd.err() != nil {
			return false
		}
		mods[i] = exports
	}
	sb.modules = mods
	return true
}

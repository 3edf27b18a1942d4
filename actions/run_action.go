package actions

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/dop251/goja"
)

// actionRun is one action handler execution. Its timers and fetches live in
// its own loop and end with it.
type actionRun struct {
	*sandbox
	ex      *execution
	action  *Action
	index   int
	handler string
	loop    *loop
	console []string
	// event is this action's JS event; transaction metadata writes are
	// mirrored into txMeta so they are visible at once (spec §4.11).
	event  *goja.Object
	txMeta *goja.Object
	api    *goja.Object
	// namespaces are api's namespace objects, built on first access.
	namespaces []*goja.Object
}

type actionResult struct {
	log     Log
	err     *ActionError
	skipped bool
}

func (ex *execution) runAction(i int, handler string) actionResult {
	start := time.Now()
	ar := &actionRun{ex: ex, action: ex.t.actions[i], index: i, handler: handler, loop: newLoop()}
	denied := ex.cmds.Deny != nil
	skipped, err := ar.run()
	if skipped {
		return actionResult{skipped: true}
	}
	log := Log{Action: ar.action.Name, Handler: handler, Duration: time.Since(start), Outcome: "ok", Console: ar.console}
	if log.Console == nil {
		log.Console = []string{}
	}
	switch {
	case err != nil:
		log.Outcome, log.Error = "error", err.Message
		if err.Kind == KindTimeout {
			log.Outcome = "timeout"
		}
	case !denied && ex.cmds.Deny != nil:
		log.Outcome = "denied"
	case ex.cmds.Redirect != nil || ex.cmds.Challenge != nil:
		log.Outcome = "suspended"
	}
	return actionResult{log: log, err: err}
}

func (ar *actionRun) run() (skipped bool, aerr *ActionError) {
	ex := ar.ex
	defer func() {
		ar.loop.close()
		if x := recover(); x != nil {
			// A Go panic outside a JS call (engine bug): fail this login only.
			aerr = ar.fail(KindError, fmt.Sprintf("internal error in action runtime: %v", x))
		}
	}()
	sb, err := ex.sandboxFor()
	if err != nil {
		return false, ar.toActionError(err)
	}
	ar.sandbox = sb
	sb.cur = ar
	exports, err := ar.loadModule()
	if err != nil {
		return false, ar.toActionError(err)
	}
	fn, ok := goja.AssertFunction(exports.Get(ar.handler))
	if !ok {
		if ar.handler == HandlerContinue {
			return true, nil // spec §5.6: resume goes on with the next action
		}
		return false, ar.fail(KindError, fmt.Sprintf("Action %q does not export an %s handler.", ar.action.Name, ar.handler))
	}
	ar.event = ar.buildEvent()
	ar.api = ar.buildAPI()
	res, err := fn(goja.Undefined(), ar.event, ar.api)
	if err == nil {
		if p, ok := res.Export().(*goja.Promise); ok {
			err = ar.loop.await(p, ex.wd)
			if err == nil && p.State() == goja.PromiseStateRejected {
				return false, ar.fail(KindError, ar.message(p.Result()))
			}
		}
	}
	if err != nil {
		return false, ar.toActionError(err)
	}
	return false, nil
}

// loadModule runs the CommonJS wrapper and returns module.exports.
func (ar *actionRun) loadModule() (*goja.Object, error) {
	r := ar.r
	wrapper, err := r.RunProgram(ar.action.prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(wrapper)
	if !ok {
		return nil, errors.New("module wrapper is not a function")
	}
	module := r.NewObject()
	exports := r.NewObject()
	_ = module.Set("exports", exports)
	if _, err := fn(goja.Undefined(), exports, r.Get("require"), module, r.ToValue(ar.action.File), r.ToValue("")); err != nil {
		return nil, err
	}
	out, ok := module.Get("exports").(*goja.Object)
	if !ok {
		return r.NewObject(), nil
	}
	return out, nil
}

func (ar *actionRun) fail(kind, msg string) *ActionError {
	return &ActionError{Action: ar.action.Name, Handler: ar.handler, Kind: kind, Message: msg}
}

// toActionError maps what goja returned to the client-visible message: the
// thrown Error's message (spec §8), the Webtask timeout text, or the limit.
func (ar *actionRun) toActionError(err error) *ActionError {
	if reason := ar.ex.wd.err(); reason != nil {
		err = reason
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if reason, ok := ie.Value().(error); ok {
			err = reason
		}
	}
	var mem memoryError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	switch {
	case errors.Is(err, errTimeout):
		return ar.fail(KindTimeout, TimeoutMessage)
	case errors.As(err, &mem):
		return ar.fail(KindMemory, mem.Error())
	case errors.As(err, &so):
		return ar.fail(KindError, "Maximum call stack size exceeded")
	case errors.As(err, &ex):
		return ar.fail(KindError, ar.message(ex.Value()))
	}
	return ar.fail(KindError, err.Error())
}

// message is Error.message for Error objects, else the thrown value as text.
func (ar *actionRun) message(v goja.Value) string {
	if obj, ok := v.(*goja.Object); ok {
		if m := obj.Get("message"); m != nil && !goja.IsUndefined(m) {
			return m.String()
		}
	}
	if v == nil {
		return "undefined"
	}
	return v.String()
}

// buildEvent builds this action's own event (spec §3, §5.2): a fresh copy with
// the optimistic metadata of earlier actions, the live transaction metadata
// and only this action's secrets.
func (ar *actionRun) buildEvent() *goja.Object {
	ex := ar.ex
	ev := maps.Clone(ex.event)
	if user, ok := ev["user"].(map[string]any); ok {
		user = maps.Clone(user)
		user["user_metadata"] = mergePatch(user["user_metadata"], ex.cmds.UserMetadata)
		user["app_metadata"] = mergePatch(user["app_metadata"], ex.cmds.AppMetadata)
		ev["user"] = user
	}
	secrets := make(map[string]any, len(ar.action.secrets))
	for k, v := range ar.action.secrets {
		secrets[k] = v
	}
	ev["secrets"] = secrets
	delete(ev, "transaction")
	obj := ar.toJS(ev).(*goja.Object)
	if tx, ok := ex.event["transaction"].(map[string]any); ok {
		tx = maps.Clone(tx)
		tx["metadata"] = ex.cmds.TransactionMetadata
		txObj := ar.toJS(tx).(*goja.Object)
		ar.txMeta, _ = txObj.Get("metadata").(*goja.Object)
		_ = obj.Set("transaction", txObj)
	}
	return obj
}

// mergePatch applies metadata patches (nil deletes) to a stored object.
func mergePatch(base any, patch map[string]any) any {
	if len(patch) == 0 {
		return base
	}
	obj, ok := base.(map[string]any)
	if !ok && base != nil {
		return base // not an object: setUserMetadata will refuse to write
	}
	out := maps.Clone(obj)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// toJS copies JSON-shaped Go values into new JS values (keys sorted, so the
// order scripts see is stable). Nothing Go is ever wrapped by reference.
func (sb *sandbox) toJS(v any) goja.Value {
	r := sb.r
	switch v := v.(type) {
	case map[string]any:
		obj := r.NewObject()
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			_ = obj.Set(k, sb.toJS(v[k]))
		}
		return obj
	case []any:
		items := make([]any, len(v))
		for i, it := range v {
			items[i] = sb.toJS(it)
		}
		return r.NewArray(items...)
	case []string:
		items := make([]any, len(v))
		for i, it := range v {
			items[i] = it
		}
		return r.NewArray(items...)
	case nil:
		return goja.Null()
	case string, bool, float64, int, int64:
		return r.ToValue(v)
	default:
		// Not produced by normalizeEvent; serialize defensively.
		return r.ToValue(fmt.Sprint(v))
	}
}

package actions

import (
	"errors"
	"fmt"
	"maps"
	"slices"
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
	// userMD and appMD are the metadata patches when the action started;
	// eventBuilt the lazily built event objects (buildEvent).
	userMD, appMD map[string]any
	eventBuilt    map[string]goja.Value
	api           *goja.Object
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
	if ar.sandbox.modules != nil {
		return ar.sandbox.modules[ar.index], nil
	}
	return loadModule(ar.r, ar.action)
}

func loadModule(r *goja.Runtime, action *Action) (*goja.Object, error) {
	wrapper, err := r.RunProgram(action.prog)
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
	if _, err := fn(goja.Undefined(), exports, r.Get("require"), module, r.ToValue(action.File), r.ToValue("")); err != nil {
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
// and only this action's secrets. The parts no action changes come from the
// execution's template (keys sorted, scalars converted once).
//
// The big objects (lazyEventKeys) are built when the script first reads them:
// until then the property is an enumerable, configurable accessor that builds
// the object, turns itself into a plain data property holding it and returns
// it; assigning replaces it the same way. Most actions read one or two parts
// of the event, so most of it is never built. What a read returns is what an
// eager build at the start of the action would have held: the metadata
// patches are captured here, and transaction.metadata mirrors every write.
func (ar *actionRun) buildEvent() *goja.Object {
	ex := ar.ex
	if ex.tmpl == nil {
		ex.tmpl = newEventTemplate(ex.event)
	}
	t := ex.tmpl
	ar.userMD, ar.appMD = ex.cmds.UserMetadata, ex.cmds.AppMetadata
	if t.shellOK {
		if obj := ar.sandbox.takeShell(&ar.sandbox.eventShells); obj != nil {
			ar.sandbox.eventOwner[obj] = ar
			ar.fillShell(obj)
			return obj
		}
	}
	obj := ar.r.NewObject()
	ar.sandbox.eventOwner[obj] = ar
	for _, k := range t.keys {
		ar.setEventKey(obj, k)
	}
	if t.txIsMap {
		ar.setEventKey(obj, "transaction")
	}
	return obj
}

// fillShell turns a pre-built event shell (see prepareShells) into this
// action's event: what buildEvent would have made, keys in the same order.
// The shell's accessors stay for the keys the event has as objects; absent
// keys are removed and scalars become data properties.
func (ar *actionRun) fillShell(obj *goja.Object) {
	t := ar.ex.tmpl
	for _, k := range shellKeys {
		var present bool
		if k == "transaction" {
			present = t.txIsMap
		} else {
			_, present = slices.BinarySearch(t.keys, k)
		}
		switch {
		case !present:
			_ = obj.Delete(k)
		case k != "secrets" && !ar.ex.event.isObject(k):
			_ = obj.DefineDataProperty(k, ar.eventValue(k), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
	}
}

func (ar *actionRun) setEventKey(obj *goja.Object, key string) {
	if key == "secrets" || ar.ex.event.isObject(key) {
		if acc, ok := ar.sandbox.eventAcc[key]; ok {
			_ = obj.DefineAccessorProperty(key, acc.get, acc.set, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return
		}
	}
	_ = obj.Set(key, ar.eventValue(key))
}

// eventValue builds this action's value of the event's top-level key.
func (ar *actionRun) eventValue(key string) goja.Value {
	ar.ex.event.markRead(key)
	t := ar.ex.tmpl
	r := ar.r
	switch {
	case key == "secrets":
		secrets := make(map[string]any, len(ar.action.secrets))
		for k, v := range ar.action.secrets {
			secrets[k] = v
		}
		return ar.toJS(secrets)
	case key == "user" && t.userIsMap:
		tu := t.userTemplate(r)
		user := r.NewObject()
		for j, uk := range tu.keys {
			var uv goja.Value
			switch uk {
			case "user_metadata":
				uv = ar.metadataJS(t.userMeta, ar.userMD, tu.kids[j])
			case "app_metadata":
				uv = ar.metadataJS(t.appMeta, ar.appMD, tu.kids[j])
			default:
				uv = tu.kids[j].build(r)
			}
			_ = user.Set(uk, uv)
		}
		return user
	case key == "transaction" && t.txIsMap:
		tt := t.txTemplate(r)
		txObj := r.NewObject()
		for j, tk := range tt.keys {
			if tk == "metadata" {
				ar.txMeta = ar.toJS(ar.ex.cmds.TransactionMetadata).(*goja.Object)
				_ = txObj.Set(tk, ar.txMeta)
				continue
			}
			_ = txObj.Set(tk, tt.kids[j].build(r))
		}
		return txObj
	}
	if _, found := slices.BinarySearch(t.keys, key); !found {
		return goja.Undefined()
	}
	if t.kids[key] == nil && !t.readOnce[key] {
		// The first read builds straight from the caller's value; a
		// template pays off only when another action reads it too.
		t.readOnce[key] = true
		if raw, ok := ar.ex.event.raw[key]; ok && key != "secrets" {
			return rawJS(r, raw)
		}
	}
	return t.kid(r, key).build(r)
}

// rawJS builds what toTemplate(copyJSON(v)).build would: v is JSON-shaped
// (validJSON), nil maps and slices are null, and numbers are float64 first.
func rawJS(r *goja.Runtime, v any) goja.Value {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return goja.Null()
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		obj := r.NewObject()
		for _, k := range keys {
			_ = obj.Set(k, rawJS(r, v[k]))
		}
		return obj
	case []any:
		if v == nil {
			return goja.Null()
		}
		items := make([]any, len(v))
		for i, it := range v {
			items[i] = rawJS(r, it)
		}
		return r.NewArray(items...)
	case []string:
		if v == nil {
			return goja.Null()
		}
		items := make([]any, len(v))
		for i, it := range v {
			items[i] = r.ToValue(it)
		}
		return r.NewArray(items...)
	case nil:
		return goja.Null()
	case int:
		return r.ToValue(float64(v))
	case int64:
		return r.ToValue(float64(v))
	case string, bool, float64:
		return r.ToValue(v)
	}
	return r.ToValue(fmt.Sprint(v)) // not JSON-shaped: validJSON let nothing else through
}

// lazyEventKeys are the top-level event objects (spec §3.1) built on first
// read; their accessors are made once per sandbox (initEvent), off the
// login's critical path. Other keys are built with the event.
var lazyEventKeys = []string{"user", "client", "connection", "request", "transaction", "authentication",
	"authorization", "resource_server", "organization", "session", "refresh_token",
	"stats", "tenant", "configuration", "secrets"}

// shellKeys are the keys of an event shell: every lazy key in buildEvent's
// order (sorted, transaction last). An event with any other top-level key is
// built without a shell.
var shellKeys = func() []string {
	keys := slices.DeleteFunc(slices.Clone(lazyEventKeys), func(k string) bool { return k == "transaction" })
	slices.Sort(keys)
	return append(keys, "transaction")
}()

var shellKeySet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range shellKeys {
		m[k] = true
	}
	return m
}()

type eventAccessor struct{ get, set goja.Value }

func (sb *sandbox) initEvent() {
	sb.eventOwner = map[*goja.Object]*actionRun{}
	sb.eventAcc = make(map[string]eventAccessor, len(lazyEventKeys))
	for _, key := range lazyEventKeys {
		sb.eventAcc[key] = eventAccessor{
			get: sb.kindFn(usesEngine, func(c goja.FunctionCall) goja.Value {
				this, ok := c.This.(*goja.Object)
				ar := sb.eventOwner[this]
				if !ok || ar == nil {
					return goja.Undefined() // the getter taken off the event and called on something else
				}
				if v, ok := ar.eventBuilt[key]; ok {
					return v // built, but the event was frozen before the first read
				}
				v := ar.eventValue(key)
				if ar.eventBuilt == nil {
					ar.eventBuilt = map[string]goja.Value{}
				}
				ar.eventBuilt[key] = v
				_ = this.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
				return v
			}),
			set: sb.kindFn(usesEngine, func(c goja.FunctionCall) goja.Value {
				if this, ok := c.This.(*goja.Object); ok {
					_ = this.DefineDataProperty(key, c.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
				}
				return goja.Undefined()
			}),
		}
	}
}

// metadataJS is stored metadata with this login's patches applied, straight
// from the template while there are none.
func (ar *actionRun) metadataJS(base any, patch map[string]any, tmpl *jsTemplate) goja.Value {
	if len(patch) == 0 {
		return tmpl.build(ar.r)
	}
	return ar.toJS(mergePatch(base, patch))
}

// eventTemplate is the execution's event prepared for building each action's
// copy: the root keys (without transaction, with secrets), and the templates
// of the top-level values, each made when an action first builds it. The
// user template has both metadata keys and the transaction one has metadata;
// buildEvent fills those in per action.
type eventTemplate struct {
	event             *eventSource
	keys              []string
	kids              map[string]*jsTemplate
	readOnce          map[string]bool // keys an action built without a template
	user, tx          *jsTemplate
	userIsMap         bool
	txIsMap           bool
	userMeta, appMeta any // set with user
	// shellOK: every top-level key is a shell key (fillShell applies).
	shellOK bool
}

func newEventTemplate(event *eventSource) *eventTemplate {
	t := &eventTemplate{event: event, keys: make([]string, 0, len(event.raw)+1), kids: map[string]*jsTemplate{}, readOnce: map[string]bool{}}
	for k := range event.raw {
		if k != "transaction" && k != "secrets" {
			t.keys = append(t.keys, k)
		}
	}
	t.keys = append(t.keys, "secrets") // per action
	sort.Strings(t.keys)
	t.shellOK = !slices.ContainsFunc(t.keys, func(k string) bool { return !shellKeySet[k] })
	if m, ok := event.raw["user"].(map[string]any); ok && m != nil {
		t.userIsMap = true
	}
	if m, ok := event.raw["transaction"].(map[string]any); ok && m != nil {
		t.txIsMap = true
	}
	return t
}

func (t *eventTemplate) kid(r *goja.Runtime, key string) *jsTemplate {
	k := t.kids[key]
	if k == nil {
		k = toTemplate(r, t.event.get(key))
		t.kids[key] = k
	}
	return k
}

func (t *eventTemplate) userTemplate(r *goja.Runtime) *jsTemplate {
	if t.user == nil {
		user := maps.Clone(t.event.get("user").(map[string]any))
		t.userMeta, t.appMeta = user["user_metadata"], user["app_metadata"]
		user["user_metadata"], user["app_metadata"] = t.userMeta, t.appMeta
		t.user = toTemplate(r, user)
	}
	return t.user
}

func (t *eventTemplate) txTemplate(r *goja.Runtime) *jsTemplate {
	if t.tx == nil {
		tx := maps.Clone(t.event.get("transaction").(map[string]any))
		tx["metadata"] = nil // per action
		t.tx = toTemplate(r, tx)
	}
	return t.tx
}

// jsTemplate is a JSON-shaped value ready to be built into new JS values
// again and again: object keys sorted, scalars already converted. JS
// primitives are immutable and belong to no runtime, so a template serves
// every action of an execution, isolated or not; objects and arrays are
// always built anew.
type jsTemplate struct {
	prim  goja.Value // scalar or null; nil for objects and arrays
	keys  []string   // object keys, sorted
	kids  []*jsTemplate
	array bool
}

func toTemplate(r *goja.Runtime, v any) *jsTemplate {
	switch v := v.(type) {
	case map[string]any:
		t := &jsTemplate{keys: make([]string, 0, len(v))}
		for k := range v {
			t.keys = append(t.keys, k)
		}
		sort.Strings(t.keys)
		t.kids = make([]*jsTemplate, len(t.keys))
		for i, k := range t.keys {
			t.kids[i] = toTemplate(r, v[k])
		}
		return t
	case []any:
		t := &jsTemplate{array: true, kids: make([]*jsTemplate, len(v))}
		for i, it := range v {
			t.kids[i] = toTemplate(r, it)
		}
		return t
	case []string:
		t := &jsTemplate{array: true, kids: make([]*jsTemplate, len(v))}
		for i, it := range v {
			t.kids[i] = &jsTemplate{prim: r.ToValue(it)}
		}
		return t
	case nil:
		return &jsTemplate{prim: goja.Null()}
	case string, bool, float64, int, int64:
		return &jsTemplate{prim: r.ToValue(v)}
	default:
		// Not produced by normalizeEvent; serialize defensively.
		return &jsTemplate{prim: r.ToValue(fmt.Sprint(v))}
	}
}

func (t *jsTemplate) build(r *goja.Runtime) goja.Value {
	if t.prim != nil {
		return t.prim
	}
	if t.array {
		items := make([]any, len(t.kids))
		for i, k := range t.kids {
			items[i] = k.build(r)
		}
		return r.NewArray(items...)
	}
	obj := r.NewObject()
	for i, k := range t.keys {
		_ = obj.Set(k, t.kids[i].build(r))
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

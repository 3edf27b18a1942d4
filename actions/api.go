package actions

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// apiNamespaces are the api object's namespaces (spec §4), in the order
// scripts see them. Each builder only registers methods: the Go functions
// behind them are created once per sandbox (nsBuilder) and act on the
// running action (sandbox.cur), so building an action's api stays cheap.
var apiNamespaces = []struct {
	name  string
	build func(*nsBuilder)
}{
	{"access", func(m *nsBuilder) {
		m.chain("deny", func(ar *actionRun, c goja.FunctionCall) { ar.deny("deny", c.Argument(0).String(), "") })
	}},
	{"idToken", func(m *nsBuilder) {
		m.chain("setCustomClaim", func(ar *actionRun, c goja.FunctionCall) { ar.setClaim(&ar.ex.cmds.IDClaims, false, c) })
	}},
	{"accessToken", func(m *nsBuilder) {
		m.chain("setCustomClaim", func(ar *actionRun, c goja.FunctionCall) { ar.setClaim(&ar.ex.cmds.AccessClaims, true, c) })
		m.chain("addScope", func(ar *actionRun, c goja.FunctionCall) { ar.scope(c.Argument(0), true) })
		m.chain("removeScope", func(ar *actionRun, c goja.FunctionCall) { ar.scope(c.Argument(0), false) })
	}},
	{"multifactor", func(m *nsBuilder) { m.chain("enable", (*actionRun).enableMFA) }},
	{"user", func(m *nsBuilder) {
		m.chain("setUserMetadata", func(ar *actionRun, c goja.FunctionCall) { ar.setMetadata("user_metadata", &ar.ex.cmds.UserMetadata, c) })
		m.chain("setAppMetadata", func(ar *actionRun, c goja.FunctionCall) { ar.setMetadata("app_metadata", &ar.ex.cmds.AppMetadata, c) })
	}},
	{"transaction", func(m *nsBuilder) { m.chain("setMetadata", (*actionRun).setTransactionMetadata) }},
	{"redirect", redirectNamespace},
	{"authentication", authenticationNamespace},
	{"session", sessionNamespace},
	{"refreshToken", refreshTokenNamespace},
	{"cache", cacheNamespace},
	{"validation", func(m *nsBuilder) {
		// authd choice (spec §4.10): behaves like deny(message), keeps the code.
		m.chain("error", func(ar *actionRun, c goja.FunctionCall) {
			ar.deny("validation_error", c.Argument(1).String(), c.Argument(0).String())
		})
	}},
	{"rules", func(m *nsBuilder) {
		m.fn("wasExecuted", func(ar *actionRun, _ goja.FunctionCall) goja.Value { return ar.r.ToValue(false) })
	}},
	{"prompt", func(m *nsBuilder) {
		m.fn("render", func(ar *actionRun, _ goja.FunctionCall) goja.Value {
			ar.throw("api.prompt.render is not supported by authd.")
			return nil
		})
	}},
	{"samlResponse", func(m *nsBuilder) {
		// Out of scope (spec §4.10): accepted and ignored so scripts run.
		for _, name := range samlSetters {
			m.chain(name, func(*actionRun, goja.FunctionCall) {})
		}
	}},
}

// decidedByEvent are the api methods whose effect depends only on their
// arguments and the commands so far: an execution that calls no others (and
// reads neither the clock nor Math.random) may have its outcome reused.
var decidedByEvent = func() map[string]bool {
	m := map[string]bool{"access.deny": true, "idToken.setCustomClaim": true, "accessToken.setCustomClaim": true,
		"accessToken.addScope": true, "accessToken.removeScope": true, "multifactor.enable": true,
		"user.setUserMetadata": true, "user.setAppMetadata": true, "transaction.setMetadata": true,
		"validation.error": true, "rules.wasExecuted": true, "prompt.render": true}
	for _, name := range samlSetters {
		m["samlResponse."+name] = true
	}
	return m
}()

var samlSetters = []string{
	"setAttribute", "setAudience", "setIssuer", "setEncryptionCert", "setEncryptionPublicKey",
	"setRecipient", "setCreateUpnClaim", "setPassthroughClaimsWithNoMapping", "setMapUnknownClaimsAsIs",
	"setMapIdentities", "setDestination", "setLifetimeInSeconds", "setSignResponse",
	"setNameIdentifierFormat", "setNameIdentifierProbes", "setAuthnContextClassRef", "setSigningCert",
	"setIncludeAttributeNameFormat", "setMappings", "setCert", "setKey", "setSignatureAlgorithm",
	"setDigestAlgorithm", "setRelayState",
}

// apiFuncs are the Go functions behind one sandbox's api, made on first use:
// a namespace's getter, and its methods in registration order.
type apiFuncs struct {
	getter  goja.Value
	methods []goja.Value
	// ready are namespace objects built ahead (prepareShells).
	ready []*goja.Object
}

// preparedNamespaces are the namespaces most actions use, built ahead of
// time for each action of a pooled sandbox.
var preparedNamespaces = map[string]bool{"access": true, "idToken": true, "accessToken": true,
	"multifactor": true, "user": true, "transaction": true}

// prepareNamespaces builds n objects of each prepared namespace.
func (sb *sandbox) prepareNamespaces(n int) {
	for i, ns := range apiNamespaces {
		if !preparedNamespaces[ns.name] {
			continue
		}
		for range n {
			m := &nsBuilder{ns: ns.name, sb: sb, funcs: &sb.api[i], obj: sb.r.NewObject()}
			ns.build(m)
			sb.api[i].ready = append(sb.api[i].ready, m.obj)
		}
	}
}

// initAPI makes the namespace getters of this sandbox's api objects. It runs
// while the sandbox is built (off the login's critical path); the methods
// behind each namespace are made on its first use (nsBuilder).
func (sb *sandbox) initAPI() {
	sb.api = make([]apiFuncs, len(apiNamespaces))
	sb.apiOwner = map[*goja.Object]*actionRun{}
	for i := range apiNamespaces {
		sb.api[i].getter = sb.kindFn(usesEngine, func(c goja.FunctionCall) goja.Value {
			// An earlier action's api (kept in a global) still reads
			// that action's namespaces.
			owner := sb.cur
			if this, ok := c.This.(*goja.Object); ok && sb.apiOwner[this] != nil {
				owner = sb.apiOwner[this]
			}
			return owner.namespace(i)
		})
	}
}

// buildAPI builds this action's api object (spec §4): its own object with
// an enumerable, non-configurable getter per namespace that builds the
// namespace object (its own too) on first access. Most actions touch one or
// two of the fifteen.
func (ar *actionRun) buildAPI() *goja.Object {
	sb := ar.sandbox
	api := sb.takeShell(&sb.apiShells)
	if api == nil {
		api = sb.newAPIShell()
	}
	sb.apiOwner[api] = ar
	return api
}

func (sb *sandbox) newAPIShell() *goja.Object {
	api := sb.r.NewObject()
	for i, ns := range apiNamespaces {
		_ = api.DefineAccessorProperty(ns.name, sb.api[i].getter, nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	return api
}

// namespace returns this action's namespace object i, built on first access.
func (ar *actionRun) namespace(i int) *goja.Object {
	if ar.namespaces == nil {
		ar.namespaces = make([]*goja.Object, len(apiNamespaces))
	}
	if ns := ar.namespaces[i]; ns != nil {
		return ns
	}
	if ns := ar.sandbox.takeShell(&ar.sandbox.api[i].ready); ns != nil {
		ar.namespaces[i] = ns
		return ns
	}
	m := &nsBuilder{ns: apiNamespaces[i].name, sb: ar.sandbox, funcs: &ar.sandbox.api[i], obj: ar.r.NewObject()}
	apiNamespaces[i].build(m)
	ar.namespaces[i] = m.obj
	return m.obj
}

// nsBuilder fills one namespace object. A method's Go function is made once
// per sandbox; it captures nothing of an action and acts on sandbox.cur.
type nsBuilder struct {
	ns    string // the namespace's name
	sb    *sandbox
	funcs *apiFuncs
	obj   *goja.Object
	n     int
}

func (m *nsBuilder) fn(name string, f func(*actionRun, goja.FunctionCall) goja.Value) {
	if m.n == len(m.funcs.methods) {
		sb := m.sb
		kind := usesEngine | outside
		if decidedByEvent[m.ns+"."+name] {
			kind = usesEngine
		}
		m.funcs.methods = append(m.funcs.methods, sb.kindFn(kind, func(c goja.FunctionCall) goja.Value { return f(sb.cur, c) }))
	}
	_ = m.obj.Set(name, m.funcs.methods[m.n])
	m.n++
}

// chain registers a command whose method returns api (spec §4: chainable;
// the spec allows returning api where the typings say void).
func (m *nsBuilder) chain(name string, f func(*actionRun, goja.FunctionCall)) {
	m.fn(name, func(ar *actionRun, c goja.FunctionCall) goja.Value {
		f(ar, c)
		return ar.api
	})
}

// deny records the first reason (spec §4.1); it does not throw.
func (ar *actionRun) deny(kind, reason, code string) {
	if ar.ex.cmds.Deny == nil {
		ar.ex.cmds.Deny = &Deny{Reason: reason, Kind: kind, Code: code}
	}
}

// jsonValue copies a JS value out of the runtime through JSON.stringify, the
// same serialization the token and profile writes will use. ok is false for
// undefined (and functions), which serialize to nothing.
func (ar *actionRun) jsonValue(v goja.Value) (val any, ok bool) {
	if val, ok, fast := jsonPrimitive(v); fast {
		return val, ok
	}
	out, err := ar.stringify(goja.Undefined(), v)
	if err != nil {
		rethrowUncatchable(err)
		ar.throwType("Value is not JSON-serializable: " + ar.message(exceptionValue(err)))
	}
	if goja.IsUndefined(out) {
		return nil, false
	}
	if err := json.Unmarshal([]byte(out.String()), &val); err != nil {
		ar.throwType("Value is not JSON-serializable")
	}
	return val, true
}

// jsonPrimitive is jsonValue for the primitives whose JSON round trip is
// known without running it (JSON.stringify consults no toJSON for them);
// fast is false for anything else. A string with U+FFFD may have been a
// lone surrogate, which the round trip also replaces; it takes the slow
// path to stay exact.
func jsonPrimitive(v goja.Value) (val any, ok, fast bool) {
	switch {
	case v == nil || goja.IsUndefined(v):
		return nil, false, true
	case goja.IsNull(v):
		return nil, true, true
	}
	switch v.(type) {
	case *goja.Object: // new String("x") has a toJSON lookup
		return nil, false, false
	case *goja.Symbol: // serializes to nothing, like undefined
		return nil, false, true
	}
	switch x := v.Export().(type) {
	case string:
		if utf8.ValidString(x) && !strings.ContainsRune(x, utf8.RuneError) {
			return x, true, true
		}
	case bool:
		return x, true, true
	case int64:
		return float64(x), true, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, true, true // JSON.stringify writes null
		}
		return x + 0, true, true // -0 is written as 0
	}
	return nil, false, false
}

func exceptionValue(err error) goja.Value {
	if ex, ok := err.(*goja.Exception); ok {
		return ex.Value()
	}
	return goja.Undefined()
}

var mfaProviders = map[string]bool{"any": true, "none": true, "guardian": true, "google-authenticator": true, "duo": true}

// enableMFA records api.multifactor.enable; the last call wins (spec §4.4).
func (ar *actionRun) enableMFA(c goja.FunctionCall) {
	provider := c.Argument(0).String()
	if !mfaProviders[provider] {
		ar.throwType(fmt.Sprintf("Invalid MFA provider %q: use any, none, guardian, google-authenticator or duo.", provider))
	}
	mfa := &MFA{Provider: provider}
	if opts, ok := c.Argument(1).(*goja.Object); ok {
		mfa.AllowRememberBrowser = opts.Get("allowRememberBrowser").ToBoolean()
	}
	ar.ex.cmds.MFA = mfa
}

// MaxMetadataBytes caps what one login writes to user_metadata and to
// app_metadata (spec §4.8: 32 kB each per session).
const MaxMetadataBytes = 32 * 1000

// setMetadata queues a profile write and makes it visible to later actions
// (spec §4.8). null deletes the key.
func (ar *actionRun) setMetadata(field string, patch *map[string]any, c goja.FunctionCall) {
	if stored := ar.ex.event.peek("user", field); stored != nil {
		if _, ok := stored.(map[string]any); !ok {
			ar.throw(fmt.Sprintf("Unexpected %s format. Must be a valid JSON object.", field))
		}
	}
	key := c.Argument(0).String()
	val, ok := ar.jsonValue(c.Argument(1))
	if !ok {
		val = nil // undefined deletes like null
	}
	next := maps.Clone(*patch)
	if next == nil {
		next = map[string]any{}
	}
	next[key] = val
	if b, _ := json.Marshal(next); len(b) > MaxMetadataBytes {
		ar.throw(fmt.Sprintf("The %s written by this login exceeds the maximum size of 32 kB.", field))
	}
	*patch = next
}

// Transaction metadata limits (spec §4.11).
const (
	TxMetaMaxKey   = 64
	TxMetaMaxValue = 8 * 1024
	TxMetaMaxTotal = 16 * 1024
	maxSafeInteger = 1<<53 - 1
)

func (ar *actionRun) setTransactionMetadata(c goja.FunctionCall) {
	key := c.Argument(0).String()
	if key == "" || len(key) > TxMetaMaxKey {
		ar.throwType(fmt.Sprintf("Transaction metadata keys must be 1 to %d characters.", TxMetaMaxKey))
	}
	v := c.Argument(1)
	md := maps.Clone(ar.ex.cmds.TransactionMetadata)
	if md == nil {
		md = map[string]any{}
	}
	switch exp := v.Export().(type) {
	case nil:
		delete(md, key)
	case string:
		if len(exp) > TxMetaMaxValue {
			ar.throwRange(fmt.Sprintf("Transaction metadata values must not exceed %d bytes.", TxMetaMaxValue))
		}
		md[key] = exp
	case bool:
		md[key] = exp
	case int64:
		if exp > maxSafeInteger || exp < -maxSafeInteger {
			ar.throwRange("Transaction metadata numbers must be safe integers.")
		}
		md[key] = float64(exp)
	case float64:
		if exp != exp || exp > maxSafeInteger || exp < -maxSafeInteger {
			ar.throwRange("Transaction metadata numbers must be finite and safe.")
		}
		md[key] = exp
	default:
		ar.throwType("Transaction metadata values must be a string, number or boolean.")
	}
	if b, _ := json.Marshal(md); len(b) > TxMetaMaxTotal {
		ar.throwRange(fmt.Sprintf("Transaction metadata must not exceed %d bytes in total.", TxMetaMaxTotal))
	}
	ar.ex.cmds.TransactionMetadata = md
	if ar.txMeta != nil {
		if _, ok := md[key]; ok {
			_ = ar.txMeta.Set(key, v)
		} else {
			_ = ar.txMeta.Delete(key)
		}
	}
}

// Scope limits (spec §4.3).
const (
	MaxScopeLen    = 280
	MaxAddedScopes = 1000
)

// scope validates like the official helper, then records last-call-wins.
func (ar *actionRun) scope(v goja.Value, add bool) {
	s, ok := v.(goja.String)
	if !ok {
		ar.throwType("The value for the scope must be a string.")
	}
	scope := strings.TrimSpace(s.String())
	switch {
	case scope == "":
		ar.throw("The value for the scope is required.")
	case len([]rune(scope)) > MaxScopeLen:
		ar.throw(fmt.Sprintf("The value for the scope exceeds the allowed maximum of %d characters.", MaxScopeLen))
	case strings.IndexFunc(scope, unicode.IsSpace) >= 0:
		ar.throw("The value for the scope must not have whitespace.")
	}
	cmds := ar.ex.cmds
	if add && !cmds.Scopes[scope] {
		added := 0
		for _, on := range cmds.Scopes {
			if on {
				added++
			}
		}
		if added >= MaxAddedScopes {
			ar.throw(fmt.Sprintf("The number of scopes exceeds the allowed maximum of %d.", MaxAddedScopes))
		}
	}
	if cmds.Scopes == nil {
		cmds.Scopes = map[string]bool{}
	}
	if _, seen := cmds.Scopes[scope]; !seen {
		cmds.ScopeOrder = append(cmds.ScopeOrder, scope)
	}
	cmds.Scopes[scope] = add
}

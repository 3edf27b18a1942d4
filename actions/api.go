package actions

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"unicode"

	"github.com/dop251/goja"
)

// buildAPI builds this action's api object (spec §4). Namespaces are built on
// first access: most actions touch one or two of the fifteen.
func (ar *actionRun) buildAPI() *goja.Object {
	api := ar.r.NewObject()
	ar.namespace(api, "access", func(ns *goja.Object) {
		ar.method(ns, "deny", ar.chain(func(c goja.FunctionCall) { ar.deny("deny", c.Argument(0).String(), "") }))
	})
	ar.namespace(api, "idToken", func(ns *goja.Object) {
		ar.method(ns, "setCustomClaim", ar.chain(func(c goja.FunctionCall) { ar.setClaim(&ar.ex.cmds.IDClaims, false, c) }))
	})
	ar.namespace(api, "accessToken", func(ns *goja.Object) {
		ar.method(ns, "setCustomClaim", ar.chain(func(c goja.FunctionCall) { ar.setClaim(&ar.ex.cmds.AccessClaims, true, c) }))
		ar.method(ns, "addScope", ar.chain(func(c goja.FunctionCall) { ar.scope(c.Argument(0), true) }))
		ar.method(ns, "removeScope", ar.chain(func(c goja.FunctionCall) { ar.scope(c.Argument(0), false) }))
	})
	ar.namespace(api, "multifactor", func(ns *goja.Object) {
		ar.method(ns, "enable", ar.chain(ar.enableMFA))
	})
	ar.namespace(api, "user", func(ns *goja.Object) {
		ar.method(ns, "setUserMetadata", ar.chain(func(c goja.FunctionCall) { ar.setMetadata("user_metadata", &ar.ex.cmds.UserMetadata, c) }))
		ar.method(ns, "setAppMetadata", ar.chain(func(c goja.FunctionCall) { ar.setMetadata("app_metadata", &ar.ex.cmds.AppMetadata, c) }))
	})
	ar.namespace(api, "transaction", func(ns *goja.Object) {
		ar.method(ns, "setMetadata", ar.chain(ar.setTransactionMetadata))
	})
	ar.namespace(api, "redirect", ar.redirectNamespace)
	ar.namespace(api, "authentication", ar.authenticationNamespace)
	ar.namespace(api, "session", ar.sessionNamespace)
	ar.namespace(api, "refreshToken", ar.refreshTokenNamespace)
	ar.namespace(api, "cache", ar.cacheNamespace)
	ar.namespace(api, "validation", func(ns *goja.Object) {
		// authd choice (spec §4.10): behaves like deny(message), keeps the code.
		ar.method(ns, "error", ar.chain(func(c goja.FunctionCall) {
			ar.deny("validation_error", c.Argument(1).String(), c.Argument(0).String())
		}))
	})
	ar.namespace(api, "rules", func(ns *goja.Object) {
		ar.method(ns, "wasExecuted", ar.fn(func(goja.FunctionCall) goja.Value { return ar.r.ToValue(false) }))
	})
	ar.namespace(api, "prompt", func(ns *goja.Object) {
		ar.method(ns, "render", ar.fn(func(goja.FunctionCall) goja.Value {
			ar.throw("api.prompt.render is not supported by authd.")
			return nil
		}))
	})
	ar.namespace(api, "samlResponse", func(ns *goja.Object) {
		// Out of scope (spec §4.10): accepted and ignored so scripts run.
		for _, name := range samlSetters {
			ar.method(ns, name, ar.chain(func(goja.FunctionCall) {}))
		}
	})
	return api
}

var samlSetters = []string{
	"setAttribute", "setAudience", "setIssuer", "setEncryptionCert", "setEncryptionPublicKey",
	"setRecipient", "setCreateUpnClaim", "setPassthroughClaimsWithNoMapping", "setMapUnknownClaimsAsIs",
	"setMapIdentities", "setDestination", "setLifetimeInSeconds", "setSignResponse",
	"setNameIdentifierFormat", "setNameIdentifierProbes", "setAuthnContextClassRef", "setSigningCert",
	"setIncludeAttributeNameFormat", "setMappings", "setCert", "setKey", "setSignatureAlgorithm",
	"setDigestAlgorithm", "setRelayState",
}

// namespace defines api[name] as an enumerable getter that builds the
// namespace object once.
func (ar *actionRun) namespace(api *goja.Object, name string, build func(ns *goja.Object)) {
	var ns *goja.Object
	getter := ar.r.ToValue(func(goja.FunctionCall) goja.Value {
		if ns == nil {
			ns = ar.r.NewObject()
			build(ns)
		}
		return ns
	})
	_ = api.DefineAccessorProperty(name, getter, nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

func (ar *actionRun) method(ns *goja.Object, name string, fn goja.Value) { _ = ns.Set(name, fn) }

// chain wraps a command so the method returns api (spec §4: chainable; the
// spec allows returning api where the typings say void).
func (ar *actionRun) chain(f func(goja.FunctionCall)) goja.Value {
	return ar.fn(func(c goja.FunctionCall) goja.Value {
		f(c)
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
func (ar *actionRun) jsonValue(v goja.Value) (val any, raw string, ok bool) {
	out, err := ar.stringify(goja.Undefined(), v)
	if err != nil {
		rethrowUncatchable(err)
		ar.throwType("Value is not JSON-serializable: " + ar.message(exceptionValue(err)))
	}
	if goja.IsUndefined(out) {
		return nil, "", false
	}
	raw = out.String()
	if err := json.Unmarshal([]byte(raw), &val); err != nil {
		ar.throwType("Value is not JSON-serializable")
	}
	return val, raw, true
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
	if stored := lookup(ar.ex.event, "user", field); stored != nil {
		if _, ok := stored.(map[string]any); !ok {
			ar.throw(fmt.Sprintf("Unexpected %s format. Must be a valid JSON object.", field))
		}
	}
	key := c.Argument(0).String()
	val, _, ok := ar.jsonValue(c.Argument(1))
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

package actions

import (
	"fmt"
	"math"
	"net/url"
	"regexp"

	"github.com/dop251/goja"
)

// knownFactors are the factor types of challengeWith*/enrollWith* (spec §4.5).
var knownFactors = setOf("otp", "email", "webauthn-platform", "webauthn-roaming", "recovery-code",
	"phone", "push", "push-notification")

func authenticationNamespace(m *nsBuilder) {
	m.chain("challengeWith", func(ar *actionRun, c goja.FunctionCall) { ar.challenge(false, c, false) })
	m.chain("challengeWithAny", func(ar *actionRun, c goja.FunctionCall) { ar.challenge(false, c, true) })
	m.chain("enrollWith", func(ar *actionRun, c goja.FunctionCall) { ar.challenge(true, c, false) })
	m.chain("enrollWithAny", func(ar *actionRun, c goja.FunctionCall) { ar.challenge(true, c, true) })
	m.chain("recordMethod", (*actionRun).recordMethod)
	m.fn("setPrimaryUser", func(ar *actionRun, c goja.FunctionCall) goja.Value {
		id, ok := c.Argument(0).(goja.String)
		if !ok || id.Length() == 0 || id.Length() > 128 {
			ar.throwType("The primary user id must be a non-empty string of at most 128 characters.")
		}
		ar.throw("api.authentication.setPrimaryUser is not supported by authd.")
		return nil
	})
}

// challenge records challengeWith*/enrollWith*; the pipeline suspends after
// this action. Every flow records it: the server runs it (login), answers
// interaction_required (silent) or mfa_required (refresh).
func (ar *actionRun) challenge(enroll bool, c goja.FunctionCall, pick bool) {
	var factors []string
	add := func(v goja.Value) {
		obj, ok := v.(*goja.Object)
		if !ok {
			ar.throwType("A factor must be an object with a type.")
		}
		t := obj.Get("type").String()
		if !knownFactors[t] {
			ar.throwType(fmt.Sprintf("Unknown factor type %q.", t))
		}
		factors = append(factors, t)
	}
	list := func(v goja.Value) {
		arr, ok := v.(*goja.Object)
		if !ok || arr.ClassName() != "Array" {
			ar.throwType("Factors must be an array.")
		}
		for _, k := range arr.Keys() {
			add(arr.Get(k))
		}
	}
	if pick {
		list(c.Argument(0))
	} else {
		add(c.Argument(0))
		if opts, ok := c.Argument(1).(*goja.Object); ok && !enroll {
			if extra := opts.Get("additionalFactors"); extra != nil && !goja.IsUndefined(extra) {
				list(extra)
			}
		}
	}
	if len(factors) == 0 {
		ar.throwType("At least one factor is required.")
	}
	ar.ex.cmds.Challenge = &Challenge{Enroll: enroll, Factors: factors, Index: ar.index}
	ar.ex.cmds.Redirect = nil // the later suspension request wins
}

// recordMethod is only valid in onContinuePostLogin (spec §4.5, authd choice).
func (ar *actionRun) recordMethod(c goja.FunctionCall) {
	if ar.handler != HandlerContinue {
		ar.throw("api.authentication.recordMethod can only be called in onContinuePostLogin.")
	}
	u, err := url.Parse(c.Argument(0).String())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ar.throwType("The provider URL must be an http: or https: URL.")
	}
	ar.ex.cmds.Methods = append(ar.ex.cmds.Methods, Method{Name: u.String(), Timestamp: ar.ex.now().UTC()})
}

var metadataKey = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// sessionNamespace: revoke is a command; the rest validate and are no-ops in
// authd v1 (spec §4.9).
func sessionNamespace(m *nsBuilder) {
	noSession := func(ar *actionRun) {
		if ar.ex.flow == FlowRefresh {
			ar.throw("Failed to set session metadata: Cannot set metadata on a session that does not exist.")
		}
	}
	m.chain("revoke", func(ar *actionRun, c goja.FunctionCall) {
		if ar.ex.flow == FlowRefresh {
			ar.throw("api.session.revoke cannot be used during a refresh token exchange.")
		}
		preserve := false
		if opts, ok := c.Argument(1).(*goja.Object); ok {
			preserve = opts.Get("preserveRefreshTokens").ToBoolean()
		}
		if ar.ex.cmds.Deny == nil {
			ar.ex.cmds.Deny = &Deny{Reason: c.Argument(0).String(), Kind: "session_revoke", PreserveRefreshTokens: preserve}
		}
	})
	m.chain("setExpiresAt", func(ar *actionRun, c goja.FunctionCall) { ar.epochArg(c, "setExpiresAt") })
	m.chain("setIdleExpiresAt", func(ar *actionRun, c goja.FunctionCall) { ar.epochArg(c, "setIdleExpiresAt") })
	m.chain("setCookieMode", func(ar *actionRun, c goja.FunctionCall) {
		if mode := c.Argument(0).String(); mode != "persistent" && mode != "non-persistent" {
			ar.throw("Invalid cookie mode: " + mode)
		}
	})
	m.chain("setMetadata", func(ar *actionRun, c goja.FunctionCall) { noSession(ar); ar.metadataArgs(c, true) })
	m.chain("deleteMetadata", func(ar *actionRun, c goja.FunctionCall) { noSession(ar); ar.metadataArgs(c, false) })
	m.chain("evictMetadata", func(ar *actionRun, _ goja.FunctionCall) { noSession(ar) })
}

// refreshTokenNamespace: revoke only during a refresh exchange (spec §4.9).
func refreshTokenNamespace(m *nsBuilder) {
	m.chain("revoke", func(ar *actionRun, c goja.FunctionCall) {
		if ar.ex.flow != FlowRefresh {
			ar.throw("api.refreshToken.revoke can only be used during a refresh token exchange.")
		}
		if ar.ex.cmds.Deny == nil {
			ar.ex.cmds.Deny = &Deny{Reason: c.Argument(0).String(), Kind: "refresh_token_revoke"}
		}
	})
	m.chain("setExpiresAt", func(ar *actionRun, c goja.FunctionCall) { ar.epochArg(c, "setExpiresAt") })
	m.chain("setIdleExpiresAt", func(ar *actionRun, c goja.FunctionCall) { ar.epochArg(c, "setIdleExpiresAt") })
	m.chain("setMetadata", func(ar *actionRun, c goja.FunctionCall) { ar.metadataArgs(c, true) })
	m.chain("deleteMetadata", func(ar *actionRun, c goja.FunctionCall) { ar.metadataArgs(c, false) })
	m.chain("evictMetadata", func(*actionRun, goja.FunctionCall) {})
}

func (ar *actionRun) epochArg(c goja.FunctionCall, name string) {
	v := c.Argument(0)
	ms := v.ToFloat()
	if goja.IsUndefined(v) || math.IsNaN(ms) || math.IsInf(ms, 0) || ms <= 0 {
		ar.throwType(name + " requires a timestamp in milliseconds.")
	}
}

func (ar *actionRun) metadataArgs(c goja.FunctionCall, withValue bool) {
	key := c.Argument(0).String()
	if len(key) > 255 || !metadataKey.MatchString(key) {
		ar.throwType("Metadata keys must match ^[a-zA-Z0-9_-]+$ and have at most 255 characters.")
	}
	if withValue {
		v := c.Argument(1)
		if s, ok := v.(goja.String); (!ok && !goja.IsNull(v)) || (ok && s.Length() > 255) {
			ar.throwType("Metadata values must be strings of at most 255 characters, or null.")
		}
	}
}

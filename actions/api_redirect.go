package actions

import (
	"fmt"
	"math"
	"net/url"

	"github.com/dop251/goja"
)

// ErrRedirectUnsupported is thrown by sendUserTo in the refresh flow (spec
// §6.1 authd choice: the exchange fails with access_denied and this text).
const ErrRedirectUnsupported = "Redirect is not supported in this flow"

// DefaultTokenTTL is encodeToken's default lifetime (spec §4.6).
const DefaultTokenTTL = 900

func redirectNamespace(m *nsBuilder) {
	m.chain("sendUserTo", (*actionRun).sendUserTo)
	m.fn("encodeToken", (*actionRun).encodeToken)
	m.fn("validateToken", (*actionRun).validateToken)
	m.fn("canRedirect", func(ar *actionRun, _ goja.FunctionCall) goja.Value { return ar.r.ToValue(ar.canRedirect()) })
}

// canRedirect follows spec §4.6: no redirect for prompt=none or the
// back-channel protocols.
func (ar *actionRun) canRedirect() bool {
	if ar.ex.flow != FlowLogin || ar.ex.event.lookupString("request", "query", "prompt") == "none" {
		return false
	}
	switch ar.ex.event.lookupString("transaction", "protocol") {
	case "oauth2-resource-owner", "oauth2-refresh-token", "oauth2-password", "oauth2-webauthn":
		return false
	}
	return true
}

// sendUserTo records the redirect; the pipeline suspends after this action.
// In the silent flow it is recorded too and the server answers
// interaction_required (spec §6.1); in the refresh flow it throws.
func (ar *actionRun) sendUserTo(c goja.FunctionCall) {
	if ar.ex.flow == FlowRefresh {
		ar.throw(ErrRedirectUnsupported)
	}
	u, err := url.Parse(c.Argument(0).String())
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		ar.throwType("Invalid URL")
	}
	if opts, ok := c.Argument(1).(*goja.Object); ok {
		if query, ok := opts.Get("query").(*goja.Object); ok {
			q := u.Query()
			for _, k := range query.Keys() {
				q.Set(k, query.Get(k).String())
			}
			u.RawQuery = q.Encode()
		}
	}
	ar.ex.cmds.Redirect = &Redirect{URL: u.String(), Index: ar.index}
	ar.ex.cmds.Challenge = nil // the later suspension request wins
}

func (ar *actionRun) secretArg(opts *goja.Object, method string) []byte {
	s, ok := opts.Get("secret").(goja.String)
	if !ok || s.Length() == 0 {
		ar.throw(fmt.Sprintf("A secret is required for api.redirect.%s.", method))
	}
	return []byte(s.String())
}

// encodeToken signs {iat, iss, sub, exp, ip, ...payload} with HS256 (spec §4.6).
func (ar *actionRun) encodeToken(c goja.FunctionCall) goja.Value {
	opts, ok := c.Argument(0).(*goja.Object)
	if !ok {
		ar.throwType("api.redirect.encodeToken expects an options object.")
	}
	secret := ar.secretArg(opts, "encodeToken")
	ttl := float64(DefaultTokenTTL)
	if v := opts.Get("expiresInSeconds"); v != nil && !goja.IsUndefined(v) {
		ttl = v.ToFloat()
		if math.IsNaN(ttl) || math.IsInf(ttl, 0) || ttl < 0 {
			ar.throwType("expiresInSeconds must be a non-negative number.")
		}
	}
	iat := ar.ex.now().Unix()
	claims := map[string]any{
		"iat": iat,
		"iss": ar.ex.event.lookupString("request", "hostname"),
		"sub": ar.ex.event.lookupString("user", "user_id"),
		"exp": iat + int64(ttl),
		"ip":  ar.ex.event.lookupString("request", "ip"),
	}
	if p := opts.Get("payload"); p != nil && !goja.IsUndefined(p) {
		val, _ := ar.jsonValue(p)
		payload, ok := val.(map[string]any)
		if !ok {
			ar.throwType("The token payload must be an object.")
		}
		for k, v := range payload {
			claims[k] = v
		}
	}
	tok, err := signHS256(claims, secret)
	if err != nil {
		ar.throw("Failed to encode the token: " + err.Error())
	}
	return ar.r.ToValue(tok)
}

// validateToken implements spec §6.3, every check with its message.
func (ar *actionRun) validateToken(c goja.FunctionCall) goja.Value {
	opts, ok := c.Argument(0).(*goja.Object)
	if !ok {
		ar.throwType("api.redirect.validateToken expects an options object.")
	}
	secret := ar.secretArg(opts, "validateToken")
	param := "session_token"
	if v := opts.Get("tokenParameterName"); v != nil && !goja.IsUndefined(v) {
		param = v.String()
	}
	params := ar.resumeParams()
	token, _ := params[param].(string)
	if token == "" {
		ar.throw(fmt.Sprintf("There is no parameter called '%s' available in either the POST body or query string.", param))
	}
	invalid := func(reason string) { ar.throw("The session token is invalid: " + reason) }
	claims, err := verifyHS256(token, secret)
	if err != nil {
		invalid(err.Error())
	}
	iat, iatOK := claims["iat"].(float64)
	exp, expOK := claims["exp"].(float64)
	sub, subOK := claims["sub"].(string)
	_, issOK := claims["iss"].(string)
	state, stateOK := claims["state"].(string)
	if !iatOK || !expOK || !subOK || !issOK || !stateOK || iat <= 0 {
		invalid("Missing or invalid standard claims")
	}
	if float64(ar.ex.now().Unix()) >= exp {
		invalid("The token has expired.")
	}
	if want, _ := params["state"].(string); state != want {
		invalid("State in the token does not match the /continue state.")
	}
	if sub != ar.ex.event.lookupString("user", "user_id") {
		invalid("The sub claim does not match the user_id.")
	}
	return ar.toJS(claims)
}

// resumeParams is {...event.request.query, ...event.request.body}: body wins.
func (ar *actionRun) resumeParams() map[string]any {
	out := map[string]any{}
	for _, part := range []string{"query", "body"} {
		if m, ok := ar.ex.event.lookup("request", part).(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
	}
	return out
}

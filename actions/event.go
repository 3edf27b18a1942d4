package actions

import "maps"

// DefaultEvent is a realistic interactive-login event (spec §3) for
// `authd actions test` and examples: user auth0|u1 of client "My SPA".
func DefaultEvent() map[string]any {
	return map[string]any{
		"user": map[string]any{
			"user_id": "auth0|u1", "email": "user@example.org", "email_verified": true,
			"name": "Test User", "nickname": "test", "picture": "",
			"created_at": "2025-01-01T00:00:00.000Z", "updated_at": "2025-01-01T00:00:00.000Z",
			"user_metadata": map[string]any{}, "app_metadata": map[string]any{},
			"identities": []any{map[string]any{"connection": "Username-Password-Authentication",
				"provider": "auth0", "user_id": "u1", "isSocial": false}},
		},
		"client":     map[string]any{"client_id": "spa1", "name": "My SPA", "metadata": map[string]any{}},
		"connection": map[string]any{"id": "con_1", "name": "Username-Password-Authentication", "strategy": "auth0", "metadata": map[string]any{}},
		"request": map[string]any{
			"ip": "203.0.113.7", "method": "GET", "hostname": "auth.test", "user_agent": "Mozilla/5.0",
			"language": "en", "geoip": map[string]any{},
			"query": map[string]any{"client_id": "spa1", "response_type": "code", "scope": "openid profile email",
				"redirect_uri": "https://app.test/cb", "state": "xyz"},
			"body": map[string]any{},
		},
		"transaction": map[string]any{
			"id": "tx_1", "protocol": "oidc-basic-profile", "requested_scopes": []any{"openid", "profile", "email"},
			"redirect_uri": "https://app.test/cb", "state": "xyz", "response_type": []any{"code"},
			"metadata": map[string]any{},
		},
		"authentication": map[string]any{"methods": []any{map[string]any{"name": "pwd", "timestamp": "2025-01-01T00:00:00.000Z"}}},
		"authorization":  map[string]any{"roles": []any{}},
		"stats":          map[string]any{"logins_count": 1},
		"tenant":         map[string]any{"id": "authd"},
		"configuration":  map[string]any{},
	}
}

// WithDefaults returns a copy of event in which every object spec §3 says
// "always exists" is present (possibly empty), so a minimal event file or a
// sparse server event never makes a script dereference undefined.
func WithDefaults(event map[string]any) map[string]any {
	out := maps.Clone(event)
	if out == nil {
		out = map[string]any{}
	}
	user := ensure(out, "user")
	ensure(user, "user_metadata")
	ensure(user, "app_metadata")
	ensure(ensure(out, "client"), "metadata")
	ensure(out, "connection")
	req := ensure(out, "request")
	ensure(req, "query")
	ensure(req, "body")
	ensure(req, "geoip")
	ensure(out, "stats")
	ensure(out, "tenant")
	ensure(out, "configuration")
	ensure(ensure(out, "transaction"), "metadata")
	if auth := ensure(out, "authorization"); auth["roles"] == nil {
		auth["roles"] = []any{}
	}
	return out
}

// ensure makes m[key] an object (copying an existing one) and returns it.
func ensure(m map[string]any, key string) map[string]any {
	obj, ok := m[key].(map[string]any)
	if ok {
		obj = maps.Clone(obj)
	} else if m[key] == nil {
		obj = map[string]any{}
	} else {
		return map[string]any{} // a non-object is left alone for the script to see
	}
	m[key] = obj
	return obj
}

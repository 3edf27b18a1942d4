package login

import (
	"cmp"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/store"
)

// The event object (spec §3). Built as plain JSON values: the engine
// copies it into each action's runtime, so nothing here is shared with
// scripts by reference.

const connectionName = "Username-Password-Authentication"

func iso(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func userEvent(u *store.User, mfa enrolled) map[string]any {
	um := u.UserMetadata
	if um == nil {
		um = map[string]any{}
	}
	am := u.AppMetadata
	if am == nil {
		am = map[string]any{}
	}
	ev := map[string]any{
		"user_id":        u.ID,
		"email":          u.Email,
		"email_verified": u.EmailVerified,
		"created_at":     iso(u.CreatedAt),
		"updated_at":     iso(u.UpdatedAt),
		"user_metadata":  um,
		"app_metadata":   am,
		"identities": []any{map[string]any{
			"connection": u.Connection, "provider": "auth0", "isSocial": false,
			"user_id": strings.TrimPrefix(u.ID, "auth0|"),
		}},
		"logins_count":    u.LoginsCount,
		"multifactor":     mfa.providers,
		"enrolledFactors": mfa.factors,
	}
	for _, f := range [...]struct{ k, v string }{{"name", u.Name}, {"nickname", u.Nickname},
		{"given_name", u.GivenName}, {"family_name", u.FamilyName}, {"picture", u.Picture}} {
		if f.v != "" {
			ev[f.k] = f.v
		}
	}
	if !u.LastPasswordReset.IsZero() {
		ev["last_password_reset"] = iso(u.LastPasswordReset)
	}
	return ev
}

func clientEvent(c *config.Client) map[string]any {
	md := map[string]any{}
	for k, v := range c.Metadata {
		md[k] = v
	}
	return map[string]any{"client_id": c.ClientID, "name": c.Name, "metadata": md}
}

func methodsEvent(ms []store.AuthMethod) []any {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		e := map[string]any{"name": m.Name, "timestamp": iso(m.Timestamp)}
		if m.Type != "" {
			e["type"] = m.Type
		}
		out = append(out, e)
	}
	return out
}

// requestEvent describes the HTTP request being served (spec §3.4).
func (h *Handler) requestEvent(r *http.Request, query, body map[string]any) map[string]any {
	ip := ClientIP(r, h.Config.TrustedProxies)
	ev := map[string]any{
		"ip":       ip,
		"method":   r.Method,
		"query":    query,
		"body":     body,
		"geoip":    h.GeoIP.Lookup(ip),
		"hostname": hostOf(h.Config.Issuer),
	}
	if ua := r.UserAgent(); ua != "" {
		ev["user_agent"] = ua
	}
	if lang := r.Header.Get("Accept-Language"); lang != "" {
		ev["language"] = strings.TrimSpace(strings.SplitN(strings.SplitN(lang, ",", 2)[0], ";", 2)[0])
	}
	return ev
}

// enrolled is what the user has set up, as Auth0 reports it:
// event.user.multifactor (providers) and event.user.enrolledFactors.
type enrolled struct {
	providers []string
	factors   []any
}

// mfaEnrolled reads the factor summary loaded with u, so u must have been
// loaded after the last factor change it is to reflect.
func mfaEnrolled(u *store.User) enrolled {
	out := enrolled{providers: []string{}, factors: []any{}}
	if u.HasTOTP {
		out.providers = append(out.providers, "google-authenticator")
		out.factors = append(out.factors, map[string]any{"type": "otp"})
	}
	if u.HasPasskey {
		out.factors = append(out.factors, map[string]any{"type": "webauthn-platform"})
	}
	return out
}

// pageSecrets are form fields of our own pages that never reach an action.
var pageSecrets = map[string]bool{"password": true, "code": true, "recovery_code": true, "csrf_token": true}

// loginEvent is the event of an interactive login (or its resume).
func (h *Handler) loginEvent(r *http.Request, ar *store.AuthRequest, st *txState, u *store.User, sess *store.Session) map[string]any {
	c := h.client(ar)
	var query, body map[string]any
	if st.Resume || st.Paused {
		// After a suspension event.request describes the request that
		// resumed the login (/continue, or the MFA page's POST).
		query, body = valuesMap(r.URL.Query()), map[string]any{}
		if r.Method == http.MethodPost {
			body = valuesMap(r.PostForm)
			for k := range pageSecrets {
				delete(body, k)
			}
		}
	} else {
		query, body = map[string]any{}, map[string]any{}
		for k, v := range ar.Query {
			query[k] = v
		}
	}
	req := h.requestEvent(r, query, body)
	if !st.Resume && !st.Paused {
		// The actions may run while serving the login form's POST, but the
		// event describes the authorization request whose query it carries
		// (spec §3.4: GET for /authorize).
		req["method"] = http.MethodGet
	}
	tx := map[string]any{
		"id":               ar.ID,
		"protocol":         "oidc-basic-profile",
		"requested_scopes": strs(ar.Scopes),
		"redirect_uri":     ar.RedirectURI,
		"response_type":    strs(strings.Fields(ar.ResponseType)),
		"response_mode":    cmp.Or(ar.ResponseMode, "query"),
		"prompt":           strs(ar.Prompt),
		"acr_values":       strs(ar.ACRValues),
		"ui_locales":       strs(ar.UILocales),
		"metadata":         map[string]any{},
	}
	if ar.State != "" {
		tx["state"] = ar.State
	}
	if ar.LoginHint != "" {
		tx["login_hint"] = ar.LoginHint
	}
	methods := append(append([]store.AuthMethod{}, sess.Methods...), st.Methods...)
	ev := map[string]any{
		"user":           userEvent(u, mfaEnrolled(u)),
		"client":         clientEvent(c),
		"connection":     map[string]any{"id": "con_" + connectionName, "name": connectionName, "strategy": "auth0", "metadata": map[string]any{}},
		"request":        req,
		"transaction":    tx,
		"authentication": map[string]any{"methods": methodsEvent(methods)},
		"authorization":  map[string]any{"roles": strs(u.Roles)},
		"stats":          map[string]any{"logins_count": u.LoginsCount},
		"tenant":         map[string]any{"id": tenantID(h.Config.Issuer)},
		"session": map[string]any{
			"id": sess.ID, "user_id": sess.UserID,
			"created_at": iso(sess.CreatedAt), "updated_at": iso(sess.UpdatedAt),
			"authenticated_at": iso(sess.AuthenticatedAt), "expires_at": iso(sess.ExpiresAt),
			"clients": clientsEvent(sess.Clients),
			"device": map[string]any{
				"initial_ip": sess.InitialIP, "last_ip": sess.LastIP,
				"initial_user_agent": sess.InitialUA, "last_user_agent": sess.LastUA,
			},
		},
		"secrets":       map[string]any{},
		"configuration": map[string]any{},
	}
	if ar.Audience != "" {
		ev["resource_server"] = map[string]any{"identifier": ar.Audience}
	}
	return ev
}

func clientsEvent(ids []string) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, map[string]any{"client_id": id})
	}
	return out
}

func strs(v []string) []any {
	out := make([]any, 0, len(v))
	for _, s := range v {
		out = append(out, s)
	}
	return out
}

func valuesMap(v map[string][]string) map[string]any {
	out := make(map[string]any, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

func hostOf(issuer string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://")
	return strings.TrimSuffix(strings.SplitN(s, "/", 2)[0], "/")
}

func tenantID(issuer string) string {
	h := hostOf(issuer)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.SplitN(h, ".", 2)[0]
}

// ClientIP is the remote address, or the first untrusted address of
// X-Forwarded-For when the peer is a trusted proxy.
func ClientIP(r *http.Request, trusted []string) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !isTrusted(host, trusted) {
		return host
	}
	xff := r.Header.Values("X-Forwarded-For")
	hops := strings.Split(strings.Join(xff, ","), ",")
	// Walk from the nearest hop back; the first address that is not one of
	// our proxies is the client.
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if _, err := netip.ParseAddr(hop); err != nil {
			return host
		}
		if !isTrusted(hop, trusted) {
			return hop
		}
		host = hop
	}
	return host
}

func isTrusted(ip string, trusted []string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, t := range trusted {
		if p, err := netip.ParsePrefix(t); err == nil {
			if p.Contains(addr) {
				return true
			}
		} else if a, err := netip.ParseAddr(t); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}

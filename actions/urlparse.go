package actions

import (
	"net/url"
	"strings"

	"github.com/dop251/goja"
)

var defaultPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

// parseURL backs the JS URL class: it parses input (against base) with
// net/url and returns WHATWG-shaped components, or throws TypeError
// "Invalid URL" like the WHATWG constructor.
func (sb *sandbox) parseURL(c goja.FunctionCall) goja.Value {
	base := ""
	if !goja.IsUndefined(c.Argument(1)) {
		base = c.Argument(1).String()
	}
	parts, ok := urlComponents(c.Argument(0).String(), base)
	if !ok {
		sb.throwType("Invalid URL")
	}
	return sb.toJS(parts)
}

// urlComponents returns the WHATWG components of an absolute URL.
func urlComponents(input, base string) (map[string]any, bool) {
	u, err := url.Parse(strings.TrimSpace(input))
	if err != nil {
		return nil, false
	}
	if base != "" {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil || !b.IsAbs() {
			return nil, false
		}
		u = b.ResolveReference(u)
	}
	if !u.IsAbs() {
		return nil, false
	}
	scheme := strings.ToLower(u.Scheme)
	_, special := defaultPorts[scheme]
	special = special || scheme == "file"
	if special && scheme != "file" && u.Host == "" {
		return nil, false
	}
	hostname := strings.ToLower(u.Hostname())
	if strings.Contains(hostname, ":") {
		hostname = "[" + hostname + "]"
	}
	port := u.Port()
	if port == defaultPorts[scheme] {
		port = ""
	}
	pathname := u.EscapedPath()
	if u.Opaque != "" {
		pathname = u.Opaque
	} else if special && pathname == "" {
		pathname = "/"
	}
	search := ""
	if u.RawQuery != "" {
		search = "?" + strings.NewReplacer(" ", "%20", `"`, "%22", "<", "%3C", ">", "%3E").Replace(u.RawQuery)
	}
	hash := ""
	if u.Fragment != "" {
		hash = "#" + u.EscapedFragment()
	}
	username, password := "", ""
	if u.User != nil {
		username = url.PathEscape(u.User.Username())
		if p, ok := u.User.Password(); ok {
			password = url.PathEscape(p)
		}
	}
	return map[string]any{
		"protocol": scheme + ":", "username": username, "password": password,
		"hostname": hostname, "port": port, "pathname": pathname,
		"search": search, "hash": hash, "special": special,
	}, true
}

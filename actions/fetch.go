package actions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/dop251/goja"
)

// MaxFetchBody is the largest response body fetch reads.
const MaxFetchBody = 1 << 20

// errEgress is returned for every request the egress policy refuses.
var errEgress = errors.New("refused by the egress policy")

// newFetchClient builds the client behind the global fetch. The resolved IP is
// checked at dial time (net.Dialer.Control), so DNS names pointing inward and
// redirects to internal hosts are refused too (ZITADEL CVE-2024-49753).
func newFetchClient(o FetchOptions) *http.Client {
	transport := o.Transport
	if transport == nil {
		dialer := &net.Dialer{Timeout: 5 * time.Second, Control: ipControl(o.AllowPrivate)}
		transport = &http.Transport{
			Proxy:                 nil, // a proxy would dial on our behalf and dodge the IP check
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 10 * time.Second,
			MaxIdleConns:          16,
			IdleConnTimeout:       30 * time.Second,
		}
	}
	return &http.Client{
		Transport: hostPolicy{next: transport, allow: o.AllowHosts},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

func ipControl(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%s: %w", address, errEgress)
		}
		if !allowPrivate && internalIP(ip.Unmap()) {
			return fmt.Errorf("address %s: %w", ip, errEgress)
		}
		return nil
	}
}

var (
	cgnat      = netip.MustParsePrefix("100.64.0.0/10")
	thisNet    = netip.MustParsePrefix("0.0.0.0/8")
	ietfProto  = netip.MustParsePrefix("192.0.0.0/24")
	benchmarks = netip.MustParsePrefix("198.18.0.0/15")
)

// internalIP reports addresses an action must not reach by default.
func internalIP(ip netip.Addr) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() ||
		cgnat.Contains(ip) || thisNet.Contains(ip) || ietfProto.Contains(ip) || benchmarks.Contains(ip) ||
		ip == netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// hostPolicy enforces scheme and AllowHosts on every request, redirects
// included (the client calls RoundTrip per hop).
type hostPolicy struct {
	next  http.RoundTripper
	allow []string
}

func (h hostPolicy) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q: %w", req.URL.Scheme, errEgress)
	}
	if !hostAllowed(req.URL.Hostname(), h.allow) {
		return nil, fmt.Errorf("host %q: %w", req.URL.Hostname(), errEgress)
	}
	return h.next.RoundTrip(req)
}

func hostAllowed(host string, allow []string) bool {
	if len(allow) == 0 {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, a := range allow {
		a = strings.ToLower(a)
		if suffix, ok := strings.CutPrefix(a, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == a {
			return true
		}
	}
	return false
}

type fetchResult struct {
	status     int
	statusText string
	url        string
	redirected bool
	header     http.Header
	body       []byte
}

// fetch is the global fetch(url, {method, headers, body}): it returns a
// Promise settled on the runtime goroutine through the loop.
func (ar *actionRun) fetch(c goja.FunctionCall) goja.Value {
	r := ar.r
	req, err := ar.fetchRequest(c)
	promise, resolve, reject := r.NewPromise()
	if err != nil {
		_ = reject(ar.newError(ar.typeErrorCtor, err.Error()))
		return r.ToValue(promise)
	}
	timeout := min(ar.ex.t.opts.Fetch.Timeout, time.Until(ar.ex.deadline))
	ctx, cancel := context.WithTimeout(ar.ex.budgetCtx(), timeout)
	ar.loop.pending++
	go func() {
		defer cancel()
		res, err := ar.ex.t.do(req.WithContext(ctx))
		ar.loop.post(func() error {
			ar.loop.pending--
			if err != nil && !time.Now().Before(ar.ex.deadline) {
				return errTimeout // the budget, not this call, ran out
			}
			if err != nil {
				return reject(ar.newError(ar.typeErrorCtor, "fetch failed: "+err.Error()))
			}
			return resolve(ar.response(res))
		})
	}()
	return r.ToValue(promise)
}

func (ar *actionRun) fetchRequest(c goja.FunctionCall) (*http.Request, error) {
	target := c.Argument(0).String()
	method, body := "GET", ""
	headers := http.Header{}
	if init, ok := c.Argument(1).(*goja.Object); ok {
		if m := init.Get("method"); m != nil && !goja.IsUndefined(m) {
			method = strings.ToUpper(m.String())
		}
		if h, ok := init.Get("headers").(*goja.Object); ok {
			for _, k := range h.Keys() {
				headers.Set(k, h.Get(k).String())
			}
		}
		if b := init.Get("body"); b != nil && !goja.IsUndefined(b) && !goja.IsNull(b) {
			body = b.String()
			if bo, ok := b.(*goja.Object); ok && bo.ClassName() != "String" && strings.Contains(body, "=") && headers.Get("Content-Type") == "" {
				// URLSearchParams bodies are form-encoded, as in WHATWG fetch.
				headers.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
			}
		}
	}
	if len(body) > MaxFetchBody {
		return nil, fmt.Errorf("fetch failed: request body over %d bytes", MaxFetchBody)
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("Failed to parse URL from %s", target)
	}
	req.Header = headers
	return req, nil
}

func (t *Trigger) do(req *http.Request) (*fetchResult, error) {
	res, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxFetchBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxFetchBody {
		return nil, fmt.Errorf("response body over %d bytes", MaxFetchBody)
	}
	return &fetchResult{
		status: res.StatusCode, statusText: strings.TrimSpace(strings.TrimPrefix(res.Status, fmt.Sprint(res.StatusCode))),
		url: res.Request.URL.String(), redirected: res.Request.URL.String() != req.URL.String(),
		header: res.Header, body: body,
	}, nil
}

// response builds the Response-like object: ok, status, statusText, url,
// redirected, headers.get/has, text(), json().
func (ar *actionRun) response(res *fetchResult) *goja.Object {
	r := ar.r
	obj := r.NewObject()
	_ = obj.Set("ok", res.status >= 200 && res.status < 300)
	_ = obj.Set("status", res.status)
	_ = obj.Set("statusText", res.statusText)
	_ = obj.Set("url", res.url)
	_ = obj.Set("redirected", res.redirected)
	headers := r.NewObject()
	_ = headers.Set("get", ar.fn(func(c goja.FunctionCall) goja.Value {
		vals := res.header.Values(c.Argument(0).String())
		if len(vals) == 0 {
			return goja.Null()
		}
		return r.ToValue(strings.Join(vals, ", "))
	}))
	_ = headers.Set("has", ar.fn(func(c goja.FunctionCall) goja.Value {
		return r.ToValue(len(res.header.Values(c.Argument(0).String())) > 0)
	}))
	_ = obj.Set("headers", headers)
	text := string(res.body)
	_ = obj.Set("text", ar.fn(func(goja.FunctionCall) goja.Value {
		p, resolve, _ := r.NewPromise()
		_ = resolve(text)
		return r.ToValue(p)
	}))
	_ = obj.Set("json", ar.fn(func(goja.FunctionCall) goja.Value {
		p, resolve, reject := r.NewPromise()
		v, err := ar.parse(goja.Undefined(), r.ToValue(text))
		if err != nil {
			rethrowUncatchable(err)
			var ex *goja.Exception
			if errors.As(err, &ex) {
				_ = reject(ex.Value())
			} else {
				_ = reject(ar.newError(ar.errorCtor, err.Error()))
			}
		} else {
			_ = resolve(v)
		}
		return r.ToValue(p)
	}))
	return obj
}

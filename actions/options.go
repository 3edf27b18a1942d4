package actions

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configure a Trigger. The zero value is usable.
type Options struct {
	// Timeout is the budget of one execution (all actions up to the end or
	// a suspension; spec §5.8). Default 20s.
	Timeout time.Duration
	// MaxCallStack caps JS call depth. Default 1000.
	MaxCallStack int
	// MaxMemory is the heap growth one execution may cause before it is
	// interrupted; it also sizes the built-in guards. Default 64 MiB.
	MaxMemory int64
	// Cache backs api.cache; nil means an in-memory cache per execution.
	Cache CacheBackend
	Fetch FetchOptions
	// IssuerHost is authd's own host: namespaced claims on it are dropped
	// like Auth0 domains (spec §4.2).
	IssuerHost string
	// ManagementAudiences are audiences on which non-namespaced access
	// token claims are dropped (spec §4.2).
	ManagementAudiences []string
	Logger              *slog.Logger
	// Observe receives every action execution (for metrics).
	Observe func(Log)
	// NoMemo turns off reusing the outcomes of identical refreshes
	// (memo.go), for tests that count real executions.
	NoMemo bool
	// Now is the clock when Input.Now is zero. Default time.Now.
	Now func() time.Time
	// Rand backs Math.random. Default goja's (math/rand).
	Rand func() float64
	// IsolateActions gives every action its own fresh runtime instead of one
	// runtime per execution. Executions (logins) never share a runtime either
	// way; this also keeps one action's global or built-in changes from the
	// next action of the same login, at the cost of one more sandbox per action
	// (~130 µs to build; built ahead in the pool, so mostly off the login's
	// path unless logins arrive faster than the pool refills).
	IsolateActions bool
}

// FetchOptions is the egress policy of the global fetch.
type FetchOptions struct {
	// AllowHosts, when non-empty, is the only hosts fetch may reach
	// ("example.com" exact, "*.example.com" any subdomain).
	AllowHosts []string
	// AllowPrivate permits loopback, private, link-local and unspecified
	// addresses (tests, intranet deployments).
	AllowPrivate bool
	// Timeout per fetch call, always cut to the remaining budget. Default 10s.
	Timeout time.Duration
	// Transport replaces the dialing transport. The caller then owns the
	// resolved-IP check; host allow-listing still applies.
	Transport http.RoundTripper
}

const (
	defaultTimeout      = 20 * time.Second
	defaultCallStack    = 1000
	defaultMaxMemory    = 64 << 20
	defaultFetchTimeout = 10 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxCallStack <= 0 {
		o.MaxCallStack = defaultCallStack
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = defaultMaxMemory
	}
	if o.Fetch.Timeout <= 0 {
		o.Fetch.Timeout = defaultFetchTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

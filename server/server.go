package server

import (
	"context"

	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/config"
	"github.com/authd/authd/geoip"
	"github.com/authd/authd/login"
	"github.com/authd/authd/mfa"
	"github.com/authd/authd/oidc"
	"github.com/authd/authd/store"
	"github.com/authd/authd/web"
)

// Options of New. Store and Now are for tests; normally nil.
type Options struct {
	Logger *slog.Logger
	Store  store.Store
	Now    func() time.Time
	// ActionOptions adjusts the engine (tests pin the clock or allow
	// private fetch targets).
	ActionOptions func(*actions.Options)
}

// Server is a running authd: its handler and what it owns.
type Server struct {
	cfg        *config.Config
	log        *slog.Logger
	st         store.Store
	ownStore   bool
	keys       *oidc.Keys
	login      *login.Handler
	oidc       *oidc.Server
	geo        *geoip.DB
	metrics    *metrics
	trigger    atomic.Pointer[actions.Trigger]
	actionOpts actions.Options
	handler    http.Handler
	formAction []string
	tls        bool
	now        func() time.Time
	reloadMu   sync.Mutex
}

// New builds authd from a validated config.
func New(ctx context.Context, cfg *config.Config, o Options) (*Server, error) {
	s := &Server{cfg: cfg, log: o.Logger, st: o.Store, now: o.Now, metrics: newMetrics()}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.tls = strings.HasPrefix(cfg.Issuer, "https://")
	var err error
	if s.st == nil {
		if s.st, err = OpenStore(ctx, cfg); err != nil {
			return nil, err
		}
		s.ownStore = true
	}
	fail := func(err error) (*Server, error) {
		s.Close()
		return nil, err
	}
	sealer, err := mfa.NewSealer(cfg.Secrets.EncryptionKey, cfg.Secrets.OldEncryptionKeys...)
	if err != nil {
		return fail(fmt.Errorf("secrets.encryption_key: %w", err))
	}
	s.keys = oidc.NewKeys(s.st, cfg.Signing.Algorithm, sealer, KeyRetain(cfg), s.now)
	if err := s.keys.Load(ctx); err != nil {
		return fail(fmt.Errorf("signing keys: %w", err))
	}
	if cfg.GeoIP.Database != "" {
		if s.geo, err = geoip.Open(cfg.GeoIP.Database); err != nil {
			return fail(fmt.Errorf("geoip.database: %w", err))
		}
	}
	s.actionOpts = actions.Options{
		Timeout:    cfg.Actions.Timeout,
		Cache:      actions.NewMemoryCache(s.now),
		Now:        s.now, // the clock module code sees when preloaded
		IssuerHost: hostOnly(cfg.Issuer),
		Fetch: actions.FetchOptions{
			AllowHosts: cfg.Actions.Fetch.AllowHosts, AllowPrivate: cfg.Actions.Fetch.AllowPrivate,
			Timeout: cfg.Actions.Fetch.Timeout,
		},
		Logger:  s.log,
		Observe: s.metrics.observeAction,
	}
	if o.ActionOptions != nil {
		o.ActionOptions(&s.actionOpts)
	}
	trig, err := CompileActions(cfg, s.actionOpts)
	if err != nil {
		return fail(err)
	}
	s.trigger.Store(trig)

	renderer, err := web.New()
	if err != nil {
		return fail(err)
	}
	passkeys, err := mfa.NewPasskeys(mfa.PasskeyConfig{
		RPID: cfg.Passkeys.RPID, RPDisplayName: cfg.Passkeys.RPDisplayName, Origins: cfg.Passkeys.Origins, Now: s.now,
	}, s.st)
	if err != nil {
		return fail(fmt.Errorf("passkeys: %w", err))
	}
	s.login = login.New(login.Deps{
		Config: cfg, Store: s.st, Web: renderer, Trigger: s.trigger.Load, GeoIP: s.geo,
		TOTP: &mfa.TOTP{Issuer: cfg.MFA.TOTP.Issuer, Now: s.now}, Sealer: sealer, Passkeys: passkeys,
		Logger: s.log, Now: s.now,
		CallbackURL: func(id string) string { return cfg.Issuer + "authorize/callback?id=" + url.QueryEscape(id) },
		Observe:     func(outcome string) { s.metrics.logins.WithLabelValues(outcome).Inc() },
	})
	if s.oidc, err = oidc.New(oidc.Deps{Config: cfg, Store: s.st, Keys: s.keys, Login: s.login, Logger: s.log, Now: s.now}); err != nil {
		return fail(err)
	}
	s.formAction = formActionOrigins(cfg)
	s.handler = s.routes(renderer)
	return s, nil
}

// KeyRetain is how long a retired signing key stays published: the
// longest token lifetime plus an hour for JWKS caches.
func KeyRetain(cfg *config.Config) time.Duration {
	retain := max(cfg.Tokens.AccessTokenTTL, cfg.Tokens.IDTokenTTL) + time.Hour
	for _, a := range cfg.APIs {
		retain = max(retain, a.TokenLifetime+time.Hour)
	}
	return retain
}

// CompileActions compiles the configured post-login actions; an error
// names the action, its file and the line.
func CompileActions(cfg *config.Config, opts actions.Options) (*actions.Trigger, error) {
	var list []*actions.Action
	for i, a := range cfg.Actions.PostLogin {
		act, err := actions.Compile(a.Name, a.File, a.Source, a.Secrets)
		if err != nil {
			return nil, fmt.Errorf("actions.post-login[%d]: %w", i, err)
		}
		list = append(list, act)
	}
	return actions.NewTrigger(list, opts), nil
}

// ReloadActions swaps in the actions of a new config (SIGHUP). A config
// that does not load or compile is refused and the old actions keep
// serving; in-flight logins finish with the version they started with.
func (s *Server) ReloadActions(cfg *config.Config) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	trig, err := CompileActions(cfg, s.actionOpts)
	if err != nil {
		return err
	}
	s.trigger.Store(trig)
	return nil
}

func (s *Server) routes(renderer *web.Renderer) http.Handler {
	mux := http.NewServeMux()
	s.login.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := s.st.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"storage unavailable"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.Handle("GET /metrics", s.metrics.handler())
	if s.cfg.Dev {
		s.registerTestPage(mux, renderer)
	}
	mux.Handle("/", s.oidc.Handler())
	browser := s.login.BrowserMiddleware(s.pageHeaders(mux))
	api := mux
	return s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oauth/token", r.URL.Path == "/userinfo", r.URL.Path == "/oauth/revoke",
			strings.HasPrefix(r.URL.Path, "/.well-known/"), r.URL.Path == "/metrics",
			r.URL.Path == "/healthz", r.URL.Path == "/readyz":
			api.ServeHTTP(w, r)
		default:
			browser.ServeHTTP(w, r)
		}
	}))
}

// Handler is the whole of authd's HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the server's store (tests and the CLI use it).
func (s *Server) Store() store.Store { return s.st }

// Keys is the signing key manager.
func (s *Server) Keys() *oidc.Keys { return s.keys }

// Close releases what New opened.
func (s *Server) Close() {
	if s.geo != nil {
		s.geo.Close()
	}
	if s.ownStore && s.st != nil {
		s.st.Close()
	}
}

// Maintain runs the periodic jobs until ctx ends: pick up keys rotated by
// another replica (every oidc.KeyRefresh, unconditionally, so the bound
// documented for rotation holds) and purge expired rows. The two run on
// their own timers so that a slow purge never delays a key refresh.
func (s *Server) Maintain(ctx context.Context) {
	reload := func() {
		if err := s.keys.Reload(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("refresh signing keys", "err", err)
		}
	}
	go func() {
		// One early reload: replicas started together on an empty store
		// may each have created a first key; this adopts the one that won
		// well before the first periodic refresh (`authd migrate` creates
		// the first key and avoids the race altogether).
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
			reload()
		}
		every(ctx, oidc.KeyRefresh, reload)
	}()
	every(ctx, 30*time.Second, func() {
		if err := s.st.PurgeExpired(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.Warn("purge expired rows", "err", err)
		}
	})
}

// every runs f each period until ctx ends.
func every(ctx context.Context, period time.Duration, f func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// formActionOrigins are the origins a browser may be sent to after a form
// POST (CSP form-action also covers redirects): every client redirect
// origin, localhost for the dev client, and — since a redirect action may
// send the browser anywhere — http(s) when actions are configured.
func formActionOrigins(cfg *config.Config) []string {
	var out []string
	add := func(o string) {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	for _, c := range cfg.Clients {
		for _, u := range append(slices.Clone(c.RedirectURIs), c.AllowedLogoutURLs...) {
			if p, err := url.Parse(u); err == nil && p.Host != "" {
				add(p.Scheme + "://" + p.Host)
			}
		}
		if c.DevLocalhost {
			add("http://localhost:*")
			add("http://127.0.0.1:*")
		}
	}
	if len(cfg.Actions.PostLogin) > 0 {
		add("https:")
		add("http://localhost:*")
		add("http://127.0.0.1:*")
	}
	return out
}

func hostOnly(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

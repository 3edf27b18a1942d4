package authdtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/config"
	"github.com/authd/authd/login"
	"github.com/authd/authd/server"
	"github.com/authd/authd/store"
)

// Env is one running authd.
type Env struct {
	T      testing.TB
	Dir    string
	Issuer string // with trailing slash
	URL    string // without
	Config *config.Config
	Server *server.Server
	HTTP   *httptest.Server
	Clock  *Clock
	Logs   *LogBuffer

	opts   options
	listen string
}

// Clock is a settable clock; zero offset means real time.
type Clock struct {
	mu    sync.Mutex
	fixed time.Time
	shift time.Duration
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now().Add(c.shift)
}

// Set pins the clock; Advance moves it.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.fixed = t; c.mu.Unlock() }
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		c.fixed = c.fixed.Add(d)
	} else {
		c.shift += d
	}
}

type options struct {
	yaml      string // extra YAML appended to the base config
	configure []func(*config.Config)
	actOpts   func(*actions.Options)
	files     map[string]string
	storeFn   func(t testing.TB) store.Store
}

// Option changes the environment before authd starts.
type Option func(*options)

// YAML appends config to the base file (top-level keys the base does
// not set: apis, client_grants, actions, roles, geoip, trusted_proxies...).
func YAML(s string) Option { return func(o *options) { o.yaml += "\n" + s } }

// File writes a file (an action, a GeoIP database...) into the config
// folder before the config is loaded.
func File(name, content string) Option {
	return func(o *options) {
		if o.files == nil {
			o.files = map[string]string{}
		}
		o.files[name] = content
	}
}

// Configure edits the loaded config.
func Configure(f func(*config.Config)) Option {
	return func(o *options) { o.configure = append(o.configure, f) }
}

// ActionOptions edits the engine options (e.g. allow private fetch).
func ActionOptions(f func(*actions.Options)) Option { return func(o *options) { o.actOpts = f } }

// Store uses a given store (PostgreSQL tests).
func Store(f func(t testing.TB) store.Store) Option { return func(o *options) { o.storeFn = f } }

// The base config: one SPA, one confidential web app, one machine client,
// one API. Secrets are fixed test values.
const baseYAML = `issuer: %s
listen: %s
storage: { driver: sqlite, dsn: authd.db }
secrets:
  encryption_key: "%s"
  cookie_key: "%s"
login:
  signup: true
  brute_force: { max_attempts: 5, block_for: 15m }
passkeys: { rp_id: localhost, origins: ["%s"] }
clients:
  - client_id: spa
    name: My SPA
    app_type: spa
    redirect_uris: [http://127.0.0.1:5555/callback]
    allowed_logout_urls: [http://127.0.0.1:5555/]
    allowed_origins: [http://127.0.0.1:5555]
    grant_types: [authorization_code, refresh_token]
    metadata: { tier: gold }
  - client_id: webapp
    name: Web App
    app_type: regular_web
    client_secret: webapp-secret-0123456789abcdef
    redirect_uris: [http://127.0.0.1:5556/callback]
    allowed_logout_urls: [http://127.0.0.1:5556/]
    grant_types: [authorization_code, refresh_token]
  - client_id: worker
    name: Worker
    app_type: non_interactive
    client_secret: worker-secret-0123456789abcdef
    grant_types: [client_credentials]
`

// API is the identifier of the test API in the default extra YAML.
const API = "https://api.example.com/"

const defaultAPIs = `apis:
  - identifier: https://api.example.com/
    name: Example API
    scopes: [read:xyz, write:xyz]
    allow_offline_access: true
    token_lifetime: 1h
client_grants:
  - { client_id: worker, audience: "https://api.example.com/", scope: [read:xyz] }
`

// New starts authd and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	e := &Env{T: t, Dir: t.TempDir(), Clock: &Clock{}, Logs: &LogBuffer{}}
	for _, o := range opts {
		o(&e.opts)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.listen = ln.Addr().String()
	// The issuer host is "localhost" (WebAuthn needs a domain as RP ID,
	// and browsers treat localhost as a secure context).
	_, port, _ := net.SplitHostPort(e.listen)
	e.URL = "http://localhost:" + port
	e.Issuer = e.URL + "/"
	yaml := fmt.Sprintf(baseYAML, e.Issuer, e.listen, hexKey(), hexKey(), e.URL)
	if !strings.Contains(e.opts.yaml, "apis:") {
		yaml += defaultAPIs
	}
	yaml += e.opts.yaml
	if err := os.WriteFile(filepath.Join(e.Dir, "authd.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, content := range e.opts.files {
		p := filepath.Join(e.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(e.Dir, "authd.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml)
	}
	for _, f := range e.opts.configure {
		f(cfg)
	}
	e.Config = cfg
	e.start(ln)
	t.Cleanup(e.Close)
	return e
}

func (e *Env) start(ln net.Listener) {
	t := e.T
	so := server.Options{Logger: slog.New(slog.NewJSONHandler(e.Logs, nil)), Now: e.Clock.Now, ActionOptions: e.opts.actOpts}
	if e.opts.storeFn != nil {
		so.Store = e.opts.storeFn(t)
	}
	srv, err := server.New(context.Background(), e.Config, so)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	e.Server = srv
	e.HTTP = httptest.NewUnstartedServer(srv.Handler())
	e.HTTP.Listener.Close()
	e.HTTP.Listener = ln
	e.HTTP.Start()
}

// Close stops the server (idempotent).
func (e *Env) Close() {
	if e.HTTP != nil {
		e.HTTP.Close()
		e.HTTP = nil
	}
	if e.Server != nil {
		e.Server.Close()
		e.Server = nil
	}
}

// Restart stops authd and starts a new process-equivalent on the same
// address, database and config: nothing survives but the store.
func (e *Env) Restart() {
	e.Close()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", e.listen); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		e.T.Fatalf("relisten %s: %v", e.listen, err)
	}
	e.start(ln)
}

// Store is the running server's store.
func (e *Env) Store() store.Store { return e.Server.Store() }

// CreateUser makes a database user with a password and roles.
func (e *Env) CreateUser(email, password string, roles ...string) *store.User {
	e.T.Helper()
	hash, err := login.HashPassword(password)
	if err != nil {
		e.T.Fatal(err)
	}
	now := time.Now().UTC()
	u := &store.User{ID: login.NewUserID(), Connection: "Username-Password-Authentication", Email: strings.ToLower(email),
		PasswordHash: hash, Name: email, Nickname: strings.SplitN(email, "@", 2)[0], CreatedAt: now, UpdatedAt: now}
	ctx := context.Background()
	if err := e.Store().CreateUser(ctx, u); err != nil {
		e.T.Fatal(err)
	}
	if len(roles) > 0 {
		if err := e.Store().AddRoles(ctx, u.ID, roles...); err != nil {
			e.T.Fatal(err)
		}
	}
	got, err := e.Store().GetUser(ctx, u.ID)
	if err != nil {
		e.T.Fatal(err)
	}
	return got
}

// User reloads a user.
func (e *Env) User(id string) *store.User {
	e.T.Helper()
	u, err := e.Store().GetUser(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return u
}

func hexKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// LogBuffer collects the server's JSON log lines.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var _ = io.Discard

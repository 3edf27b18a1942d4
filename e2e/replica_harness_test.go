package e2e

// The replica harness runs real authd processes (the binary built from
// cmd/authd) on one database, behind a tiny in-test load balancer, so the
// browser and the relying party see one issuer whichever replica answers.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
)

// routeHeader picks the replica of one request ("A", "B"); without it the
// cluster's rule decides.
const routeHeader = "X-Replica"

const (
	replicaEmail    = "ada@example.com"
	replicaPassword = "correct horse battery staple"
)

// buildAuthd builds cmd/authd into a temporary folder of tb (the build
// cache makes the second build of a run a link step).
func buildAuthd(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		tb.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(tb.TempDir(), "authd")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/authd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/authd: %v\n%s", err, out)
	}
	return bin
}

// cluster is N authd processes sharing a store and secrets, behind a load
// balancer whose address is the issuer.
type cluster struct {
	tb       testing.TB
	bin      string
	dir      string
	issuer   string // http://localhost:LBPORT/
	driver   string
	dsn      string
	replicas []*replica
	lb       *httptest.Server
	rule     atomic.Pointer[func(*http.Request) string]
	// transport keeps enough idle connections for the load benchmark
	// (the default keeps 2 per host and churns sockets under load).
	transport *http.Transport
	next      atomic.Uint64 // round robin
}

type replica struct {
	name   string
	config string
	addr   string // 127.0.0.1:PORT
	proxy  *httputil.ReverseProxy
	alive  atomic.Bool
	served atomic.Int64
	cmd    *exec.Cmd
	logs   *authdtest.LogBuffer
	exited chan struct{}
}

type clusterOpt struct {
	replicas int
	driver   string // postgres | sqlite
	dsn      string
	yaml     string // appended to every replica's config
	files    map[string]string
	// noMigrate starts the replicas at once on an empty store, without
	// running `authd migrate` first.
	noMigrate bool
}

// newCluster writes one config per replica (same issuer, store and
// secrets; its own listen address), starts them and the load balancer.
func newCluster(tb testing.TB, o clusterOpt) *cluster {
	tb.Helper()
	c := &cluster{tb: tb, bin: buildAuthd(tb), dir: tb.TempDir(), driver: o.driver, dsn: o.dsn}
	c.transport = http.DefaultTransport.(*http.Transport).Clone()
	c.transport.MaxIdleConnsPerHost = 64
	tb.Cleanup(c.transport.CloseIdleConnections)
	if c.driver == "sqlite" && c.dsn == "" {
		c.dsn = filepath.Join(c.dir, "authd.db")
	}
	for name, content := range o.files {
		if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c.issuer = "http://localhost:" + port + "/"
	enc, cookie := replicaSecret(32), replicaSecret(32)
	for i := range o.replicas {
		r := &replica{name: string(rune('A' + i)), addr: freeLoopbackAddr(tb), logs: &authdtest.LogBuffer{}}
		r.config = filepath.Join(c.dir, "authd-"+r.name+".yaml")
		yaml := fmt.Sprintf(replicaYAML, c.issuer, r.addr, c.driver, c.dsn, enc, cookie, strings.TrimSuffix(c.issuer, "/")) + o.yaml
		if err := os.WriteFile(r.config, []byte(yaml), 0o600); err != nil {
			tb.Fatal(err)
		}
		target, _ := url.Parse("http://" + r.addr)
		r.proxy = &httputil.ReverseProxy{
			Transport: c.transport,
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host // the issuer's host, as behind a real proxy
				pr.SetXForwarded()
			},
			ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
				// Like a real balancer (nginx proxy_next_upstream error), a
				// request that never reached its replica is retried on
				// another, and the replica is taken out (passive health
				// check); a request the replica was answering when it died
				// fails with 502.
				var op *net.OpError
				if rr, ok := req.Context().Value(retryKey{}).(*retryable); ok && !rr.pinned && errors.As(err, &op) && op.Op == "dial" {
					r.alive.Store(false)
					req.Body = io.NopCloser(bytes.NewReader(rr.body))
					c.route(w, req)
					return
				}
				http.Error(w, "replica "+r.name+": "+err.Error(), http.StatusBadGateway)
			},
		}
		c.replicas = append(c.replicas, r)
	}
	// The first replica migrates alone, as `authd migrate` would before a
	// deploy; the others then start at the same time.
	if !o.noMigrate {
		c.run("migrate", "--config", c.replicas[0].config)
	}
	for _, r := range c.replicas {
		c.start(r)
	}
	for _, r := range c.replicas {
		c.waitReady(r)
	}
	c.lb = httptest.NewUnstartedServer(http.HandlerFunc(c.route))
	c.lb.Listener.Close()
	c.lb.Listener = ln
	c.lb.Start()
	tb.Cleanup(c.lb.Close)
	return c
}

// replicaYAML: the test clients of authdtest, the same for every replica.
const replicaYAML = `issuer: %s
listen: %s
trusted_proxies: [127.0.0.1/32]
storage: { driver: %s, dsn: "%s" }
secrets:
  encryption_key: "%s"
  cookie_key: "%s"
log: { level: info, format: json }
login:
  brute_force: { max_attempts: 100 }
passkeys: { rp_id: localhost, origins: ["%s"] }
clients:
  - client_id: spa
    name: My SPA
    app_type: spa
    redirect_uris: [http://127.0.0.1:5555/callback]
    allowed_logout_urls: [http://127.0.0.1:5555/]
    allowed_origins: [http://127.0.0.1:5555]
    grant_types: [authorization_code, refresh_token]
apis:
  - identifier: https://api.example.com/
    name: Example API
    scopes: [read:xyz]
    allow_offline_access: true
    token_lifetime: 1h
`

func (c *cluster) start(r *replica) {
	c.tb.Helper()
	r.cmd = exec.Command(c.bin, "serve", "--config", r.config)
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		c.tb.Fatalf("start replica %s: %v", r.name, err)
	}
	r.exited = make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	c.tb.Cleanup(func() { c.stop(r) })
}

// stop ends a replica gracefully (SIGTERM), and shows its log if the
// test failed.
func (c *cluster) stop(r *replica) {
	select {
	case <-r.exited:
	default:
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
	r.alive.Store(false)
	if c.tb.Failed() {
		c.tb.Logf("replica %s log:\n%s", r.name, r.logs.String())
	}
}

// kill ends a replica with SIGKILL and takes it out of the balancer (a
// health check would).
func (c *cluster) kill(r *replica) {
	c.tb.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.tb.Fatalf("kill -9 replica %s: %v", r.name, err)
	}
	<-r.exited
	r.alive.Store(false)
}

func (c *cluster) waitReady(r *replica) {
	c.tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-r.exited:
			c.tb.Fatalf("replica %s exited at start:\n%s", r.name, r.logs.String())
		default:
		}
		resp, err := http.Get("http://" + r.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				r.alive.Store(true)
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.tb.Fatalf("replica %s not ready:\n%s", r.name, r.logs.String())
}

// route sends a request to the replica its header names, else to the
// one the rule names, else round robin over the live ones; a replica
// taken out (killed) is skipped unless the header insists on it.
func (c *cluster) route(w http.ResponseWriter, req *http.Request) {
	rr, ok := req.Context().Value(retryKey{}).(*retryable)
	if !ok {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rr = &retryable{body: body, pinned: req.Header.Get(routeHeader) != ""}
		req = req.WithContext(context.WithValue(req.Context(), retryKey{}, rr))
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	name := req.Header.Get(routeHeader)
	req.Header.Del(routeHeader)
	if name == "" {
		if rule := c.rule.Load(); rule != nil {
			name = (*rule)(req)
		}
		if r := c.replica(name); r == nil || !r.alive.Load() {
			name = ""
		}
	}
	var r *replica
	if name != "" {
		r = c.replica(name)
	} else {
		for range len(c.replicas) {
			cand := c.replicas[c.next.Add(1)%uint64(len(c.replicas))]
			if cand.alive.Load() {
				r = cand
				break
			}
		}
	}
	if r == nil {
		http.Error(w, "no replica", http.StatusBadGateway)
		return
	}
	r.served.Add(1)
	w.Header().Set("X-Served-By", r.name)
	r.proxy.ServeHTTP(w, req)
}

// retryable is what the balancer keeps of a request to send it to
// another replica when the first one cannot be reached.
type retryable struct {
	body   []byte
	pinned bool // the test named the replica: no retry elsewhere
}

type retryKey struct{}

// setRule routes the requests without a header; nil is round robin.
func (c *cluster) setRule(f func(*http.Request) string) {
	if f == nil {
		c.rule.Store(nil)
		return
	}
	c.rule.Store(&f)
}

func (c *cluster) replica(name string) *replica {
	for _, r := range c.replicas {
		if r.name == name {
			return r
		}
	}
	return nil
}

// run runs an authd command against the cluster's store and returns its
// stdout.
func (c *cluster) run(args ...string) string {
	c.tb.Helper()
	return c.runIn("", args...)
}

func (c *cluster) runIn(stdin string, args ...string) string {
	c.tb.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		c.tb.Fatalf("authd %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// createUser adds a database user through the CLI.
func (c *cluster) createUser(email, password string) string {
	c.tb.Helper()
	out := c.runIn(password+"\n", "users", "create", "--email", email, "--password-stdin", "--config", c.replicas[0].config)
	var u struct {
		UserID string `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(out), &u); err != nil || u.UserID == "" {
		c.tb.Fatalf("users create printed %q (%v)", out, err)
	}
	return u.UserID
}

// env is an authdtest environment pointing at the balancer, for the
// browser and relying-party helpers (its T may be a stepT).
func (c *cluster) env(t testing.TB) *authdtest.Env {
	return &authdtest.Env{T: t, Issuer: c.issuer, URL: strings.TrimSuffix(c.issuer, "/")}
}

// client is an HTTP client whose requests all go to one replica ("" =
// the balancer decides).
func (c *cluster) client(name string) *http.Client {
	return &http.Client{Transport: pinned{name: name, base: c.transport}, Timeout: 30 * time.Second}
}

type pinned struct {
	name string
	base http.RoundTripper
}

func (p pinned) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.name == "" {
		return p.base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set(routeHeader, p.name)
	return p.base.RoundTrip(req)
}

// rp is the SPA relying party; its back-channel requests (token, JWKS,
// userinfo) go to replica name.
func (c *cluster) rp(t testing.TB, name string, scopes ...string) *authdtest.RP {
	rp := c.env(t).SPA(scopes...)
	rp.HTTP = c.client(name)
	return rp
}

// browser is a form-filling browser whose requests go to replica name
// ("" = the balancer's rule); it stops at the client's redirect_uri.
func (c *cluster) browser(t testing.TB, name string) *authdtest.Browser {
	b := c.env(t).Browser()
	b.Client.Transport = c.transport
	if name != "" {
		b.Header.Set(routeHeader, name)
	}
	return b
}

// tokenPost calls the token endpoint on one replica.
func (c *cluster) tokenPost(name string, form url.Values) (int, map[string]any, error) {
	resp, err := c.client(name).PostForm(c.issuer+"oauth/token", form)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body, nil
}

// stepT turns the authdtest helpers' Fatal into a panic that try
// recovers, so whole flows can run on worker goroutines and report an
// error instead of ending the test from the wrong goroutine.
type stepT struct{ testing.TB }

type stepFailure struct{ msg string }

func (stepT) Helper()                         {}
func (stepT) Fatal(args ...any)               { panic(stepFailure{fmt.Sprint(args...)}) }
func (stepT) Fatalf(format string, a ...any)  { panic(stepFailure{fmt.Sprintf(format, a...)}) }
func (stepT) Errorf(format string, a ...any)  { panic(stepFailure{fmt.Sprintf(format, a...)}) }
func (stepT) Error(args ...any)               { panic(stepFailure{fmt.Sprint(args...)}) }
func (stepT) FailNow()                        { panic(stepFailure{"FailNow"}) }
func (stepT) Skipf(format string, a ...any)   { panic(stepFailure{"skip: " + fmt.Sprintf(format, a...)}) }
func (stepT) Logf(format string, args ...any) {}

// tryStep runs f with a stepT and returns its failure as an error.
func tryStep(tb testing.TB, f func(t testing.TB)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			sf, ok := p.(stepFailure)
			if !ok {
				panic(p)
			}
			err = errors.New(sf.msg)
		}
	}()
	f(stepT{tb})
	return nil
}

// login runs a whole password login through the balancer (browser
// requests routed by name, "" = the rule) and redeems the code on the
// replica named by exchangeOn.
func (c *cluster) login(t testing.TB, browserOn, exchangeOn string, scopes ...string) *authdtest.Tokens {
	t.Helper()
	rp := c.rp(t, exchangeOn, scopes...)
	a, cb := c.env(t).Login(c.browser(t, browserOn), rp, replicaEmail, replicaPassword)
	tok, err := rp.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatalf("exchange on %q: %v", exchangeOn, err)
	}
	return tok
}

func freeLoopbackAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func replicaSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// pollUntil polls cond until it holds or d passes.
func pollUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// replicaDecodeJSON reads and closes a JSON response.
func replicaDecodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

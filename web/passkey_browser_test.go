package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/go-webauthn/webauthn/protocol"
	gowebauthn "github.com/go-webauthn/webauthn/webauthn"
)

// passkeyUser is the one account of the fake relying party below.
type passkeyUser struct {
	mu    sync.Mutex
	creds []gowebauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte          { return []byte("user-1") }
func (u *passkeyUser) WebAuthnName() string        { return "ada@example.com" }
func (u *passkeyUser) WebAuthnDisplayName() string { return "Ada" }
func (u *passkeyUser) WebAuthnCredentials() []gowebauthn.Credential {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]gowebauthn.Credential(nil), u.creds...)
}

// passkeyRP is a minimal relying party around go-webauthn that serves our pages, so
// passkey.js is exercised end to end: options decoding, the credential JSON it posts,
// the CSRF header, the state field and the redirect it follows.
type passkeyRP struct {
	t        *testing.T
	r        *Renderer
	wa       *gowebauthn.WebAuthn
	user     *passkeyUser
	mu       sync.Mutex
	sessions map[string]*gowebauthn.SessionData // by challenge: autofill and the button may both begin
}

const (
	rpCSRF  = "csrf-123"
	rpState = "state-456"
)

func (rp *passkeyRP) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/u/static/", rp.r.Static())
	mux.HandleFunc("GET /account", func(w http.ResponseWriter, _ *http.Request) {
		_ = rp.r.Account(w, 200, AccountPage{Base: Base{CSRF: rpCSRF}, Email: "ada@example.com",
			PasskeyBeginURL: "/reg/begin", PasskeyFinishURL: "/reg/finish"})
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, _ *http.Request) {
		_ = rp.r.Login(w, 200, LoginPage{Base: Base{CSRF: rpCSRF}, State: rpState, Action: "/login", Passkeys: true,
			PasskeyBeginURL: "/login/begin", PasskeyFinishURL: "/login/finish"})
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, _ *http.Request) {
		_ = rp.r.LoggedOut(w, 200, LoggedOutPage{})
	})
	mux.HandleFunc("POST /reg/begin", rp.begin(func() (any, *gowebauthn.SessionData, error) {
		return rp.wa.BeginRegistration(rp.user, gowebauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired))
	}))
	mux.HandleFunc("POST /login/begin", rp.begin(func() (any, *gowebauthn.SessionData, error) {
		return rp.wa.BeginDiscoverableLogin()
	}))
	mux.HandleFunc("POST /reg/finish", rp.finish(func(body []byte) error {
		parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
		if err != nil {
			return err
		}
		s, err := rp.session(parsed.Response.CollectedClientData.Challenge)
		if err != nil {
			return err
		}
		cred, err := rp.wa.CreateCredential(rp.user, s, parsed)
		if err != nil {
			return err
		}
		rp.user.mu.Lock()
		rp.user.creds = append(rp.user.creds, *cred)
		rp.user.mu.Unlock()
		return nil
	}, "/login"))
	mux.HandleFunc("POST /login/finish", rp.finish(func(body []byte) error {
		parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
		if err != nil {
			return err
		}
		s, err := rp.session(parsed.Response.CollectedClientData.Challenge)
		if err != nil {
			return err
		}
		_, err = rp.wa.ValidateDiscoverableLogin(func(_, _ []byte) (gowebauthn.User, error) { return rp.user, nil }, s, parsed)
		return err
	}, "/done"))
	return mux
}

func (rp *passkeyRP) begin(start func() (any, *gowebauthn.SessionData, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct{ State string }
		if r.Header.Get("X-CSRF-Token") != rpCSRF || json.NewDecoder(r.Body).Decode(&body) != nil {
			rp.t.Errorf("begin %s: bad CSRF header or body", r.URL.Path)
			http.Error(w, `{"error":"bad request"}`, http.StatusForbidden)
			return
		}
		if r.URL.Path == "/login/begin" && body.State != rpState {
			rp.t.Errorf("begin: state %q, want %q", body.State, rpState)
		}
		opts, session, err := start()
		if err != nil {
			rp.t.Errorf("begin %s: %v", r.URL.Path, err)
			http.Error(w, `{"error":"begin"}`, http.StatusInternalServerError)
			return
		}
		rp.mu.Lock()
		rp.sessions[session.Challenge] = session
		rp.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(opts)
	}
}

func (rp *passkeyRP) session(challenge string) (gowebauthn.SessionData, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	s := rp.sessions[challenge]
	if s == nil {
		return gowebauthn.SessionData{}, fmt.Errorf("no session for challenge %q", challenge)
	}
	delete(rp.sessions, challenge)
	return *s, nil
}

func (rp *passkeyRP) finish(check func([]byte) error, next string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var extra struct{ State string }
		if r.Header.Get("X-CSRF-Token") != rpCSRF || err != nil || json.Unmarshal(body, &extra) != nil {
			rp.t.Errorf("finish %s: bad CSRF header or body", r.URL.Path)
			http.Error(w, `{"error":"bad request"}`, http.StatusForbidden)
			return
		}
		if r.URL.Path == "/login/finish" && extra.State != rpState {
			rp.t.Errorf("finish: state %q, want %q", extra.State, rpState)
		}
		if err := check(body); err != nil {
			rp.t.Errorf("finish %s: %v", r.URL.Path, err)
			http.Error(w, `{"error":"finish"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"redirect": %q}`, next)
	}
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestPasskeyScriptInBrowser registers a passkey on the account page and logs in with
// it on the login page, in headless Chromium with a virtual authenticator.
func TestPasskeyScriptInBrowser(t *testing.T) {
	browser := chromiumPath()
	if browser == "" {
		// Like internal/browsertest: skip locally, fail under CI.
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: browser tests must run under CI=true")
		}
		t.Skip("chromium not installed: skipping the browser test (apt-get install chromium to run it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// WebAuthn needs a domain as RP ID and a secure context: http://localhost is both.
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	wa, err := gowebauthn.New(&gowebauthn.Config{RPID: "localhost", RPDisplayName: "authd", RPOrigins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	rp := &passkeyRP{t: t, r: newRenderer(t), wa: wa, user: &passkeyUser{}, sessions: map[string]*gowebauthn.SessionData{}}
	srv := httptest.NewUnstartedServer(rp.routes())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU)...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first run starts the browser and must not carry the timeout (it would stop it).
	if err := chromedp.Do(ctx, addVirtualAuthenticator); err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	defer cancelTimeout()

	err = chromedp.Do(ctx,
		chromedp.Navigate(origin+"/account"),
		chromedp.Click(chromedp.ID("passkey-register")),
		// Registration's finish answers {"redirect": "/login"}. There, passkey autofill may
		// already finish the login on its own; otherwise the button does it.
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Log in" or text()="You are logged out"]`)),
		chromedp.Steps(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](`(b => !!b && (b.click(), true))(document.getElementById("passkey-login"))`)(ctx, t)
			return chromedp.Void{}, err
		}),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="You are logged out"]`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + "|" + document.getElementById("alert").textContent`))
	if err != nil || path != "/done|" {
		t.Errorf("ended on %q (path|alert), %v", path, err)
	}
	if n := len(rp.user.WebAuthnCredentials()); n != 1 {
		t.Errorf("%d credentials registered, want 1", n)
	}
}

// addVirtualAuthenticator gives the tab a platform authenticator that holds discoverable
// credentials and verifies the user without a prompt.
func addVirtualAuthenticator(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	if _, err := cdp.Call(ctx, t, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		return chromedp.Void{}, err
	}
	_, err := cdp.Call(ctx, t, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	return chromedp.Void{}, err
}

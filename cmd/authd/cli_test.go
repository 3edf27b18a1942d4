package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/login"
	"github.com/authd/authd/server"
	"github.com/authd/authd/store"
)

const cliPassword = "correct horse battery"

// cliRun runs one command line in-process.
func cliRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// wantOK runs a command that must succeed and returns its stdout.
func wantOK(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := cliRun(t, stdin, args...)
	if code != 0 {
		t.Fatalf("authd %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// wantFail runs a command that must fail with exit 1 and one line on
// stderr, and nothing on stdout; it returns the line.
func wantFail(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := cliRun(t, stdin, args...)
	line := strings.TrimSuffix(errs, "\n")
	if code != 1 || line == "" || strings.Contains(line, "\n") || out != "" {
		t.Errorf("authd %s: exit %d, stdout %q, stderr %q; want exit 1 and one line", strings.Join(args, " "), code, out, errs)
	}
	return line
}

func hexKey(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// tempConfig writes a minimal valid config with a SQLite file in a temp
// folder and returns its path.
func tempConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	yaml := "issuer: http://localhost:9400/\nstorage: { driver: sqlite, dsn: authd.db }\n" +
		"secrets: { encryption_key: \"" + hexKey(t) + "\", cookie_key: \"" + hexKey(t) + "\" }\n" + extra
	p := filepath.Join(dir, "authd.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// openStore opens the config's store the way the server does.
func openStore(t *testing.T, cfgPath string) store.Store {
	t.Helper()
	cfg, err := config.Load(cfgPath, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	st, err := server.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return m
}

func createUser(t *testing.T, cfg, email string) string {
	t.Helper()
	u := decode(t, wantOK(t, cliPassword+"\n", "users", "create", "--config", cfg, "--email", email, "--password-stdin"))
	id, _ := u["user_id"].(string)
	if !regexp.MustCompile(`^auth0\|[0-9a-f]{24}$`).MatchString(id) {
		t.Fatalf("user_id %q", id)
	}
	return id
}

func TestCLIUsersCreateGetListDelete(t *testing.T) {
	cfg := tempConfig(t, "")
	u := decode(t, wantOK(t, "", "users", "create", "--config", cfg, "--email", "Ada@Example.org",
		"--password", cliPassword, "--name", "Ada Lovelace", "--email-verified"))
	id := u["user_id"].(string)
	if u["email"] != "ada@example.org" || u["name"] != "Ada Lovelace" || u["email_verified"] != true {
		t.Errorf("created %v", u)
	}
	for _, key := range []string{"user_metadata", "app_metadata", "logins_count", "last_login", "created_at", "updated_at", "identities", "multifactor"} {
		if _, ok := u[key]; !ok {
			t.Errorf("user JSON lacks %s", key)
		}
	}
	for _, who := range []string{id, "ada@example.org", "ADA@example.org"} {
		if got := decode(t, wantOK(t, "", "users", "get", who, "--config", cfg)); got["user_id"] != id {
			t.Errorf("get %s: %v", who, got)
		}
	}
	createUser(t, cfg, "bob@example.org")
	table := wantOK(t, "", "users", "list", "--config", cfg)
	if !strings.Contains(table, id) || !strings.Contains(table, "bob@example.org") {
		t.Errorf("list:\n%s", table)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(wantOK(t, "", "users", "list", "--json", "--config", cfg)), &list); err != nil || len(list) != 2 {
		t.Errorf("list --json: %v %v", err, list)
	}
	// The password works with the server's own check.
	st := openStore(t, cfg)
	got, err := st.GetUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := login.CheckPassword(got.PasswordHash, cliPassword); !ok {
		t.Error("created password does not verify")
	}
	if out := wantOK(t, "", "users", "delete", "ada@example.org", "--config", cfg); !strings.Contains(out, id) {
		t.Errorf("delete said %q", out)
	}
	wantFail(t, "", "users", "get", id, "--config", cfg)
	if _, err := st.GetUser(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted user still in the store: %v", err)
	}
}

func TestCLIUsersRoles(t *testing.T) {
	cfg := tempConfig(t, "roles: [ { name: admin, description: Administrators } ]\n")
	id := createUser(t, cfg, "ada@example.org")
	got := decode(t, wantOK(t, "", "users", "roles", "add", id, "admin", "editor", "--config", cfg))
	if roles, _ := got["roles"].([]any); len(roles) != 2 {
		t.Errorf("after add: %v", got)
	}
	got = decode(t, wantOK(t, "", "users", "roles", "remove", "--config", cfg, "ada@example.org", "editor"))
	if roles, _ := got["roles"].([]any); len(roles) != 1 || roles[0] != "admin" {
		t.Errorf("after remove: %v", got)
	}
	if u := decode(t, wantOK(t, "", "users", "get", id, "--config", cfg)); len(u["roles"].([]any)) != 1 {
		t.Errorf("get after roles: %v", u["roles"])
	}
}

func TestCLIUsersSetPassword(t *testing.T) {
	cfg := tempConfig(t, "")
	id := createUser(t, cfg, "ada@example.org")
	wantOK(t, "a brand new password\n", "users", "set-password", "ada@example.org", "--password-stdin", "--config", cfg)
	u, err := openStore(t, cfg).GetUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := login.CheckPassword(u.PasswordHash, "a brand new password"); !ok {
		t.Error("new password does not verify")
	}
	if ok, _, _ := login.CheckPassword(u.PasswordHash, cliPassword); ok {
		t.Error("old password still verifies")
	}
}

func TestCLIUsersMFAReset(t *testing.T) {
	cfg := tempConfig(t, "")
	id := createUser(t, cfg, "ada@example.org")
	st := openStore(t, cfg)
	ctx := context.Background()
	if err := st.SaveTOTP(ctx, &store.TOTPFactor{UserID: id, SecretEnc: []byte("sealed"), Confirmed: true, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRecoveryCodes(ctx, id, []string{"hash-of-a-code"}); err != nil {
		t.Fatal(err)
	}
	if u := decode(t, wantOK(t, "", "users", "get", id, "--config", cfg)); len(u["multifactor"].([]any)) != 1 {
		t.Errorf("multifactor before reset: %v", u["multifactor"])
	}
	wantOK(t, "", "users", "mfa", "reset", id, "--config", cfg)
	if _, err := st.GetTOTP(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TOTP after reset: %v", err)
	}
	if err := st.UseRecoveryCode(ctx, id, "hash-of-a-code", time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("recovery code after reset: %v", err)
	}
}

// TestCLIBadInputChangesNothing: every refusal is exit 1 with one line,
// and the store is exactly as before.
func TestCLIBadInputChangesNothing(t *testing.T) {
	cfg := tempConfig(t, "")
	id := createUser(t, cfg, "ada@example.org")
	snapshot := func() string {
		u, err := openStore(t, cfg).GetUser(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		list := wantOK(t, "", "users", "list", "--json", "--config", cfg)
		return list + u.PasswordHash + strings.Join(u.Roles, ",")
	}
	before := snapshot()
	for name, c := range map[string]struct {
		stdin string
		args  []string
	}{
		"no subcommand":         {"", []string{"users"}},
		"unknown subcommand":    {"", []string{"users", "frobnicate", id}},
		"unknown flag":          {"", []string{"users", "get", id, "--frob"}},
		"create bad email":      {"", []string{"users", "create", "--email", "not-an-email", "--password", cliPassword}},
		"create no email":       {"", []string{"users", "create", "--password", cliPassword}},
		"create short password": {"", []string{"users", "create", "--email", "bob@example.org", "--password", "short"}},
		"create duplicate":      {"", []string{"users", "create", "--email", "ADA@example.org", "--password", cliPassword}},
		"create bad connection": {"", []string{"users", "create", "--email", "bob@example.org", "--connection", "google-oauth2"}},
		"create empty stdin":    {"", []string{"users", "create", "--email", "bob@example.org", "--password-stdin"}},
		"get unknown":           {"", []string{"users", "get", "nobody@example.org"}},
		"get two users":         {"", []string{"users", "get", id, "ada@example.org"}},
		"delete unknown":        {"", []string{"users", "delete", "auth0|000000000000000000000000"}},
		"delete no user":        {"", []string{"users", "delete"}},
		"roles no role":         {"", []string{"users", "roles", "add", id}},
		"roles bad verb":        {"", []string{"users", "roles", "grant", id, "admin"}},
		"roles unknown user":    {"", []string{"users", "roles", "add", "nobody@example.org", "admin"}},
		"mfa bad verb":          {"", []string{"users", "mfa", "wipe", id}},
		"set-password no stdin": {"", []string{"users", "set-password", id}},
		"set-password empty":    {"", []string{"users", "set-password", id, "--password-stdin"}},
		"set-password short":    {"short\n", []string{"users", "set-password", id, "--password-stdin"}},
		"unblock unknown":       {"", []string{"users", "unblock", "nobody@example.org"}},
		"keys bad":              {"", []string{"keys", "shred"}},
		"unknown command":       {"", []string{"frobnicate"}},
	} {
		t.Run(name, func(t *testing.T) {
			line := wantFail(t, c.stdin, append(c.args, "--config", cfg)...)
			if !strings.HasPrefix(line, "authd") {
				t.Errorf("stderr %q does not say who speaks", line)
			}
		})
	}
	if after := snapshot(); after != before {
		t.Errorf("a refused command changed the store:\nbefore %s\nafter  %s", before, after)
	}
}

func TestCLIFlagsBeforeOrAfterPositionalArgs(t *testing.T) {
	cfg := tempConfig(t, "")
	id := createUser(t, cfg, "ada@example.org")
	for _, args := range [][]string{
		{"users", "get", "--config", cfg, id},
		{"users", "get", id, "--config", cfg},
		{"users", "get", "--config=" + cfg, id},
	} {
		if got := decode(t, wantOK(t, "", args...)); got["user_id"] != id {
			t.Errorf("%v: %v", args, got)
		}
	}
	wantOK(t, "", "users", "roles", "add", id, "admin", "--config", cfg)
	wantOK(t, "", "users", "roles", "add", "--config", cfg, id, "editor")
	if u := decode(t, wantOK(t, "", "users", "get", id, "--config", cfg)); len(u["roles"].([]any)) != 2 {
		t.Errorf("roles %v", u["roles"])
	}
	wantOK(t, "", "users", "create", "--email", "bob@example.org", "--config", cfg, "--password", cliPassword)
}

// keysTable parses `keys list`: kid → state.
func keysTable(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "KID") {
		t.Fatalf("keys list:\n%s", out)
	}
	m := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 3 {
			t.Fatalf("keys list line %q", l)
		}
		m[f[0]] = f[2]
	}
	return m
}

func TestCLIKeysRotate(t *testing.T) {
	cfg := tempConfig(t, "")
	out := wantOK(t, "", "migrate", "--config", cfg)
	if !strings.Contains(out, "signing key") {
		t.Errorf("migrate made no first key: %q", out)
	}
	before := keysTable(t, wantOK(t, "", "keys", "list", "--config", cfg))
	if len(before) != 1 {
		t.Fatalf("keys after migrate: %v", before)
	}
	out = wantOK(t, "", "keys", "rotate", "--config", cfg)
	m := regexp.MustCompile(`new key (\S+) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rotate said %q", out)
	}
	after := keysTable(t, wantOK(t, "", "keys", "list", "--config", cfg))
	if len(after) != 2 {
		t.Fatalf("keys after rotate: %v", after)
	}
	// The new key is published at once and signs now or after the replica
	// refresh delay; the old one is still listed (and published).
	if s := after[m[1]]; s != "active" && s != "next" {
		t.Errorf("new key %s is %q: %v", m[1], s, after)
	}
	for kid := range before {
		if s := after[kid]; s != "active" && s != "retired" {
			t.Errorf("old key %s is %q: %v", kid, s, after)
		}
	}
}

func jwtKid(t *testing.T, jwt string) string {
	t.Helper()
	head, _, _ := strings.Cut(jwt, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// A key rotated by the CLI is published by the running server at its next
// key refresh, signs its tokens once active, and the old key stays
// published so tokens it signed still verify.
func TestCLIKeysRotateReachesServer(t *testing.T) {
	e := authdtest.New(t)
	cfg := filepath.Join(e.Dir, "authd.yaml")
	before := keysTable(t, wantOK(t, "", "keys", "list", "--config", cfg))
	if len(before) != 1 {
		t.Fatalf("keys before rotation: %v", before)
	}
	ccToken := func() string {
		form := url.Values{"grant_type": {"client_credentials"}, "audience": {authdtest.API}}
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("worker", "worker-secret-0123456789abcdef")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
			t.Fatalf("client credentials: %d %v", resp.StatusCode, err)
		}
		return body.AccessToken
	}
	var oldKid string
	for kid := range before {
		oldKid = kid
	}
	if k := jwtKid(t, ccToken()); k != oldKid {
		t.Fatalf("token signed by %s, want %s", k, oldKid)
	}
	out := wantOK(t, "", "keys", "rotate", "--config", cfg)
	m := regexp.MustCompile(`new key (\S+) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rotate said %q", out)
	}
	e.Clock.Advance(2 * time.Minute) // past the activation delay
	if err := e.Server.Keys().Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct{ Keys []struct{ Kid string } }
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	for _, k := range jwks.Keys {
		published[k.Kid] = true
	}
	if !published[oldKid] || !published[m[1]] {
		t.Errorf("JWKS after rotation %v, want old %s and new %s", published, oldKid, m[1])
	}
	if k := jwtKid(t, ccToken()); k != m[1] {
		t.Errorf("after rotation tokens are signed by %s, want the new key %s", k, m[1])
	}
}

func TestCLIMigrate(t *testing.T) {
	cfg := tempConfig(t, "")
	for range 2 { // idempotent
		if out := wantOK(t, "", "migrate", "--config", cfg); !strings.Contains(out, "migrations applied") {
			t.Errorf("migrate said %q", out)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "authd.db")); err != nil {
		t.Errorf("no database next to the config: %v", err)
	}
}

func TestCLIVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		if out := wantOK(t, "", arg); out != "authd "+version+"\n" {
			t.Errorf("%s: %q", arg, out)
		}
	}
}

func TestCLIUnblockLiftsBruteForceBlock(t *testing.T) {
	e := authdtest.New(t)
	e.CreateUser("ada@example.org", cliPassword)
	b := e.Browser()
	start := func() *authdtest.Page {
		p := b.Get(e.SPA().AuthURL().URL)
		if p.H1() != "Log in" {
			t.Fatalf("login page: %d %q", p.Status, p.H1())
		}
		return p
	}
	p := start()
	for range 5 {
		p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": "wrong password"})
	}
	if p = p.Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": cliPassword}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("not blocked: %d %q", p.Status, p.Alert())
	}
	wantOK(t, "", "users", "unblock", "ADA@example.org", "--config", filepath.Join(e.Dir, "authd.yaml"))
	p = start().Submit("Continue", map[string]string{"Email": "ada@example.org", "Password": cliPassword})
	if p.Header.Get("Location") == "" || p.Location().Query().Get("code") == "" {
		t.Errorf("after unblock: %d %q", p.Status, p.Alert())
	}
}

// problemLine is how config check names one problem: path.to.key: reason.
var problemLine = regexp.MustCompile(`^[A-Za-z0-9_.\[\]-]+: \S.*$`)

const brokenConfig = `issuer: not a url
listen: 127.0.0.1:9400
storage: { driver: mongodb, dsn: x }
bogus_key: 1
tokens: { access_token_ttl: forever }
login: { brute_force: { max_attempts: -3 } }
clients:
  - client_id: spa
    app_type: spaceship
    redirect_uris: [not-a-uri]
`

func TestCLIConfigCheckListsEveryProblem(t *testing.T) {
	p := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(p, []byte(brokenConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cliRun(t, "", "config", "check", "--config", p)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	for _, l := range lines {
		if !problemLine.MatchString(l) {
			t.Errorf("not a `path: reason` line: %q", l)
		}
	}
	for _, key := range []string{"issuer", "storage.driver", "bogus_key", "tokens.access_token_ttl",
		"login.brute_force.max_attempts", "clients[0].app_type", "secrets"} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, key) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem reported for %s:\n%s", key, errs)
		}
	}
}

func TestCLIConfigCheckExample(t *testing.T) {
	for k, v := range map[string]string{
		"AUTHD_ENCRYPTION_KEY": hexKey(t), "AUTHD_COOKIE_KEY": hexKey(t), "MY_WEB_SECRET": "web-secret-0123456789abcdef0123",
		"WORKER_SECRET": "worker-secret-0123456789abcdef01", "SHARED": "shared", "PGPASSWORD": "pg", "NAME": "name",
	} {
		t.Setenv(k, v)
	}
	if out := wantOK(t, "", "config", "check", "--config", filepath.Join("..", "..", "config.example.yaml")); !strings.Contains(out, "ok") {
		t.Errorf("config check said %q", out)
	}
	// Without the variables it names the first key that needs one.
	t.Setenv("WORKER_SECRET", "")
	os.Unsetenv("WORKER_SECRET")
	code, _, errs := cliRun(t, "", "config", "check", "--config", filepath.Join("..", "..", "config.example.yaml"))
	if code != 1 || !strings.Contains(errs, "WORKER_SECRET") {
		t.Errorf("unset variable: exit %d %q", code, errs)
	}
}

func TestCLIConfigCheckBrokenAction(t *testing.T) {
	cfg := tempConfig(t, "actions:\n  post-login:\n    - { name: broken, file: broken.js }\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), "broken.js"), []byte("exports.onExecutePostLogin = async (event, api) => {\n  api.(\n};\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cliRun(t, "", "config", "check", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "broken") || !strings.Contains(errs, "broken.js") || !strings.Contains(errs, ":2") {
		t.Errorf("broken action: exit %d %q", code, errs)
	}
}

func TestCLIServeInvalidConfigExits1NamingTheKey(t *testing.T) {
	cfg := tempConfig(t, "tokens: { access_token_ttl: forever }\n")
	code, _, errs := cliRun(t, "", "serve", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "tokens.access_token_ttl") {
		t.Errorf("serve: exit %d %q", code, errs)
	}
	code, _, errs = cliRun(t, "", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != 1 || !strings.Contains(errs, "missing.yaml") {
		t.Errorf("serve with a missing file: exit %d %q", code, errs)
	}
}

func TestCLIServeBrokenActionNamesFileAndLine(t *testing.T) {
	cfg := tempConfig(t, "actions:\n  post-login:\n    - { name: broken, file: broken.js }\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), "broken.js"), []byte("exports.onExecutePostLogin = async (event, api) => {\n  api.(\n};\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cliRun(t, "", "serve", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "broken") || !strings.Contains(errs, "broken.js") || !strings.Contains(errs, ":2") {
		t.Errorf("serve with a broken action: exit %d %q", code, errs)
	}
}

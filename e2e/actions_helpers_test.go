package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/authdtest"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/sqlite"
)

// Helpers of the actions end-to-end tests. Every name here starts with
// "act" so the other e2e files (mfa_*, redirect_*) of this package can
// keep their own helpers without collisions.

const actPW = "correct horse battery"

// actSeed is a seed example as a file byte-identical to the seed page's
// code block (only APP_NAME filled in).
func actSeed(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed", name+".js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// act is one bound action.
type act struct {
	Name    string
	Src     string
	Secrets map[string]string
}

// actOpts binds acts (in order) through the real YAML loader. timeout is
// actions.timeout ("" = the default 20s).
func actOpts(timeout string, acts ...act) []authdtest.Option {
	var y strings.Builder
	y.WriteString("actions:\n")
	if timeout != "" {
		fmt.Fprintf(&y, "  timeout: %s\n", timeout)
	}
	y.WriteString("  post-login:\n")
	var opts []authdtest.Option
	for _, a := range acts {
		fmt.Fprintf(&y, "    - name: %s\n      file: actions/%s.js\n", a.Name, a.Name)
		if len(a.Secrets) > 0 {
			y.WriteString("      secrets:\n")
			keys := make([]string, 0, len(a.Secrets))
			for k := range a.Secrets {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v, _ := json.Marshal(a.Secrets[k]) // a JSON string is a YAML string
				fmt.Fprintf(&y, "        %s: %s\n", k, v)
			}
		}
		opts = append(opts, authdtest.File("actions/"+a.Name+".js", a.Src))
	}
	return append(opts, authdtest.YAML(y.String()))
}

// actEnv starts authd with the actions bound and extra options.
func actEnv(t testing.TB, extra []authdtest.Option, acts ...act) *authdtest.Env {
	t.Helper()
	return authdtest.New(t, append(actOpts("", acts...), extra...)...)
}

// actCallback runs a password login in a fresh browser and returns the
// authorization request and the client callback URL.
func actCallback(t testing.TB, e *authdtest.Env, rp *authdtest.RP, email string, extra ...oauth2.AuthCodeOption) (authdtest.Auth, *url.URL) {
	t.Helper()
	return e.Login(e.Browser(), rp, email, actPW, extra...)
}

// actTokens logs in and exchanges the code; the ID token is verified by
// go-oidc (signature, iss, aud, exp, nonce).
func actTokens(t testing.TB, e *authdtest.Env, rp *authdtest.RP, email string, extra ...oauth2.AuthCodeOption) *authdtest.Tokens {
	t.Helper()
	a, cb := actCallback(t, e, rp, email, extra...)
	tok, err := rp.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// actDenied asserts the callback is an access_denied error for this
// request (with its state, and no code) and returns the description.
func actDenied(t testing.TB, a authdtest.Auth, cb *url.URL) string {
	t.Helper()
	q := cb.Query()
	if q.Get("error") != "access_denied" || q.Get("state") != a.State || q.Has("code") {
		t.Fatalf("want access_denied with state, got %s", cb)
	}
	if !strings.HasPrefix(cb.String(), "http://127.0.0.1:5555/callback?") {
		t.Fatalf("error not at the client's redirect_uri: %s", cb)
	}
	return q.Get("error_description")
}

// actAudience is an authorize parameter selecting an API.
func actAudience(aud string) oauth2.AuthCodeOption { return authdtest.Param("audience", aud) }

// actJSONClaim decodes a claim that an action set as a JSON string.
func actJSONClaim(t testing.TB, claims map[string]any, key string) map[string]any {
	t.Helper()
	s, ok := claims[key].(string)
	if !ok {
		t.Fatalf("claim %s missing or not a string: %v", key, claims[key])
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("claim %s: %v", key, err)
	}
	return m
}

// actToken posts a raw token request (the RP helper hides the status).
func actToken(t testing.TB, e *authdtest.Env, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(e.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// actRefreshForm is a refresh_token grant of the public SPA client.
func actRefreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"spa"}}
}

// actLogLines are the server's "action" log records.
func actLogLines(t testing.TB, e *authdtest.Env) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(e.Logs.String(), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "action" {
			out = append(out, m)
		}
	}
	return out
}

// actRan reports how many times an action ran, per the server log.
func actRan(t testing.TB, e *authdtest.Env, name string) int {
	n := 0
	for _, l := range actLogLines(t, e) {
		if l["action"] == name {
			n++
		}
	}
	return n
}

// actCountStore counts profile writes (spec §4.8: one per pipeline).
type actCountStore struct {
	store.Store
	metadataWrites atomic.Int64
}

func (c *actCountStore) UpdateMetadata(ctx context.Context, id string, up, ap map[string]any, at time.Time) (*store.User, error) {
	c.metadataWrites.Add(1)
	return c.Store.UpdateMetadata(ctx, id, up, ap, at)
}

// actCountingStore is an authdtest option serving a SQLite store that
// counts metadata writes.
func actCountingStore(cs **actCountStore) authdtest.Option {
	return authdtest.Store(func(t testing.TB) store.Store {
		st, err := sqlite.Open(context.Background(), "file:"+filepath.Join(t.TempDir(), "count.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		*cs = &actCountStore{Store: st}
		return *cs
	})
}

// actSetMetadata edits a user's metadata "through the management API"
// (the store), as an external system would between logins.
func actSetMetadata(t testing.TB, e *authdtest.Env, id string, user, app map[string]any) {
	t.Helper()
	if _, err := e.Store().UpdateMetadata(context.Background(), id, user, app, time.Now()); err != nil {
		t.Fatal(err)
	}
}

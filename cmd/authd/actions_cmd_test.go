package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// `authd actions test` (interface.md §2), run on the seed files of e2e.

func seedFile(name string) string {
	return filepath.Join("..", "..", "e2e", "testdata", "seed", name+".js")
}

func eventFile(t *testing.T, ev map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(ev)
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// actionsTest runs the command and decodes its one JSON object.
func actionsTest(t *testing.T, wantCode int, args ...string) map[string]any {
	t.Helper()
	code, out, errs := cliRun(t, "", append([]string{"actions", "test"}, args...)...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, wantCode, out, errs)
	}
	var rep map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&rep); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON object (%v): %s", err, out)
	}
	return rep
}

func TestActionsTestReportShape(t *testing.T) {
	ev := eventFile(t, map[string]any{"authorization": map[string]any{"roles": []any{"admin"}}})
	rep := actionsTest(t, 0, seedFile("roles"), "--event", ev)
	var keys []string
	for k := range rep {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"access_token_claims", "action", "app_metadata", "console", "deny", "duration_ms", "error",
		"handler", "id_token_claims", "mfa", "ok", "redirect", "scopes_added", "scopes_removed", "user_metadata"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v\nwant %v", keys, want)
	}
	if rep["action"] != "roles" || rep["handler"] != "onExecutePostLogin" || rep["ok"] != true || rep["error"] != nil ||
		rep["deny"] != nil || rep["mfa"] != nil || rep["redirect"] != nil {
		t.Errorf("report %v", rep)
	}
	claims := map[string]any{"https://my-app.example.com/roles": []any{"admin"}}
	b1, _ := json.Marshal(rep["id_token_claims"])
	b2, _ := json.Marshal(rep["access_token_claims"])
	w, _ := json.Marshal(claims)
	if string(b1) != string(w) || string(b2) != string(w) {
		t.Errorf("claims %s / %s", b1, b2)
	}
	for _, k := range []string{"scopes_added", "scopes_removed", "console"} {
		if v, ok := rep[k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s = %#v, want []", k, rep[k])
		}
	}
	for _, k := range []string{"user_metadata", "app_metadata"} {
		if v, ok := rep[k].(map[string]any); !ok || len(v) != 0 {
			t.Errorf("%s = %#v, want {}", k, rep[k])
		}
	}
	if _, ok := rep["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms %v", rep["duration_ms"])
	}
}

// --now pins the clock the weekday seed reads.
func TestActionsTestNow(t *testing.T) {
	ev := eventFile(t, map[string]any{"client": map[string]any{"client_id": "spa", "name": "My SPA"}})
	rep := actionsTest(t, 0, seedFile("weekdays"), "--event", ev, "--now", "2025-01-04T12:00:00Z")
	if rep["deny"] != "This app is only available during the week." {
		t.Errorf("Saturday: deny %v", rep["deny"])
	}
	rep = actionsTest(t, 0, "--now", "2025-01-06T12:00:00Z", seedFile("weekdays"), "--event", ev) // flags after or before
	if rep["deny"] != nil {
		t.Errorf("Monday: deny %v", rep["deny"])
	}
	if line := wantFail(t, "", "actions", "test", seedFile("weekdays"), "--now", "saturday"); !strings.Contains(line, "--now") {
		t.Errorf("bad --now: %q", line)
	}
}

func hs256(t *testing.T, tok, secret string) map[string]any {
	t.Helper()
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(p[0] + "." + p[1]))
	if sig, _ := base64.RawURLEncoding.DecodeString(p[2]); !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("token not signed with %q", secret)
	}
	var c map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(p[1])
	_ = json.Unmarshal(raw, &c)
	return c
}

// --secret feeds event.secrets; --continue runs onContinuePostLogin with
// the resume request carried in the event.
func TestActionsTestSecretAndContinue(t *testing.T) {
	user := map[string]any{"user_id": "auth0|0123456789abcdef01234567", "email": "ada@example.org"}
	ev := eventFile(t, map[string]any{"user": user})
	rep := actionsTest(t, 0, seedFile("redirect"), "--event", ev, "--secret", "MY_SHARED_SECRET=s3cr3t")
	r, _ := rep["redirect"].(map[string]any)
	u, err := url.Parse(r["url"].(string))
	if err != nil || u.Host != "my-app.example.com" {
		t.Fatalf("redirect %v", rep["redirect"])
	}
	if c := hs256(t, u.Query().Get("session_token"), "s3cr3t"); c["email"] != "ada@example.org" || c["sub"] != user["user_id"] {
		t.Errorf("session token claims %v", c)
	}

	now := time.Now().Unix()
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	pl, _ := json.Marshal(map[string]any{"sub": user["user_id"], "iss": "https://my-app.example.com", "iat": now, "exp": now + 60,
		"state": "S1", "favorite_color": "green"})
	unsigned := h + "." + base64.RawURLEncoding.EncodeToString(pl)
	mac := hmac.New(sha256.New, []byte("s3cr3t"))
	mac.Write([]byte(unsigned))
	tok := unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	ev = eventFile(t, map[string]any{"user": user, "request": map[string]any{
		"method": "POST", "query": map[string]any{"state": "S1"}, "body": map[string]any{"state": "S1", "session_token": tok}}})
	rep = actionsTest(t, 0, seedFile("redirect"), "--continue", "--event", ev, "--secret", "MY_SHARED_SECRET=s3cr3t")
	if rep["handler"] != "onContinuePostLogin" || rep["ok"] != true {
		t.Fatalf("continue report %v", rep)
	}
	if um, _ := rep["user_metadata"].(map[string]any); um["favorite_color"] != "green" {
		t.Errorf("user_metadata %v", rep["user_metadata"])
	}
	// A wrong secret: the token does not validate; an uncaught error.
	rep = actionsTest(t, 1, seedFile("redirect"), "--continue", "--event", ev, "--secret", "MY_SHARED_SECRET=wrong")
	if e, _ := rep["error"].(string); rep["ok"] != false || !strings.HasPrefix(e, "The session token is invalid: ") {
		t.Errorf("wrong secret: %v", rep)
	}
}

// Exit 1 with the error in the report when the code throws; console
// output is still reported.
func TestActionsTestUncaughtError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "boom.js")
	src := "exports.onExecutePostLogin = async (event, api) => {\n  console.log(\"about to fail\");\n  throw new Error(\"boom\");\n};\n"
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	rep := actionsTest(t, 1, p)
	if rep["ok"] != false || rep["error"] != "boom" || rep["action"] != "boom" {
		t.Errorf("report %v", rep)
	}
	if c, _ := rep["console"].([]any); len(c) != 1 || c[0] != "about to fail" {
		t.Errorf("console %v", rep["console"])
	}
	// A syntax error is refused before running, naming file and line.
	if err := os.WriteFile(p, []byte("exports.onExecutePostLogin = async (event, api) => {\n  api.(\n};\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cliRun(t, "", "actions", "test", p)
	if code != 1 || !strings.Contains(errs, "boom.js") || !strings.Contains(errs, ":2") {
		t.Errorf("syntax error: exit %d %q", code, errs)
	}
}

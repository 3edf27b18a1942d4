package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
)

// Sandbox abuse through the server: every attack is bounded (the login
// fails with access_denied, in about the 2s budget at worst), the server
// keeps serving, and the next login runs in a clean runtime.

// The user's local part picks the attack, so one bound action covers all.
const abuse = `exports.onExecutePostLogin = async (event, api) => {
  const mode = event.user.email.split("@")[0];
  if (mode === "loop") { for (;;) {} }
  if (mode === "recurse") { const f = (n) => f(n + 1) + 1; f(0); }
  if (mode === "memory") { const a = []; for (let i = 0; ; i++) { a.push(new Array(1 << 16).fill(i)); } }
  if (mode === "strings") { let s = "x"; for (;;) { s = s + s; } }
  if (mode === "pollute") {
    Object.prototype.polluted = "yes";
    Array.prototype.map = function () { return "hacked"; };
    JSON.stringify = function () { return "evil"; };
    String.prototype.split = function () { return ["clean"]; };
  }
  if (mode === "leak") { globalThis.leaked = "from ada"; leakedVar = 42; }
  if (mode === "fs") { require("fs").readFileSync("/etc/passwd"); }
  if (mode === "child") { require("child_process").execSync("id"); }
  if (mode === "fetch") { await fetch(event.secrets.LOCAL + "/healthz"); }
  if (mode === "ctor") { (function(){}).constructor("return process")().exit(1); }
  api.idToken.setCustomClaim("https://x.test/clean", JSON.stringify({
    polluted: ({}).polluted === undefined,
    map: [1, 2].map((x) => x * 2),
    leaked: typeof globalThis.leaked + "/" + typeof leakedVar,
  }));
};`

func TestActionsSandboxAbuseIsBounded(t *testing.T) {
	// fetch gets the server's own loopback address; the default policy must
	// refuse it (no ActionOptions AllowPrivate here).
	e := authdtest.New(t, actOpts("2s", act{Name: "abuse", Src: abuse, Secrets: map[string]string{"LOCAL": "http://127.0.0.1:1"}})...)
	e.Config.Actions.PostLogin[0].Secrets["LOCAL"] = e.URL
	if err := e.Server.ReloadActions(e.Config); err != nil {
		t.Fatal(err)
	}
	spa := e.SPA()
	clean := func(who string) {
		t.Helper()
		tok := actTokens(t, e, spa, "clean@example.org")
		got := tok.Claims["https://x.test/clean"]
		if got != `{"polluted":true,"map":[2,4],"leaked":"undefined/undefined"}` {
			t.Errorf("after %s the next login is not clean: %v", who, got)
		}
	}
	e.CreateUser("clean@example.org", actPW)
	clean("nothing")

	for _, mode := range []string{"loop", "recurse", "memory", "strings", "fs", "child", "fetch", "ctor"} {
		t.Run(mode, func(t *testing.T) {
			e.CreateUser(mode+"@example.org", actPW)
			start := time.Now()
			a, cb := actCallback(t, e, spa, mode+"@example.org")
			d := actDenied(t, a, cb)
			if took := time.Since(start); took > 6*time.Second {
				t.Errorf("took %v with a 2s budget", took)
			}
			t.Logf("%s: %s", mode, d)
			if resp, err := http.Get(e.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("server not serving after %s: %v", mode, err)
			} else {
				resp.Body.Close()
			}
			clean(mode)
		})
	}
	// Pollution and leaks do not fail the login that does them; they must
	// simply not reach the next one.
	for _, mode := range []string{"pollute", "leak"} {
		t.Run(mode, func(t *testing.T) {
			e.CreateUser(mode+"@example.org", actPW)
			a, cb := actCallback(t, e, spa, mode+"@example.org")
			if cb.Query().Get("error") == "" {
				if _, err := spa.Exchange(a, authdtest.Code(t, a, cb)); err != nil {
					t.Fatal(err)
				}
			}
			clean(mode)
		})
	}
	if strings.Contains(e.Logs.String(), "root:x:0:0") {
		t.Error("/etc/passwd reached the logs")
	}
}

package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

// Environment behaviours (spec §10.54–56, 59–60) and observability:
// metrics and the execution log line.

// §10.54–55: secrets are per action; console output lands in the log line
// of the action that wrote it; no secret value is ever logged.
func TestActionsSecretsAndConsole(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/a1", [event.secrets.MY_SHARED_SECRET === "s3cr3t", Object.keys(event.secrets)]);
};`
	a2 := `exports.onExecutePostLogin = async (event, api) => {
  console.log("hello");
  console.log("a2 sees", Object.keys(event.secrets).join(","));
  api.idToken.setCustomClaim("https://x.test/a2", Object.keys(event.secrets));
};`
	e := actEnv(t, nil,
		act{Name: "a1", Src: a1, Secrets: map[string]string{"MY_SHARED_SECRET": "s3cr3t"}},
		act{Name: "a2", Src: a2, Secrets: map[string]string{"OTHER": "0ther-value-XYZ"}})
	e.CreateUser("ada@example.org", actPW)
	c := actTokens(t, e, e.SPA(), "ada@example.org").Claims
	if got, _ := c["https://x.test/a1"].([]any); len(got) != 2 || got[0] != true || len(got[1].([]any)) != 1 {
		t.Errorf("a1 secrets %v", c["https://x.test/a1"])
	}
	if got, _ := c["https://x.test/a2"].([]any); len(got) != 1 || got[0] != "OTHER" {
		t.Errorf("a2 sees secrets %v", c["https://x.test/a2"])
	}

	lines := actLogLines(t, e)
	if len(lines) != 2 {
		t.Fatalf("%d action log lines, want 2: %v", len(lines), lines)
	}
	for i, name := range []string{"a1", "a2"} {
		l := lines[i]
		if l["action"] != name || l["outcome"] != "ok" || l["handler"] != "onExecutePostLogin" {
			t.Errorf("log line %d: %v", i, l)
		}
		if d, ok := l["duration_ms"].(float64); !ok || d <= 0 || d > 5000 {
			t.Errorf("%s duration_ms %v", name, l["duration_ms"])
		}
	}
	console, _ := lines[1]["console"].([]any)
	if len(console) != 2 || console[0] != "hello" || console[1] != "a2 sees OTHER" {
		t.Errorf("a2 console %v", console)
	}
	if c, _ := lines[0]["console"].([]any); len(c) != 0 {
		t.Errorf("a1 console %v", c)
	}
	logs := e.Logs.String()
	for _, secret := range []string{"s3cr3t", "0ther-value-XYZ"} {
		if strings.Contains(logs, secret) {
			t.Errorf("secret %q in the server log", secret)
		}
	}
}

// After logins with actions /metrics has the per-action histogram and the
// counter by outcome.
func TestActionsMetrics(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => { if (event.user.email.startsWith("no")) api.access.deny("no"); };`
	e := actEnv(t, nil, act{Name: "gate", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	e.CreateUser("no@example.org", actPW)
	actTokens(t, e, e.SPA(), "ada@example.org")
	actTokens(t, e, e.SPA(), "ada@example.org")
	a, cb := actCallback(t, e, e.SPA(), "no@example.org")
	actDenied(t, a, cb)

	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := string(body)
	for _, re := range []string{
		`(?m)^authd_action_duration_seconds_bucket\{action="gate",le="[^"]+"\} \d+$`,
		`(?m)^authd_action_duration_seconds_count\{action="gate"\} 3$`,
		`(?m)^authd_action_duration_seconds_sum\{action="gate"\} [0-9.e-]+$`,
		`(?m)^authd_action_executions_total\{action="gate",outcome="ok"\} 2$`,
		`(?m)^authd_action_executions_total\{action="gate",outcome="denied"\} 1$`,
	} {
		if !regexp.MustCompile(re).MatchString(m) {
			t.Errorf("metrics lack %s", re)
		}
	}
}

// §10.56: the cache is shared by the actions of one execution.
func TestActionsCache(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  const r = api.cache.set("k", "v");
  const big = api.cache.set("k".repeat(65), "v");
  const del = api.cache.delete("missing");
  api.idToken.setCustomClaim("https://x.test/a1", [r.type, big.type, big.code, del.type, del.code]);
};`
	a2 := `exports.onExecutePostLogin = async (event, api) => {
  const g = api.cache.get("k");
  api.idToken.setCustomClaim("https://x.test/a2", [g.value, g.expires_at - Date.now()]);
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1}, act{Name: "a2", Src: a2})
	e.CreateUser("ada@example.org", actPW)
	e.Clock.Set(time.Now().Add(time.Second))
	c := actTokens(t, e, e.SPA(), "ada@example.org").Claims
	if got, _ := c["https://x.test/a1"].([]any); len(got) != 5 || got[0] != "success" || got[1] != "error" ||
		got[2] != "CacheKeySizeExceeded" || got[3] != "error" || got[4] != "CacheKeyDoesNotExist" {
		t.Errorf("a1 %v", c["https://x.test/a1"])
	}
	if got, _ := c["https://x.test/a2"].([]any); len(got) != 2 || got[0] != "v" || got[1] != 900000.0 {
		t.Errorf("a2 %v (want v, expires in 900000 ms on the pinned clock)", c["https://x.test/a2"])
	}
}

// §10.59: deny and setCustomClaim return api.
func TestActionsChaining(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/a", 1).accessToken.setCustomClaim("https://x.test/b", 2)
     .idToken.setCustomClaim("https://x.test/same", api.access.deny("x") === api);
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	a, cb := actCallback(t, e, e.SPA(), "ada@example.org")
	if d := actDenied(t, a, cb); d != "x" {
		t.Errorf("description %q", d)
	}
	// Same chain without the deny gets its claims through.
	ok := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/a", 1).accessToken.setCustomClaim("https://x.test/b", 2);
};`
	e2 := actEnv(t, nil, act{Name: "ok", Src: ok})
	e2.CreateUser("ada@example.org", actPW)
	tok := actTokens(t, e2, e2.SPA("openid", "read:xyz"), "ada@example.org", actAudience(authdtest.API))
	if tok.Claims["https://x.test/a"] != 1.0 || tok.Access["https://x.test/b"] != 2.0 {
		t.Errorf("chained claims: %v %v", tok.Claims, tok.Access)
	}
}

// §10.60: a module without onExecutePostLogin, or with a syntax error, is
// refused when the config is loaded (authd compiles at load, naming the
// action); a runtime failure to produce the handler fails the login with
// access_denied and a description naming it.
func TestActionsBrokenModules(t *testing.T) {
	e := actEnv(t, nil, act{Name: "good", Src: `exports.onExecutePostLogin = async () => {};`})
	e.CreateUser("ada@example.org", actPW)
	for _, tc := range []struct{ name, src string }{
		{"syntax", "exports.onExecutePostLogin = async (event, api) => {\n  api.access.deny(\"x\"\n};\n"},
		{"nohandler", "exports.onContinuePostLogin = async () => {};\n"},
	} {
		cfg := *e.Config
		cfg.Actions.PostLogin = []config.Action{{Name: tc.name, File: "/cfg/actions/" + tc.name + ".js", Source: []byte(tc.src)}}
		err := e.Server.ReloadActions(&cfg)
		if err == nil {
			// Accepted at load: then the login must fail, naming the handler.
			a, cb := actCallback(t, e, e.SPA(), "ada@example.org")
			if d := actDenied(t, a, cb); !strings.Contains(d, "onExecutePostLogin") {
				t.Errorf("%s: description %q does not name the handler", tc.name, d)
			}
			if err := e.Server.ReloadActions(e.Config); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.name) || !strings.Contains(msg, tc.name+".js") {
			t.Errorf("%s: refusal %q does not name the action and file", tc.name, msg)
		}
		if tc.name == "syntax" && !strings.Contains(err.Error(), ":3") {
			t.Errorf("syntax error without its line: %v", err)
		}
		if tc.name == "nohandler" && !strings.Contains(err.Error(), "onExecutePostLogin") {
			t.Errorf("missing handler not named: %v", err)
		}
	}
	// The good action kept serving through the refusals.
	actTokens(t, e, e.SPA(), "ada@example.org")
	if n := actRan(t, e, "good"); n != 1 {
		t.Errorf("good ran %d times", n)
	}
}

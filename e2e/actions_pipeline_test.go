package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

// Pipeline behaviours of spec §10 (13–24, 27) through the real server.

func trailAction(n string) act {
	return act{Name: "a" + n, Src: `exports.onExecutePostLogin = async (event, api) => {
  const seen = event.transaction.metadata.trail || "";
  api.transaction.setMetadata("trail", seen + "` + n + `");
  api.idToken.setCustomClaim("https://x.test/seen` + n + `", seen);
  api.idToken.setCustomClaim("https://x.test/trail", event.transaction.metadata.trail);
};`}
}

// §10.13, and reordering the bindings (a reload) changes the string.
func TestActionsTransactionMetadataTrail(t *testing.T) {
	e := actEnv(t, nil, trailAction("1"), trailAction("2"), trailAction("3"))
	e.CreateUser("ada@example.org", actPW)
	spa := e.SPA()
	tok := actTokens(t, e, spa, "ada@example.org")
	if tok.Claims["https://x.test/seen3"] != "12" || tok.Claims["https://x.test/trail"] != "123" {
		t.Errorf("trail: A3 saw %v, final %v", tok.Claims["https://x.test/seen3"], tok.Claims["https://x.test/trail"])
	}
	cfg := *e.Config
	pl := cfg.Actions.PostLogin
	cfg.Actions.PostLogin = []config.Action{pl[2], pl[0], pl[1]}
	if err := e.Server.ReloadActions(&cfg); err != nil {
		t.Fatal(err)
	}
	if tok := actTokens(t, e, spa, "ada@example.org"); tok.Claims["https://x.test/trail"] != "312" {
		t.Errorf("reordered: %v", tok.Claims["https://x.test/trail"])
	}
	// Transaction metadata never reaches the tokens by itself.
	for k := range tok.Claims {
		if k == "trail" {
			t.Error("transaction metadata leaked into the ID token")
		}
	}
}

const setClaimAndMeta = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/a2", true);
  api.accessToken.setCustomClaim("https://x.test/a2", true);
  api.user.setAppMetadata("a2", true);
};`

// §10.14–16: a deny stops later actions, keeps its own side effects, and
// does not throw.
func TestActionsDenyStopsThePipeline(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  api.user.setAppMetadata("seen", true);
  api.access.deny("no");
  console.log("after");
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1}, act{Name: "a2", Src: setClaimAndMeta})
	u := e.CreateUser("ada@example.org", actPW)
	a, cb := actCallback(t, e, e.SPA(), "ada@example.org")
	if d := actDenied(t, a, cb); d != "no" {
		t.Errorf("description %q", d)
	}
	got := e.User(u.ID).AppMetadata
	if got["seen"] != true {
		t.Errorf("metadata set before the deny not persisted: %v", got)
	}
	if _, ok := got["a2"]; ok || actRan(t, e, "a2") != 0 {
		t.Errorf("a2 ran after a deny (app_metadata %v)", got)
	}
	var console []any
	for _, l := range actLogLines(t, e) {
		if l["action"] == "a1" {
			console, _ = l["console"].([]any)
			if l["outcome"] != "denied" {
				t.Errorf("a1 outcome %v", l["outcome"])
			}
		}
	}
	if len(console) != 1 || !strings.Contains(console[0].(string), "after") {
		t.Errorf("console after deny: %v", console)
	}
}

// §10.17–18: uncaught errors fail the login with their message and discard
// every side effect, also those of earlier actions.
func TestActionsUncaughtErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"throw", `throw new Error("boom");`, "boom"},
		{"rejected", `await Promise.reject(new Error("x"));`, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meta := `exports.onExecutePostLogin = async (event, api) => { api.user.setUserMetadata("m", 1); };`
			a1 := `exports.onExecutePostLogin = async (event, api) => { api.user.setAppMetadata("a1", 1); ` + tc.body + ` };`
			e := actEnv(t, nil, act{Name: "meta", Src: meta}, act{Name: "a1", Src: a1}, act{Name: "a2", Src: setClaimAndMeta})
			u := e.CreateUser("ada@example.org", actPW)
			a, cb := actCallback(t, e, e.SPA(), "ada@example.org")
			if d := actDenied(t, a, cb); d != tc.want {
				t.Errorf("description %q, want %q", d, tc.want)
			}
			got := e.User(u.ID)
			if len(got.AppMetadata) != 0 || len(got.UserMetadata) != 0 {
				t.Errorf("metadata written after an uncaught error: %v %v", got.UserMetadata, got.AppMetadata)
			}
			if actRan(t, e, "a2") != 0 {
				t.Error("a2 ran after an uncaught error")
			}
		})
	}
}

// §10.19 (with actions.timeout: 2s instead of 20s): a hung action fails
// the login with access_denied in about the budget; later actions do not
// run.
func TestActionsTimeout(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => { await new Promise(r => setTimeout(r, 25000)); };`
	e := authdtest.New(t, actOpts("2s", act{Name: "a1", Src: a1}, act{Name: "a2", Src: setClaimAndMeta})...)
	e.CreateUser("ada@example.org", actPW)
	start := time.Now()
	a, cb := actCallback(t, e, e.SPA(), "ada@example.org")
	took := time.Since(start)
	d := actDenied(t, a, cb)
	if took < 2*time.Second || took > 6*time.Second {
		t.Errorf("login took %v with a 2s budget", took)
	}
	if d == "" || actRan(t, e, "a2") != 0 {
		t.Errorf("description %q; a2 runs %d", d, actRan(t, e, "a2"))
	}
}

// §10.20–23: event copies are private, metadata is optimistic, nulls
// delete, the last claim wins.
func TestActionsEventIsolationAndOptimisticMetadata(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  event.user.email = "changed";
  event.client.metadata.tier = "hacked";
  api.user.setUserMetadata("k", "v");
  api.user.setUserMetadata("lang", null);
  api.idToken.setCustomClaim("https://x.test/c", 1);
};`
	a2 := `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://x.test/email", event.user.email);
  api.idToken.setCustomClaim("https://x.test/tier", event.client.metadata.tier);
  api.idToken.setCustomClaim("https://x.test/k", event.user.user_metadata.k);
  api.idToken.setCustomClaim("https://x.test/lang", event.user.user_metadata.lang === undefined ? "gone" : "still");
  api.idToken.setCustomClaim("https://x.test/c", 2);
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1}, act{Name: "a2", Src: a2})
	u := e.CreateUser("ada@example.org", actPW)
	actSetMetadata(t, e, u.ID, map[string]any{"lang": "en", "keep": "me"}, nil)
	tok := actTokens(t, e, e.SPA(), "ada@example.org")
	c := tok.Claims
	if c["https://x.test/email"] != "ada@example.org" || c["https://x.test/tier"] != "gold" {
		t.Errorf("a1's event mutation visible to a2: %v %v", c["https://x.test/email"], c["https://x.test/tier"])
	}
	if c["https://x.test/k"] != "v" || c["https://x.test/lang"] != "gone" {
		t.Errorf("optimistic metadata: k=%v lang=%v", c["https://x.test/k"], c["https://x.test/lang"])
	}
	if c["https://x.test/c"] != 2.0 {
		t.Errorf("last claim should win: %v", c["https://x.test/c"])
	}
	um := e.User(u.ID).UserMetadata
	if _, ok := um["lang"]; ok || um["k"] != "v" || um["keep"] != "me" {
		t.Errorf("user_metadata after login %v", um)
	}
	if c["email"] != "ada@example.org" {
		t.Errorf("real email claim %v", c["email"])
	}
}

// §10.24: objects are refused as transaction metadata; strings are
// readable at once in the same action.
func TestActionsTransactionMetadataValues(t *testing.T) {
	a1 := `exports.onExecutePostLogin = async (event, api) => {
  let err = "none";
  try { api.transaction.setMetadata("k", {a: 1}); } catch (e) { err = e.message; }
  api.transaction.setMetadata("s", "str");
  api.idToken.setCustomClaim("https://x.test/err", err);
  api.idToken.setCustomClaim("https://x.test/s", event.transaction.metadata.s);
  api.idToken.setCustomClaim("https://x.test/k", typeof event.transaction.metadata.k);
};`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	c := actTokens(t, e, e.SPA(), "ada@example.org").Claims
	if c["https://x.test/err"] == "none" || c["https://x.test/k"] != "undefined" || c["https://x.test/s"] != "str" {
		t.Errorf("claims %v", c)
	}
}

// §10.27: module-level state may or may not survive; logins still work
// and the value is a number either way.
func TestActionsModuleLevelCounter(t *testing.T) {
	a1 := `let n = 0;
exports.onExecutePostLogin = async (event, api) => { n++; api.idToken.setCustomClaim("https://x.test/n", n); };`
	e := actEnv(t, nil, act{Name: "a1", Src: a1})
	e.CreateUser("ada@example.org", actPW)
	for i := 0; i < 2; i++ {
		if n, ok := actTokens(t, e, e.SPA(), "ada@example.org").Claims["https://x.test/n"].(float64); !ok || n < 1 {
			t.Errorf("login %d: n = %v", i, n)
		}
	}
}

package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/config"
	"github.com/authd/authd/internal/authdtest"
)

// ReloadActions (what SIGHUP does): a new version of an action takes
// effect on the next login; a broken one is refused, naming the action,
// file and line, and the old version keeps serving.

const reloadPW = "correct horse battery"

func versioned(v string) string {
	return `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("https://x.test/v", "` + v + `"); };`
}

func reloadLogin(t *testing.T, e *authdtest.Env) any {
	t.Helper()
	rp := e.SPA()
	a, cb := e.Login(e.Browser(), rp, "ada@example.org", reloadPW)
	tok, err := rp.Exchange(a, authdtest.Code(t, a, cb))
	if err != nil {
		t.Fatal(err)
	}
	return tok.Claims["https://x.test/v"]
}

// reloadFrom reads the config file again, as the SIGHUP handler does.
func reloadFrom(t *testing.T, e *authdtest.Env) error {
	t.Helper()
	cfg, err := config.Load(filepath.Join(e.Dir, "authd.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return e.Server.ReloadActions(cfg)
}

func TestReloadActions(t *testing.T) {
	e := authdtest.New(t, authdtest.File("actions/v.js", versioned("v1")),
		authdtest.YAML("actions:\n  post-login:\n    - { name: versioned, file: actions/v.js }\n"))
	e.CreateUser("ada@example.org", reloadPW)
	if v := reloadLogin(t, e); v != "v1" {
		t.Fatalf("before reload: %v", v)
	}
	file := filepath.Join(e.Dir, "actions", "v.js")
	write := func(src string) {
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	write(versioned("v2"))
	// Editing the file alone changes nothing until the reload.
	if v := reloadLogin(t, e); v != "v1" {
		t.Errorf("file edited, not reloaded: %v", v)
	}
	if err := reloadFrom(t, e); err != nil {
		t.Fatal(err)
	}
	if v := reloadLogin(t, e); v != "v2" {
		t.Errorf("after reload: %v", v)
	}

	write("exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim(\n};\n")
	err := reloadFrom(t, e)
	if err == nil {
		t.Fatal("a broken action was accepted")
	}
	for _, want := range []string{"versioned", "v.js", ":3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
	if v := reloadLogin(t, e); v != "v2" {
		t.Errorf("after a refused reload: %v, want the old v2", v)
	}
}

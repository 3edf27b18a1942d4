package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/authd/authd/config"
)

var (
	hexKey = strings.Repeat("ab", 32)
	// base64 of 32 zero bytes, standard alphabet.
	b64Key = strings.Repeat("A", 43) + "="
)

// baseKeys holds the top-level keys every test config needs; a case that
// sets one of them replaces it.
var baseKeys = map[string]string{
	"issuer":  "issuer: https://login.example.com/",
	"secrets": "secrets: { encryption_key: " + hexKey + ", cookie_key: " + b64Key + " }",
}

// withBase completes a snippet with the base keys it does not set.
func withBase(t testing.TB, snippet string) string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(snippet), &doc); err != nil {
		t.Fatalf("test snippet is not YAML: %v\n%s", err, snippet)
	}
	top := map[string]bool{}
	if len(doc.Content) > 0 {
		for i := 0; i < len(doc.Content[0].Content); i += 2 {
			top[doc.Content[0].Content[i].Value] = true
		}
	}
	out := snippet + "\n"
	for _, k := range []string{"issuer", "secrets"} {
		if !top[k] {
			out += baseKeys[k] + "\n"
		}
	}
	return out
}

// writeConfig writes yaml (and two small action files, a.js and b.js) in a
// fresh folder and returns the config path.
func writeConfig(t testing.TB, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"a.js", "b.js"} {
		writeFile(t, filepath.Join(dir, name), "exports.onExecutePostLogin = async () => {};\n")
	}
	path := filepath.Join(dir, "authd.yaml")
	writeFile(t, path, yaml)
	return path
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// env is a getenv over a fixed map.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// mustLoad loads a config that must be valid.
func mustLoad(t testing.TB, yaml string, vars map[string]string) *config.Config {
	t.Helper()
	c, err := config.Load(writeConfig(t, yaml), env(vars))
	if err != nil {
		t.Fatalf("Load: %v\n--- config:\n%s", err, yaml)
	}
	return c
}

// problems loads a config that must be invalid and returns its lines.
func problems(t testing.TB, yaml string, vars map[string]string) []string {
	t.Helper()
	c, err := config.Load(writeConfig(t, yaml), env(vars))
	if err == nil {
		t.Fatalf("Load succeeded, want problems; issuer=%q\n--- config:\n%s", c.Issuer, yaml)
	}
	var errs *config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load error is %T, want *config.Errors: %v", err, err)
	}
	lines := make([]string, len(errs.Problems))
	for i, p := range errs.Problems {
		lines[i] = p.String()
	}
	if got := strings.Join(lines, "\n"); got != err.Error() {
		t.Errorf("Error() = %q, want the problems joined by newlines %q", err.Error(), got)
	}
	return lines
}

// matchLines reports whether got equals want line by line; a wanted line
// ending in "..." matches any line with that prefix (OS error texts).
func matchLines(got, want []string) bool {
	return slices.EqualFunc(got, want, func(g, w string) bool {
		if p, ok := strings.CutSuffix(w, "..."); ok {
			return strings.HasPrefix(g, p)
		}
		return g == w
	})
}

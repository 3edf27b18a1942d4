package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// saturday is the pinned clock of most tests (spec §10 uses 2025-01-04).
var saturday = time.Date(2025, 1, 4, 12, 0, 0, 0, time.UTC)

func compileJS(t testing.TB, name, src string, secrets map[string]string) *Action {
	t.Helper()
	a, err := Compile(name, "actions/"+name+".js", []byte(src), secrets)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return a
}

func seedAction(t testing.TB, name string, secrets map[string]string) *Action {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "seed", name+".js"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Compile(name, "testdata/seed/"+name+".js", src, secrets)
	if err != nil {
		t.Fatalf("compile seed %s: %v", name, err)
	}
	return a
}

// event returns the default login event with edits applied by dotted path.
func event(edits map[string]any) map[string]any {
	ev := WithDefaults(DefaultEvent())
	for path, v := range edits {
		keys := strings.Split(path, ".")
		m := ev
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		if v == nil {
			delete(m, keys[len(keys)-1])
		} else {
			m[keys[len(keys)-1]] = v
		}
	}
	return ev
}

func runActions(t testing.TB, in Input, opts Options, actions ...*Action) *Outcome {
	t.Helper()
	if in.Now.IsZero() {
		in.Now = saturday
	}
	if in.Event == nil {
		in.Event = event(nil)
	}
	return NewTrigger(actions, opts).Run(context.Background(), in)
}

// js compiles inline sources named a1, a2, ... and runs them in order.
func runJS(t testing.TB, in Input, opts Options, sources ...string) *Outcome {
	t.Helper()
	var list []*Action
	for i, src := range sources {
		list = append(list, compileJS(t, "a"+string(rune('1'+i)), src, nil))
	}
	return runActions(t, in, opts, list...)
}

func wantOK(t testing.TB, out *Outcome) {
	t.Helper()
	if out.Err != nil {
		t.Fatalf("unexpected error: %v (logs %+v)", out.Err, out.Logs)
	}
}

func wantErr(t testing.TB, out *Outcome, msg string) {
	t.Helper()
	if out.Err == nil {
		t.Fatalf("want error %q, got none (commands %+v)", msg, out.Commands)
	}
	if out.Err.Error() != msg {
		t.Fatalf("error = %q, want %q", out.Err.Error(), msg)
	}
}

func wantDeny(t testing.TB, out *Outcome, reason string) {
	t.Helper()
	wantOK(t, out)
	if out.Commands.Deny == nil || out.Commands.Deny.Reason != reason {
		t.Fatalf("deny = %+v, want %q", out.Commands.Deny, reason)
	}
}

func wantNoDeny(t testing.TB, out *Outcome) {
	t.Helper()
	wantOK(t, out)
	if out.Commands.Deny != nil {
		t.Fatalf("unexpected deny %+v", out.Commands.Deny)
	}
}

func consoleOf(out *Outcome) []string {
	var lines []string
	for _, l := range out.Logs {
		lines = append(lines, l.Console...)
	}
	return lines
}

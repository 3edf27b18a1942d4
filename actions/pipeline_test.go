package actions

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"
)

// Pipeline behaviours of spec §10.13-27.

func TestTransactionMetadataTrail(t *testing.T) { // §10.13
	src := func(n string) string {
		return `exports.onExecutePostLogin = async (event, api) => {
			console.log("saw " + (event.transaction.metadata.trail || ""));
			api.transaction.setMetadata("trail", (event.transaction.metadata.trail || "") + "` + n + `");
		}`
	}
	a1, a2, a3 := compileJS(t, "a1", src("1"), nil), compileJS(t, "a2", src("2"), nil), compileJS(t, "a3", src("3"), nil)
	out := runActions(t, Input{}, Options{}, a1, a2, a3)
	wantOK(t, out)
	if got := out.Commands.TransactionMetadata["trail"]; got != "123" {
		t.Fatalf("trail = %v", got)
	}
	if !slices.Equal(consoleOf(out), []string{"saw ", "saw 1", "saw 12"}) {
		t.Fatalf("console %v", consoleOf(out))
	}
	out = runActions(t, Input{}, Options{}, a3, a1, a2)
	if got := out.Commands.TransactionMetadata["trail"]; got != "312" {
		t.Fatalf("reordered trail = %v", got)
	}
}

func TestDenyStopsLaterActions(t *testing.T) { // §10.14
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.access.deny("first"); api.access.deny("second") }`,
		`exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/c", 1); api.user.setAppMetadata("k", 1) }`)
	wantDeny(t, out, "first")
	if len(out.Logs) != 1 || out.Commands.IDClaims != nil || out.Commands.AppMetadata != nil {
		t.Fatalf("second action ran: logs %+v commands %+v", out.Logs, out.Commands)
	}
	if out.Logs[0].Outcome != "denied" {
		t.Fatalf("outcome %q", out.Logs[0].Outcome)
	}
}

func TestDenyKeepsMetadataAndDoesNotThrow(t *testing.T) { // §10.15, §10.16
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		api.user.setAppMetadata("seen", true); api.access.deny("no"); console.log("after") }`)
	wantDeny(t, out, "no")
	if out.Commands.AppMetadata["seen"] != true {
		t.Fatalf("app_metadata %v", out.Commands.AppMetadata)
	}
	if !slices.Equal(consoleOf(out), []string{"after"}) {
		t.Fatalf("console %v", consoleOf(out))
	}
}

func TestUncaughtErrorsFailTheLogin(t *testing.T) { // §10.17, §10.18, §8
	later := `exports.onExecutePostLogin = async (e, api) => { api.user.setAppMetadata("later", 1) }`
	tests := []struct{ name, src, msg string }{
		{"throw", `exports.onExecutePostLogin = async () => { throw new Error("boom") }`, "boom"},
		{"rejected promise", `exports.onExecutePostLogin = async () => { await Promise.reject(new Error("x")) }`, "x"},
		{"plain function throws", `exports.onExecutePostLogin = function () { throw new TypeError("plain") }`, "plain"},
		{"thrown string", `exports.onExecutePostLogin = async () => { throw "str" }`, "str"},
		{"top-level throw", `throw new Error("top"); exports.onExecutePostLogin = async () => {}`, "top"},
		{"reference error", `exports.onExecutePostLogin = async () => { nope() }`, "nope is not defined"},
		{"timer callback throws", `exports.onExecutePostLogin = async () => { setTimeout(() => { throw new Error("late") }, 1); await new Promise(r => setTimeout(r, 50)) }`, "late"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runJS(t, Input{}, Options{}, tt.src, later)
			wantErr(t, out, tt.msg)
			if len(out.Logs) != 1 || out.Logs[0].Outcome != "error" || out.Next != 0 {
				t.Fatalf("later action ran or wrong log: next=%d logs=%+v", out.Next, out.Logs)
			}
		})
	}
}

func TestTimeoutFailsTheLogin(t *testing.T) { // §10.19 with a short budget
	for name, src := range map[string]string{
		"await": `exports.onExecutePostLogin = async () => { await new Promise(r => setTimeout(r, 25000)) }`,
		"loop":  `exports.onExecutePostLogin = async () => { for (;;) {} }`,
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out := runJS(t, Input{}, Options{Timeout: 200 * time.Millisecond}, src,
				`exports.onExecutePostLogin = async () => { console.log("a2") }`)
			wantErr(t, out, TimeoutMessage)
			if el := time.Since(start); el < 150*time.Millisecond || el > 2*time.Second {
				t.Fatalf("took %v", el)
			}
			if len(out.Logs) != 1 || out.Logs[0].Outcome != "timeout" {
				t.Fatalf("logs %+v", out.Logs)
			}
		})
	}
}

func TestEventIsACopyPerAction(t *testing.T) { // §10.20, §10.21
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (event, api) => {
			event.user.email = "changed"; event.client.metadata.x = "y";
			api.user.setUserMetadata("k", "v");
			console.log(String(event.user.user_metadata.k)) }`,
		`exports.onExecutePostLogin = async (event) => {
			console.log(event.user.email, String(event.client.metadata.x), event.user.user_metadata.k) }`)
	wantOK(t, out)
	if got := consoleOf(out); !slices.Equal(got, []string{"undefined", "user@example.org undefined v"}) {
		t.Fatalf("console %v", got)
	}
}

func TestMetadataNullDeletes(t *testing.T) { // §10.22
	out := runJS(t, Input{Event: event(map[string]any{"user.user_metadata": map[string]any{"lang": "en", "keep": 1}})}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.user.setUserMetadata("lang", null) }`,
		`exports.onExecutePostLogin = async (e) => { console.log(JSON.stringify(e.user.user_metadata)) }`)
	wantOK(t, out)
	if v, ok := out.Commands.UserMetadata["lang"]; !ok || v != nil {
		t.Fatalf("patch %v must carry lang: null", out.Commands.UserMetadata)
	}
	if got := consoleOf(out); !slices.Equal(got, []string{`{"keep":1}`}) {
		t.Fatalf("optimistic view %v", got)
	}
}

func TestLastClaimWins(t *testing.T) { // §10.23
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/c", 1) }`,
		`exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/c", 2) }`)
	wantOK(t, out)
	if out.Commands.IDClaims["https://x.test/c"] != float64(2) {
		t.Fatalf("claims %v", out.Commands.IDClaims)
	}
}

func TestTransactionMetadataRules(t *testing.T) { // §10.24, §4.11
	tests := []struct{ name, call, err string }{
		{"object rejected", `api.transaction.setMetadata("k", {a: 1})`, "Transaction metadata values must be a string, number or boolean."},
		{"array rejected", `api.transaction.setMetadata("k", [1])`, "Transaction metadata values must be a string, number or boolean."},
		{"unsafe integer", `api.transaction.setMetadata("k", 2 ** 60)`, "Transaction metadata numbers must be finite and safe."},
		{"long key", `api.transaction.setMetadata("k".repeat(65), "v")`, "Transaction metadata keys must be 1 to 64 characters."},
		{"big value", `api.transaction.setMetadata("k", "v".repeat(8193))`, "Transaction metadata values must not exceed 8192 bytes."},
		{"total", `for (let i = 0; i < 3; i++) api.transaction.setMetadata("k" + i, "v".repeat(8000))`, "Transaction metadata must not exceed 16384 bytes in total."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (event, api) => { `+tt.call+` }`)
			wantErr(t, out, tt.err)
		})
	}
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (event, api) => {
		api.transaction.setMetadata("k", "v").transaction.setMetadata("n", 5).transaction.setMetadata("b", true);
		console.log(event.transaction.metadata.k, event.transaction.metadata.n);
		api.transaction.setMetadata("b", null); console.log(String(event.transaction.metadata.b)) }`)
	wantOK(t, out)
	if got := consoleOf(out); !slices.Equal(got, []string{"v 5", "undefined"}) {
		t.Fatalf("console %v", got)
	}
	if want := map[string]any{"k": "v", "n": float64(5)}; !reflect.DeepEqual(out.Commands.TransactionMetadata, want) {
		t.Fatalf("tx metadata %v", out.Commands.TransactionMetadata)
	}
}

func TestSuspendAndResume(t *testing.T) { // §10.25, §10.26, §5.5
	claim := compileJS(t, "claim", `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/before", 1) }`, nil)
	redirect := compileJS(t, "redirect", `exports.onExecutePostLogin = async (e, api) => {
		api.redirect.sendUserTo("https://ext.test/path?keep=1", {query: {a: "b c", keep: "2"}}) }`, nil)
	redirectCont := compileJS(t, "redirect-cont", `
		exports.onExecutePostLogin = async (e, api) => { api.redirect.sendUserTo("https://ext.test/") };
		exports.onContinuePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/continued", e.request.body.state) }`, nil)
	after := compileJS(t, "after", `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/after", 3) }`, nil)

	trig := NewTrigger([]*Action{claim, redirect, after}, Options{})
	out := trig.Run(context.Background(), Input{Event: event(nil), Now: saturday})
	wantOK(t, out)
	if !out.Suspended || out.Next != 2 || out.Commands.Redirect.URL != "https://ext.test/path?a=b+c&keep=2" {
		t.Fatalf("suspension %+v next=%d", out.Commands.Redirect, out.Next)
	}
	// No onContinuePostLogin: resume goes on with the next action (authd choice).
	res := trig.Run(context.Background(), Input{Event: event(nil), Start: 1, Resume: true, Prior: &out.Commands, Now: saturday})
	wantOK(t, res)
	if res.Suspended || res.Next != 3 || res.Commands.Redirect != nil {
		t.Fatalf("resume %+v", res)
	}
	if res.Commands.IDClaims["https://x.test/before"] != float64(1) || res.Commands.IDClaims["https://x.test/after"] != float64(3) {
		t.Fatalf("claims %v", res.Commands.IDClaims)
	}

	trig = NewTrigger([]*Action{claim, redirectCont, after}, Options{})
	out = trig.Run(context.Background(), Input{Event: event(nil), Now: saturday})
	res = trig.Run(context.Background(), Input{Event: event(map[string]any{"request.body": map[string]any{"state": "S"}}),
		Start: out.Next - 1, Resume: true, Prior: &out.Commands, Now: saturday})
	wantOK(t, res)
	if res.Commands.IDClaims["https://x.test/continued"] != "S" || res.Commands.IDClaims["https://x.test/after"] != float64(3) {
		t.Fatalf("claims %v", res.Commands.IDClaims)
	}
	if len(res.Logs) != 2 || res.Logs[0].Handler != HandlerContinue || res.Logs[1].Action != "after" {
		t.Fatalf("logs %+v", res.Logs)
	}
}

func TestModuleScopeVariants(t *testing.T) { // §2, §10.27
	for name, src := range map[string]string{
		"module.exports": `let n = 0; module.exports = { onExecutePostLogin: async (e, api) => { n++; api.idToken.setCustomClaim("https://x.test/n", n) } }`,
		"plain function": `exports.onExecutePostLogin = function (e, api) { api.idToken.setCustomClaim("https://x.test/n", 1) }`,
		"use strict":     `'use strict'; exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim("https://x.test/n", 1) }`,
	} {
		t.Run(name, func(t *testing.T) {
			out := runJS(t, Input{}, Options{}, src)
			wantOK(t, out)
			if out.Commands.IDClaims["https://x.test/n"] != float64(1) {
				t.Fatalf("claims %v", out.Commands.IDClaims)
			}
		})
	}
}

func TestMissingHandler(t *testing.T) { // §10.60
	out := runJS(t, Input{}, Options{}, `exports.somethingElse = 1`)
	wantErr(t, out, `Action "a1" does not export an onExecutePostLogin handler.`)
}

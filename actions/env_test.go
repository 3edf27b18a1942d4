package actions

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// Environment behaviours of spec §10.54-59 and the cache (§4.7).

func TestSecretsArePerAction(t *testing.T) { // §10.54
	a1 := compileJS(t, "a1", `exports.onExecutePostLogin = async (e) => { console.log(e.secrets.MY_SHARED_SECRET, String(e.secrets.OTHER)) }`,
		map[string]string{"MY_SHARED_SECRET": "s3cr3t"})
	a2 := compileJS(t, "a2", `exports.onExecutePostLogin = async (e) => { console.log(String(e.secrets.MY_SHARED_SECRET), e.secrets.OTHER) }`,
		map[string]string{"OTHER": "o"})
	out := runActions(t, Input{}, Options{}, a1, a2)
	wantOK(t, out)
	if got := consoleOf(out); !slices.Equal(got, []string{"s3cr3t undefined", "undefined o"}) {
		t.Fatalf("console %v", got)
	}
}

func TestConsoleCapture(t *testing.T) { // §10.55, checklist D.52
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async () => { console.info("a1") }`,
		`exports.onExecutePostLogin = async () => {
			console.log("hello", 1, true, null, undefined, {a: [1]}, [2], function named() {});
			console.error(new Error("bad"));
			console.warn("x".repeat(5000)) }`)
	wantOK(t, out)
	if !slices.Equal(out.Logs[0].Console, []string{"a1"}) {
		t.Fatalf("a1 console %v", out.Logs[0].Console)
	}
	c := out.Logs[1].Console
	if c[0] != `hello 1 true null undefined {"a":[1]} [2] [Function: named]` || !strings.HasPrefix(c[1], "Error: bad") {
		t.Fatalf("a2 console %q", c)
	}
	if n := len([]rune(c[2])); n != MaxConsoleLine+1 {
		t.Fatalf("long line kept %d runes", n)
	}
}

func TestConsoleTotalIsCapped(t *testing.T) { // checklist D.52
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async () => {
		const big = "y".repeat(1 << 20);
		for (let i = 0; i < 10000; i++) console.log(big) }`)
	wantOK(t, out)
	total := 0
	for _, l := range out.Logs[0].Console {
		total += len(l)
	}
	c := out.Logs[0].Console
	if total > MaxConsoleTotal+len(consoleTruncated)+8 || c[len(c)-1] != consoleTruncated {
		t.Fatalf("kept %d bytes in %d lines", total, len(c))
	}
}

func TestAlwaysPresentObjects(t *testing.T) { // §10.58, §3
	out := runActions(t, Input{Event: WithDefaults(map[string]any{"user": map[string]any{"user_id": "auth0|u1"}})}, Options{},
		compileJS(t, "a", `exports.onExecutePostLogin = async (e) => {
			console.log(JSON.stringify([e.user.user_metadata, e.user.app_metadata, e.request.geoip, e.request.query,
				e.request.body, e.client.metadata, e.transaction.metadata, e.secrets, e.authorization.roles]),
				typeof e.resource_server) }`, nil))
	wantOK(t, out)
	if got := consoleOf(out); got[0] != `[{},{},{},{},{},{},{},{},[]] undefined` {
		t.Fatalf("console %v", got)
	}
}

func TestChaining(t *testing.T) { // §10.59
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		console.log(api.access.deny("x") === api);
		api.idToken.setCustomClaim("https://x.test/a", 1).accessToken.setCustomClaim("https://x.test/b", 2)
		   .user.setAppMetadata("c", 3).multifactor.enable("none").transaction.setMetadata("d", 4);
		console.log(Object.keys(api).sort().join(",")) }`)
	wantDeny(t, out, "x")
	if got := consoleOf(out); got[0] != "true" ||
		got[1] != "access,accessToken,authentication,cache,idToken,multifactor,prompt,redirect,refreshToken,rules,samlResponse,session,transaction,user,validation" {
		t.Fatalf("console %v", got)
	}
	if out.Commands.AccessClaims["https://x.test/b"] != float64(2) || out.Commands.MFA.Provider != "none" {
		t.Fatalf("commands %+v", out.Commands)
	}
}

func TestMFALastCallWins(t *testing.T) { // §10.37
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.multifactor.enable("any", {allowRememberBrowser: true}) }`,
		`exports.onExecutePostLogin = async (e, api) => { api.multifactor.enable("none") }`)
	wantOK(t, out)
	if m := out.Commands.MFA; m == nil || m.Provider != "none" || m.AllowRememberBrowser {
		t.Fatalf("mfa %+v", m)
	}
	wantErr(t, runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.multifactor.enable("otp") }`),
		`Invalid MFA provider "otp": use any, none, guardian, google-authenticator or duo.`)
}

func TestMetadataRules(t *testing.T) {
	wantErr(t, runJS(t, Input{Event: event(map[string]any{"user.user_metadata": "oops"})}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.user.setUserMetadata("k", 1) }`),
		"Unexpected user_metadata format. Must be a valid JSON object.")
	wantErr(t, runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => { api.user.setAppMetadata("k", "x".repeat(33000)) }`),
		"The app_metadata written by this login exceeds the maximum size of 32 kB.")
}

func TestCache(t *testing.T) { // §10.56, §4.7
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (e, api) => {
			const r = api.cache.set("k", "v");
			console.log(JSON.stringify(r));
			console.log(JSON.stringify(api.cache.set("k".repeat(65), "v")));
			console.log(JSON.stringify(api.cache.set("big", "v".repeat(4097))));
			console.log(JSON.stringify(api.cache.delete("missing")));
			console.log(JSON.stringify(api.cache.set("gone", "v", {ttl: -1})));
			console.log(JSON.stringify(api.cache.set("nan", "v", {ttl: NaN})));
			console.log(JSON.stringify(api.cache.set("short", "v", {ttl: 1000, expires_at: Date.now() + 5000}).record));
			console.log(JSON.stringify(api.cache.set("long", "v", {ttl: 48 * 3600e3}).record)) }`,
		`exports.onExecutePostLogin = async (e, api) => {
			console.log(JSON.stringify(api.cache.get("k")), String(api.cache.get("missing")));
			console.log(JSON.stringify(api.cache.delete("k")), String(api.cache.get("k"))) }`)
	wantOK(t, out)
	now := saturday.UnixMilli()
	want := []string{
		`{"record":{"expires_at":` + itoa(now+900000) + `,"value":"v"},"type":"success"}`,
		`{"code":"CacheKeySizeExceeded","type":"error"}`,
		`{"code":"CacheValueSizeExceeded","type":"error"}`,
		`{"code":"CacheKeyDoesNotExist","type":"error"}`,
		`{"code":"ItemAlreadyExpired","type":"error"}`,
		`{"code":"InvalidExpiry","type":"error"}`,
		`{"expires_at":` + itoa(now+1000) + `,"value":"v"}`,
		`{"expires_at":` + itoa(now+24*3600e3) + `,"value":"v"}`,
		`{"expires_at":` + itoa(now+900000) + `,"value":"v"} undefined`,
		`{"type":"success"} undefined`,
	}
	if got := consoleOf(out); !slices.Equal(got, want) {
		t.Fatalf("console\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCacheLimitsAndBackend(t *testing.T) {
	clock := saturday
	cache := NewMemoryCache(func() time.Time { return clock })
	opts := Options{Cache: cache}
	out := runJS(t, Input{}, opts, `exports.onExecutePostLogin = async (e, api) => {
		for (let i = 0; i < 21; i++) console.log(api.cache.set("k" + i, "v").type + (api.cache.set("k" + i, "v").code || "")) }`)
	wantOK(t, out)
	if got := consoleOf(out); got[19] != "success" || got[20] != "errorCacheSizeExceeded" {
		t.Fatalf("entries limit: %v", got[18:])
	}
	// A shared backend outlives the execution.
	out = runJS(t, Input{}, opts, `exports.onExecutePostLogin = async (e, api) => { console.log(api.cache.get("k0").value) }`)
	if got := consoleOf(out); got[0] != "v" {
		t.Fatalf("backend: %v", got)
	}
	clock = clock.Add(16 * time.Minute)
	if _, ok, _ := cache.Get(context.Background(), "k0"); ok {
		t.Fatal("entry survived its expiry")
	}
	out = runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		console.log(api.cache.set("a", "v".repeat(4000)).type, api.cache.set("b", "v".repeat(4000)).type, api.cache.set("c", "v".repeat(300)).code) }`)
	if got := consoleOf(out); got[0] != "success success CacheSizeExceeded" {
		t.Fatalf("total limit: %v", got)
	}
}

func TestObserveAndLogs(t *testing.T) {
	var seen []Log
	out := runJS(t, Input{}, Options{Observe: func(l Log) { seen = append(seen, l) }},
		`exports.onExecutePostLogin = async () => {}`,
		`exports.onExecutePostLogin = async (e, api) => { api.access.deny("no") }`)
	wantOK(t, out)
	if len(seen) != 2 || seen[0].Outcome != "ok" || seen[1].Outcome != "denied" || seen[1].Action != "a2" {
		t.Fatalf("observed %+v", seen)
	}
	b, _ := json.Marshal(seen[0])
	if !strings.Contains(string(b), `"console":[]`) {
		t.Fatalf("log json %s", b)
	}
}

func TestUnsupportedNamespaces(t *testing.T) {
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => {
		console.log(api.rules.wasExecuted("r"));
		api.samlResponse.setAttribute("a", "b").session.setCookieMode("persistent").refreshToken.setMetadata("k", "v") }`)
	wantOK(t, out)
	wantErr(t, runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.prompt.render("p") }`),
		"api.prompt.render is not supported by authd.")
	wantErr(t, runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.session.setCookieMode("forever") }`),
		"Invalid cookie mode: forever")
	out = runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (e, api) => { api.validation.error("invalid_age", "Too young") }`)
	wantDeny(t, out, "Too young")
	if d := out.Commands.Deny; d.Kind != "validation_error" || d.Code != "invalid_age" {
		t.Fatalf("deny %+v", d)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

package actions

import "testing"

func TestSmoke(t *testing.T) {
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (event, api) => {
		console.log("hi", new Date().toString(), new Date().getDay(), {a:1}, [1,2].join('-'));
		const u = new URL("https://x.test/a?b=1"); u.searchParams.set("c", "d e");
		console.log(u.href, btoa("hey"), new TextEncoder().encode("é").length);
		await new Promise(r => setTimeout(r, 5));
		api.idToken.setCustomClaim("https://x.test/c", {n: [1, "2"]}).access.deny("x");
	}`)
	wantDeny(t, out, "x")
	t.Logf("%+v", out)
}

package actions

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// TestBacktrackingRegexFailsClosed: a catastrophic backtracking pattern
// (regexp2, one native call Interrupt cannot stop) runs past the budget;
// when it returns, the execution fails with the timeout — it is never
// taken as "no match" and the login never passes.
func TestBacktrackingRegexFailsClosed(t *testing.T) {
	if regexp2.DefaultMatchTimeout != RegexMatchTimeout {
		NewTrigger(nil, Options{})
	}
	if regexp2.DefaultMatchTimeout != RegexMatchTimeout {
		t.Fatalf("regexp2 match timeout %v, want %v", regexp2.DefaultMatchTimeout, RegexMatchTimeout)
	}
	// Calibrate: the subject length at which this machine needs ~0.5 s
	// for the native match (each extra character doubles it).
	re := regexp2.MustCompile(`^(a+)+\1$`)
	n := 14
	for ; n < 40; n++ {
		start := time.Now()
		_, _ = re.MatchString(strings.Repeat("a", n) + "b")
		if time.Since(start) > 250*time.Millisecond {
			break
		}
	}
	src := fmt.Sprintf(`exports.onExecutePostLogin = async (event, api) => {
		if (!/^(a+)+\1$/.test("a".repeat(%d) + "b")) { api.idToken.setCustomClaim("https://x.test/passed", true) }
	}`, n+1)
	start := time.Now()
	out := runJS(t, Input{}, Options{Timeout: 100 * time.Millisecond}, src)
	wantErr(t, out, TimeoutMessage)
	if _, passed := out.Commands.IDClaims["https://x.test/passed"]; passed {
		t.Fatal("the script went on after the budget")
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Fatalf("took %v", el)
	}
}

package actions

import (
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// goja runs the patterns Go's regexp cannot (backreferences, lookaround)
// on regexp2, a backtracking engine, in one native call that Interrupt
// cannot stop: /(a+)+\1$/ on a short string would hold a goroutine for
// hours. regexp2 can time a match out, but only through a process-wide
// default, and goja then reports "no match" — failing open if that were
// all. So the default is set above the longest execution budget authd
// accepts (config: actions.timeout ≤ 60s): by the time a match times out
// the execution has already been interrupted, and the interrupt fails the
// action when the native call returns (fail closed, bounded at
// RegexMatchTimeout).
const RegexMatchTimeout = 61 * time.Second

// regexTimeout is set once, before the first execution of the process
// (NewTrigger precedes every Run), so no match reads it while it changes.
var regexTimeout sync.Once

func boundRegexMatches() {
	regexTimeout.Do(func() { regexp2.DefaultMatchTimeout = RegexMatchTimeout })
}

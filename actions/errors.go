package actions

import (
	"errors"
	"fmt"
)

// Error kinds of ActionError.
const (
	KindError   = "error"   // uncaught throw, rejected promise, missing handler
	KindTimeout = "timeout" // execution budget spent
	KindMemory  = "memory"  // memory watchdog or a guarded built-in
	KindLimit   = "limit"   // a per-token/per-session limit of spec §9
)

// ActionError is Outcome.Err. Error() is exactly the text the client sees as
// error_description (spec §8), so it carries no prefix.
type ActionError struct {
	Action  string
	Handler string
	Kind    string
	Message string
}

func (e *ActionError) Error() string { return e.Message }

// TimeoutMessage is what Auth0 reports for an execution over budget (spec §8).
const TimeoutMessage = "Request to Webtask exceeded allowed execution time"

var errTimeout = errors.New(TimeoutMessage)

// memoryError is the interrupt reason of the memory watchdog.
type memoryError struct{ limit int64 }

func (e memoryError) Error() string {
	return fmt.Sprintf("Action exceeded the memory limit of %d MiB", e.limit>>20)
}

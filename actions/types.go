package actions

import (
	"time"
)

// Flow is the kind of request a trigger execution serves; it decides
// which api calls are allowed (spec §1, §4.6 canRedirect).
type Flow string

const (
	FlowLogin   Flow = "login"   // interactive or SSO browser login; can redirect
	FlowSilent  Flow = "silent"  // prompt=none: cannot redirect or challenge
	FlowRefresh Flow = "refresh" // refresh_token grant: back channel
)

// Input is one trigger execution (or the resumed part of one).
type Input struct {
	// Event is the base event as JSON-compatible values (maps, slices,
	// strings, float64/int, bool, nil). Each action receives its own deep
	// copy with the optimistic metadata of earlier actions applied.
	Event map[string]any
	Flow  Flow
	// Start is the index of the first action to run; Resume means call
	// that action's onContinuePostLogin (if it has one) before moving on.
	Start  int
	Resume bool
	// Prior holds the commands accumulated before a suspension.
	Prior *Commands
	// Now pins the clock (Date, encodeToken iat); zero means time.Now.
	Now time.Time
}

// Commands accumulate across the actions of one trigger execution. They are
// JSON-serializable so a suspended login can be stored and resumed.
type Commands struct {
	// Deny is the first reason given to api.access.deny (or to
	// refreshToken.revoke / session.revoke / validation.error).
	Deny *Deny `json:"deny,omitempty"`

	IDClaims     map[string]any `json:"id_claims,omitempty"`
	AccessClaims map[string]any `json:"access_claims,omitempty"`
	// Scopes maps a scope to true (added) or false (removed); last call
	// wins.
	Scopes map[string]bool `json:"scopes,omitempty"`
	// ScopeOrder keeps the first-seen order of Scopes' keys so the final
	// scope string is deterministic.
	ScopeOrder []string `json:"scope_order,omitempty"`

	// UserMetadata / AppMetadata are merge patches: a nil value deletes.
	UserMetadata map[string]any `json:"user_metadata,omitempty"`
	AppMetadata  map[string]any `json:"app_metadata,omitempty"`

	// MFA is the last api.multifactor.enable call (Provider "none"
	// cancels an earlier one).
	MFA *MFA `json:"mfa,omitempty"`

	// TransactionMetadata is event.transaction.metadata as it stands.
	TransactionMetadata map[string]any `json:"transaction_metadata,omitempty"`

	// Methods are recorded with api.authentication.recordMethod.
	Methods []Method `json:"methods,omitempty"`

	// Suspension, when set, means the execution stopped after action
	// Index returned and must resume later (Start = Index, Resume = true).
	Redirect  *Redirect  `json:"redirect,omitempty"`
	Challenge *Challenge `json:"challenge,omitempty"`
}

type Deny struct {
	Reason string `json:"reason"`
	// Kind is "deny", "refresh_token_revoke", "session_revoke" or
	// "validation_error".
	Kind string `json:"kind"`
	// Code is set only by api.validation.error.
	Code string `json:"code,omitempty"`
	// PreserveRefreshTokens is session.revoke's option.
	PreserveRefreshTokens bool `json:"preserve_refresh_tokens,omitempty"`
}

type MFA struct {
	Provider             string `json:"provider"`
	AllowRememberBrowser bool   `json:"allow_remember_browser"`
}

type Redirect struct {
	// URL is the sendUserTo URL with its query applied (without state).
	URL   string `json:"url"`
	Index int    `json:"index"` // the action that called sendUserTo
}

// Challenge is api.authentication.challengeWith*/enrollWith*.
type Challenge struct {
	Enroll  bool     `json:"enroll"`
	Factors []string `json:"factors"` // otp, webauthn-platform, webauthn-roaming, recovery-code, ...
	Index   int      `json:"index"`
}

type Method struct {
	Name      string    `json:"name"`
	Timestamp time.Time `json:"timestamp"`
}

// Outcome is the result of Trigger.Run.
type Outcome struct {
	// Commands is everything accumulated so far (Prior plus this run).
	Commands Commands
	// Next is the index of the next action to run. Next == number of
	// actions means the pipeline finished.
	Next int
	// Suspended is true when Commands.Redirect or Commands.Challenge
	// stopped the pipeline after action Next-1.
	Suspended bool
	// Err is an uncaught error, rejected promise, timeout or compile
	// failure; the login fails with access_denied and Err.Error() as its
	// description. Commands must then be discarded by the caller.
	Err error
	// Logs has one entry per action execution, in order.
	Logs []Log
}

// Log is one action execution, for logs, metrics and `authd actions test`.
type Log struct {
	Action   string        `json:"action"`
	Handler  string        `json:"handler"`
	Duration time.Duration `json:"duration"`
	// Outcome is "ok", "denied", "suspended", "error" or "timeout".
	Outcome string   `json:"outcome"`
	Error   string   `json:"error,omitempty"`
	Console []string `json:"console"`
	// Cached: the outcome of an identical earlier refresh was reused
	// (memo.go); Console is what that execution printed.
	Cached bool `json:"cached,omitempty"`
}

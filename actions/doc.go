// Package actions is authd's post-login Actions engine: it compiles
// Auth0-style post-login Action modules once (Compile) and runs them for one
// login, refresh or `authd actions test` (Trigger.Run, Test), turning the
// scripts' api calls into Commands.
//
// The package is pure. It never touches the store or the HTTP server: the
// caller builds the event map, and applies the resulting Commands (mints
// tokens, writes metadata, runs MFA, performs redirects). The behaviour follows
// /work/shared/spec/post-login-actions.md (cited as "spec §n").
//
// Isolation model: every action execution gets a brand-new goja Runtime that
// is discarded afterwards, so built-in and global pollution never crosses
// actions or logins. Data enters a runtime only as freshly built JS values
// (never Go objects by reference) and leaves it only through JSON.
//
// Sandbox: a whole-execution deadline interrupts JS, a call-stack cap stops
// runaway recursion, guards on the allocating built-ins refuse huge sizes, and
// a memory watchdog interrupts an execution whose heap growth passes
// Options.MaxMemory. There is no file system, process, environment or module
// loader: require() of anything throws "Cannot find module".
package actions

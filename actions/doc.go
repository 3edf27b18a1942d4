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
// Isolation model: every execution (one Trigger.Run: a login, a refresh, or
// the part of a login after a /continue) gets a goja Runtime that never ran
// anything before and is dropped afterwards, so built-in and global pollution
// never crosses logins. The actions of one execution share that runtime, like
// modules of one process; Options.IsolateActions gives each action its own.
// Runtimes are built ahead of time in a small pool (pool.go) because goja's
// per-runtime set-up costs more than a typical action. Data enters a runtime
// only as freshly built JS values (never Go objects by reference) and leaves
// it only through JSON.
//
// Sandbox: a whole-execution deadline interrupts JS, a call-stack cap stops
// runaway recursion, guards on the allocating built-ins refuse huge sizes
// (js/prelude.js; the engine's own JSON serialization in jsonsize.go), and a memory watchdog interrupts an execution whose heap
// growth passes Options.MaxMemory (watchdog.go). There is no file system,
// process, environment or module loader: require() of anything throws
// "Cannot find module". Globals offered besides ECMAScript: console, fetch,
// setTimeout/clearTimeout/setImmediate, queueMicrotask, URL, URLSearchParams,
// TextEncoder/TextDecoder, atob/btoa. Date runs in UTC with the pinned clock.
// Scripts never see goja's own global object: theirs is a plain object whose
// prototype serves the built-ins on first read, the guarded ones built then
// (globals.go), so a script pays only for the built-ins it uses.
//
// Flow-dependent choices (spec §6.1, §10.44, §10.52, §10.53): sendUserTo
// throws "Redirect is not supported in this flow" in FlowRefresh and is
// recorded (Outcome.Suspended) in FlowSilent, where the server answers
// interaction_required; challengeWith*/enrollWith* and multifactor.enable are
// recorded in every flow and the server maps them to interaction_required
// (silent) or mfa_required (refresh).
package actions

// Package server assembles authd: it opens the store, loads the signing
// keys, compiles the actions, builds the login and protocol layers, and
// serves them behind one middleware chain (request ids, logs, metrics,
// security headers). cmd/authd and the integration tests both start authd
// through New, so the tests run exactly what users run.
package server

// Package store defines what authd persists and the one interface every
// storage backend implements: users, SSO sessions, login transactions and
// codes, refresh-token grants, signing keys, brute-force counters, MFA
// factors and the actions cache.
//
// Clients, APIs and roles are configuration, not data: they are served
// from the loaded config and never written here.
//
// Backends live in sqlite/ and postgres/; storetest/ is the conformance
// suite both must pass.
package store

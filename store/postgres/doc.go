// Package postgres is the PostgreSQL implementation of store.Store, for
// deployments that run several authd replicas against one database.
//
// Every single-use operation (ConsumeAuthCode, RotateRefreshToken,
// ConsumeContinueState, ConsumeWebAuthnChallenge, UseTOTPStep,
// UseRecoveryCode) is one conditional UPDATE … RETURNING, or a row lock
// taken with SELECT … FOR UPDATE inside one transaction, so exactly one of
// several callers wins even when they run in different processes: the
// database, not the Go process, arbitrates. Nothing reads a row, decides in
// Go and writes it back without holding the row lock.
//
// The schema is versioned SQL embedded from migrations/. Migrate (also run
// by Open) applies the pending files inside one transaction that holds a
// transaction-scoped advisory lock, so replicas starting together migrate
// once and the others wait, then see the work done.
//
// Conventions: times are timestamptz and a zero time.Time is stored as NULL
// (and read back as zero, in UTC); lists and maps are jsonb; binary values
// are bytea; emails are lower-cased with a unique index on (connection,
// email). Unique violations (SQLSTATE 23505) become store.ErrConflict and
// missing rows store.ErrNotFound. Every query runs under a deadline (the
// caller's, or the store's query timeout when that is sooner).
//
// Subpackage pgtest gives tests a fresh schema in a real database.
package postgres

// Package sqlite is the SQLite backend of store.Store, on the pure-Go
// modernc.org/sqlite driver.
//
// It owns the SQLite schema (migrations/NNNN_name.sql, embedded and applied
// by Open), the DSN and pragma handling, and the write path.
//
// Every write goes through one writer goroutine holding the only
// read-write connection. The writer takes all queued write requests, runs
// them in one BEGIN IMMEDIATE … COMMIT with each request inside its own
// SAVEPOINT, and then answers every caller: with synchronous=FULL each
// commit costs an fsync, and group commit shares that fsync among all
// concurrent writers. A single writer also means SQLite never answers
// "database is locked" to authd itself (busy_timeout covers other
// processes, such as the CLI). Reads use a separate pool of query-only
// connections, which WAL lets run next to the writer.
//
// Times are stored as INTEGER unix nanoseconds in UTC with 0 for the zero
// time; maps and lists are JSON text.
package sqlite

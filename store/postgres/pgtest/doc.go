// Package pgtest gives tests a private PostgreSQL schema.
//
// The database comes from AUTHD_TEST_POSTGRES_DSN. Without it, tests skip
// with a message saying how to run them; with AUTHD_TEST_REQUIRE_POSTGRES=1
// (CI) a missing or unreachable database fails the test instead, so a
// broken CI setup cannot pass silently by skipping.
//
// Each call creates a fresh schema and returns a DSN whose search_path
// points at it, so tests (and packages tested in parallel) never see each
// other's rows; the schema is dropped when the test ends.
package pgtest

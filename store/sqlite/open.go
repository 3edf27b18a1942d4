package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/authd/authd/store"
)

// Store is a store.Store on one SQLite database file.
type Store struct {
	read   *sql.DB // query-only pool
	rq     *readStmts
	write  *sql.DB // exactly one connection, owned by w
	w      *writer
	now    func() time.Time
	closer sync.Once
	err    error // result of the first Close
}

var _ store.Store = (*Store)(nil)

// Option tunes Open.
type Option func(*options)

type options struct {
	readConns   int
	maxBatch    int
	busyTimeout time.Duration
	now         func() time.Time
}

// WithReadConns sets the size of the read-only connection pool (default 4).
func WithReadConns(n int) Option { return func(o *options) { o.readConns = n } }

// WithMaxBatch caps how many write requests share one transaction
// (default 256). 1 turns group commit off, which is only useful to measure it.
func WithMaxBatch(n int) Option { return func(o *options) { o.maxBatch = n } }

// WithBusyTimeout sets how long a connection waits for a lock held by
// another process (default 5s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithClock sets the clock used for bookkeeping the interface does not pass
// a time for (when a migration was applied).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Open opens (creating if needed) the database at dsn, a file path or a
// "file:" URI, and applies pending migrations. Query parameters of dsn are
// kept, but the pragmas authd depends on (WAL, synchronous=FULL,
// foreign_keys) are forced.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{readConns: 4, maxBatch: 256, busyTimeout: 5 * time.Second, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.readConns < 1 || o.maxBatch < 1 {
		return nil, errors.New("sqlite: read connections and batch size must be at least 1")
	}
	writeDSN, err := buildDSN(dsn, o.busyTimeout, false)
	if err != nil {
		return nil, err
	}
	readDSN, err := buildDSN(dsn, o.busyTimeout, true)
	if err != nil {
		return nil, err
	}

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	conn, err := connectWhenFree(ctx, write, o.busyTimeout)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	// The write connection comes first so that it converts a new file to WAL
	// before any reader looks at it.
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || !strings.EqualFold(mode, "wal") {
		conn.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: %s: journal mode %q, want wal: %v", dsn, mode, err)
	}

	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		conn.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	read.SetMaxOpenConns(o.readConns)
	read.SetMaxIdleConns(o.readConns)

	s := &Store{read: read, rq: &readStmts{db: read}, write: write, now: o.now, w: newWriter(conn, o.maxBatch)}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// connectWhenFree opens the write connection. Its pragmas run as it opens,
// and switching a new file to WAL answers SQLITE_BUSY at once, without the
// busy timeout, while another process is doing the same (serve and a CLI
// command started together on a fresh file); that is retried until busy.
func connectWhenFree(ctx context.Context, db *sql.DB, busy time.Duration) (*sql.Conn, error) {
	deadline := time.Now().Add(busy)
	for {
		conn, err := db.Conn(ctx)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// buildDSN turns a path or file: URI into a modernc DSN carrying the
// pragmas. The driver applies them on every new connection.
func buildDSN(dsn string, busy time.Duration, readOnly bool) (string, error) {
	if dsn == "" {
		return "", errors.New("sqlite: empty dsn")
	}
	base, rawQuery, _ := strings.Cut(dsn, "?")
	if base == ":memory:" || base == "file::memory:" || strings.Contains(rawQuery, "mode=memory") {
		// Each connection would get its own empty database, and WAL needs a file.
		return "", fmt.Errorf("sqlite: %q: in-memory databases are not supported, use a file in a temporary directory", dsn)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("sqlite: dsn %q: %w", dsn, err)
	}
	if q.Get("_busy_timeout") == "" && q.Get("_timeout") == "" {
		q.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
	}
	q.Del("_journal")
	q.Del("_sync")
	q.Del("_fk")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	if readOnly {
		q.Set("_query_only", "1")
	}
	return base + "?" + q.Encode(), nil
}

// Ping reports whether both the read pool and the writer answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return s.do(ctx, func(ctx context.Context, tx *wtx) error {
		var one int
		return tx.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	})
}

// Close stops the writer (after answering every request it accepted) and
// closes all connections. It is safe to call more than once.
func (s *Store) Close() error {
	s.closer.Do(func() {
		s.w.stop()
		s.rq.close()
		s.err = errors.Join(s.w.close(), s.write.Close(), s.read.Close())
		if s.err != nil {
			s.err = fmt.Errorf("sqlite: close: %w", s.err)
		}
	})
	return s.err
}

// do runs fn in the writer's batch transaction; see writer.
func (s *Store) do(ctx context.Context, fn writeFunc) error {
	return s.w.do(ctx, fn)
}

// WriteStats reports how many write requests the store has run and in how
// many transactions: requests/batches is the average group-commit size.
func (s *Store) WriteStats() (requests, batches int64) {
	return s.w.requests.Load(), s.w.batches.Load()
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authd/authd/store"
)

// Pool defaults, used unless the DSN sets pool_max_conns and friends.
const (
	defaultMaxConns        = 16
	defaultMinConns        = 1
	defaultMaxConnLifetime = time.Hour
	defaultMaxConnIdleTime = 10 * time.Minute
	// defaultQueryTimeout bounds every statement and transaction, so a
	// stuck database turns into errors rather than piled-up requests.
	defaultQueryTimeout = 10 * time.Second
)

// Store is a store.Store backed by a pgx connection pool.
type Store struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

var _ store.Store = (*Store)(nil)

// Open connects to dsn (a postgres:// URL or key=value string; pgxpool
// options such as pool_max_conns are honoured), checks that the database
// answers and applies pending migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	setPoolDefaults(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: create pool: %w", err)
	}
	s := &Store{pool: pool, timeout: defaultQueryTimeout}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// setPoolDefaults fills in what the DSN left unset. pgxpool reports the
// parsed DSN in ConnString, so an explicit pool_* setting wins.
func setPoolDefaults(cfg *pgxpool.Config) {
	has := func(key string) bool { return containsParam(cfg.ConnString(), key) }
	if !has("pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	if !has("pool_min_conns") {
		cfg.MinConns = defaultMinConns
	}
	if !has("pool_max_conn_lifetime") {
		cfg.MaxConnLifetime = defaultMaxConnLifetime
	}
	if !has("pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = defaultMaxConnIdleTime
	}
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// ctx bounds one store call by the query timeout.
func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// inTx runs fn in one transaction under the query timeout, committing when
// fn returns nil or a *commitThen, rolling back on any other error.
func (s *Store) inTx(ctx context.Context, fn func(context.Context, pgx.Tx) error) error {
	return s.inTxFor(ctx, s.timeout, fn)
}

// inTxFor is inTx with its own time budget (migrations may wait for
// another replica's lock).
func (s *Store) inTxFor(ctx context.Context, d time.Duration, fn func(context.Context, pgx.Tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	ferr := fn(ctx, tx)
	var keep *commitThen
	if ferr != nil && !errors.As(ferr, &keep) {
		return ferr
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	if keep != nil {
		return keep.err
	}
	return nil
}

// commitThen asks inTx to commit what fn wrote and then return err: a
// refresh-token reuse must revoke the grant durably and still fail.
type commitThen struct{ err error }

func (c *commitThen) Error() string { return c.err.Error() }
func (c *commitThen) Unwrap() error { return c.err }

// mapErr turns driver errors into store sentinels, keeping the original
// in the chain for logs.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrConsumed) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, store.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("postgres: %s: %w (%s)", op, store.ErrConflict, pgErr.ConstraintName)
		case "23503": // foreign_key_violation: the row names a missing user or grant
			return fmt.Errorf("postgres: %s: referenced row: %w (%s)", op, store.ErrNotFound, pgErr.ConstraintName)
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// exec runs one statement under the query timeout.
func (s *Store) exec(ctx context.Context, op, sql string, args ...any) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return 0, mapErr(op, err)
	}
	return tag.RowsAffected(), nil
}

// execOne runs a statement that must touch a row: none is ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, sql string, args ...any) error {
	n, err := s.exec(ctx, op, sql, args...)
	if err == nil && n == 0 {
		err = fmt.Errorf("postgres: %s: %w", op, store.ErrNotFound)
	}
	return err
}

// affected is ErrNotFound when a statement inside a transaction touched
// no row.
func affected(tag pgconn.CommandTag) error {
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// querier is what both the pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// readStmts caches prepared statements of the read pool. Parsing SQL is a
// large share of a point query's cost in SQLite (measured: about a third
// of a refresh grant's store time), and the queries are a fixed set.
type readStmts struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt
}

func (r *readStmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := r.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := r.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// QueryRowContext runs a cached statement (falls back to an ad-hoc query
// if preparing fails, so the error surfaces from Scan as usual).
func (r *readStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.get(ctx, query)
	if err != nil {
		return r.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (r *readStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (r *readStmts) close() {
	r.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

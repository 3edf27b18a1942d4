package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
)

// errClosed answers writes that arrive after Close.
var errClosed = errors.New("sqlite: store is closed")

// writeFunc is one write request. It runs inside the writer's open
// transaction, within its own savepoint: returning an error rolls back
// exactly its own changes. It may be run a second time (alone) when the
// shared transaction fails as a whole, so it must set, not accumulate,
// anything it reports to its caller.
type writeFunc func(ctx context.Context, tx *wtx) error

type request struct {
	ctx  context.Context
	fn   writeFunc
	done chan error // buffered: the writer never blocks answering
}

// writer is the single goroutine that owns the read-write connection and
// implements group commit.
type writer struct {
	tx       *wtx
	reqs     chan *request // unbuffered: a request is either taken or refused
	maxBatch int
	quit     chan struct{}
	stopped  chan struct{}

	// Counters of committed work, to see how well writes are grouped.
	requests, batches atomic.Int64
}

func newWriter(conn *sql.Conn, maxBatch int) *writer {
	w := &writer{
		tx:       &wtx{conn: conn, stmts: map[string]*sql.Stmt{}},
		reqs:     make(chan *request),
		maxBatch: maxBatch,
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	go w.loop()
	return w
}

// do hands fn to the writer and waits for its outcome. Once the writer has
// taken a request it waits for the answer even if ctx ends, because an error
// must mean "not committed": a caller told "cancelled" whose refresh token
// rotation did commit would present the old token again and revoke its own
// grant. A request whose ctx ended before its turn is skipped.
func (w *writer) do(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return errClosed
	}
	return <-r.done
}

func (w *writer) loop() {
	defer close(w.stopped)
	// With more than one P the writer keeps its own OS thread. Unlocked, a
	// commit's fsync hands the goroutine's P to whatever else is runnable
	// (say a sandbox being built for the action pool) and the commit then
	// waits for a P behind it: on two cores that added ~130 µs to the
	// median refresh with actions. With a single P a locked thread would
	// instead cost an OS thread switch at every hand-over (ES256 refresh
	// grants fell from 3,500/s to 1,550/s).
	if runtime.GOMAXPROCS(0) > 1 {
		runtime.LockOSThread()
	}
	batch := make([]*request, 0, w.maxBatch)
	last := 0 // size of the previous batch
	for {
		select {
		case <-w.quit:
			return
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		}
		// Callers answered by the previous commit that are about to write
		// again are runnable but may not have reached do yet; one yield
		// lets them queue (microseconds), which makes the next commit
		// carry nearly every concurrent writer rather than about half.
		// A lone writer has nobody to wait for, and yielding would only
		// put the commit behind unrelated work.
		if last > 1 {
			runtime.Gosched()
		}
		// Everyone who queued up meanwhile is blocked in do; take them all
		// into this transaction.
	drain:
		for len(batch) < w.maxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.run(batch)
		last = len(batch)
		clear(batch)
	}
}

// run commits batch and answers every request in it.
func (w *writer) run(batch []*request) {
	errs := make([]error, len(batch))
	if retry, err := w.runTx(batch, errs); err != nil {
		if !retry || len(batch) == 1 {
			for i := range errs {
				errs[i] = err
			}
		} else {
			// The shared transaction failed as a whole (commit error, or a
			// statement error that made SQLite abandon the transaction). Run
			// each request alone so that one bad request cannot fail, or be
			// reported as failed for, the others.
			for i := range batch {
				if _, err := w.runTx(batch[i:i+1], errs[i:i+1]); err != nil {
					errs[i] = err
				}
			}
		}
	}
	w.batches.Add(1)
	w.requests.Add(int64(len(batch)))
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// runTx runs the requests in one BEGIN IMMEDIATE … COMMIT, each inside a
// savepoint. errs receives each request's own error; the returned error
// means nothing was committed, and retry whether running the requests one
// by one may help: not when BEGIN failed (another process has held the
// write lock past busy_timeout, and each retry would wait that long again).
func (w *writer) runTx(batch []*request, errs []error) (retry bool, err error) {
	// The transaction statements ignore callers' contexts: modernc answers a
	// cancelled context with sqlite3_interrupt, which can roll back the whole
	// transaction and with it other callers' work.
	ctx := context.Background()
	if _, err := w.tx.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return false, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			// Fails harmlessly when SQLite already rolled back.
			_, _ = w.tx.conn.ExecContext(ctx, "ROLLBACK")
		}
	}()
	for i, r := range batch {
		errs[i] = nil
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := w.tx.ExecContext(ctx, "SAVEPOINT request"); err != nil {
			return true, fmt.Errorf("sqlite: savepoint: %w", err)
		}
		if errs[i] = call(r, w.tx); errs[i] != nil {
			// ROLLBACK TO fails with "no such savepoint" when SQLite has
			// rolled back the whole transaction; then the batch is lost.
			if _, err := w.tx.ExecContext(ctx, "ROLLBACK TO request"); err != nil {
				return true, fmt.Errorf("sqlite: rollback to savepoint after %v: %w", errs[i], err)
			}
		}
		if _, err := w.tx.ExecContext(ctx, "RELEASE request"); err != nil {
			return true, fmt.Errorf("sqlite: release savepoint: %w", err)
		}
	}
	if _, err := w.tx.ExecContext(ctx, "COMMIT"); err != nil {
		return true, fmt.Errorf("sqlite: commit: %w", err)
	}
	return false, nil
}

// call runs one request, turning a panic into its error: a panic must not
// kill the writer and leave every later caller waiting forever.
func call(r *request, tx *wtx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: write request panicked: %v", p)
		}
	}()
	return r.fn(context.WithoutCancel(r.ctx), tx)
}

// stop ends the loop after the batch in progress has been answered.
func (w *writer) stop() {
	close(w.quit)
	<-w.stopped
}

// close releases the cached statements and the connection; after stop.
func (w *writer) close() error {
	var errs []error
	for _, st := range w.tx.stmts {
		errs = append(errs, st.Close())
	}
	errs = append(errs, w.tx.conn.Close())
	return errors.Join(errs...)
}

// wtx is the writer connection inside a batch transaction. Statements are
// prepared once and reused: the write path runs the same few queries all
// the time, and preparing is a measurable part of a short transaction.
// Only the writer goroutine touches it.
type wtx struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// maxStmts bounds the cache in case a query is ever built dynamically.
const maxStmts = 512

func (t *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(t.stmts) < maxStmts {
		t.stmts[query] = st
	}
	return st, nil
}

// ExecContext runs a statement on the open transaction.
func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, cached := t.stmts[query]; !cached {
		defer st.Close()
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query on the open transaction.
func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if _, cached := t.stmts[query]; !cached && len(t.stmts) >= maxStmts {
		return t.conn.QueryContext(ctx, query, args...)
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query on the open transaction.
func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if _, cached := t.stmts[query]; !cached && len(t.stmts) >= maxStmts {
		return t.conn.QueryRowContext(ctx, query, args...)
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		// Let Scan report the prepare error.
		return t.conn.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// querier is what the read helpers need; both the read pool and the
// writer's transaction provide it, so one scan function serves both.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

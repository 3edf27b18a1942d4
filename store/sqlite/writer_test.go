package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// writeRows submits n write requests at once; request i inserts cache key
// k<i> and then runs fail(i), whose error (if any) must undo only that
// request's insert.
func writeRows(t *testing.T, s *Store, n int, fail func(ctx context.Context, tx *wtx, i int) error) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.do(t.Context(), func(ctx context.Context, tx *wtx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO cache (key, value, expires_at) VALUES (?, 'v', 0)", fmt.Sprintf("k%d", i)); err != nil {
					return err
				}
				return fail(ctx, tx, i)
			})
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// checkRows verifies that exactly the requests without error left a row.
func checkRows(t *testing.T, s *Store, errs []error) {
	t.Helper()
	for i, err := range errs {
		_, _, getErr := s.CacheGet(t.Context(), fmt.Sprintf("k%d", i), time.Now())
		if (err == nil) != (getErr == nil) {
			t.Errorf("request %d: error %v, but row lookup says %v", i, err, getErr)
		}
	}
}

func TestFailingRequestRollsBackOnlyItself(t *testing.T) {
	s := openTemp(t)
	boom := errors.New("boom")
	errs := writeRows(t, s, 32, func(_ context.Context, _ *wtx, i int) error {
		if i%4 == 0 {
			return boom
		}
		return nil
	})
	for i, err := range errs {
		if want := i%4 == 0; errors.Is(err, boom) != want {
			t.Errorf("request %d: error %v, want boom=%v", i, err, want)
		}
	}
	checkRows(t, s, errs)
}

// TestAbandonedTransactionRetriesAlone covers SQLite rolling back the whole
// transaction under a request (as it does on some I/O and constraint
// errors): the batch is rerun one request at a time, so only the culprit
// fails and nobody is told "committed" for work that was rolled back.
func TestAbandonedTransactionRetriesAlone(t *testing.T) {
	s := openTemp(t)
	errs := writeRows(t, s, 32, func(ctx context.Context, tx *wtx, i int) error {
		if i == 5 {
			if _, err := tx.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				return err
			}
			return errors.New("transaction abandoned")
		}
		return nil
	})
	if errs[5] == nil {
		t.Error("the request that killed the transaction succeeded")
	}
	checkRows(t, s, errs)
	for i, err := range errs {
		if i != 5 && err != nil {
			t.Errorf("request %d failed with the culprit's batch: %v", i, err)
		}
	}
}

func TestPanickingRequestDoesNotKillWriter(t *testing.T) {
	s := openTemp(t)
	err := s.do(t.Context(), func(context.Context, *wtx) error { panic("bug") })
	if err == nil {
		t.Fatal("panicking request reported success")
	}
	if err := s.CacheSet(t.Context(), "after", "v", time.Time{}); err != nil {
		t.Fatalf("write after a panic: %v", err)
	}
}

func TestCancelledRequestIsNotRun(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.CacheSet(ctx, "k", "v", time.Time{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("CacheSet with cancelled ctx: %v, want context.Canceled", err)
	}
	if _, _, err := s.CacheGet(t.Context(), "k", time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancelled write was committed: %v", err)
	}
}

func TestConcurrentWritesShareCommits(t *testing.T) {
	s := openTemp(t)
	r0, b0 := s.WriteStats()
	errs := writeRows(t, s, 64, func(context.Context, *wtx, int) error { return nil })
	checkRows(t, s, errs)
	r1, b1 := s.WriteStats()
	requests, batches := r1-r0, b1-b0
	t.Logf("%d requests in %d transactions", requests, batches)
	if requests != 64 || batches >= requests {
		t.Fatalf("%d requests in %d transactions: writes were not grouped", requests, batches)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir()+"/authd.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.CacheSet(t.Context(), "k", "v", time.Time{}); !errors.Is(err, errClosed) {
		t.Fatalf("write after Close: %v, want errClosed", err)
	}
}

// TestLockedByAnotherProcess: while another connection (standing in for
// another process) holds the write lock past busy_timeout, a whole batch
// fails after one timeout, not one timeout per request, and writes work
// again once the lock is released.
func TestLockedByAnotherProcess(t *testing.T) {
	path := t.TempDir() + "/authd.db"
	s, err := Open(t.Context(), path, WithBusyTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	errs := writeRows(t, s, 16, func(context.Context, *wtx, int) error { return nil })
	elapsed := time.Since(start)
	for i, err := range errs {
		if err == nil {
			t.Errorf("request %d succeeded while another process held the lock", i)
		}
	}
	// 16 requests in at most a few batches, each waiting 100ms once.
	if elapsed > 1500*time.Millisecond {
		t.Errorf("locked writes took %v: requests waited for the lock one by one", elapsed)
	}

	if _, err := lock.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := s.CacheSet(t.Context(), "after", "v", time.Time{}); err != nil {
		t.Fatalf("write after the lock was released: %v", err)
	}
}

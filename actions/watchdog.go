package actions

import (
	"context"
	"errors"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// The watchdog enforces the execution budget and the memory cap. goja can only
// be stopped from outside with Runtime.Interrupt, which takes effect at the
// next JS instruction; it cannot stop a native built-in, which is why the
// allocating built-ins are also guarded (sandbox.js).
type watchdog struct {
	mu      sync.Mutex
	current *goja.Runtime
	reason  error
	tripped chan struct{}
	// waiting is true while the execution awaits timers or fetches.
	waiting atomic.Bool

	// One timer checks everything: the caller's context, the deadline and,
	// while JS runs, the heap. Most executions end before it first fires.
	ctx       context.Context
	deadline  time.Time
	maxMemory int64
	timer     *time.Timer
	closed    atomic.Bool
	probe     *memProbe // touched only by tick, whose runs do not overlap
}

const (
	// Most executions end well before the first sample, so they never pay
	// for reading runtime metrics.
	memFirstSample = 2 * time.Millisecond
	memSampleEvery = time.Millisecond
)

// startWatchdog trips when ctx ends, at the deadline, or when the heap grows
// past maxMemory while JS runs; each within a millisecond.
func startWatchdog(ctx context.Context, deadline time.Time, maxMemory int64) *watchdog {
	w := &watchdog{tripped: make(chan struct{}), ctx: ctx, deadline: deadline, maxMemory: maxMemory}
	// Armed only once w.timer is set: tick resets it.
	w.timer = time.AfterFunc(time.Hour, w.tick)
	w.timer.Reset(min(memFirstSample, time.Until(deadline)))
	return w
}

func (w *watchdog) tick() {
	if w.closed.Load() {
		return
	}
	if err := w.ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errTimeout
		}
		w.trip(err)
		return
	}
	left := time.Until(w.deadline)
	if left <= 0 {
		w.trip(errTimeout)
		return
	}
	switch {
	case w.waiting.Load():
		w.probe = nil // re-read the baseline when JS runs again
	case w.probe == nil:
		w.probe = newMemProbe(w.maxMemory)
	case w.probe.exceeded():
		w.trip(memoryError{w.maxMemory})
		return
	}
	w.timer.Reset(min(memSampleEvery, left))
}

// attach makes r the runtime to interrupt; a runtime attached after the trip
// is interrupted at once so the next action cannot start.
func (w *watchdog) attach(r *goja.Runtime) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.current = r
	if w.reason != nil {
		r.Interrupt(w.reason)
	}
}

func (w *watchdog) detach() {
	w.mu.Lock()
	w.current = nil
	w.mu.Unlock()
}

func (w *watchdog) trip(reason error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reason != nil {
		return
	}
	w.reason = reason
	close(w.tripped)
	if w.current != nil {
		w.current.Interrupt(reason)
	}
}

func (w *watchdog) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reason
}

func (w *watchdog) close() {
	w.closed.Store(true)
	w.timer.Stop()
}

// memProbe measures process heap growth while the execution's JS runs. The
// heap is shared with every other goroutine, so growth is only counted while
// the action is executing: when it resumes after waiting (timers, fetch) the
// baseline is re-read, and garbage other requests made meanwhile is not
// charged to it. No GC is forced to confirm a reading: a doubling loop
// (x += x) outruns a GC, and the native step in flight when the interrupt
// lands still completes, so the check must be quick.
type memProbe struct {
	limit     uint64
	threshold uint64
	samples   []metrics.Sample
}

const metricHeapObjects = "/memory/classes/heap/objects:bytes"

func newMemProbe(limit int64) *memProbe {
	p := &memProbe{limit: uint64(limit), samples: []metrics.Sample{{Name: metricHeapObjects}}}
	p.rebase()
	return p
}

func (p *memProbe) read() uint64 {
	metrics.Read(p.samples)
	if p.samples[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return p.samples[0].Value.Uint64()
}

func (p *memProbe) rebase() { p.threshold = p.read() + p.limit }

func (p *memProbe) exceeded() bool { return p.read() > p.threshold }

package actions

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"sync"
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
	stop    chan struct{}
}

const (
	// Most executions end well before the first sample, so they never pay
	// for reading runtime metrics.
	memFirstSample = 2 * time.Millisecond
	memSampleEvery = 2 * time.Millisecond
)

func startWatchdog(ctx context.Context, deadline time.Time, maxMemory int64) *watchdog {
	w := &watchdog{tripped: make(chan struct{}), stop: make(chan struct{})}
	go w.watch(ctx, deadline, maxMemory)
	return w
}

func (w *watchdog) watch(ctx context.Context, deadline time.Time, maxMemory int64) {
	budget := time.NewTimer(time.Until(deadline))
	defer budget.Stop()
	sample := time.NewTimer(memFirstSample)
	defer sample.Stop()
	var probe *memProbe
	for {
		select {
		case <-w.stop:
			return
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				w.trip(errTimeout)
			} else {
				w.trip(ctx.Err())
			}
			return
		case <-budget.C:
			w.trip(errTimeout)
			return
		case <-sample.C:
			if probe == nil {
				probe = newMemProbe(maxMemory)
			} else if probe.exceeded() {
				w.trip(memoryError{maxMemory})
				return
			}
			sample.Reset(memSampleEvery)
		}
	}
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

func (w *watchdog) close() { close(w.stop) }

// memProbe measures process heap growth since the execution started. The
// heap is shared with every other goroutine, so a cheap reading over the limit
// is confirmed with a forced GC and the live-heap figure before anyone is
// interrupted; the next cheap threshold then moves up so a busy but healthy
// process does not force a GC per sample.
type memProbe struct {
	limit     uint64
	baseLive  uint64
	threshold uint64
	samples   []metrics.Sample
}

const (
	metricHeapObjects = "/memory/classes/heap/objects:bytes"
	metricHeapLive    = "/gc/heap/live:bytes"
)

func newMemProbe(limit int64) *memProbe {
	p := &memProbe{limit: uint64(limit), samples: []metrics.Sample{{Name: metricHeapObjects}, {Name: metricHeapLive}}}
	objects, live := p.read()
	p.baseLive = live
	p.threshold = objects + p.limit
	return p
}

func (p *memProbe) read() (objects, live uint64) {
	metrics.Read(p.samples)
	return sampleUint(p.samples[0]), sampleUint(p.samples[1])
}

func sampleUint(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}

func (p *memProbe) exceeded() bool {
	objects, _ := p.read()
	if objects < p.threshold {
		return false
	}
	runtime.GC()
	objects, live := p.read()
	if live > p.baseLive && live-p.baseLive > p.limit {
		return true
	}
	p.threshold = objects + p.limit
	return false
}

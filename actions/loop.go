package actions

import (
	"time"

	"github.com/dop251/goja"
)

// loop is the tiny event loop of one action runtime: goja runs promise jobs
// itself, but timers and fetch complete on other goroutines and must hand
// their callbacks back to the runtime's goroutine.
type loop struct {
	tasks   chan func() error
	done    chan struct{}
	pending int
	timers  map[int64]*time.Timer
	nextID  int64
}

func newLoop() *loop {
	return &loop{tasks: make(chan func() error), done: make(chan struct{}), timers: map[int64]*time.Timer{}}
}

// post hands fn to the runtime goroutine; it gives up once the action ended.
func (l *loop) post(fn func() error) {
	select {
	case l.tasks <- fn:
	case <-l.done:
	}
}

func (l *loop) close() {
	for _, t := range l.timers {
		t.Stop()
	}
	close(l.done)
}

// await drives the loop until p settles, the watchdog trips or nothing is
// left that could settle it (which can only end in the budget running out).
func (l *loop) await(p *goja.Promise, wd *watchdog) error {
	for p.State() == goja.PromiseStatePending {
		if l.pending == 0 {
			return errTimeout
		}
		wd.waiting.Store(true)
		select {
		case fn := <-l.tasks:
			wd.waiting.Store(false)
			if err := fn(); err != nil {
				return err
			}
		case <-wd.tripped:
			wd.waiting.Store(false)
			return wd.err()
		}
	}
	return nil
}

func (l *loop) setTimeout(r *goja.Runtime, fn goja.Callable, delay time.Duration, args []goja.Value) int64 {
	l.nextID++
	id := l.nextID
	l.pending++
	l.timers[id] = time.AfterFunc(delay, func() {
		l.post(func() error {
			if _, ok := l.timers[id]; !ok {
				return nil // cleared meanwhile
			}
			delete(l.timers, id)
			l.pending--
			_, err := fn(goja.Undefined(), args...)
			return err
		})
	})
	return id
}

func (l *loop) clearTimeout(id int64) {
	if t, ok := l.timers[id]; ok {
		t.Stop()
		delete(l.timers, id)
		l.pending--
	}
}

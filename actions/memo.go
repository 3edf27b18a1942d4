package actions

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"unicode/utf8"
)

// Reusing outcomes on refresh. A trigger execution is a function of the
// actions' code and secrets, the event and what the scripts read besides
// it: the clock, Math.random, timers, the network, the cache (kindFn). When
// an execution read none of those, another with the same event keys and the
// same values of the keys it read would do exactly the same: same commands,
// same console output. So on the refresh grant, where one user's requests
// repeat with nothing changed, the outcome is remembered with an encoding of
// what it depended on, and the next identical refresh gets it without a
// sandbox. Anything that makes it differ (a role added, metadata changed, an
// action reading the time, a new deploy, which makes a new Trigger) leads
// to a real execution.
//
// Remembered: completed refresh executions without an error. Not: logins
// (their transactions differ anyway), resumed or suspended executions.

const (
	memoEntries  = 1024     // per Trigger
	memoShapes   = 64       // event shapes (key sets) remembered
	memoReadSets = 8        // read-key sets remembered per event shape
	memoMaxEntry = 16 << 10 // bytes of commands and console kept per outcome
)

type memo struct {
	mu sync.Mutex
	// shapes maps an event shape (its keys and which hold objects) to the
	// sets of keys executions with that shape read.
	shapes  map[[sha256.Size]byte][][]string
	seed    maphash.Seed
	entries map[uint64]*memoEntry // by maphash of the input
}

type memoEntry struct {
	input    []byte // inputOf: an entry is used only for exactly this
	commands []byte // Commands as JSON: each reuse gets its own copy
	logs     []Log
}

func newMemo() *memo {
	return &memo{shapes: map[[sha256.Size]byte][][]string{}, seed: maphash.MakeSeed(), entries: map[uint64]*memoEntry{}}
}

// memoizable reports whether in may reuse or leave an outcome.
func memoizable(in Input) bool {
	return in.Flow == FlowRefresh && in.Start == 0 && !in.Resume && in.Prior == nil
}

// shapeOf digests the event's keys, sorted, each with whether its value is
// an object (scripts see those as lazily built properties).
func shapeOf(ev map[string]any) [sha256.Size]byte {
	keys := make([]string, 0, 16)
	for k := range ev {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	d := digester{buf: make([]byte, 0, 256), ok: true}
	for _, k := range keys {
		kind := byte('v')
		switch v := ev[k].(type) {
		case map[string]any:
			if v != nil {
				kind = 'o'
			}
		case []any:
			if v != nil {
				kind = 'o'
			}
		case []string:
			if v != nil {
				kind = 'o'
			}
		}
		d.tag(kind)
		d.str(k)
	}
	return sha256.Sum256(d.buf)
}

// inputOf encodes what an execution depended on: the event's shape, the
// keys it read and their values. Outcomes are found by a hash of it and
// matched on all of it.
func inputOf(shape [sha256.Size]byte, read []string, ev map[string]any) ([]byte, bool) {
	d := digester{buf: make([]byte, 0, 2048), ok: true}
	d.buf = append(d.buf, shape[:]...)
	for _, k := range read {
		d.str(k)
		if v, ok := ev[k]; ok {
			d.value(v)
		} else {
			d.tag('-')
		}
	}
	return d.buf, d.ok
}

// digester writes a JSON value unambiguously (tags and lengths), with map
// keys sorted and numbers as float64, so values that are the same JSON,
// and so the same event for scripts, digest alike.
type digester struct {
	buf []byte
	ok  bool
}

func (d *digester) tag(t byte) { d.buf = append(d.buf, t) }

func (d *digester) num(t byte, n uint64) {
	d.buf = binary.LittleEndian.AppendUint64(append(d.buf, t), n)
}

func (d *digester) str(s string) {
	d.num('s', uint64(len(s)))
	d.buf = append(d.buf, s...)
}

func (d *digester) value(v any) {
	if !d.ok {
		return
	}
	switch v := v.(type) {
	case nil:
		d.tag('n')
	case bool:
		if v {
			d.tag('t')
		} else {
			d.tag('f')
		}
	case string:
		if !utf8.ValidString(v) {
			d.ok = false // JSON would alter it; not worth handling
		}
		d.str(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			d.ok = false
		}
		d.num('d', math.Float64bits(v+0)) // -0 is 0 in JSON
	case int:
		d.num('d', math.Float64bits(float64(v)))
	case int64:
		d.num('d', math.Float64bits(float64(v)))
	case map[string]any:
		if v == nil {
			d.tag('n')
			return
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d.num('m', uint64(len(keys)))
		for _, k := range keys {
			d.str(k)
			d.value(v[k])
		}
	case []any:
		digestList(d, v)
	case []string:
		digestList(d, v)
	default:
		d.ok = false
	}
}

// lookup returns a remembered outcome for in, or nil; n is the number of
// actions.
func (m *memo) lookup(shape [sha256.Size]byte, in Input, n int) *Outcome {
	m.mu.Lock()
	reads := m.shapes[shape]
	m.mu.Unlock()
	for _, read := range reads {
		input, ok := inputOf(shape, read, in.Event)
		if !ok {
			return nil
		}
		m.mu.Lock()
		e := m.entries[maphash.Bytes(m.seed, input)]
		m.mu.Unlock()
		if e == nil || !bytes.Equal(e.input, input) {
			continue
		}
		out := &Outcome{Next: n}
		if json.Unmarshal(e.commands, &out.Commands) != nil {
			return nil
		}
		for _, l := range e.logs {
			l.Console = slices.Clone(l.Console)
			l.Duration = 0
			l.Cached = true
			out.Logs = append(out.Logs, l)
		}
		return out
	}
	return nil
}

// store remembers cmds and out's logs, the outcome of in (of the given
// shape), which read the keys in read.
func (m *memo) store(shape [sha256.Size]byte, in Input, read map[string]bool, cmds *Commands, out *Outcome) {
	keys := make([]string, 0, len(read))
	for k := range read {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	input, ok := inputOf(shape, keys, in.Event)
	if !ok {
		return
	}
	encoded, err := json.Marshal(cmds)
	if err != nil {
		return
	}
	size := len(input) + len(encoded)
	logs := make([]Log, len(out.Logs))
	for i, l := range out.Logs {
		for _, line := range l.Console {
			size += len(line)
		}
		l.Console = slices.Clone(l.Console)
		logs[i] = l
	}
	if size > memoMaxEntry {
		return // cheap to recompute compared to the memory it would pin
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.ContainsFunc(m.shapes[shape], func(r []string) bool { return slices.Equal(r, keys) }) {
		if len(m.shapes[shape]) >= memoReadSets || (m.shapes[shape] == nil && len(m.shapes) >= memoShapes) {
			return // scripts read too many different things: not worth it
		}
		m.shapes[shape] = append(m.shapes[shape], keys)
	}
	if len(m.entries) >= memoEntries {
		for k := range m.entries { // drop an arbitrary one
			delete(m.entries, k)
			break
		}
	}
	m.entries[maphash.Bytes(m.seed, input)] = &memoEntry{input: input, commands: encoded, logs: logs}
}

func digestList[T any](d *digester, v []T) {
	if v == nil {
		d.tag('n')
		return
	}
	d.num('a', uint64(len(v)))
	for _, x := range v {
		d.value(x)
	}
}

package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Path is the key path, e.g. "clients[1].redirect_uris[0]"; "" for a
	// problem with the file as a whole (unreadable, not YAML).
	Path string
	// Message says what is wrong, e.g. "must be an absolute URL".
	Message string
	// Line is the 1-based line in the file, 0 when unknown (Validate on a
	// struct built in code).
	Line int
}

// String is "path: message", the form `authd config check` prints.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Errors lists every problem found in a configuration. Load and Validate
// return it (as *Errors) instead of stopping at the first problem.
type Errors struct {
	Problems []Problem
}

// Error joins the problems, one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// add records a problem unless one was already recorded for the same key,
// or the decoder already rejected a key containing it: a value that failed
// to decode keeps its default, and a second complaint about that default
// would only confuse. (Decoder problems are the ones with a line.)
func (e *Errors) add(line int, path, format string, args ...any) {
	for _, p := range e.Problems {
		if p.Path == path && path != "" || p.Line != 0 && covers(p.Path, path) {
			return
		}
	}
	e.Problems = append(e.Problems, Problem{Path: path, Message: fmt.Sprintf(format, args...), Line: line})
}

// covers reports whether a problem at parent already explains one at path.
func covers(parent, path string) bool {
	if parent == "" || !strings.HasPrefix(path, parent) {
		return false
	}
	rest := path[len(parent):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// err returns e as an error, or nil when there is no problem.
func (e *Errors) err() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// fillLines sets the line of problems found after decoding, from the line
// of their key or, failing that, of the nearest enclosing key, then sorts
// the problems in file order; those about keys the file lacks come last.
func (e *Errors) fillLines(lines map[string]int) {
	for i := range e.Problems {
		p := &e.Problems[i]
		for path := p.Path; p.Line == 0 && path != ""; path = parent(path) {
			p.Line = lines[path]
		}
	}
	slices.SortStableFunc(e.Problems, func(a, b Problem) int {
		if a.Line == 0 || b.Line == 0 {
			return cmp.Compare(b.Line, a.Line) // 0 sorts after any line
		}
		return cmp.Compare(a.Line, b.Line)
	})
}

// parent strips the last ".key" or "[i]" from a key path.
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// must fails the test on an unexpected error.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// mustIs fails the test unless err matches want (errors.Is).
func mustIs(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

// same fails the test when got and want differ; see diff for what counts.
func same(t *testing.T, got, want any, what string) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Fatalf("%s differs (got vs want):\n%s", what, d)
	}
}

// diff compares deeply and lists the differing paths. Times compare with
// Equal (a backend may return another *Location for the same instant), and
// a nil slice or map equals an empty one (storage has no such distinction).
func diff(got, want any) string {
	var out []string
	compare(reflect.ValueOf(got), reflect.ValueOf(want), "", &out)
	return strings.Join(out, "\n")
}

func compare(g, w reflect.Value, path string, out *[]string) {
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, show(g), show(w)))
		}
		return
	}
	if g.Type() != w.Type() {
		*out = append(*out, fmt.Sprintf("%s: type %s vs %s (%v vs %v)", path, g.Type(), w.Type(), show(g), show(w)))
		return
	}
	if g.Type() == reflect.TypeFor[time.Time]() {
		gt, wt := g.Interface().(time.Time), w.Interface().(time.Time)
		if !gt.Equal(wt) {
			*out = append(*out, fmt.Sprintf("%s: %s vs %s", path, gt, wt))
		}
		return
	}
	switch g.Kind() {
	case reflect.Pointer, reflect.Interface:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, show(g), show(w)))
			}
			return
		}
		compare(g.Elem(), w.Elem(), path, out)
	case reflect.Struct:
		for i := range g.NumField() {
			if !g.Type().Field(i).IsExported() {
				continue
			}
			compare(g.Field(i), w.Field(i), path+"."+g.Type().Field(i).Name, out)
		}
	case reflect.Slice, reflect.Array:
		if g.Len() != w.Len() {
			*out = append(*out, fmt.Sprintf("%s: len %d vs %d (%v vs %v)", path, g.Len(), w.Len(), show(g), show(w)))
			return
		}
		for i := range g.Len() {
			compare(g.Index(i), w.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		if g.Len() != w.Len() {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, show(g), show(w)))
			return
		}
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() {
				*out = append(*out, fmt.Sprintf("%s[%v]: missing", path, k))
				continue
			}
			compare(gv, w.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), out)
		}
	default:
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, show(g), show(w)))
		}
	}
}

func show(v reflect.Value) any {
	if !v.IsValid() {
		return "<nothing>"
	}
	return v.Interface()
}

func isErr(err, target error) bool { return errors.Is(err, target) }

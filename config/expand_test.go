package config

import "testing"

func TestExpand(t *testing.T) {
	getenv := func(k string) (string, bool) {
		v, ok := map[string]string{"A": "x", "EMPTY": "", "B_2": "y$z", "REF": "${A}"}[k]
		return v, ok
	}
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "x"},
		{in: "pre-${A}-${B_2}-post", want: "pre-x-y$z-post"},
		{in: "${EMPTY}", want: ""},
		{in: "${REF}", want: "${A}"}, // values are not expanded again
		{in: "$${A}", want: "${A}"},
		{in: "a$$b $A $", want: "a$$b $A $"},
		{in: "${NOPE}", err: "environment variable NOPE is not set"},
		{in: "${A", err: "unterminated ${ (write $${ for a literal ${)"},
		{in: "${}", err: `invalid environment variable name "" in ${...}`},
		{in: "${A-B}", err: `invalid environment variable name "A-B" in ${...}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := expand(tt.in, getenv)
			switch {
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Errorf("expand(%q) error = %v, want %q", tt.in, err, tt.err)
			case tt.err == "" && (err != nil || got != tt.want):
				t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"${A}", "$${A}", "${", "a$b", "${A}${B}"} {
		f.Add(s)
	}
	getenv := func(k string) (string, bool) { return "v", k == "A" }
	f.Fuzz(func(t *testing.T, s string) {
		// Must never panic; without "${" the value is unchanged.
		got, err := expand(s, getenv)
		if err == nil && !containsRef(s) && got != s {
			t.Errorf("expand(%q) = %q, want it unchanged", s, got)
		}
	})
}

func containsRef(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			return true
		}
	}
	return false
}

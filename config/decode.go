package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder turns yaml.Nodes into Config values, recording problems with
// their key paths. It only checks types and syntax; rules that involve
// several values live in Validate.
type decoder struct {
	getenv func(string) (string, bool)
	errs   *Errors
	// lines maps each key path seen to its line, so problems found later
	// by Validate can point into the file too.
	lines map[string]int
}

// setter stores the value of node n, found at key path p.
type setter func(p string, n *yaml.Node)

// fields decodes a mapping whose keys are all known: each value goes to the
// setter of its key, in file order; unknown and repeated keys are problems.
func (d *decoder) fields(path string, n *yaml.Node, known map[string]setter) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errs.add(n.Line, path, "must be a mapping of keys")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		d.lines[p] = k.Line
		if seen[k.Value] {
			d.errs.add(k.Line, p, "duplicate key")
			continue
		}
		seen[k.Value] = true
		set, ok := known[k.Value]
		if !ok {
			d.errs.add(k.Line, p, "unknown key")
			continue
		}
		set(p, v)
	}
}

// items calls each for every element of a sequence.
func (d *decoder) items(path string, n *yaml.Node, each func(p string, i int, item *yaml.Node)) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errs.add(n.Line, path, "must be a list")
		return
	}
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = item.Line
		each(p, i, item)
	}
}

// scalar returns the value of a scalar node with ${NAME} expanded; ok is
// false when the node is null (keep the default) or a problem was recorded.
func (d *decoder) scalar(p string, n *yaml.Node, want string) (string, bool) {
	n = deref(n)
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errs.add(n.Line, p, "must be %s", want)
		return "", false
	}
	v, err := expand(n.Value, d.getenv)
	if err != nil {
		d.errs.add(n.Line, p, "%v", err)
		return "", false
	}
	return v, true
}

func (d *decoder) str(dst *string) setter {
	return func(p string, n *yaml.Node) {
		if v, ok := d.scalar(p, n, "a string"); ok {
			*dst = v
		}
	}
}

func (d *decoder) boolean(dst *bool) setter {
	return func(p string, n *yaml.Node) {
		v, ok := d.scalar(p, n, "true or false")
		if !ok {
			return
		}
		// Only true/false: YAML 1.1's yes/no/on/off are too easy to misread.
		switch strings.ToLower(v) {
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			d.errs.add(n.Line, p, "must be true or false")
		}
	}
}

func (d *decoder) integer(dst *int) setter {
	return func(p string, n *yaml.Node) {
		v, ok := d.scalar(p, n, "an integer")
		if !ok {
			return
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			d.errs.add(n.Line, p, "must be an integer")
			return
		}
		*dst = i
	}
}

func (d *decoder) duration(dst *time.Duration) setter {
	return func(p string, n *yaml.Node) {
		v, ok := d.scalar(p, n, "a duration such as 15m or 24h")
		if !ok {
			return
		}
		t, err := time.ParseDuration(v)
		if err != nil {
			d.errs.add(n.Line, p, "must be a duration such as 15m or 24h")
			return
		}
		*dst = t
	}
}

// strs decodes a list of strings. An explicitly empty list gives a non-nil
// empty slice, so callers can tell it from an absent key.
func (d *decoder) strs(dst *[]string) setter {
	return func(p string, n *yaml.Node) {
		if isNull(deref(n)) {
			return
		}
		out := []string{}
		d.items(p, n, func(ip string, _ int, item *yaml.Node) {
			if v, ok := d.scalar(ip, item, "a string"); ok {
				out = append(out, v)
			}
		})
		*dst = out
	}
}

// strMap decodes a mapping of strings to strings (metadata, secrets); keys
// are taken literally, values are expanded.
func (d *decoder) strMap(dst *map[string]string) setter {
	return func(p string, n *yaml.Node) {
		n = deref(n)
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.errs.add(n.Line, p, "must be a mapping of strings")
			return
		}
		out := make(map[string]string, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := deref(n.Content[i]), n.Content[i+1]
			kp := join(p, k.Value)
			if k.Kind != yaml.ScalarNode {
				d.errs.add(k.Line, p, "keys must be strings")
				continue
			}
			if _, dup := out[k.Value]; dup {
				d.errs.add(k.Line, kp, "duplicate key")
				continue
			}
			if isNull(deref(v)) {
				out[k.Value] = ""
				continue
			}
			if s, ok := d.scalar(kp, v, "a string"); ok {
				out[k.Value] = s
			}
		}
		*dst = out
	}
}

// join appends a key to a path. Keys are written as they appear in the
// file; authd's own keys never need quoting.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports an absent value: "key:", "key: ~" or "key: null".
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

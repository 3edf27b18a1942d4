package web

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// node is a minimal DOM for assertions. golang.org/x/net/html is not in this module,
// so pages are read with encoding/xml in its lenient HTML mode (void elements
// auto-closed, HTML entities known, valueless attributes allowed).
type node struct {
	tag      string
	attrs    map[string]string
	children []*node
	text     string // for text nodes (tag == "")
	parent   *node
}

func parseHTML(t *testing.T, page string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &node{tag: "#document"}
	cur := root
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse HTML: %v\n%s", err, page)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{tag: strings.ToLower(tok.Name.Local), attrs: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + name
				}
				n.attrs[strings.ToLower(name)] = a.Value
			}
			cur.children = append(cur.children, n)
			cur = n
		case xml.EndElement:
			if cur.parent != nil {
				cur = cur.parent
			}
		case xml.CharData:
			cur.children = append(cur.children, &node{text: string(tok), parent: cur})
		}
	}
	return root
}

// all returns every element below n (depth first) that matches keep.
func (n *node) all(keep func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		for _, c := range m.children {
			if c.tag == "" {
				continue
			}
			if keep(c) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

func (n *node) byTag(tag string) []*node {
	return n.all(func(m *node) bool { return m.tag == tag })
}

func (n *node) byID(id string) *node {
	if found := n.all(func(m *node) bool { return m.attrs["id"] == id }); len(found) > 0 {
		return found[0]
	}
	return nil
}

// textContent is the element's text with whitespace collapsed, like an accessible name.
func (n *node) textContent() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		if m.tag == "" {
			b.WriteString(m.text)
		}
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// ancestor returns the closest enclosing element with the tag.
func (n *node) ancestor(tag string) *node {
	for p := n.parent; p != nil; p = p.parent {
		if p.tag == tag {
			return p
		}
	}
	return nil
}

// inputByLabel finds the control a <label for> with exactly this text points at.
func (n *node) inputByLabel(label string) *node {
	for _, l := range n.byTag("label") {
		if l.textContent() == label {
			return n.byID(l.attrs["for"])
		}
	}
	return nil
}

// buttons returns <button>s whose text is name.
func (n *node) buttons(name string) []*node {
	return n.all(func(m *node) bool { return m.tag == "button" && m.textContent() == name })
}

// link returns the first <a> whose text is name.
func (n *node) link(name string) *node {
	if found := n.all(func(m *node) bool { return m.tag == "a" && m.textContent() == name }); len(found) > 0 {
		return found[0]
	}
	return nil
}

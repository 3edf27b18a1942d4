package web

import (
	"html/template"
	"net/url"
	"sort"
	"time"
)

// pager is implemented by every page struct through its embedded Base, which lets the
// shared layout read the title, CSRF token and messages from any page's data.
type pager interface{ base() Base }

func (b Base) base() Base { return b }

// baseOf returns the Base embedded in data, or a zero Base for foreign data.
func baseOf(data any) Base {
	if p, ok := data.(pager); ok {
		return p.base()
	}
	return Base{}
}

// field is one hidden input of a GET form.
type field struct{ Name, Value string }

// getForm splits a URL for a <form method="get">: browsers replace the query of a GET
// form's action with the form's fields, so the query must travel as hidden inputs.
type getForm struct {
	Action string
	Fields []field
}

func splitGetURL(raw string) getForm {
	u, err := url.Parse(raw)
	if err != nil {
		return getForm{Action: raw}
	}
	q := u.Query()
	u.RawQuery, u.Fragment = "", ""
	f := getForm{Action: u.String()}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			f.Fields = append(f.Fields, field{k, v})
		}
	}
	return f
}

// date formats a time for people; the zero time means "never".
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("Jan 2, 2006")
}

// isoTime formats a time for <time datetime>.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (r *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":   r.AssetURL,
		"page":    baseOf,
		"getForm": splitGetURL,
		"date":    date,
		"isoTime": isoTime,
	}
}

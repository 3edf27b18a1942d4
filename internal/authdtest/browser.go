package authdtest

import (
	"cmp"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Browser is a cookie-jar HTTP client that reads pages and submits forms
// the way a person would: by label text and button name.
type Browser struct {
	T      testing.TB
	Client *http.Client
	// StopAt: redirects to URLs with this prefix are not followed (the
	// client's redirect_uri); the response is returned instead.
	StopAt []string
	// Header is added to every request (e.g. X-Forwarded-For).
	Header http.Header
}

// Page is a fetched response.
type Page struct {
	T      testing.TB
	URL    *url.URL
	Status int
	Header http.Header
	Body   string
	doc    *html.Node
	b      *Browser
}

func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{T: e.T, Header: http.Header{}, StopAt: []string{"http://127.0.0.1:5555/", "http://127.0.0.1:5556/"}}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		for _, p := range b.StopAt {
			if strings.HasPrefix(req.URL.String(), p) {
				return http.ErrUseLastResponse
			}
		}
		if len(via) > 20 {
			return http.ErrUseLastResponse
		}
		for k, v := range b.Header {
			req.Header[k] = v
		}
		return nil
	}}
	return b
}

func (b *Browser) do(req *http.Request) *Page {
	b.T.Helper()
	for k, v := range b.Header {
		req.Header[k] = v
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		b.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &Page{T: b.T, URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(body), b: b}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		p.doc, _ = html.Parse(strings.NewReader(p.Body))
	}
	return p
}

// Get fetches a URL.
func (b *Browser) Get(u string) *Page {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.T.Fatal(err)
	}
	return b.do(req)
}

// Post posts a form.
func (b *Browser) Post(u string, form url.Values) *Page {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// Location is the redirect target of a response that was not followed.
func (p *Page) Location() *url.URL {
	p.T.Helper()
	loc := p.Header.Get("Location")
	if loc == "" {
		p.T.Fatalf("no redirect: %d at %s\n%s", p.Status, p.URL, trim(p.Body))
	}
	u, err := p.URL.Parse(loc)
	if err != nil {
		p.T.Fatal(err)
	}
	return u
}

// H1 is the page's heading.
func (p *Page) H1() string {
	if n := find(p.doc, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "h1" }); n != nil {
		return strings.TrimSpace(text(n))
	}
	return ""
}

// Alert is the text of the role="alert" element.
func (p *Page) Alert() string {
	if n := find(p.doc, func(n *html.Node) bool { return attr(n, "role") == "alert" }); n != nil {
		return strings.TrimSpace(text(n))
	}
	return ""
}

// ByID returns the text of the element with that id.
func (p *Page) ByID(id string) string {
	if n := find(p.doc, func(n *html.Node) bool { return attr(n, "id") == id }); n != nil {
		return strings.TrimSpace(text(n))
	}
	p.T.Fatalf("no element #%s on %s:\n%s", id, p.URL, trim(p.Body))
	return ""
}

// Submit fills the inputs named by their label text and clicks the
// button with that name; the form's other inputs (hidden fields, CSRF
// token) go along as they are.
func (p *Page) Submit(button string, fields map[string]string) *Page {
	p.T.Helper()
	if p.doc == nil {
		p.T.Fatalf("%s is not a page (status %d):\n%s", p.URL, p.Status, trim(p.Body))
	}
	var form *html.Node
	btn := find(p.doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && n.Data == "button" && strings.TrimSpace(text(n)) == button && attr(n, "type") != "button"
	})
	if btn == nil {
		p.T.Fatalf("no button %q on %s (h1 %q, alert %q)", button, p.URL, p.H1(), p.Alert())
	}
	for n := btn.Parent; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && n.Data == "form" {
			form = n
			break
		}
	}
	if form == nil {
		p.T.Fatalf("button %q is not in a form", button)
	}
	values := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			typ := attr(n, "type")
			if (typ == "checkbox" || typ == "radio") && !hasAttr(n, "checked") {
				return
			}
			values.Set(attr(n, "name"), attr(n, "value"))
		}
	})
	if name := attr(btn, "name"); name != "" {
		values.Set(name, attr(btn, "value"))
	}
	for label, v := range fields {
		l := find(p.doc, func(n *html.Node) bool {
			return n.Type == html.ElementNode && n.Data == "label" && strings.TrimSpace(text(n)) == label
		})
		if l == nil {
			p.T.Fatalf("no label %q on %s", label, p.URL)
		}
		id := attr(l, "for")
		in := find(p.doc, func(n *html.Node) bool { return attr(n, "id") == id })
		if in == nil {
			p.T.Fatalf("label %q points to no input", label)
		}
		if attr(in, "type") == "checkbox" {
			if v == "" {
				values.Del(attr(in, "name"))
			} else {
				values.Set(attr(in, "name"), cmp.Or(attr(in, "value"), "on"))
			}
			continue
		}
		values.Set(attr(in, "name"), v)
	}
	action, _ := p.URL.Parse(attr(form, "action"))
	if strings.EqualFold(attr(form, "method"), "post") {
		return p.b.Post(action.String(), values)
	}
	action.RawQuery = values.Encode()
	return p.b.Get(action.String())
}

func trim(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

func walk(n *html.Node, f func(*html.Node)) {
	if n == nil {
		return
	}
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func find(n *html.Node, pred func(*html.Node) bool) *html.Node {
	var out *html.Node
	walk(n, func(x *html.Node) {
		if out == nil && pred(x) {
			out = x
		}
	})
	return out
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(x *html.Node) {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
		}
	})
	return b.String()
}

// Package web owns everything a person sees in a browser: the HTML templates of the
// login pages, their stylesheet, and the small passkey script.
//
// Templates and static files are embedded, parsed once by New (one template set per
// page: the shared layout, the shared partials and the page itself, so page-level
// definitions never collide) and rendered through one typed method per page. Every
// render goes to a buffer first; only a complete page is written, so a template error
// becomes a clean 500 instead of half a page.
//
// The pages carry no inline script, no inline style and no event-handler attributes,
// so they run under the strict Content-Security-Policy built by ContentSecurityPolicy.
// Static files are served by (*Renderer).Static under /u/static/ with a content-hash
// query (?v=…) in every URL the templates emit, which makes them safe to cache for a
// year.
//
// web knows nothing about sessions, users or OIDC: oidc/login fills the page structs
// (URLs, CSRF token, state) and decides which page to show.
package web

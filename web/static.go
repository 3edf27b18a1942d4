package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// asset is one embedded static file with its content hash.
type asset struct {
	body        []byte
	hash        string // first 16 hex digits of SHA-256; the ?v= of its URL and its ETag
	contentType string
}

// loadAssets reads every file of static/ (a flat folder) into memory.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	names, err := fs.Glob(fsys, "static/*")
	if err != nil {
		return nil, err
	}
	assets := make(map[string]asset, len(names))
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("web: read %s: %w", name, err)
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		assets[path.Base(name)] = asset{body: body, hash: hex.EncodeToString(sum[:8]), contentType: ct}
	}
	return assets, nil
}

// AssetURL returns the URL of a static file with its content hash as the "v" query
// parameter, e.g. "/u/static/app.css?v=1a2b…". Templates call it as {{asset "app.css"}};
// an unknown name fails that render (the tests render every page).
func (r *Renderer) AssetURL(name string) (string, error) {
	a, ok := r.assets[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return r.staticPrefix + name + "?v=" + a.hash, nil
}

// Static serves the embedded static files. Mount it at DefaultStaticPrefix (with or
// without http.StripPrefix: files are looked up by the last path element). A request
// whose ?v= matches the file's current hash is cacheable for a year ("immutable");
// any other request must revalidate, so an old page never pins a stale asset.
func (r *Renderer) Static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		a, ok := r.assets[path.Base(req.URL.Path)]
		if !ok {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", `"`+a.hash+`"`)
		if req.URL.Query().Get("v") == a.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(a.body))
	})
}

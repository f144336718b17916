package ui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// staticFiles are the UI's assets: our own scripts, styles and images, and
// the vendor files that scripts/ui-assets.sh copies from npm into the
// gitignored static/vendor/. A build without them compiles (so that go
// build ./... works in a fresh clone), but loadAssets refuses to start it
// and says what to run: a UI without its scripts never ships.
//
//go:embed static
var staticFiles embed.FS

// vendorFiles are the third-party files the pages load.
var vendorFiles = []string{"vendor/htmx.min.js", "vendor/ws.min.js"}

// assetHashLen is how many hex digits of an asset's SHA-256 its URL carries.
const assetHashLen = 12

// asset is one embedded file, ready to serve.
type asset struct {
	name   string // path below static/, e.g. "vendor/htmx.min.js"
	hash   string
	ctype  string
	body   []byte
	gzbody []byte // nil when compressing does not pay
}

// assets holds every embedded file by name. It is read-only after
// loadAssets and safe for concurrent use.
type assets struct {
	byName map[string]*asset
}

// loadAssets reads, hashes and compresses every embedded file once.
func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		ctype := assetType(name)
		a.byName[name] = &asset{name: name, hash: hex.EncodeToString(sum[:])[:assetHashLen], ctype: ctype, body: body, gzbody: compress(body)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	for _, name := range vendorFiles {
		if a.byName[name] == nil {
			return nil, fmt.Errorf("this build has no ui/static/%s (htmx, fetched from npm): run `make assets` before go build or go test, or build with `make build`", name)
		}
	}
	return a, nil
}

// assetTypes are the media types of the extensions static/ holds (a test
// fails when an asset's extension is missing). Asking
// the mime package instead would load the system's whole type database
// (/etc/mime.types: 0.4 MB of heap for the life of the process) for these
// few.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// assetType is the Content-Type of the asset name: from assetTypes, else
// from the mime package, else application/octet-stream.
func assetType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := assetTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compress gzips body, or returns nil when that saves less than a tenth.
func compress(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	if buf.Len() > len(body)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// URL returns the content-addressed URL of the asset called name. It panics
// on an unknown name: templates are rendered by a test, so a typo fails it.
func (a *assets) URL(name string) string {
	f, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("ui: unknown asset %q", name))
	}
	return "/static/" + f.hash + "/" + f.name
}

// favicon answers GET /favicon.ico, which browsers ask for whatever the
// page's <link rel="icon"> says, with the icon's current address, so that
// no page logs a 404 for it.
func (a *assets) favicon(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Redirect(http.StatusFound, a.URL("favicon.svg"))
}

// serve answers GET /static/:hash/*name. A current hash is cached for a
// year; a stale hash (a page rendered by an older version) still gets the
// current file, but uncached.
func (a *assets) serve(c *gin.Context) {
	f, ok := a.byName[strings.TrimPrefix(c.Param("name"), "/")]
	if !ok {
		c.String(http.StatusNotFound, "Not found.\n")
		return
	}
	h := c.Writer.Header()
	if c.Param("hash") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+f.hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if match := c.GetHeader("If-None-Match"); match == `"`+f.hash+`"` {
		c.Status(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gzbody != nil && acceptsGzip(c.GetHeader("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = f.gzbody
	}
	c.Data(http.StatusOK, f.ctype, body)
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: it is
// listed without a zero quality.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !found {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}

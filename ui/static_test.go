package ui

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestStaticAssets(t *testing.T) {
	u, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.GET("/static/:hash/*name", u.serve)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	get := func(path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, name := range []string{"app.css", "app.js", "live.js", "favicon.svg", "vendor/htmx.min.js", "vendor/ws.min.js"} {
		resp := get(u.URL(name))
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || len(body) == 0 {
			t.Errorf("%s: %d %q %d bytes", name, resp.StatusCode, resp.Header.Get("Cache-Control"), len(body))
		}
	}
	resp := get(u.URL("app.js"))
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("app.js served as %q", ct)
	}
	// gzip when asked for.
	resp = get(u.URL("vendor/htmx.min.js"), "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" || err != nil {
		t.Fatalf("not gzipped: %v %v", resp.Header, err)
	}
	if js, _ := io.ReadAll(zr); !strings.Contains(string(js), "htmx") {
		t.Error("gzipped htmx is not htmx")
	}
	// A stale hash still gets the file, uncached; an unknown file is 404;
	// a matching ETag is 304.
	resp = get("/static/000000000000/app.css")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp = get("/static/000000000000/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}
	if resp = get(u.URL("app.css"), "If-None-Match", `"`+u.byName["app.css"].hash+`"`); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %v", resp.StatusCode)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.0": false, "deflate": false, "GZIP": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}

// The binary embeds the UI's own files and htmx with its WebSocket
// extension only: the npm test tools (axe-core, Lighthouse) stay in
// node_modules.
func TestStaticEmbedsNoTestTools(t *testing.T) {
	u, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range u.byName {
		if strings.HasPrefix(name, "vendor/") && name != "vendor/htmx.min.js" && name != "vendor/ws.min.js" {
			t.Errorf("embedded %s, which is not a UI asset", name)
		}
		if strings.Contains(string(a.body), "axe-core") || strings.Contains(name, "lighthouse") {
			t.Errorf("embedded %s carries a test tool", name)
		}
	}
}

// Every embedded asset's type comes from assetTypes, so serving the UI never
// loads the system's mime database; and the types are the ones browsers
// need (a script served as text/plain is refused under nosniff).
func TestStaticAssetTypesAreOurOwn(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
	for name, as := range a.byName {
		ext := strings.ToLower(path.Ext(name))
		if _, ok := assetTypes[ext]; !ok {
			t.Errorf("%s: extension %q is not in assetTypes", name, ext)
		}
		if w, ok := want[ext]; ok && !strings.HasPrefix(as.ctype, w) {
			t.Errorf("%s: Content-Type %q, want %s", name, as.ctype, w)
		}
	}
	if got := assetType("x.unknown-ext"); got != "application/octet-stream" {
		t.Errorf("unknown extension: %q", got)
	}
}

package push

import (
	"bytes"
	_ "embed"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// The installable app: the manifest, the service worker at the root scope,
// the offline page and the icons, all drawn in code at first use.

//go:embed sw.js
var serviceWorker []byte

// themeColour is the UI's accent (ui/static/app.css --accent).
var themeColour = color.RGBA{R: 0x4f, G: 0x46, B: 0xe5, A: 0xff}

const manifest = `{
  "name": "Belfry",
  "short_name": "Belfry",
  "description": "Your notifications, also with the tab closed.",
  "id": "/",
  "start_url": "/notifications",
  "scope": "/",
  "display": "standalone",
  "background_color": "#f5f6fa",
  "theme_color": "#4f46e5",
  "icons": [
    {"src": "/push/icons/app-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "/push/icons/app-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "/push/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
  ]
}
`

const offlinePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#4f46e5"><title>Offline · Belfry</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;text-align:center">
<h1>Belfry is out of reach</h1><p>This device is offline, or the Belfry server is not answering. Notifications that arrived meanwhile wait in your inbox.</p>
<p><a href="/notifications">Try again</a></p></body></html>
`

// registerWebApp adds the installable app's routes.
func registerWebApp(r gin.IRouter) {
	r.GET("/manifest.webmanifest", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "application/manifest+json", []byte(manifest))
	})
	r.GET("/sw.js", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Header("Service-Worker-Allowed", "/")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", serviceWorker)
	})
	r.GET("/offline", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(offlinePage))
	})
}

// appIcons are the app's icons by file name: size and whether the bell
// keeps to the maskable safe zone on a full-bleed background.
var appIcons = map[string]struct {
	size     int
	maskable bool
}{
	"app-192.png": {192, false}, "app-512.png": {512, false}, "maskable-512.png": {512, true},
	"apple-touch-icon.png": {180, true}, "badge.png": {96, false},
}

var (
	iconsOnce sync.Once
	iconPNGs  map[string][]byte
)

// drawnIcons returns every icon as PNG, drawn once.
func drawnIcons() map[string][]byte {
	iconsOnce.Do(func() {
		iconPNGs = map[string][]byte{}
		for name, ic := range appIcons {
			iconPNGs[name] = encodePNG(drawBell(ic.size, ic.maskable, name == "badge.png"))
		}
		for name, col := range levelColours {
			iconPNGs[name] = encodePNG(drawDisc(96, col))
		}
	})
	return iconPNGs
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// drawDisc is a filled disc of col on a transparent square.
func drawDisc(size int, col color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	r := float64(size)/2 - 2
	for y := range size {
		for x := range size {
			if math.Hypot(float64(x)-float64(size)/2+0.5, float64(y)-float64(size)/2+0.5) <= r {
				img.SetRGBA(x, y, col)
			}
		}
	}
	return img
}

// drawBell draws Belfry's bell: white on the theme colour (a rounded
// square, or the whole square when maskable, with the bell inside the
// safe zone); a badge is the white bell alone on transparency, as
// Android's status bar wants.
func drawBell(size int, maskable, badge bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	scale := 0.8
	if maskable {
		scale = 0.55
	}
	white := color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	for y := range size {
		for x := range size {
			// u, v in [-1, 1] over the square.
			u, v := (float64(x)+0.5)/float64(size)*2-1, (float64(y)+0.5)/float64(size)*2-1
			if !badge && (maskable || roundedSquare(u, v, 0.35)) {
				img.SetRGBA(x, y, themeColour)
			}
			if inBell(u/scale, v/scale) {
				img.SetRGBA(x, y, white)
			}
		}
	}
	return img
}

// roundedSquare reports whether (u, v) is inside the unit square with
// corners of radius r.
func roundedSquare(u, v, r float64) bool {
	du, dv := math.Max(math.Abs(u)-(1-r), 0), math.Max(math.Abs(v)-(1-r), 0)
	return du*du+dv*dv <= r*r
}

// inBell reports whether (u, v) lies in the bell: a dome widening to a
// rim, a clapper under it and a knob on top.
func inBell(u, v float64) bool {
	switch {
	case v >= -0.62 && v <= 0.35: // the dome
		t := (v + 0.62) / 0.97
		return math.Abs(u) <= 0.22+0.45*math.Pow(t, 1.6)
	case v > 0.35 && v <= 0.48: // the rim
		return math.Abs(u) <= 0.8
	}
	return math.Hypot(u, v-0.62) <= 0.14 || math.Hypot(u, v+0.7) <= 0.1
}

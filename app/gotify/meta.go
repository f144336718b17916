package gotify

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleVersion is GET /version: Belfry's version in Gotify's shape. The
// Android app calls it to check the server URL.
func (g *Gotify) handleVersion(c *gin.Context) {
	c.JSON(http.StatusOK, versionView{Version: g.d.Version})
}

// handleHealth is GET /health: green, or 500 with the database red when
// the server is not ready (its database does not answer, or it is
// shutting down), as Gotify answers.
func (g *Gotify) handleHealth(c *gin.Context) {
	if g.d.Ready != nil {
		if err := g.d.Ready(c.Request.Context()); err != nil {
			c.JSON(http.StatusInternalServerError, healthView{Health: "orange", Database: "red"})
			return
		}
	}
	c.JSON(http.StatusOK, healthView{Health: "green", Database: "green"})
}

// handleImage is GET /application/:id/image: a picture of the
// application, drawn from its number. It needs no credential, because the
// Android app loads images without one; it tells only that the number
// exists, and applications are numbered in sequence anyway.
func (g *Gotify) handleImage(c *gin.Context) {
	n, err := pathNumber(c, "application")
	if err != nil {
		writeError(c, err)
		return
	}
	if _, err := g.d.Numbers.TopicOfNumber(c.Request.Context(), n); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "image/png", applicationImage(n))
}

// imageSize is the side of an application's image, in pixels.
const imageSize = 64

// palette holds the colours of application images, one per number in
// turn.
var palette = []color.NRGBA{
	{0x3b, 0x82, 0xf6, 0xff}, {0x10, 0xb9, 0x81, 0xff}, {0xf5, 0x9e, 0x0b, 0xff}, {0xef, 0x44, 0x44, 0xff},
	{0x8b, 0x5c, 0xf6, 0xff}, {0x06, 0xb6, 0xd4, 0xff}, {0xec, 0x48, 0x99, 0xff}, {0x84, 0xcc, 0x16, 0xff},
}

// applicationImage draws application n's image: a disc in its colour on
// a transparent square.
func applicationImage(n int64) []byte {
	fill := palette[n%int64(len(palette))]
	img := image.NewNRGBA(image.Rect(0, 0, imageSize, imageSize))
	const r = imageSize / 2
	for y := range imageSize {
		for x := range imageSize {
			if dx, dy := x-r, y-r; dx*dx+dy*dy < r*r {
				img.SetNRGBA(x, y, fill)
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // writing to memory does not fail
	return b.Bytes()
}

// pathNumber parses the :id of a route as a Gotify id, a positive
// integer. Errors: EINVALID naming what.
func pathNumber(c *gin.Context, what string) (int64, error) {
	s := c.Param("id")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, app.Errorf(app.EINVALID, "The %s id must be a positive integer, not %q.", what, web.Clip(s, 40))
	}
	return n, nil
}

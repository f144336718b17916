package web

import (
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// BodyDeadline bounds how long a request's body may take to arrive
// (server.body_timeout): a client trickling a body, byte by byte, cannot
// hold a connection and its handler for longer. The deadline is lifted once
// the body has been read, so a handler that then waits (a long poll) is not
// cut. A body read past it fails with an error that DecodeJSON answers 408.
//
// http.Server.ReadTimeout would bound the body too, but it stays on the
// connection while the handler runs and cancels a long poll's context.
func BodyDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			rc := http.NewResponseController(c.Writer)
			if rc.SetReadDeadline(time.Now().Add(d)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		c.Next()
	}
}

// deadlineBody lifts the read deadline at the end of the body.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.lift()
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	b.lift()
	return b.ReadCloser.Close()
}

func (b *deadlineBody) lift() {
	if !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
}

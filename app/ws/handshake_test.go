package ws

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
)

// pausingWriter lets a test stop the server just after the first write on
// the hijacked connection (the 101) has gone out.
type pausingWriter struct {
	gin.ResponseWriter
	wrote, resume chan struct{}
}

func (w pausingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := w.ResponseWriter.Hijack()
	return &pausingConn{Conn: nc, wrote: w.wrote, resume: w.resume}, brw, err
}

type pausingConn struct {
	net.Conn
	once          sync.Once
	wrote, resume chan struct{}
}

func (c *pausingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.once.Do(func() {
		close(c.wrote)
		<-c.resume
	})
	return n, err
}

// TestRegistryAnswersHandshakeOnceIndexed: the 101 reaches the client only
// after the connection is in the registry's indexes, so a send made as soon
// as the client is connected reaches it. The server is paused right after
// the 101 is written; a send then must already find the connection.
func TestRegistryAnswersHandshakeOnceIndexed(t *testing.T) {
	reg := New(Options{Logger: slog.New(slog.DiscardHandler)}.withTestDefaults())
	wrote, resume := make(chan struct{}), make(chan struct{})
	gin.SetMode(gin.TestMode)
	engine := gin.New()
	engine.GET("/", func(c *gin.Context) {
		c.Writer = pausingWriter{c.Writer, wrote, resume}
		_ = reg.Serve(c, ConnInfo{UserID: "early", TokenID: "test"})
	})
	hs := httptest.NewServer(engine)
	t.Cleanup(func() {
		reg.Close()
		hs.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	dialed := make(chan *websocket.Conn, 1)
	go func() {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http"), nil)
		if err != nil {
			t.Error(err)
		}
		dialed <- conn
	}()
	<-wrote
	n := reg.SendToUser("early", []byte("first"))
	close(resume)
	conn := <-dialed
	if conn == nil {
		t.FailNow()
	}
	defer conn.CloseNow()
	if n != 1 {
		t.Fatalf("a send once the 101 was written reached %d connections, want 1", n)
	}
	if _, msg, err := conn.Read(ctx); err != nil || string(msg) != "first" {
		t.Fatalf("read %q, %v", msg, err)
	}
}

package apptest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// WS is a WebSocket test client. It reads continuously in the background
// (which also answers the server's pings) and queues the frames; each
// package decodes them into its own frame type.
type WS struct {
	t        testing.TB
	Conn     *websocket.Conn
	frames   chan []byte
	closed   chan struct{}
	closeErr error
}

// Dial opens a WebSocket to url (http:// or ws://) with header, failing
// the test if the handshake fails. The socket is closed when the test ends.
func Dial(t testing.TB, url string, header http.Header) *WS {
	t.Helper()
	conn, status, err := DialStatus(url, header)
	if err != nil {
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	return Serve(t, conn)
}

// DialStatus tries a handshake and returns the connection, or the HTTP
// status and error of a refused one.
func DialStatus(url string, header http.Header) (*websocket.Conn, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), Guard)
	defer cancel()
	if rest, ok := strings.CutPrefix(url, "http"); ok {
		url = "ws" + rest
	}
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	return conn, status, err
}

// Serve wraps an open connection in a WS that reads it.
func Serve(t testing.TB, conn *websocket.Conn) *WS {
	conn.SetReadLimit(1 << 22)
	w := &WS{t: t, Conn: conn, frames: make(chan []byte, 8192), closed: make(chan struct{})}
	go w.readLoop()
	t.Cleanup(func() { _ = conn.CloseNow() })
	return w
}

func (w *WS) readLoop() {
	defer close(w.closed)
	for {
		_, msg, err := w.Conn.Read(context.Background())
		if err != nil {
			w.closeErr = err
			return
		}
		w.frames <- msg
	}
}

// Next returns the next frame, failing the test if none comes within Guard
// or the socket closes first.
func (w *WS) Next() json.RawMessage {
	w.t.Helper()
	msg, ok := w.NextWithin(Guard)
	if !ok {
		select {
		case <-w.closed:
			w.t.Fatalf("socket closed while waiting for a frame: %v", w.closeErr)
		default:
			w.t.Fatal("no frame arrived")
		}
	}
	return msg
}

// NextWithin returns the next frame, or false when none comes within d or
// the socket closed. Frames that arrived before a close come first.
func (w *WS) NextWithin(d time.Duration) (json.RawMessage, bool) {
	select {
	case msg := <-w.frames:
		return msg, true
	default:
	}
	select {
	case msg := <-w.frames:
		return msg, true
	case <-w.closed:
		select {
		case msg := <-w.frames:
			return msg, true
		default:
			return nil, false
		}
	case <-time.After(d):
		return nil, false
	}
}

// Send writes msg as a text frame.
func (w *WS) Send(msg string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Guard)
	defer cancel()
	if err := w.Conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// CloseStatus waits for the server to close the socket, dropping frames
// queued before, and returns the close code (-1 when the connection ended
// without a close frame).
func (w *WS) CloseStatus() websocket.StatusCode {
	w.t.Helper()
	for {
		select {
		case <-w.frames:
		case <-w.closed:
			return websocket.CloseStatus(w.closeErr)
		case <-time.After(Guard):
			w.t.Fatal("socket was not closed")
		}
	}
}

// SmallReceiveBuffer is an HTTP client (for a WebSocket dialer) whose
// connections have a 4 KiB kernel receive buffer, so that the server's
// writes to a client that does not read soon stop making progress.
func SmallReceiveBuffer() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		ctrlErr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if ctrlErr != nil {
			return ctrlErr
		}
		return err
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

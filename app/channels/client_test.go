package channels

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app/apptest"
	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// dial opens a socket for p with a bearer token.
func (s *server) dial(p *person) *client {
	s.t.Helper()
	return s.dialWith(http.Header{"Authorization": {"Bearer " + p.token}})
}

func (s *server) dialWith(h http.Header) *client {
	s.t.Helper()
	return &client{WS: apptest.Dial(s.t, s.base+Path, h), t: s.t}
}

// client is the kit's WebSocket client, reading the channel frames.
type client struct {
	*apptest.WS
	t testing.TB
}

// frame is a server frame, decoded; Data and keys keep the raw members so
// tests can compare them exactly.
type frame struct {
	Type      string                     `json:"type"`
	Timestamp string                     `json:"timestamp"`
	Channel   string                     `json:"channel"`
	Seq       int64                      `json:"seq"`
	Data      map[string]json.RawMessage `json:"data"`
	Code      string                     `json:"code"`
	Message   string                     `json:"message"`
	Reason    string                     `json:"reason"`
	raw       []byte
}

func (c *client) send(msg string) {
	c.t.Helper()
	c.Send(msg)
}

// next returns the next frame, failing if none comes or the socket closes.
func (c *client) next() frame {
	c.t.Helper()
	msg := c.Next()
	f := frame{raw: msg}
	if err := json.Unmarshal(msg, &f); err != nil {
		c.t.Fatalf("frame %s: %v", msg, err)
	}
	return f
}

// expect returns the next frame, failing unless it has type typ on stream.
func (c *client) expect(typ, stream string) frame {
	c.t.Helper()
	f := c.next()
	if f.Type != typ || f.Channel != stream {
		c.t.Fatalf("got %s, want %s on %s", f.raw, typ, stream)
	}
	return f
}

// subscribe subscribes and waits for the confirmation.
func (c *client) subscribe(stream string) frame {
	c.t.Helper()
	c.send(`{"type":"subscribe","channel":"` + stream + `"}`)
	return c.expect("subscribed", stream)
}

// subscribeSince subscribes with recovery and returns the confirmation.
func (c *client) subscribeSince(stream string, since int64) frame {
	c.t.Helper()
	c.send(`{"type":"subscribe","channel":"` + stream + `","since":` + jsonInt(since) + `}`)
	return c.expect("subscribed", stream)
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// refused sends a subscribe that must be refused with code.
func (c *client) refused(msg, code string) frame {
	c.t.Helper()
	c.send(msg)
	f := c.next()
	if f.Type != "error" || f.Code != code || f.Message == "" {
		c.t.Fatalf("got %s, want an error %s", f.raw, code)
	}
	return f
}

// quiet checks that no frame is waiting, by a round trip: it sends an
// unsubscribe of a stream the socket never joined and expects its answer
// to be the next frame. Frames of one socket are in order, so anything
// queued before the answer would come first.
func (c *client) quiet() {
	c.t.Helper()
	marker := "user:" + uuid.NewString()
	c.send(`{"type":"unsubscribe","channel":"` + marker + `"}`)
	f := c.next()
	if f.Type != "unsubscribed" || f.Channel != marker {
		c.t.Fatalf("unexpected frame %s", f.raw)
	}
}

// closeStatus waits for the server to close the socket and returns the
// close code.
func (c *client) closeStatus() websocket.StatusCode {
	c.t.Helper()
	return c.CloseStatus()
}

// wantData checks that an event's data is exactly want (as JSON).
func wantData(t testing.TB, f frame, want map[string]any) {
	t.Helper()
	got, _ := json.Marshal(f.Data)
	exp, _ := json.Marshal(want)
	var g, e any
	json.Unmarshal(got, &g)
	json.Unmarshal(exp, &e)
	gb, _ := json.Marshal(g)
	eb, _ := json.Marshal(e)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("%s data %s, want %s", f.Type, gb, eb)
	}
}

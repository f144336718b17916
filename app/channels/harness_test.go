package channels

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/db"
	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// guard bounds every wait of a test: it only turns a hang into a failure;
// no test asserts on how long something took.
const guard = 10 * time.Second

// server is the channels service on a fresh database behind a real HTTP
// listener, with api.Authenticate in front and a fake clock for typing.
type server struct {
	t     testing.TB
	base  string
	cfg   app.Config
	db    *db.DB
	store *db.ChannelStore
	users *db.UserStore
	auth  *auth.Service
	svc   *Service
	clock *fakeClock
	hs    *httptest.Server
}

func newServer(t testing.TB) *server {
	t.Helper()
	gin.SetMode(gin.TestMode)
	hs := httptest.NewUnstartedServer(nil)
	s := &server{t: t, base: "http://" + hs.Listener.Addr().String(), hs: hs, clock: newFakeClock()}
	s.cfg = app.DefaultConfig()
	s.cfg.Server.BaseURL = s.base
	d, err := db.Open(db.Options{Path: filepath.Join(t.TempDir(), "b.db"), Durability: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.db, s.store, s.users = d, db.NewChannelStore(d), db.NewUserStore(d)
	s.auth = auth.New(auth.Options{Users: s.users, Tokens: db.NewTokenStore(d), Sessions: db.NewSessionStore(d)})
	apiServer := api.New(api.Deps{Config: s.cfg, Auth: s.auth, Users: s.users, Logger: slog.New(slog.DiscardHandler)})
	s.svc = New(Deps{Config: s.cfg, Store: s.store, Users: s.users, Clock: s.clock, Logger: slog.New(slog.DiscardHandler)})
	engine := gin.New()
	s.svc.Register(engine, apiServer.Authenticate())
	hs.Config.Handler = engine
	hs.Start()
	t.Cleanup(func() {
		s.svc.Close()
		hs.Close()
		d.Close()
	})
	return s
}

// person is a test user with a client token.
type person struct {
	*app.User
	token string
}

// user creates a user with a client token. Passwords are never checked
// here, so the hash is a placeholder.
func (s *server) user(name string) *person {
	s.t.Helper()
	id, _ := uuid.NewV7()
	u := &app.User{ID: id.String(), Username: name, PasswordHash: "unused", CreatedAt: time.Now()}
	if err := s.users.CreateUser(context.Background(), u); err != nil {
		s.t.Fatal(err)
	}
	return &person{User: u, token: s.token(u, app.ScopeClient)}
}

func (s *server) token(u *app.User, scope app.Scope) string {
	s.t.Helper()
	secret, _, err := s.auth.CreateToken(context.Background(), u.ID, "t", scope)
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// response is an HTTP answer.
type response struct {
	status int
	body   []byte
}

// do sends a request with a bearer token ("" for none).
func (s *server) do(method, path, token, body string) response {
	s.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: b}
}

// ok fails unless the response has status, and decodes it into v (if set).
func (r response) ok(t testing.TB, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// wantError fails unless the response is the error envelope with status
// and code, and returns the message.
func (r response) wantError(t testing.TB, status int, code string) string {
	t.Helper()
	var env map[string]map[string]string
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("status %d, not JSON: %s", r.status, r.body)
	}
	e, ok := env["error"]
	if r.status != status || len(env) != 1 || !ok || e["code"] != code || e["message"] == "" {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, code)
	}
	return e["message"]
}

// createChannel creates a channel owned by p over REST.
func (s *server) createChannel(p *person, name string) string {
	s.t.Helper()
	var ch struct{ ID string }
	s.do("POST", "/api/channels", p.token, `{"name":`+quote(name)+`}`).ok(s.t, http.StatusCreated, &ch)
	return ch.ID
}

func (s *server) join(p *person, channelID string) {
	s.t.Helper()
	s.do("POST", "/api/channels/"+channelID+"/join", p.token, "").ok(s.t, http.StatusOK, nil)
}

// setRole has owner give p the role.
func (s *server) setRole(owner, p *person, channelID string, role app.Role) {
	s.t.Helper()
	s.do("PUT", "/api/channels/"+channelID+"/members/"+p.ID+"/role", owner.token, `{"role":"`+string(role)+`"}`).ok(s.t, http.StatusOK, nil)
}

// post sends a message over REST and returns its id.
func (s *server) post(p *person, channelID, content string) string {
	s.t.Helper()
	var m struct{ ID string }
	s.do("POST", "/api/channels/"+channelID+"/messages", p.token, `{"content":`+quote(content)+`}`).ok(s.t, http.StatusCreated, &m)
	return m.ID
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// dial opens a socket for p with a bearer token.
func (s *server) dial(p *person) *client {
	s.t.Helper()
	return s.dialWith(http.Header{"Authorization": {"Bearer " + p.token}})
}

func (s *server) dialWith(h http.Header) *client {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+Path, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("dial: %v (status %d)", err, status)
	}
	conn.SetReadLimit(1 << 22)
	c := &client{t: s.t, conn: conn, frames: make(chan []byte, 4096), closed: make(chan struct{})}
	go c.readLoop()
	s.t.Cleanup(func() { conn.CloseNow() })
	return c
}

// client is a test WebSocket client that reads continuously and queues
// the frames.
type client struct {
	t        testing.TB
	conn     *websocket.Conn
	frames   chan []byte
	closed   chan struct{}
	closeErr error
}

func (c *client) readLoop() {
	defer close(c.closed)
	for {
		_, msg, err := c.conn.Read(context.Background())
		if err != nil {
			c.closeErr = err
			return
		}
		c.frames <- msg
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame, failing if none comes or the socket closes.
func (c *client) next() frame {
	c.t.Helper()
	select {
	case msg := <-c.frames:
		f := frame{raw: msg}
		if err := json.Unmarshal(msg, &f); err != nil {
			c.t.Fatalf("frame %s: %v", msg, err)
		}
		return f
	case <-c.closed:
		c.t.Fatalf("socket closed while waiting for a frame: %v", c.closeErr)
	case <-time.After(guard):
		c.t.Fatal("no frame arrived")
	}
	return frame{}
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
	for {
		select {
		case <-c.frames:
		case <-c.closed:
			return websocket.CloseStatus(c.closeErr)
		case <-time.After(guard):
			c.t.Fatal("socket was not closed")
		}
	}
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

// fakeClock is a hub.Clock that moves only when a test calls Advance; due
// callbacks run inside Advance, in time order, without the clock's lock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c     *fakeClock
	at    time.Time
	f     func()
	state int // 0 pending, 1 stopped, 2 fired
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) hub.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.state != 0 {
		return false
	}
	t.state = 1
	return true
}

// Advance moves the clock by d and runs the callbacks that fell due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due, rest []*fakeTimer
	for _, t := range c.timers {
		switch {
		case t.state != 0:
		case !t.at.After(c.now):
			t.state = 2
			due = append(due, t)
		default:
			rest = append(rest, t)
		}
	}
	c.timers = rest
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

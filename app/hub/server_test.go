package hub

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/db"
	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
)

// guard bounds every wait of a test: it only turns a hang into a failure,
// no test asserts on how long something took.
const guard = apptest.Guard

// server is the whole real-time path on a fresh database: the stores, auth,
// web.Authenticate, the bus, the inbox, the dispatcher and the hub on a
// real HTTP listener, with a fake clock driving the hub.
type server struct {
	t     testing.TB
	base  string // http://127.0.0.1:port, also the configured base URL
	cfg   app.Config
	db    *db.DB
	notes *db.NotificationStore
	mutes *db.MuteStore
	prefs *db.PreferenceStore
	users *db.UserStore
	auth  *auth.Service
	bus   *bus.Bus
	hub   *Hub
	clock *clocktest.Fake
	disp  *notify.Dispatcher
}

func newServer(t *testing.T, configure ...func(*app.Config)) *server {
	t.Helper()
	clock := clocktest.New()
	s := newServerWithClock(t, clock, configure...)
	s.clock = clock
	return s
}

// newServerWithClock is newServer with any clock; s.clock stays nil.
func newServerWithClock(t testing.TB, clk clock.Clock, configure ...func(*app.Config)) *server {
	t.Helper()
	gin.SetMode(gin.TestMode)
	hs := httptest.NewUnstartedServer(nil)
	s := &server{t: t, base: "http://" + hs.Listener.Addr().String(), bus: bus.New()}
	s.cfg = app.DefaultConfig()
	s.cfg.Server.BaseURL = s.base
	for _, f := range configure {
		f(&s.cfg)
	}
	d := apptest.OpenDB(t)
	types, err := app.NewTypes(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.db, s.notes, s.mutes, s.prefs, s.users = d, db.NewNotificationStore(d), db.NewMuteStore(d), db.NewPreferenceStore(d), db.NewUserStore(d)
	s.auth = apptest.Auth(d)
	s.disp = notify.New(notify.Deps{Types: types, Users: s.users, Notifications: s.notes,
		Preferences: s.prefs, Mutes: s.mutes, Changes: s.bus})
	s.hub = New(Deps{BaseURL: s.cfg.Server.BaseURL, WebSocket: s.cfg.WebSocket, Storm: s.cfg.Storm,
		Notifications: s.notes, Mutes: s.mutes, Inbox: notify.NewInbox(s.notes, d, s.bus), Clock: clk,
		Logger: apptest.Logger()})
	s.bus.Subscribe(s.hub.Handle)
	engine := gin.New()
	engine.Use(web.WithLogger(apptest.Logger()))
	s.hub.Register(engine, web.Authenticate(s.auth))
	hs.Config.Handler = engine
	hs.Start()
	t.Cleanup(func() {
		s.hub.Close()
		hs.Close()
	})
	return s
}

// user creates a user directly in the store, with the shared password.
func (s *server) user(name string) *app.User {
	s.t.Helper()
	return s.newUser(name, false)
}

// admin creates an administrator.
func (s *server) admin(name string) *app.User {
	s.t.Helper()
	return s.newUser(name, true)
}

func (s *server) newUser(name string, admin bool) *app.User {
	s.t.Helper()
	return apptest.User(s.t, s.users, name, admin)
}

func (s *server) token(u *app.User, scope app.Scope) string {
	s.t.Helper()
	return apptest.Token(s.t, s.auth, u, scope)
}

func (s *server) cookie(u *app.User) string {
	s.t.Helper()
	return apptest.Login(s.t, s.auth, u)
}

// notify publishes an event of u to u through the dispatcher and returns
// the id of the notification it created.
func (s *server) notify(u *app.User, ev app.Event) string {
	s.t.Helper()
	res, err := s.disp.Notify(context.Background(), u, &ev)
	if err != nil {
		s.t.Fatal(err)
	}
	if len(res.Notifications) != 1 {
		s.t.Fatalf("notify created %d notifications, want 1", len(res.Notifications))
	}
	return res.Notifications[0].ID
}

func jobFailed(title string) app.Event {
	return app.Event{Type: "job_failed", Title: title, Level: app.LevelError}
}

// publish announces a change of u's notifications, as the API does after a
// write.
func (s *server) publish(u *app.User, kind app.ChangeKind) {
	s.bus.Publish(context.Background(), app.Change{Kind: kind, UserID: u.ID})
}

// wsURL is the endpoint's ws:// address.
func (s *server) wsURL() string { return "ws" + strings.TrimPrefix(s.base, "http") + Path }

// cred is how a test client authenticates its handshake.
type cred func(http.Header)

func cookieAuth(c string) cred {
	return func(h http.Header) { h.Set("Cookie", web.SessionCookie+"="+c) }
}

func bearerAuth(secret string) cred {
	return func(h http.Header) { h.Set("Authorization", "Bearer "+secret) }
}

func origin(o string) cred {
	return func(h http.Header) { h.Set("Origin", o) }
}

// dial opens a socket for u and waits until the hub has indexed it, so that
// a change published next reaches it.
func (s *server) dial(u *app.User, creds ...cred) *client {
	s.t.Helper()
	before := len(s.hub.reg.UserConns(u.ID))
	c := s.dialRaw(creds, nil)
	s.waitFor("socket indexed", func() bool { return len(s.hub.reg.UserConns(u.ID)) > before })
	return c
}

func (s *server) dialRaw(creds []cred, hc *http.Client) *client {
	s.t.Helper()
	h := http.Header{}
	for _, f := range creds {
		f(h)
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, s.wsURL(), &websocket.DialOptions{HTTPHeader: h, HTTPClient: hc})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("dial: %v (status %d)", err, status)
	}
	return &client{WS: apptest.Serve(s.t, conn), t: s.t}
}

// waitFor polls cond until it holds, failing the test after guard.
func (s *server) waitFor(what string, cond func() bool) {
	s.t.Helper()
	apptest.WaitFor(s.t, what, cond)
}

// client is the kit's WebSocket client, reading the hub's frames.
type client struct {
	*apptest.WS
	t testing.TB
}

// frame is any server frame, decoded; keys keeps the raw members so tests
// can check that a member is present and null.
type frame struct {
	Type         string  `json:"type"`
	Count        any     `json:"notification_count"`
	Reload       bool    `json:"reload_widget"`
	Notification *toast  `json:"notification"`
	ValidTill    *string `json:"valid_till"`
	keys         map[string]json.RawMessage
}

// next returns the next frame, failing the test if none comes or the
// socket closes.
func (c *client) next() frame {
	c.t.Helper()
	msg := c.Next()
	var f frame
	if err := json.Unmarshal(msg, &f); err != nil {
		c.t.Fatalf("frame %s: %v", msg, err)
	}
	if err := json.Unmarshal(msg, &f.keys); err != nil {
		c.t.Fatalf("frame %s: %v", msg, err)
	}
	return f
}

// closeStatus waits for the socket to be closed by the server and returns
// the close code (-1 when the connection ended without a close frame).
func (c *client) closeStatus() websocket.StatusCode {
	c.t.Helper()
	return c.CloseStatus()
}

func (c *client) send(msg string) {
	c.t.Helper()
	c.Send(msg)
}

// wantPush checks a notification frame's count, reload flag and whether it
// carries a toast.
func wantPush(t *testing.T, f frame, count any, reload, toast bool) {
	t.Helper()
	if f.Type != "notification" {
		t.Fatalf("type %q, want notification", f.Type)
	}
	for _, k := range []string{"notification_count", "reload_widget", "notification"} {
		if _, ok := f.keys[k]; !ok {
			t.Fatalf("frame lacks %q: %v", k, f.keys)
		}
	}
	if len(f.keys) != 4 {
		t.Fatalf("frame has members %v, want type, notification_count, reload_widget, notification", f.keys)
	}
	if n, ok := f.Count.(float64); ok {
		f.Count = int(n)
	}
	if count != nil && f.Count != count {
		t.Fatalf("notification_count %v, want %v", f.Count, count)
	}
	if f.Reload != reload {
		t.Fatalf("reload_widget %v, want %v", f.Reload, reload)
	}
	if (f.Notification != nil) != toast {
		t.Fatalf("notification %s, want toast %v", f.keys["notification"], toast)
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

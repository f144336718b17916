package channels

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
)

// guard bounds every wait of a test: it only turns a hang into a failure;
// no test asserts on how long something took.
const guard = apptest.Guard

// server is the channels service on a fresh database behind a real HTTP
// listener, with web.Authenticate in front and a fake clock for typing.
type server struct {
	t     testing.TB
	base  string
	cfg   app.Config
	db    *db.DB
	store *db.ChannelStore
	users *db.UserStore
	auth  *auth.Service
	svc   *Service
	clock *clocktest.Fake
	hs    *httptest.Server
}

// newServer starts a server; opts adjust the database options (durability
// "normal" unless changed).
func newServer(t testing.TB, opts ...func(*db.Options)) *server {
	t.Helper()
	return newConfiguredServer(t, nil, opts...)
}

// newConfiguredServer is newServer with the configuration changed by
// configure first.
func newConfiguredServer(t testing.TB, configure func(*app.Config), opts ...func(*db.Options)) *server {
	t.Helper()
	gin.SetMode(gin.TestMode)
	hs := httptest.NewUnstartedServer(nil)
	s := &server{t: t, base: "http://" + hs.Listener.Addr().String(), hs: hs, clock: clocktest.New()}
	s.cfg = app.DefaultConfig()
	s.cfg.Server.BaseURL = s.base
	if configure != nil {
		configure(&s.cfg)
	}
	o := db.Options{DatabaseConfig: apptest.Config(t).Database}
	for _, f := range opts {
		f(&o)
	}
	d, err := db.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.db, s.store, s.users = d, db.NewChannelStore(d), db.NewUserStore(d)
	s.auth = apptest.Auth(d)
	s.svc = New(Deps{BaseURL: s.cfg.Server.BaseURL, WebSocket: s.cfg.WebSocket, Store: s.store, Users: s.users,
		Clock: s.clock, Logger: apptest.Logger()})
	engine := gin.New()
	// As the server installs them in front of every route.
	engine.Use(web.WithLogger(apptest.Logger()), web.CrossOriginGuard(s.base))
	s.svc.Register(engine, web.Authenticate(s.auth))
	hs.Config.Handler = engine
	hs.Start()
	t.Cleanup(func() {
		s.svc.Close()
		hs.Close()
	})
	return s
}

// person is a test user with a client token.
type person struct {
	*app.User
	token string
}

// user creates a user with a client token.
func (s *server) user(name string) *person {
	s.t.Helper()
	u := apptest.User(s.t, s.users, name, false)
	return &person{User: u, token: s.token(u, app.ScopeClient)}
}

func (s *server) token(u *app.User, scope app.Scope) string {
	s.t.Helper()
	return apptest.Token(s.t, s.auth, u, scope)
}

// session opens a browser session of p, returning the session cookie.
func (s *server) session(p *person) string {
	s.t.Helper()
	return apptest.Login(s.t, s.auth, p.User)
}

// waitFor polls cond until it holds, failing the test after guard.
func (s *server) waitFor(what string, cond func() bool) {
	s.t.Helper()
	apptest.WaitFor(s.t, what, cond)
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

package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/webhook"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
)

// belfry is a whole Belfry on loopback — real SQLite, auth, bus,
// dispatcher, JSON API, hub and UI — as the browser and handler tests need.
type belfry struct {
	t     *testing.T
	URL   string
	DB    *db.DB
	Auth  *auth.Service
	Types *app.Types
	Notes *db.NotificationStore
	Prefs *db.PreferenceStore
	Mutes *db.MuteStore
	Users *db.UserStore
	Hub   *hub.Hub
	// Webhooks is the store behind the webhooks page's service; Channels
	// backs the channels pages.
	Webhooks *db.WebhookStore
	Channels *channels.Service
	// Changes records what the UI published on the bus.
	Changes *changeLog
	UI      *UI
	// BlockSockets makes WebSocket handshakes fail with 503, as while the
	// server is away.
	BlockSockets atomic.Bool
}

// changeLog records the changes published on the bus.
type changeLog struct{ ch chan app.Change }

func (l *changeLog) kinds() []app.ChangeKind {
	var out []app.ChangeKind
	for {
		select {
		case c := <-l.ch:
			out = append(out, c.Kind)
		default:
			return out
		}
	}
}

const testPassword = "correct horse battery"

func newBelfry(t *testing.T) *belfry {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	d, err := db.Open(db.Options{Path: filepath.Join(t.TempDir(), "b.db"), Durability: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.Server.BaseURL = "http://" + ln.Addr().String()
	types, err := app.NewTypes([]app.NotificationType{{Name: "backup_done", InApp: true, Toast: true, Description: "A backup finished"}})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := &belfry{t: t, URL: cfg.Server.BaseURL, DB: d, Types: types,
		Notes: db.NewNotificationStore(d), Prefs: db.NewPreferenceStore(d), Mutes: db.NewMuteStore(d), Users: db.NewUserStore(d),
		Changes: &changeLog{ch: make(chan app.Change, 1024)}}
	tokens, sessions := db.NewTokenStore(d), db.NewSessionStore(d)
	b.Auth = auth.New(auth.Options{Users: b.Users, Tokens: tokens, Sessions: sessions, Logger: logger})
	changes := bus.New()
	changes.Subscribe(func(c app.Change) {
		select {
		case b.Changes.ch <- c:
		default:
		}
	})
	b.Hub = hub.New(hub.Deps{Config: cfg, Notifications: b.Notes, Mutes: b.Mutes, Changes: changes, Logger: logger})
	changes.Subscribe(b.Hub.Handle)
	b.Webhooks = db.NewWebhookStore(d)
	hooks := webhook.Deps{Config: cfg, Types: types, Store: b.Webhooks, Logger: logger}
	b.Channels = channels.New(channels.Deps{Config: cfg, Store: db.NewChannelStore(d), Users: b.Users, Logger: logger})
	disp := notify.New(notify.Deps{Types: types, Users: b.Users, Notifications: b.Notes, Preferences: b.Prefs,
		Mutes: b.Mutes, Changes: changes, Logger: logger})
	a := api.New(api.Deps{Config: cfg, Types: types, Auth: b.Auth, Users: b.Users, Notifications: b.Notes,
		Preferences: b.Prefs, Mutes: b.Mutes, Dispatcher: disp, Changes: changes, Logger: logger})
	b.UI, err = New(Deps{Config: cfg, Types: types, Auth: b.Auth, Users: b.Users, Tokens: tokens, Notifications: b.Notes,
		Preferences: b.Prefs, Mutes: b.Mutes, Changes: changes, Logger: logger,
		Webhooks: webhook.NewService(hooks, webhook.NewWorker(hooks)), Channels: b.Channels,
		FirstRunHint: "The admin password was printed once when Belfry first started."})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	a.Register(r)
	b.Hub.Register(r, a.Authenticate())
	b.Channels.Register(r, a.Authenticate())
	b.UI.Register(r, a.Authenticate())
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if b.BlockSockets.Load() && strings.HasPrefix(req.URL.Path, "/ws/") {
			http.Error(w, "away", http.StatusServiceUnavailable)
			return
		}
		r.ServeHTTP(w, req)
	}))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		_ = b.Hub.Close()
		_ = b.Channels.Close()
		srv.Close()
	})
	return b
}

// user creates a user with testPassword.
func (b *belfry) user(name string, admin bool) *app.User {
	b.t.Helper()
	u, err := b.Auth.CreateUser(context.Background(), name, testPassword, admin)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// token creates a publish token of u.
func (b *belfry) token(u *app.User) string {
	b.t.Helper()
	secret, _, err := b.Auth.CreateToken(context.Background(), u.ID, "test", app.ScopePublish)
	if err != nil {
		b.t.Fatal(err)
	}
	return secret
}

// publish posts an event with a token, as a script would; it returns the id
// of the one notification created (or "" when none was).
func (b *belfry) publish(token string, ev map[string]any) string {
	b.t.Helper()
	body, _ := json.Marshal(ev)
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/api/v1/events", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Notifications []struct{ ID string } `json:"notifications"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		b.t.Fatalf("publish: %d %s", resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		b.t.Fatal(err)
	}
	if len(out.Notifications) == 0 {
		return ""
	}
	return out.Notifications[0].ID
}

// client is a browser-like HTTP client: a cookie jar, no redirects
// followed, and the Origin and Sec-Fetch-Site headers a browser sends.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

// login signs in through POST /login and returns a client with the cookie.
func (b *belfry) login(name string) *client {
	b.t.Helper()
	c := b.anonymous()
	resp := c.do(http.MethodPost, "/login", url.Values{"username": {name}, "password": {testPassword}}, false)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == "/login?error=1" {
		b.t.Fatalf("login %s: %d %s", name, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

func (b *belfry) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: b.t, base: b.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// do sends a request; form goes in the body for POST and PUT, in the query
// otherwise. htmx sets HX-Request.
func (c *client) do(method, path string, form url.Values, htmx bool) *http.Response {
	c.t.Helper()
	var body io.Reader
	if form != nil && (method == http.MethodPost || method == http.MethodPut) {
		body = strings.NewReader(form.Encode())
	} else if form != nil {
		path += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Current-URL", c.base+"/notifications")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// get fetches a page or partial and returns its status and body.
func (c *client) get(path string, htmx bool) (int, string) {
	c.t.Helper()
	resp := c.do(http.MethodGet, path, nil, htmx)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// send sends a form and returns the status and body.
func (c *client) send(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	resp := c.do(method, path, form, true)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// appFilter selects every notification of userID.
func appFilter(userID string) app.NotificationFilter { return app.NotificationFilter{UserID: userID} }

// regexpMatch reports whether the pattern matches s.
func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

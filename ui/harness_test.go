package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db"
)

// belfry is the whole application on loopback, wired by server.New, as the
// browser and handler tests need, with a custom notification type.
type belfry struct {
	*servertest.App
	t *testing.T
	// Changes records what the bus carried.
	Changes *changeLog
	// BlockSockets makes WebSocket handshakes fail with 503, as while the
	// server is away.
	BlockSockets *atomic.Bool
	// Unreachable makes every HTTP request but the socket's fail as a
	// network error (the connection is closed unanswered), as while the
	// server is down behind a proxy.
	Unreachable *atomic.Bool
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

const testPassword = apptest.Password

func newBelfry(t *testing.T) *belfry {
	t.Helper()
	return newBelfryWith(t, nil)
}

// newBelfryWith is newBelfry with more configuration by configure.
func newBelfryWith(t *testing.T, configure func(*app.Config)) *belfry {
	t.Helper()
	blocked, unreachable := &atomic.Bool{}, &atomic.Bool{}
	a := servertest.New(t,
		servertest.WithConfig(func(c *app.Config) {
			c.Auth.AdminPassword = "" // the first admin's password is printed, as on a first start
			c.Notifications.Types = []app.NotificationType{{Name: "backup_done", InApp: true, Toast: true, Description: "A backup finished"}}
			if configure != nil {
				configure(c)
			}
		}),
		servertest.WithHandler(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if blocked.Load() && strings.HasPrefix(req.URL.Path, "/ws/") {
					http.Error(w, "away", http.StatusServiceUnavailable)
					return
				}
				if unreachable.Load() && !strings.HasPrefix(req.URL.Path, "/ws/") {
					if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
						_ = conn.Close()
						return
					}
				}
				h.ServeHTTP(w, req)
			})
		}))
	b := &belfry{App: a, t: t, Changes: &changeLog{ch: make(chan app.Change, 1024)}, BlockSockets: blocked, Unreachable: unreachable}
	b.Bus.Subscribe(func(c app.Change) {
		select {
		case b.Changes.ch <- c:
		default:
		}
	})
	return b
}

// user creates a user with testPassword.
func (b *belfry) user(name string, admin bool) *app.User {
	b.t.Helper()
	return b.User(name, admin)
}

// token creates a publish token of u.
func (b *belfry) token(u *app.User) string {
	b.t.Helper()
	return b.Token(u, app.ScopePublish)
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
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login?error=1") {
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
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8") // what a browser sends
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

// webhooks is the store of the webhooks pages.
func (b *belfry) webhooks() *db.WebhookStore { return db.NewWebhookStore(b.DB) }

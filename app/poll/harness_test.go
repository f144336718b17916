package poll

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

const base = "/api/v1/client/notifications"

// harness is the polling API over a real SQLite database, real auth and a
// real HTTP server.
type harness struct {
	t       testing.TB
	db      *db.DB
	store   *db.NotificationStore
	users   *db.UserStore
	auth    *auth.Service
	poll    *Server
	bus     *bus.Bus
	clock   *clocktest.Fake
	srv     *httptest.Server
	changes *changeLog
}

// changeLog records what the bus carried.
type changeLog struct {
	mu  sync.Mutex
	all []app.Change
}

func (l *changeLog) add(c app.Change) {
	l.mu.Lock()
	l.all = append(l.all, c)
	l.mu.Unlock()
}

func (l *changeLog) of(kind app.ChangeKind) []app.Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []app.Change
	for _, c := range l.all {
		if c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

func quietLogger() *slog.Logger { return apptest.Logger() }

// newHarness starts the API; limits set Polling.RatePerSecond and Burst
// (generous when nil).
func newHarness(t testing.TB, limits *app.PollingConfig) *harness {
	t.Helper()
	ctx := context.Background()
	d := apptest.OpenDB(t)
	key, err := db.CursorKey(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.Polling = app.PollingConfig{RatePerSecond: 1000, Burst: 1000000}
	if limits != nil {
		cfg.Polling = *limits
	}
	h := &harness{t: t, db: d, store: db.NewNotificationStore(d), users: db.NewUserStore(d),
		bus: bus.New(), clock: clocktest.At(time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)), changes: &changeLog{}}
	h.auth = apptest.Auth(d)
	h.poll = New(Deps{Polling: cfg.Polling, Notifications: h.store, Counts: db.NewNotificationTotals(d),
		Inbox: notify.NewInbox(h.store, d, h.bus), CursorKey: key, Clock: h.clock, Logger: quietLogger()})
	h.bus.Subscribe(h.poll.Handle)
	h.bus.Subscribe(h.changes.add)
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(web.WithLogger(quietLogger()))
	h.poll.Register(r, web.Authenticate(h.auth))
	h.srv = httptest.NewServer(r)
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { _ = h.poll.Close() })
	return h
}

// user creates a user and a client token for them.
func (h *harness) user(name string) (*app.User, string) {
	h.t.Helper()
	u := apptest.User(h.t, h.users, name, false)
	return u, h.token(u, app.ScopeClient)
}

func (h *harness) token(u *app.User, scope app.Scope) string {
	h.t.Helper()
	return apptest.Token(h.t, h.auth, u, scope)
}

// notif describes a notification to insert; zero fields get defaults.
type notif struct {
	at        time.Time
	service   string
	project   string
	targetURL string
}

// insert stores notifications for u and publishes them like the
// dispatcher does; it returns them in insertion order.
func (h *harness) insert(u *app.User, specs ...notif) []*app.Notification {
	h.t.Helper()
	ns := make([]*app.Notification, len(specs))
	for i, sp := range specs {
		at := sp.at
		if at.IsZero() {
			at = time.Now()
		}
		ns[i] = &app.Notification{
			ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, Type: "job_failed", Level: app.LevelError,
			Title: fmt.Sprintf("Job %d failed", i), Body: "**exit 1**", Data: json.RawMessage(`{"job":"backup"}`),
			TargetURL: sp.targetURL, ServiceID: sp.service, Project: sp.project, CreatedAt: at, Status: app.StatusPending,
		}
	}
	if err := h.store.CreateNotifications(context.Background(), ns, nil); err != nil {
		h.t.Fatal(err)
	}
	for _, n := range ns {
		h.bus.Publish(context.Background(), app.Change{Kind: app.ChangeCreated, UserID: u.ID, Notification: n})
	}
	return ns
}

// series returns n specs one second apart, the oldest first, starting at t0.
func series(n int, t0 time.Time, mod func(i int, s *notif)) []notif {
	out := make([]notif, n)
	for i := range out {
		out[i] = notif{at: t0.Add(time.Duration(i) * time.Second)}
		if mod != nil {
			mod(i, &out[i])
		}
	}
	return out
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request performs method path with the token (none when ""); headers are
// "Name: value" strings.
func (h *harness) request(ctx context.Context, method, path, token, body string, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, hv := range headers {
		name, value, _ := strings.Cut(hv, ": ")
		req.Header.Set(name, value)
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) get(path, token string, headers ...string) response {
	h.t.Helper()
	return h.request(context.Background(), http.MethodGet, path, token, "", headers...)
}

func (h *harness) post(path, token, body string) response {
	h.t.Helper()
	return h.request(context.Background(), http.MethodPost, path, token, body)
}

// list is GET base?query, which must succeed.
func (h *harness) list(token, query string) listBody {
	h.t.Helper()
	r := h.get(base+"?"+query, token)
	if r.status != http.StatusOK {
		h.t.Fatalf("GET ?%s = %d %s", query, r.status, r.body)
	}
	var lb listBody
	if err := json.Unmarshal(r.body, &lb); err != nil {
		h.t.Fatalf("GET ?%s: %v in %s", query, err, r.body)
	}
	return lb
}

// listBody mirrors the list answer for tests.
type listBody struct {
	Notifications []map[string]any `json:"notifications"`
	Pagination    struct {
		NextCursor *string `json:"next_cursor"`
		HasMore    bool    `json:"has_more"`
		TotalCount int     `json:"total_count"`
	} `json:"pagination"`
}

func (lb listBody) ids() []string {
	out := make([]string, len(lb.Notifications))
	for i, n := range lb.Notifications {
		out[i], _ = n["id"].(string)
	}
	return out
}

// errorBody is the error envelope.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks an error answer's status, code and that its message
// mentions each of words.
func wantError(t *testing.T, r response, status int, code string, words ...string) {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("status %d, body %q is not the error envelope: %v", r.status, r.body, err)
	}
	if r.status != status || eb.Error.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", r.status, eb.Error.Code, eb.Error.Message, status, code)
	}
	for _, w := range words {
		if !strings.Contains(eb.Error.Message, w) {
			t.Fatalf("message %q does not mention %q", eb.Error.Message, w)
		}
	}
}

func ids(ns []*app.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// watched reports whether anyone watches userID's notifications.
func (w *waiters) watched(userID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.users[userID] != nil
}

package api_test

import (
	"context"
	"encoding/json"
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
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

const password = "correct horse"

// passwordHash is computed once: argon2id is deliberately slow.
var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(password)
	if err != nil {
		panic(err)
	}
	return h
})

// harness is the API on a fresh database with three users: alice and bob
// (plain users) and root (an administrator), and tokens of every scope.
type harness struct {
	t       *testing.T
	engine  *gin.Engine
	db      *db.DB
	auth    *auth.Service
	notes   *db.NotificationStore
	prefs   *db.PreferenceStore
	mutes   *db.MuteStore
	changes *changeLog

	alice, bob, root                   *app.User
	aliceClient, alicePublish          string // token secrets
	bobClient                          string
	rootAdmin, aliceCookie, rootCookie string
}

type option func(*api.Deps)

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	d, err := db.Open(db.Options{Path: filepath.Join(t.TempDir(), "b.db"), Durability: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	types, err := app.NewTypes(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: d, notes: db.NewNotificationStore(d), prefs: db.NewPreferenceStore(d),
		mutes: db.NewMuteStore(d), changes: &changeLog{}}
	users := db.NewUserStore(d)
	h.auth = auth.New(auth.Options{Users: users, Tokens: db.NewTokenStore(d), Sessions: db.NewSessionStore(d)})
	b := bus.New()
	b.Subscribe(h.changes.add)
	cfg := app.DefaultConfig()
	cfg.Server.BaseURL = "http://belfry.test"
	deps := api.Deps{
		Config: cfg, Types: types, Auth: h.auth, Users: users,
		Notifications: h.notes, Preferences: h.prefs, Mutes: h.mutes,
		Dispatcher: notify.New(notify.Deps{Types: types, Users: users, Notifications: h.notes,
			Preferences: h.prefs, Mutes: h.mutes, Changes: b}),
		Changes: b, Ready: d.Ping, Version: "test",
	}
	for _, o := range opts {
		o(&deps)
	}
	h.engine = gin.New()
	api.New(deps).Register(h.engine)

	h.alice = h.user("alice", false)
	h.bob = h.user("bob", false)
	h.root = h.user("root", true)
	h.aliceClient = h.token(h.alice, app.ScopeClient)
	h.alicePublish = h.token(h.alice, app.ScopePublish)
	h.bobClient = h.token(h.bob, app.ScopeClient)
	h.rootAdmin = h.token(h.root, app.ScopeAdmin)
	h.aliceCookie = h.login("alice")
	h.rootCookie = h.login("root")
	return h
}

func (h *harness) user(name string, admin bool) *app.User {
	h.t.Helper()
	id, _ := uuid.NewV7()
	u := &app.User{ID: id.String(), Username: name, IsAdmin: admin, PasswordHash: passwordHash(), CreatedAt: time.Now()}
	if err := db.NewUserStore(h.db).CreateUser(context.Background(), u); err != nil {
		h.t.Fatal(err)
	}
	return u
}

func (h *harness) token(u *app.User, scope app.Scope) string {
	h.t.Helper()
	secret, _, err := h.auth.CreateToken(context.Background(), u.ID, string(scope), scope)
	if err != nil {
		h.t.Fatal(err)
	}
	return secret
}

func (h *harness) login(name string) string {
	h.t.Helper()
	cookie, _, err := h.auth.Login(context.Background(), name, password)
	if err != nil {
		h.t.Fatal(err)
	}
	return cookie
}

// publish sends an event of alice's through the API and returns the ids of
// the notifications it created.
func (h *harness) publish(cred reqOpt, body string) []string {
	h.t.Helper()
	rec := h.do("POST", "/api/v1/events", body, cred)
	wantStatus(h.t, rec, http.StatusAccepted)
	var res struct {
		Notifications []struct{ ID string } `json:"notifications"`
	}
	decode(h.t, rec, &res)
	ids := make([]string, len(res.Notifications))
	for i, n := range res.Notifications {
		ids[i] = n.ID
	}
	return ids
}

// reqOpt adjusts a test request: credentials, headers.
type reqOpt func(*http.Request)

func bearer(secret string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }
}

func cookie(value string) reqOpt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: value}) }
}

func header(k, v string) reqOpt {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

// do serves one request. A non-empty body is sent as JSON unless an option
// sets another Content-Type.
func (h *harness) do(method, path, body string, opts ...reqOpt) *httptest.ResponseRecorder {
	h.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(r)
	}
	rec := httptest.NewRecorder()
	h.engine.ServeHTTP(rec, r)
	return rec
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
}

// wantError checks status and the envelope {"error":{"code","message"}},
// nothing else, and returns the message.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) string {
	t.Helper()
	wantStatus(t, rec, status)
	var env map[string]map[string]string
	decode(t, rec, &env)
	e, ok := env["error"]
	if len(env) != 1 || !ok || len(e) != 2 || e["message"] == "" {
		t.Fatalf("not an error envelope: %s", rec.Body)
	}
	if e["code"] != code {
		t.Fatalf("code %s, want %s; body %s", e["code"], code, rec.Body)
	}
	return e["message"]
}

// wantJSON checks status and that the body equals want as JSON.
func wantJSON(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	wantStatus(t, rec, status)
	var got, exp any
	decode(t, rec, &got)
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(exp)
	if string(g) != string(w) {
		t.Fatalf("body %s, want %s", g, w)
	}
}

// changeLog records what the bus carried.
type changeLog struct {
	mu   sync.Mutex
	list []app.Change
}

func (l *changeLog) add(c app.Change) {
	l.mu.Lock()
	l.list = append(l.list, c)
	l.mu.Unlock()
}

// take returns the changes since the last take.
func (l *changeLog) take() []app.Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.list
	l.list = nil
	return out
}

// kinds lists the kinds and users of changes.
func kinds(cs []app.Change) []app.ChangeKind {
	out := make([]app.ChangeKind, len(cs))
	for i, c := range cs {
		out[i] = c.Kind
	}
	return out
}

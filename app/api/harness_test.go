package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
)

const password = apptest.Password

// harness is the whole application on a fresh database with three users:
// alice and bob (plain users) and root (an administrator), tokens of every
// scope, and a log of the changes the bus carried.
type harness struct {
	*servertest.App
	t       *testing.T
	changes *changeLog

	alice, bob, root                   *app.User
	aliceClient, alicePublish          string // token secrets
	bobClient                          string
	rootAdmin, aliceCookie, rootCookie string
}

func newHarness(t *testing.T, opts ...servertest.Option) *harness {
	t.Helper()
	h := &harness{App: servertest.New(t, opts...), t: t, changes: &changeLog{}}
	h.Bus.Subscribe(h.changes.add)
	h.alice = h.User("alice", false)
	h.bob = h.User("bob", false)
	h.root = h.User("root", true)
	h.aliceClient = h.Token(h.alice, app.ScopeClient)
	h.alicePublish = h.Token(h.alice, app.ScopePublish)
	h.bobClient = h.Token(h.bob, app.ScopeClient)
	h.rootAdmin = h.Token(h.root, app.ScopeAdmin)
	h.aliceCookie = h.Session(h.alice)
	h.rootCookie = h.Session(h.root)
	return h
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
type reqOpt = func(*servertest.Request)

func bearer(secret string) reqOpt { return servertest.Bearer(secret) }

func cookie(value string) reqOpt { return servertest.Cookie(value) }

func header(k, v string) reqOpt { return servertest.Header(k, v) }

// do serves one request through the application's handler.
func (h *harness) do(method, path, body string, opts ...reqOpt) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.Do(method, path, body, opts...)
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

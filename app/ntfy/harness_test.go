package ntfy_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// harness is the whole application on loopback with a user, alice, and
// her publish token; requests go over real HTTP.
type harness struct {
	t     *testing.T
	a     *servertest.App
	alice *app.User
	token string
}

func newHarness(t *testing.T, opts ...servertest.Option) *harness {
	t.Helper()
	a := servertest.New(t, opts...)
	alice := a.User("alice", false)
	return &harness{t: t, a: a, alice: alice, token: a.Token(alice, app.ScopePublish)}
}

// req is one request: a method, a path with its query, a body and headers
// as "Name: value" lines, the way the tools' docs write them.
type req struct {
	method, path, body string
	headers            []string
	noAuth             bool // send no Authorization header of alice's
}

// reply is what the server answered.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(r req) reply {
	h.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, h.a.URL+r.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if !r.noAuth {
		hr.Header.Set("Authorization", "Bearer "+h.token)
	}
	for _, line := range r.headers {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			h.t.Fatalf("bad header line %q", line)
		}
		hr.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// answer is ntfy's message JSON as clients read it.
type answer struct {
	ID          string   `json:"id"`
	Time        int64    `json:"time"`
	Event       string   `json:"event"`
	Topic       string   `json:"topic"`
	Title       string   `json:"title"`
	Message     string   `json:"message"`
	Priority    int      `json:"priority"`
	Tags        []string `json:"tags"`
	Click       string   `json:"click"`
	Icon        string   `json:"icon"`
	ContentType string   `json:"content_type"`
	SequenceID  string   `json:"sequence_id"`
	Actions     []struct {
		Action, Label, URL string
	} `json:"actions"`
}

// published sends r, expects ntfy's 200 answer and returns it with the
// notification it created.
func (h *harness) published(r req) (answer, *app.Notification) {
	h.t.Helper()
	rp := h.do(r)
	if rp.status != http.StatusOK {
		h.t.Fatalf("%s %s: status %d: %s", r.method, r.path, rp.status, rp.body)
	}
	var a answer
	if err := json.Unmarshal(rp.body, &a); err != nil {
		h.t.Fatalf("answer %s: %v", rp.body, err)
	}
	if a.Event != "message" || a.ID == "" || a.Time == 0 || a.Topic == "" {
		h.t.Fatalf("answer is not ntfy's message JSON: %s", rp.body)
	}
	n, err := h.a.Notifications.FindNotification(context.Background(), a.ID)
	if err != nil {
		h.t.Fatalf("notification %s of the answer: %v", a.ID, err)
	}
	return a, n
}

// ntfyError is ntfy's error JSON.
type ntfyError struct {
	Code  int    `json:"code"`
	HTTP  int    `json:"http"`
	Error string `json:"error"`
	Link  string `json:"link"`
}

// refused sends r and expects ntfy's error: status, code, and an error
// text holding every one of want; no notification is created.
func (h *harness) refused(r req, status, code int, want ...string) ntfyError {
	h.t.Helper()
	before := h.count()
	rp := h.do(r)
	var e ntfyError
	if err := json.Unmarshal(rp.body, &e); err != nil {
		h.t.Fatalf("%s %s: not ntfy's error JSON: %d %s", r.method, r.path, rp.status, rp.body)
	}
	if rp.status != status || e.HTTP != status || e.Code != code {
		h.t.Fatalf("%s %s %v: got %d %s; want %d code %d", r.method, r.path, r.headers, rp.status, rp.body, status, code)
	}
	for _, w := range want {
		if !strings.Contains(e.Error, w) {
			h.t.Errorf("%s %s %v: error %q does not say %q", r.method, r.path, r.headers, e.Error, w)
		}
	}
	if after := h.count(); after != before {
		h.t.Errorf("%s %s: a refused message created %d notifications", r.method, r.path, after-before)
	}
	return e
}

// count is the number of notifications in the database.
func (h *harness) count() int {
	h.t.Helper()
	var n int
	if err := h.a.DB.Reader().QueryRow("SELECT COUNT(*) FROM notifications").Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// data decodes a notification's data.
func data(t *testing.T, n *app.Notification) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(n.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

package hooks_test

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

// harness is the whole application on loopback with alice and her publish
// token; hook requests go over real HTTP.
type harness struct {
	t     *testing.T
	a     *servertest.App
	alice *app.User
	token string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	a := servertest.New(t)
	alice := a.User("alice", false)
	return &harness{t: t, a: a, alice: alice, token: a.Token(alice, app.ScopePublish)}
}

// reply is an HTTP answer.
type reply struct {
	status int
	body   string
}

// decode decodes the answer into v.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
}

// errorCode returns the code and message of an error envelope.
func (r reply) errorCode(t *testing.T) (string, string) {
	t.Helper()
	var env struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	r.decode(t, &env)
	return env.Error.Code, env.Error.Message
}

// send makes one HTTP request to the server; headers are name, value
// pairs.
func (h *harness) send(method, path, contentType, body string, headers ...string) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.a.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

// post sends JSON with alice's token as a bearer.
func (h *harness) post(path, body string, headers ...string) reply {
	h.t.Helper()
	return h.send(http.MethodPost, path, "application/json", body, append([]string{"Authorization", "Bearer " + h.token}, headers...)...)
}

// result is a hook's answer.
type result struct {
	Notifications []app.NotificationRef `json:"notifications"`
	Webhooks      int                   `json:"webhooks"`
	Resolved      []app.NotificationRef `json:"resolved"`
	Repeated      int                   `json:"repeated"`
	Ignored       string                `json:"ignored"`
}

// accepted checks a 202 with n notifications and returns the answer.
func (h *harness) accepted(r reply, n int) result {
	h.t.Helper()
	if r.status != http.StatusAccepted {
		h.t.Fatalf("status %d, want 202\n%s", r.status, r.body)
	}
	var res result
	r.decode(h.t, &res)
	if len(res.Notifications) != n {
		h.t.Fatalf("%d notifications, want %d: %s", len(res.Notifications), n, r.body)
	}
	return res
}

// ok checks a 200 that created nothing and returns the answer.
func (h *harness) ok(r reply) result {
	h.t.Helper()
	if r.status != http.StatusOK {
		h.t.Fatalf("status %d, want 200\n%s", r.status, r.body)
	}
	var res result
	r.decode(h.t, &res)
	if len(res.Notifications) != 0 {
		h.t.Fatalf("notifications created: %s", r.body)
	}
	return res
}

// refused checks an error answer: its status and that its message
// contains want.
func (h *harness) refused(what string, r reply, status int, want string) {
	h.t.Helper()
	if r.status != status {
		h.t.Errorf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
		return
	}
	if _, msg := r.errorCode(h.t); !strings.Contains(msg, want) {
		h.t.Errorf("%s: message %q does not say %q", what, msg, want)
	}
}

// notification reads a stored notification and its data.
func (h *harness) notification(id string) (*app.Notification, map[string]any) {
	h.t.Helper()
	n, err := h.a.Notifications.FindNotification(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(n.Data, &data); err != nil {
		h.t.Fatal(err)
	}
	return n, data
}

// count is how many notifications u has.
func (h *harness) count(u *app.User) int {
	h.t.Helper()
	n, err := h.a.Notifications.CountNotifications(context.Background(), app.NotificationFilter{UserID: u.ID})
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// tokenID is the id of the token whose secret is secret.
func (h *harness) tokenID(secret string) string {
	h.t.Helper()
	_, tok, err := h.a.Auth.TokenUser(context.Background(), secret)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok.ID
}

package gotify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db"
)

// harness is the whole application on loopback with the users the tests
// publish as.
type harness struct {
	*servertest.App
	t *testing.T
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{App: servertest.New(t, servertest.WithConfig(func(c *app.Config) {
		c.Notifications.Types = []app.NotificationType{{Name: "backup_done", InApp: true, Toast: true}}
	})), t: t}
}

// app creates a Gotify application: a token of u called name, with scope.
// It returns the token's secret and id.
func (h *harness) app(u *app.User, name string, scope app.Scope) (secret, id string) {
	h.t.Helper()
	secret, tok, err := h.Auth.CreateToken(context.Background(), u.ID, name, scope)
	if err != nil {
		h.t.Fatal(err)
	}
	return secret, tok.ID
}

// answer is what a Gotify client reads of the answer: ids and appids are
// integers, as Gotify's clients parse them.
type answer struct {
	ID       int64          `json:"id"`
	AppID    int64          `json:"appid"`
	Message  string         `json:"message"`
	Title    string         `json:"title"`
	Priority int64          `json:"priority"`
	Extras   map[string]any `json:"extras"`
	Date     time.Time      `json:"date"`
}

// gotifyError is Gotify's error shape.
type gotifyError struct {
	Error            string `json:"error"`
	ErrorCode        int    `json:"errorCode"`
	ErrorDescription string `json:"errorDescription"`
}

// post sends a request over loopback HTTP, as the tool would, and returns
// the status and body.
func (h *harness) post(path, contentType, body string, headers ...string) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(body))
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
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// publish posts and expects Gotify's 200 answer.
func (h *harness) publish(path, contentType, body string, headers ...string) answer {
	h.t.Helper()
	st, raw := h.post(path, contentType, body, headers...)
	if st != http.StatusOK {
		h.t.Fatalf("POST %s: %d %s", path, st, raw)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		h.t.Fatalf("answer %s: %v", raw, err)
	}
	return a
}

// inbox returns u's notifications, newest first.
func (h *harness) inbox(u *app.User) []*app.Notification {
	h.t.Helper()
	ns, err := h.Notifications.ListNotifications(context.Background(), app.NotificationFilter{UserID: u.ID})
	if err != nil {
		h.t.Fatal(err)
	}
	return ns
}

// only returns u's one notification.
func (h *harness) only(u *app.User) *app.Notification {
	h.t.Helper()
	ns := h.inbox(u)
	if len(ns) != 1 {
		h.t.Fatalf("%s has %d notifications, want 1", u.Username, len(ns))
	}
	return ns[0]
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

// number is the Gotify id of notification id.
func (h *harness) number(id string) int64 {
	h.t.Helper()
	n, _, err := db.NewNumberStore(h.DB).NotificationNumber(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// appID is the Gotify appid of the application (topic) called name.
func (h *harness) appID(name string) int64 {
	h.t.Helper()
	n, err := db.NewNumberStore(h.DB).TopicNumber(context.Background(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

package gotify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// The client API's JSON as Gotify's clients read it (its docs/spec.json).
type (
	gotifyClient struct {
		ID        int64     `json:"id"`
		Token     string    `json:"token"`
		Name      string    `json:"name"`
		CreatedAt time.Time `json:"createdAt"`
	}
	gotifyApplication struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Internal    bool   `json:"internal"`
		Image       string `json:"image"`
	}
	gotifyPage struct {
		Paging struct {
			Size  int    `json:"size"`
			Since int64  `json:"since"`
			Limit int    `json:"limit"`
			Next  string `json:"next"`
		} `json:"paging"`
		Messages []answer `json:"messages"`
	}
)

// call sends a client API request with the client token in X-Gotify-Key
// (none when token is "") and returns the status and body.
func (h *harness) call(method, path, token string, opts ...func(*servertest.Request)) (int, []byte) {
	h.t.Helper()
	if token != "" {
		opts = append(opts, servertest.Header("X-Gotify-Key", token))
	}
	rec := h.Do(method, path, "", opts...)
	return rec.Code, rec.Body.Bytes()
}

// get sends a GET with token and decodes the 200 answer into v.
func (h *harness) get(path, token string, v any) {
	h.t.Helper()
	st, body := h.call(http.MethodGet, path, token)
	if st != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", path, st, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		h.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// wantError fails unless the answer is Gotify's error shape with status.
func wantError(t *testing.T, what string, st int, body []byte, status int) {
	t.Helper()
	var e gotifyError
	if err := json.Unmarshal(body, &e); err != nil || st != status || e.ErrorCode != status ||
		e.Error != http.StatusText(status) || e.ErrorDescription == "" {
		t.Errorf("%s: %d %s, want Gotify's %d", what, st, body, status)
	}
}

// notify publishes a native event of u's on topic and returns its id.
func (h *harness) notify(u *app.User, topic, title, body string) string {
	h.t.Helper()
	res, err := h.Dispatcher.Notify(context.Background(), u, &app.Event{Type: "job_failed", Title: title, Body: body, ServiceID: topic})
	if err != nil || len(res.Notifications) != 1 {
		h.t.Fatalf("notify: %+v, %v", res, err)
	}
	return res.Notifications[0].ID
}

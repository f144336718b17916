package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// tokens are the API tokens of the admin user that the tests use.
type tokens struct {
	publish, admin string
}

// createTokens makes a publish and an admin token for admin with the CLI.
func (in *instance) createTokens() tokens {
	return tokens{
		publish: in.cli("token", "create", "admin", "--scope", "publish", "--name", "faults-publish"),
		admin:   in.cli("token", "create", "admin", "--scope", "admin", "--name", "faults-admin"),
	}
}

// published is the answer of a publish that succeeded.
type published struct {
	Notifications []struct {
		ID string `json:"id"`
	} `json:"notifications"`
	Webhooks int `json:"webhooks"`
}

// errorEnvelope is Belfry's one JSON error shape.
type errorEnvelope struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// publish posts one job_failed event; it returns the status, the id of the
// notification when the status is 2xx, and the body.
func (in *instance) publish(ctx context.Context, token, title string) (int, string, []byte) {
	return in.publishBody(ctx, token, title, "published by the faults test")
}

// publishBody is publish with a body of the caller's choosing.
func (in *instance) publishBody(ctx context.Context, token, title, text string) (int, string, []byte) {
	ev, _ := json.Marshal(map[string]any{"type": "job_failed", "title": title, "body": text, "level": "error"})
	status, body := httpDo(ctx, http.MethodPost, in.url("/api/v1/events"), token, ev)
	if status < 200 || status > 299 {
		return status, "", body
	}
	var p published
	if err := json.Unmarshal(body, &p); err != nil || len(p.Notifications) != 1 {
		return status, "", body
	}
	return status, p.Notifications[0].ID, body
}

// notificationIDs walks every page of the polling API and returns the ids
// of the admin's notifications.
func (in *instance) notificationIDs(t *testing.T, token string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	cursor := ""
	for {
		q := url.Values{"limit": {"100"}, "sort": {"oldest"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, body := httpGet(in.url("/api/v1/client/notifications?"+q.Encode()), token)
		if status != http.StatusOK {
			t.Fatalf("list notifications: %d %s", status, body)
		}
		var page struct {
			Notifications []struct {
				ID string `json:"id"`
			} `json:"notifications"`
			Pagination struct {
				NextCursor string `json:"next_cursor"`
				HasMore    bool   `json:"has_more"`
			} `json:"pagination"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("list notifications: %v in %s", err, body)
		}
		for _, n := range page.Notifications {
			ids[n.ID] = true
		}
		if !page.Pagination.HasMore {
			return ids
		}
		cursor = page.Pagination.NextCursor
	}
}

// receiver is a webhook endpoint that accepts every delivery, unless it
// is told to hold them.
type receiver struct {
	srv       *httptest.Server
	delivered atomic.Int64
	mu        sync.Mutex
	gate      chan struct{} // nil: answer at once; else wait until closed
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		gate := r.gate
		r.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-req.Context().Done():
			}
		}
		r.delivered.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.release)
	return r
}

// hold makes deliveries wait until release: the webhook's lane stays busy
// and the deliveries queued meanwhile stay due.
func (r *receiver) hold() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gate == nil {
		r.gate = make(chan struct{})
	}
}

// release answers the held deliveries and every later one at once.
func (r *receiver) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gate != nil {
		close(r.gate)
		r.gate = nil
	}
}

// createWebhook subscribes a generic webhook of the admin to job.failed, so
// every job_failed publish also queues a delivery in its transaction.
func (in *instance) createWebhook(t *testing.T, token string, r *receiver) {
	t.Helper()
	body := fmt.Appendf(nil, `{"kind":"generic","name":"faults","url":%q,"events":["job.failed"]}`, r.srv.URL+"/hook")
	status, resp := httpDo(context.Background(), http.MethodPost, in.url("/api/webhooks"), token, body)
	if status != http.StatusCreated {
		t.Fatalf("create webhook: %d %s", status, resp)
	}
}

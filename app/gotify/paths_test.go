package gotify_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/gotify"
	"github.com/belfry/belfry/app/server/servertest"
)

// TestReservedTopics: the client API's first path segments are Belfry's
// own paths, so ntfy refuses them as topics (publishing and subscribing)
// with its 400, instead of a Gotify route answering an ntfy client; a
// topic of another name still publishes.
func TestReservedTopics(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	client, publish := h.Token(alice, app.ScopeClient), h.Token(alice, app.ScopePublish)
	for _, topic := range []string{"version", "health", "application", "current", "stream", "client", "message"} {
		rec := h.Do(http.MethodGet, "/"+topic+"/json?poll=1", "", servertest.Bearer(client))
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Errorf("subscribe to %s: %d %s", topic, rec.Code, rec.Body)
		}
		if topic == "client" || topic == "message" {
			continue // POST /client logs in, POST /message publishes in Gotify's dialect
		}
		rec = h.Do(http.MethodPost, "/"+topic, "hi", servertest.Bearer(publish), servertest.Header("Content-Type", "text/plain"))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "own paths") {
			t.Errorf("publish to %s: %d %s", topic, rec.Code, rec.Body)
		}
	}
	if rec := h.Do(http.MethodPost, "/versions", "hi", servertest.Bearer(publish), servertest.Header("Content-Type", "text/plain")); rec.Code != 200 {
		t.Errorf("publish to versions: %d %s", rec.Code, rec.Body)
	}
}

// TestPriorityRoundTrip: the priority a notification without one gets
// reads back as its level in the publish dialect.
func TestPriorityRoundTrip(t *testing.T) {
	for _, l := range []app.Level{app.LevelInfo, app.LevelWarning, app.LevelError} {
		if got := gotify.Level(gotify.Priority(l)); got != l {
			t.Errorf("level %s → priority %d → level %s", l, gotify.Priority(l), got)
		}
	}
}

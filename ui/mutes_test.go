package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestMutes(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	c := b.login("ann")
	ctx := context.Background()

	if st, page := c.get("/mutes", false); st != http.StatusOK || !strings.Contains(page, "Nothing is muted") {
		t.Fatalf("empty page: %d", st)
	}
	obj := url.Values{"app_label": {"config"}, "model_name": {"device"}, "object_id": {"nas-01"}, "for": {"1h"}}
	before := time.Now()
	st, body := c.send(http.MethodPost, "/ui/mutes", obj)
	if st != http.StatusOK || !strings.Contains(body, "Muted <strong>config.device</strong>") || !strings.Contains(body, `id="mute-list"`) {
		t.Fatalf("mute: %d\n%s", st, body)
	}
	m, err := b.Mutes.FindMute(ctx, ann.ID, app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "nas-01"})
	if err != nil || m.ValidTill == nil || m.ValidTill.Before(before.Add(59*time.Minute)) || m.ValidTill.After(time.Now().Add(61*time.Minute)) {
		t.Fatalf("stored mute %+v, %v", m, err)
	}
	obj.Set("object_id", "nas-02")
	obj.Set("for", "forever")
	if st, body = c.send(http.MethodPost, "/ui/mutes", obj); st != http.StatusOK || !strings.Contains(body, "forever") {
		t.Errorf("mute forever: %d\n%s", st, body)
	}
	if st, page := c.get("/mutes", false); st != http.StatusOK || !strings.Contains(page, "nas-01") || !strings.Contains(page, "nas-02") {
		t.Errorf("list after muting: %d", st)
	}

	for name, form := range map[string]url.Values{
		"no object id":  {"app_label": {"config"}, "model_name": {"device"}, "for": {"1h"}},
		"long label":    {"app_label": {strings.Repeat("a", 101)}, "model_name": {"device"}, "object_id": {"1"}, "for": {"1h"}},
		"no duration":   {"app_label": {"config"}, "model_name": {"device"}, "object_id": {"1"}},
		"bad duration":  {"app_label": {"config"}, "model_name": {"device"}, "object_id": {"1"}, "for": {"3h"}},
		"blank strings": {"app_label": {"  "}, "model_name": {"device"}, "object_id": {"1"}, "for": {"1h"}},
	} {
		st, body := c.send(http.MethodPost, "/ui/mutes", form)
		wantAlert(t, st, body, http.StatusBadRequest, "")
		if strings.Contains(body, `hx-swap-oob`) {
			t.Errorf("%s: an error swaps the list", name)
		}
	}

	// Unmute; another user's mute or an unknown one is 404.
	bobMute := &app.Mute{UserID: bob.ID, Object: app.ObjectRef{AppLabel: "a", ModelName: "b", ObjectID: "c"}}
	if err := b.Mutes.CreateMute(ctx, bobMute); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{bobMute.ID, "01900000-0000-7000-8000-000000000009"} {
		st, body := c.send(http.MethodDelete, "/ui/mutes/"+id, nil)
		wantAlert(t, st, body, http.StatusNotFound, "")
	}
	st, body = c.send(http.MethodDelete, "/ui/mutes/"+m.ID, nil)
	if st != http.StatusOK || strings.Contains(body, "nas-01") || !strings.Contains(body, "nas-02") {
		t.Errorf("unmute: %d\n%s", st, body)
	}
	if _, err := b.Mutes.FindMute(ctx, bob.ID, bobMute.Object); err != nil {
		t.Errorf("bob's mute: %v", err)
	}
}

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

// deviceEvent is an event about the object config.device nas-01.
func deviceEvent(title string) map[string]any {
	return map[string]any{"type": "job_failed", "title": title,
		"object": map[string]any{"app_label": "config", "model_name": "device", "object_id": "nas-01"}}
}

var nas01 = app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "nas-01"}

// "Mute this" mutes the notification's object for the chosen time; the
// list offers it only on notifications that name an object, and every bad
// request is a 4xx alert that mutes nothing.
func TestMuteThis(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	annTok := b.token(ann)
	withObject := b.publish(annTok, deviceEvent("NAS offline"))
	bare := b.publish(annTok, map[string]any{"type": "job_failed", "title": "No object"})
	bobs := b.publish(b.token(bob), deviceEvent("Bob's NAS"))
	c := b.login("ann")
	ctx := context.Background()

	_, page := c.get("/notifications", false)
	if strings.Count(page, `class="nmute"`) != 1 || !strings.Contains(page, `hx-post="/ui/notifications/`+withObject+`/mute"`) {
		t.Fatalf("the inbox offers Mute this %d times, want once, on %s:\n%s", strings.Count(page, `class="nmute"`), withObject, page)
	}
	for _, d := range []string{"1h", "24h", "168h", "forever"} {
		if !strings.Contains(page, `name="for" value="`+d+`"`) {
			t.Errorf("Mute this offers no %s", d)
		}
	}

	for name, tc := range map[string]struct {
		id, dur string
		status  int
	}{
		"no object":            {bare, "1h", http.StatusBadRequest},
		"no duration":          {withObject, "", http.StatusBadRequest},
		"unknown duration":     {withObject, "3h", http.StatusBadRequest},
		"another user's":       {bobs, "1h", http.StatusNotFound},
		"unknown notification": {"01900000-0000-7000-8000-000000000009", "1h", http.StatusNotFound},
		"not an id":            {"nope", "1h", http.StatusNotFound},
	} {
		st, body := c.send(http.MethodPost, "/ui/notifications/"+tc.id+"/mute", url.Values{"for": {tc.dur}})
		t.Run(name, func(t *testing.T) { wantAlert(t, st, body, tc.status, "") })
	}
	if ms, err := b.Mutes.ListMutes(ctx, ann.ID); err != nil || len(ms) != 0 {
		t.Fatalf("mutes after refused requests: %v %v", ms, err)
	}
	if ms, err := b.Mutes.ListMutes(ctx, bob.ID); err != nil || len(ms) != 0 {
		t.Fatalf("bob's mutes: %v %v", ms, err)
	}

	before := time.Now()
	st, body := c.send(http.MethodPost, "/ui/notifications/"+withObject+"/mute", url.Values{"for": {"24h"}})
	if st != http.StatusOK || !strings.Contains(body, "Muted") || !strings.Contains(body, "config.device") || !strings.Contains(body, `role="status"`) {
		t.Fatalf("mute this: %d\n%s", st, body)
	}
	m, err := b.Mutes.FindMute(ctx, ann.ID, nas01)
	if err != nil || m.ValidTill == nil || m.ValidTill.Before(before.Add(24*time.Hour-time.Minute)) || m.ValidTill.After(time.Now().Add(24*time.Hour+time.Minute)) {
		t.Fatalf("stored mute %+v, %v", m, err)
	}
	// The list now says so on the item, instead of offering it again.
	if _, page := c.get("/notifications", false); strings.Contains(page, `hx-post="/ui/notifications/`+withObject+`/mute"`) || !strings.Contains(page, `class="nmute nmuted"`) {
		t.Errorf("after muting, the inbox still offers Mute this or does not say it is muted")
	}
	// Forever replaces the day; the next event about the object skips the inbox.
	if st, body = c.send(http.MethodPost, "/ui/notifications/"+withObject+"/mute", url.Values{"for": {"forever"}}); st != http.StatusOK || !strings.Contains(body, "forever") {
		t.Fatalf("mute forever: %d\n%s", st, body)
	}
	if m, err = b.Mutes.FindMute(ctx, ann.ID, nas01); err != nil || m.ValidTill != nil {
		t.Fatalf("after forever: %+v %v", m, err)
	}
	if id := b.publish(annTok, deviceEvent("NAS offline again")); id != "" {
		t.Errorf("an event about the muted object reached the inbox: %s", id)
	}
}

package hub_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/coder/websocket"
)

// FuzzClientFrame sends one fuzzed client frame over a real socket of
// /ws/notification/ of the whole application, then a mute query the server
// must answer. The spec's only answers are pushes and mute answers: any
// other frame, a socket that dies on a frame within the size limit, or one
// that survives a frame over it (1009) fails. "NID" and "OTHER" in the
// input stand for the ids of one of the caller's notifications and of
// another user's; the other user's notification never becomes read.
func FuzzClientFrame(f *testing.F) {
	const maxFrame = 512
	for _, s := range []string{
		`{"type":"notification","notification_id":"NID"}`,
		`{"type":"notification","notification_id":"OTHER"}`,
		`{"type":"notification","notification_id":"NID","extra":[1,{"a":null}]}`,
		`{"type":"object_notification","app_label":"config","model_name":"device","object_id":"42"}`,
		`{"type":"object_notification","app_label":"config","model_name":"device"}`,
		`{"type":"notification","notification_id":"0190C2A4-7D2E-7C1A-9F3B-2F1E4D5C6B7A"}`,
		`{"type":"notification","notification_id":7}`, `{"type":"nope"}`, `[]`, `null`, ``, `{"type":"notification"`,
		strings.Repeat("x", maxFrame), strings.Repeat("x", maxFrame+1),
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(`{"type":"notification","notification_id":"NID"}`), true)
	a := servertest.New(f, servertest.WithConfig(func(c *app.Config) {
		c.WebSocket.MaxMessageBytes = maxFrame
		c.Storm.Enabled = false
	}))
	owner, other := a.User("owner", false), a.User("other", false)
	ctx := context.Background()
	mine := notify(f, a, owner)
	theirs := notify(f, a, other)
	sentinel := app.ObjectRef{AppLabel: "fuzz", ModelName: "sentinel", ObjectID: "1"}
	till := time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := a.Mutes.CreateMute(ctx, &app.Mute{ID: apptest.NewID(), UserID: owner.ID, Object: sentinel, ValidTill: &till, CreatedAt: time.Now()}); err != nil {
		f.Fatal(err)
	}
	query, _ := json.Marshal(map[string]string{"type": "object_notification", "app_label": sentinel.AppLabel,
		"model_name": sentinel.ModelName, "object_id": sentinel.ObjectID})
	header := http.Header{"Authorization": {"Bearer " + a.Token(owner, app.ScopeClient)}}

	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		frame = []byte(strings.NewReplacer("NID", mine, "OTHER", theirs).Replace(string(frame)))
		ws := apptest.Dial(t, a.URL+"/ws/notification/", header)
		typ := websocket.MessageText
		if binary {
			typ = websocket.MessageBinary
		}
		wctx, cancel := context.WithTimeout(ctx, apptest.Guard)
		defer cancel()
		if err := ws.Conn.Write(wctx, typ, frame); err != nil {
			t.Fatalf("write: %v", err)
		}
		if len(frame) > maxFrame {
			if code := ws.CloseStatus(); code != websocket.StatusMessageTooBig {
				t.Fatalf("a frame of %d bytes closed the socket with %d, want 1009", len(frame), code)
			}
			return
		}
		ws.Send(string(query))
		for {
			var got struct {
				Type      string  `json:"type"`
				ValidTill *string `json:"valid_till"`
			}
			msg := ws.Next()
			if err := json.Unmarshal(msg, &got); err != nil || (got.Type != "notification" && got.Type != "object_notification") {
				t.Fatalf("after %q the server sent %s", frame, msg)
			}
			if got.Type == "object_notification" && got.ValidTill != nil && *got.ValidTill == till.Format(time.RFC3339Nano) {
				break
			}
		}
		if n, err := a.Notifications.FindNotification(ctx, theirs); err != nil || n.IsRead() {
			t.Fatalf("after %q another user's notification is %+v, %v", frame, n, err)
		}
	})
}

// notify publishes a notification for u and returns its id.
func notify(f *testing.F, a *servertest.App, u *app.User) string {
	f.Helper()
	res, err := a.Dispatcher.Notify(context.Background(), u, &app.Event{Type: "job_failed", Title: "for " + u.Username})
	if err != nil || len(res.Notifications) != 1 {
		f.Fatalf("notify: %+v, %v", res, err)
	}
	return res.Notifications[0].ID
}

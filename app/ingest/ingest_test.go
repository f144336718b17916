package ingest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/server/servertest"
)

func TestTitleAndBody(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes
	for _, c := range []struct{ title, body, wantTitle, wantBody string }{
		{"Backup", "done in 3 min", "Backup", "done in 3 min"},
		{"", "Backup done", "Backup done", ""},
		{"", "  Backup done\nin 3 min", "Backup done", "  Backup done\nin 3 min"},
		{"", "", "(no message)", ""},
		{" ", "\n\n", "(no message)", "\n\n"},
		{"", long, strings.Repeat("é", 126) + "…", long},
	} {
		title, body := ingest.TitleAndBody(c.title, c.body)
		if title != c.wantTitle || body != c.wantBody {
			t.Errorf("TitleAndBody(%q, %q) = %q, %q; want %q, %q", c.title, c.body, title, body, c.wantTitle, c.wantBody)
		}
		if len(title) > app.MaxTitleLen {
			t.Errorf("title of %d bytes", len(title))
		}
	}
}

// TestPublish: a dialect's message lands in the publisher's inbox as a
// notification of the built-in message type, plain text unless Markdown,
// with the topic as service_id and the original fields in data.
func TestPublish(t *testing.T) {
	a := servertest.New(t)
	alice := a.User("alice", false)
	ctx := context.Background()
	for _, markdown := range []bool{false, true} {
		res, err := a.Ingest.Publish(ctx, alice, ingest.Message{
			Source: "ntfy", Topic: "backups", Body: "Nightly *backup* done", Level: app.LevelWarning,
			Markdown: markdown, Data: map[string]any{"priority": 4, "tags": []string{"floppy_disk"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Notifications) != 1 || res.Notifications[0].UserID != alice.ID {
			t.Fatalf("recipients %+v", res.Notifications)
		}
		n, err := a.Notifications.FindNotification(ctx, res.Notifications[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var data map[string]any
		_ = json.Unmarshal(n.Data, &data)
		wantFormat := app.FormatText
		if markdown {
			wantFormat = ""
		}
		if n.Type != app.MessageType || n.Title != "Nightly *backup* done" || n.Body != "" || n.Level != app.LevelWarning ||
			n.ServiceID != "backups" || n.Format != wantFormat || data["source"] != "ntfy" || data["topic"] != "backups" ||
			data["priority"] != float64(4) {
			t.Errorf("markdown %v: stored %+v data %v", markdown, n, data)
		}
	}
	// What the native API refuses, a dialect cannot store either.
	_, err := a.Ingest.Publish(ctx, alice, ingest.Message{Source: "ntfy", Topic: strings.Repeat("t", 200), Body: "x"})
	if app.ErrorKind(err) != app.EINVALID || !strings.Contains(err.Error(), "service_id") {
		t.Errorf("a 200-byte topic: %v", err)
	}
}

package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// InboxTypes are the types Inbox gives its notifications, in turn.
var InboxTypes = []string{"job_failed", "job_completed", "weekly_report", "quota_warning"}

// Inbox stores n notifications of userID through the store in one
// transaction, a minute apart from start, and returns them oldest first.
// Number i is told apart by what it carries: title "Backup job <i>
// finished", a body naming "ticket-<i, five digits>." (a search for one
// finds just that row), level error when i%10 == 0, warning when i%10 is 1
// or 2, info otherwise; type InboxTypes[i%4]; service svc-<i%7>; project
// proj-<i%5>; read when i%3 == 0.
func Inbox(t testing.TB, store app.NotificationStore, userID string, n int, start time.Time) []*app.Notification {
	t.Helper()
	out := make([]*app.Notification, 0, n)
	for i := range n {
		created := start.Add(time.Duration(i) * time.Minute).UTC()
		level := map[int]app.Level{0: app.LevelError, 1: app.LevelWarning, 2: app.LevelWarning}[i%10]
		if level == "" {
			level = app.LevelInfo
		}
		x := &app.Notification{
			ID: NewID(), UserID: userID, Type: InboxTypes[i%len(InboxTypes)], Level: level,
			Title: fmt.Sprintf("Backup job %d finished", i), Body: fmt.Sprintf("The report of ticket-%05d. is ready.", i),
			ServiceID: fmt.Sprintf("svc-%d", i%7), Project: fmt.Sprintf("proj-%d", i%5),
			Data: json.RawMessage("{}"), Status: app.StatusPending, CreatedAt: created,
		}
		if i%3 == 0 {
			x.ReadAt = &created
		}
		out = append(out, x)
	}
	if err := store.CreateNotifications(context.Background(), out, nil); err != nil {
		t.Fatalf("seed inbox of %d: %v", n, err)
	}
	return out
}

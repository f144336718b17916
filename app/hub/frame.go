package hub

import (
	"encoding/json"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/markdown"
)

// Frames of spec/websocket-api.txt.

// notificationFrame is the server's push on every change.
type notificationFrame struct {
	Type string `json:"type"` // always "notification"
	// Count is the unread count: an int, or "99+" above 99.
	Count        any    `json:"notification_count"`
	ReloadWidget bool   `json:"reload_widget"`
	Notification *toast `json:"notification"`
}

// toast is the notification object of a create frame.
type toast struct {
	ID           string    `json:"id"`
	Message      string    `json:"message"`
	Description  string    `json:"description"`
	Unread       bool      `json:"unread"`
	TargetURL    *string   `json:"target_url"`
	EmailSubject string    `json:"email_subject"`
	Timestamp    string    `json:"timestamp"`
	Level        app.Level `json:"level"`
}

// muteFrame answers an object_notification query for a muted object.
type muteFrame struct {
	Type      string  `json:"type"` // always "object_notification"
	ValidTill *string `json:"valid_till"`
}

// clientFrame is any frame a client sends; Type says which fields matter.
type clientFrame struct {
	Type           string `json:"type"`
	NotificationID string `json:"notification_id"`
	AppLabel       string `json:"app_label"`
	ModelName      string `json:"model_name"`
	ObjectID       string `json:"object_id"`
}

// countCap is the least unread count the frames show as "99+": the hub
// reads the count only up to it.
const countCap = 100

// countValue is the wire form of an unread count.
func countValue(n int) any {
	if n >= countCap {
		return "99+"
	}
	return n
}

// formatTime is the wire form of a time: RFC 3339 in UTC, as the JSON API
// writes times.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// newToast renders n for a toast; the body becomes sanitised HTML.
func newToast(n *app.Notification) *toast {
	t := &toast{
		ID:           n.ID,
		Message:      n.Title,
		Description:  markdown.RenderFormat(n.Body, n.Format),
		Unread:       !n.IsRead(),
		EmailSubject: n.EmailSubject,
		Timestamp:    formatTime(n.CreatedAt),
		Level:        n.Level,
	}
	if n.TargetURL != "" {
		u := n.TargetURL
		t.TargetURL = &u
	}
	return t
}

// encodeNotification returns the bytes of a notification frame.
func encodeNotification(count any, reload bool, t *toast) []byte {
	// Only strings, numbers and bools: marshalling cannot fail.
	b, _ := json.Marshal(notificationFrame{Type: "notification", Count: count, ReloadWidget: reload, Notification: t})
	return b
}

// encodeMute returns the bytes of an object_notification answer.
func encodeMute(m *app.Mute) []byte {
	f := muteFrame{Type: "object_notification"}
	if m.ValidTill != nil {
		s := formatTime(*m.ValidTill)
		f.ValidTill = &s
	}
	b, _ := json.Marshal(f) // strings only: cannot fail
	return b
}

package poll

import (
	"encoding/json"
	"time"

	"github.com/belfry/belfry/app"
)

// timeLayout is RFC 3339 in UTC with milliseconds, the precision stored.
const timeLayout = "2006-01-02T15:04:05.000Z"

// notificationView is a notification as the polling API shows it. Optional
// fields are null rather than absent, so clients see one fixed shape.
type notificationView struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Level          app.Level       `json:"level"`
	Title          string          `json:"title"`
	Body           string          `json:"body"`
	Data           json.RawMessage `json:"data"`
	TargetURL      *string         `json:"target_url"`
	ServiceID      *string         `json:"service_id"`
	Project        *string         `json:"project"`
	Status         string          `json:"status"`
	AcknowledgedAt *string         `json:"acknowledged_at"`
	IsRead         bool            `json:"is_read"`
	CreatedAt      string          `json:"created_at"`
}

func viewOf(n *app.Notification) notificationView {
	v := notificationView{
		ID: n.ID, Type: n.Type, Level: n.Level, Title: n.Title, Body: n.Body, Data: n.Data,
		TargetURL: optional(n.TargetURL), ServiceID: optional(n.ServiceID), Project: optional(n.Project),
		Status: n.Status, IsRead: n.IsRead(), CreatedAt: formatTime(n.CreatedAt),
	}
	if n.AcknowledgedAt != nil {
		at := formatTime(*n.AcknowledgedAt)
		v.AcknowledgedAt = &at
	}
	return v
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// listResponse is the body of a list request.
type listResponse struct {
	Notifications []notificationView `json:"notifications"`
	Pagination    pagination         `json:"pagination"`
}

// pagination follows the spec; next_cursor is null when there is nothing to
// continue from (see handleList for when sort=oldest still gives one).
type pagination struct {
	NextCursor *string `json:"next_cursor"`
	HasMore    bool    `json:"has_more"`
	TotalCount int     `json:"total_count"`
}

// ackResult is one id's outcome in a bulk acknowledge.
type ackResult struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"`
}

// ackManyResponse is the body of a bulk acknowledge.
type ackManyResponse struct {
	Results      []ackResult `json:"results"`
	Acknowledged int         `json:"acknowledged"`
}

package gotify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/belfry/belfry/app"
)

// The JSON shapes of Gotify's client API (its docs/spec.json).
type (
	versionView struct {
		Version   string `json:"version"`
		Commit    string `json:"commit"`
		BuildDate string `json:"buildDate"`
	}
	healthView struct {
		Health   string `json:"health"`
		Database string `json:"database"`
	}
	userView struct {
		ID        int64     `json:"id"`
		Name      string    `json:"name"`
		Admin     bool      `json:"admin"`
		CreatedAt time.Time `json:"createdAt"`
	}
	clientView struct {
		ID        int64      `json:"id"`
		Token     string     `json:"token,omitempty"`
		Name      string     `json:"name"`
		CreatedAt time.Time  `json:"createdAt"`
		LastUsed  *time.Time `json:"lastUsed"`
		// ExpiresAfterInactivitySeconds is 0: Belfry's tokens do not expire.
		ExpiresAfterInactivitySeconds int64 `json:"expiresAfterInactivitySeconds"`
	}
	applicationView struct {
		ID              int64      `json:"id"`
		Name            string     `json:"name"`
		Description     string     `json:"description"`
		Internal        bool       `json:"internal"`
		Image           string     `json:"image"`
		DefaultPriority int64      `json:"defaultPriority"`
		CreatedAt       time.Time  `json:"createdAt"`
		LastUsed        *time.Time `json:"lastUsed"`
		SortKey         string     `json:"sortKey"`
	}
	pagingView struct {
		Size  int    `json:"size"`
		Since int64  `json:"since"`
		Limit int    `json:"limit"`
		Next  string `json:"next,omitempty"`
	}
	pagedMessagesView struct {
		Paging   pagingView    `json:"paging"`
		Messages []messageView `json:"messages"`
	}
)

// ownEvents is the application of notifications without a topic:
// Belfry's own events.
const ownEvents = "Belfry"

// applicationOf is topic t as a Gotify application. Its image is
// /application/:id/image, relative as Gotify's are, so clients resolve it
// against the server URL.
func applicationOf(t app.Topic) applicationView {
	v := applicationView{ID: t.Number, Name: t.Name, Description: "Notifications on topic " + t.Name + ".",
		Image: "application/" + strconv.FormatInt(t.Number, 10) + "/image", CreatedAt: t.CreatedAt.UTC(),
		SortKey: fmt.Sprintf("%019d", t.Number)} // sorts as text in number order
	if t.Name == "" {
		v.Name, v.Description, v.Internal = ownEvents, "Belfry's own notifications, which have no topic.", true
	}
	return v
}

// stored is what messageOf reads of a notification's data.
type stored struct {
	Source   string         `json:"source"`
	Priority *int64         `json:"priority"`
	Extras   map[string]any `json:"extras"`
}

// messageOf is n as Gotify's message JSON:
//   - a notification with a title and a body has both; one with only a
//     title has it as the message, and no title;
//   - what was published through Gotify keeps its priority and extras;
//     other notifications get Priority(level);
//   - extras say client::display text/markdown for a Markdown body and
//     carry the target URL as client::notification's click URL, unless
//     the published extras say otherwise.
func messageOf(n *app.NumberedNotification) messageView {
	var d stored
	_ = json.Unmarshal(n.Data, &d) // the store keeps a JSON object; anything else reads as empty
	m := messageView{ID: n.Number, AppID: n.TopicNumber, Title: n.Title, Message: n.Body,
		Priority: Priority(n.Level), Date: n.CreatedAt.UTC()}
	if n.Body == "" {
		m.Title, m.Message = "", n.Title
	}
	if d.Source == "gotify" {
		if d.Priority != nil {
			m.Priority = *d.Priority
		}
		m.Extras = d.Extras
	}
	if n.Format != app.FormatText {
		m.Extras = withExtra(m.Extras, "client::display", map[string]any{"contentType": "text/markdown"})
	}
	if n.TargetURL != "" {
		m.Extras = withExtra(m.Extras, "client::notification", map[string]any{"click": map[string]any{"url": n.TargetURL}})
	}
	return m
}

// withExtra returns extras with key set to v unless it is set already.
func withExtra(extras map[string]any, key string, v any) map[string]any {
	if _, set := extras[key]; set {
		return extras
	}
	if extras == nil {
		extras = map[string]any{}
	}
	extras[key] = v
	return extras
}

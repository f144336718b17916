package ntfy

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

// kept is what the ntfy dialect keeps of a published message in data.
type kept struct {
	Source   string   `json:"source"`
	Priority int      `json:"priority"`
	Tags     []string `json:"tags"`
	Click    string   `json:"click"`
	Icon     string   `json:"icon"`
	Actions  []Action `json:"actions"`
}

// view is notification n as an ntfy message on topic:
//   - the message is the body, or the title when there is none (then
//     there is no title: ntfy shows the topic instead, as for a message
//     published without one);
//   - priority, tags, click, icon and actions as published through ntfy;
//     for other notifications the priority follows the level (warning 4,
//     error 5) and click is the target URL;
//   - content_type text/markdown for a Markdown body.
func view(n *app.Notification, topic string) answer {
	var k kept
	_ = json.Unmarshal(n.Data, &k) // data is a stored JSON object; a foreign shape only loses extras
	e := answer{ID: n.ID, Time: n.CreatedAt.Unix(), Event: "message", Topic: topic, Title: n.Title, Message: n.Body,
		Click: n.TargetURL, SequenceID: n.ID}
	if strings.TrimSpace(e.Message) == "" {
		e.Message, e.Title = n.Title, ""
	}
	if n.Format != app.FormatText {
		e.ContentType = "text/markdown"
	}
	if k.Source != "ntfy" {
		e.Priority = map[app.Level]int{app.LevelWarning: 4, app.LevelError: 5}[n.Level]
		return e
	}
	if k.Priority >= 1 && k.Priority <= 5 {
		e.Priority = k.Priority
	}
	e.Tags, e.Icon, e.Actions = k.Tags, k.Icon, k.Actions
	if k.Click != "" {
		e.Click = k.Click
	}
	return e
}

// filters are ntfy's subscription filters: every one given must match.
type filters struct {
	id, message, title string
	priorities         []int // any of them; a message without one is 3
	tags               []string
}

func parseFilters(q map[string][]string) (filters, error) {
	f := filters{id: first(q, "id"), message: first(q, "message", "m"), title: first(q, "title", "t")}
	if v := first(q, "priority", "prio", "p"); v != "" {
		for _, p := range strings.Split(v, ",") {
			n, ok := priorities[strings.ToLower(strings.TrimSpace(p))]
			if !ok {
				return f, errPriorityInvalid.wrap("priority filter must list 1 to 5 or min, low, default, high, max, urgent, not %q", web.Clip(p, quoteMax))
			}
			f.priorities = append(f.priorities, n)
		}
	}
	if v := first(q, "tags", "tag", "ta"); v != "" {
		for _, t := range strings.Split(v, ",") {
			f.tags = append(f.tags, strings.TrimSpace(t))
		}
	}
	return f, nil
}

func (f filters) match(e answer) bool {
	switch {
	case f.id != "" && e.ID != f.id, f.message != "" && e.Message != f.message, f.title != "" && e.Title != f.title:
		return false
	}
	p := e.Priority
	if p == 0 {
		p = 3
	}
	if len(f.priorities) > 0 && !slices.Contains(f.priorities, p) {
		return false
	}
	for _, t := range f.tags {
		if !slices.Contains(e.Tags, t) {
			return false
		}
	}
	return true
}

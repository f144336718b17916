// Package ingest is the common ground of the publish dialects — ntfy's and
// Gotify's publish protocols and the alert webhooks of Alertmanager, Grafana
// and GitHub (docs/dialects.md). A dialect parses its own wire format into a
// Message; the Publisher maps it to a Belfry event the one way every dialect
// shares (recipients, type, title, format, what is kept in data) and hands
// it to the dispatcher, so a message from any dialect gets read state,
// preferences, mutes, storm control and webhooks like a native event.
package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// Message is what a dialect received, in Belfry's terms.
type Message struct {
	// Source names the dialect: "ntfy", "gotify", "alertmanager", … It is
	// kept in data as "source".
	Source string
	// Topic is the ntfy topic, the Gotify application or the hook's name:
	// the notification's service_id, and the key of the topic's route.
	Topic string
	// Type is the notification type; "" is app.MessageType.
	Type  string
	Title string
	Body  string
	// Level "" is info.
	Level app.Level
	// Markdown says the body is Markdown; otherwise it is plain text and
	// shown exactly as written.
	Markdown  bool
	TargetURL string
	Object    *app.ObjectRef
	// Data is what the dialect keeps of the original (priority, tags,
	// actions, extras …), stored under the notification's data with Source.
	Data map[string]any
}

// Routes tells which users a topic is routed to, by username. A topic
// without a route returns none.
type Routes interface {
	RouteUsers(ctx context.Context, topic string) ([]string, error)
}

// Deps are the Publisher's collaborators. Routes may be nil: no topic is
// routed; Scheduler may be nil: PublishAt refuses.
type Deps struct {
	Dispatcher app.Dispatcher
	Scheduler  app.Scheduler
	Routes     Routes
}

// Publisher turns dialect messages into notifications. Safe for concurrent
// use.
type Publisher struct{ d Deps }

// New returns a Publisher over d.
func New(d Deps) *Publisher { return &Publisher{d: d} }

// Publish delivers m, published by the owner of the credential it came
// with, and returns what the dispatcher created. Recipients: the
// publisher; or, when an admin routed m.Topic to users and the publisher
// is an admin or one of them, those users (a household gets one
// notification each, with its own read state). Errors are the
// dispatcher's: EINVALID naming the field for a message Belfry cannot
// store.
func (p *Publisher) Publish(ctx context.Context, publisher *app.User, m Message) (*app.DispatchResult, error) {
	ev, actor, err := p.event(ctx, publisher, m)
	if err != nil {
		return nil, err
	}
	return p.d.Dispatcher.Notify(ctx, actor, ev)
}

// PublishAt is Publish at a later time: the message is checked now, with
// its recipients as Publish would resolve them now, and kept by the
// scheduler until at. Errors: the scheduler's.
func (p *Publisher) PublishAt(ctx context.Context, publisher *app.User, m Message, at time.Time) (*app.ScheduledEvent, error) {
	if p.d.Scheduler == nil {
		return nil, app.CodedErrorf(app.EINVALID, app.CodeScheduleInvalid, "Scheduled delivery is not available here.")
	}
	ev, actor, err := p.event(ctx, publisher, m)
	if err != nil {
		return nil, err
	}
	return p.d.Scheduler.Schedule(ctx, publisher, actor == nil, ev, at)
}

// event is m's event and the actor it is sent as: the publisher, or the
// system for a routed topic.
func (p *Publisher) event(ctx context.Context, publisher *app.User, m Message) (*app.Event, *app.User, error) {
	ev, err := Event(m)
	if err != nil {
		return nil, nil, err
	}
	actor := publisher
	if p.d.Routes != nil && m.Topic != "" {
		users, err := p.d.Routes.RouteUsers(ctx, m.Topic)
		if err != nil {
			return nil, nil, fmt.Errorf("route topic %q: %w", m.Topic, err)
		}
		if len(users) > 0 && (publisher.IsAdmin || slices.Contains(users, publisher.Username)) {
			// The route's admin chose its recipients; the dispatcher
			// lets only admins name other users, so it is sent as the
			// system.
			ev.Users, actor = users, nil
		}
	}
	return ev, actor, nil
}

// Event maps m to the event the dispatcher receives:
//   - type m.Type, or app.MessageType; level m.Level, or info;
//   - service_id the topic;
//   - title m.Title; without one, the body's first line (clipped to the
//     title limit), and the body only when it says more than that line;
//     an empty message is "(no message)";
//   - format text unless m.Markdown;
//   - data: m.Data with "source" (and "topic") added.
func Event(m Message) (*app.Event, error) {
	data := make(map[string]any, len(m.Data)+2)
	for k, v := range m.Data {
		data[k] = v
	}
	if m.Source != "" {
		data["source"] = m.Source
	}
	if m.Topic != "" {
		data["topic"] = m.Topic
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encode data: %w", err)
	}
	ev := &app.Event{
		Type: m.Type, Level: m.Level, Title: m.Title, Body: m.Body, TargetURL: m.TargetURL,
		ServiceID: m.Topic, Object: m.Object, Data: raw,
	}
	if ev.Type == "" {
		ev.Type = app.MessageType
	}
	if !m.Markdown {
		ev.Format = app.FormatText
	}
	ev.Title, ev.Body = TitleAndBody(m.Title, m.Body)
	return ev, nil
}

// TitleAndBody returns the title and body of a message whose title may be
// empty (ntfy and Gotify messages need none): the body's first line becomes
// the title, and the body is kept when it says more than that line.
func TitleAndBody(title, body string) (string, string) {
	if strings.TrimSpace(title) != "" {
		return title, body
	}
	first, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	first = strings.TrimSpace(first)
	if first == "" {
		return "(no message)", body
	}
	t := clip(first, app.MaxTitleLen)
	if t == strings.TrimSpace(body) {
		return t, ""
	}
	return t, body
}

// clip cuts s to at most n bytes of valid UTF-8, marking the cut with "…".
func clip(s string, n int) string {
	const ellipsis = "…"
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n-len(ellipsis)], "") + ellipsis
}

// Package ntfy is ntfy's publish protocol (docs.ntfy.sh/publish) on
// Belfry: PUT/POST /<topic> with the message as the body and the
// parameters as headers or query parameters, GET /<topic>/publish (send,
// trigger), and JSON to /. Tools that notify through ntfy — scripts with
// curl, Uptime Kuma, Apprise, Proxmox's webhook target — publish to Belfry
// unchanged; every message goes through app/ingest and so through the one
// dispatcher. docs/dialects.md says what becomes of every header.
package ntfy

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/app/ws"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Publisher hands a message to the dispatcher, or to the scheduler for
// later (ingest.Publisher).
type Publisher interface {
	Publish(ctx context.Context, publisher *app.User, m ingest.Message) (*app.DispatchResult, error)
	PublishAt(ctx context.Context, publisher *app.User, m ingest.Message, at time.Time) (*app.ScheduledEvent, error)
}

// Scheduled cancels a message scheduled for later (app/schedule).
type Scheduled interface {
	Cancel(ctx context.Context, userID, id, topic string) (*app.ScheduledEvent, error)
}

// Deps are the Service's collaborators.
type Deps struct {
	Publisher   Publisher
	Credentials Credentials
	// Scheduled cancels scheduled messages (DELETE /<topic>/<id>); nil:
	// no such route.
	Scheduled Scheduled
	// Zone is where a natural delivery time ("At: 10am") is read; nil:
	// UTC.
	Zone *time.Location
	// Notifications answers subscriptions (nil: no subscribe routes).
	Notifications Notifications
	// Stream configures the held-open subscriptions.
	Stream StreamConfig
	Clock  clock.Clock  // nil: the wall clock
	Logger *slog.Logger // nil: slog.Default()
}

// StreamConfig configures the held-open subscriptions (/<topic>/json,
// /sse, /raw and /ws).
type StreamConfig struct {
	// BaseURL is server.base_url: a /ws handshake with an Origin must come
	// from it (the ntfy app sends none).
	BaseURL string
	// WebSocket's max_queued_bytes and write_timeout bound what waits for
	// one subscription and how long its writes may stall;
	// stream_keepalive is the keepalive interval; the rest configure /ws.
	WebSocket app.WebSocketConfig
	// Limits bound the WebSocket connections of every endpoint together
	// (nil: limits of /ws's own, from WebSocket).
	Limits *ws.Limits
}

// Service serves ntfy's publish and subscribe routes. It is safe for
// concurrent use.
type Service struct {
	d Deps
	// reserved returns the first path segments of Belfry's own routes,
	// which are not topics.
	reserved func() map[string]bool
	log      *slog.Logger
	live     *live        // the held-open subscriptions
	sockets  *ws.Registry // the connections of /<topic>/ws
}

// New returns a Service over d.
func New(d Deps) *Service {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	s := &Service{d: d, log: cmp.Or(d.Logger, slog.Default())}
	if d.Notifications != nil {
		s.live = newLive(d.Clock, d.Stream.WebSocket.StreamKeepalive.Duration)
		o := ws.Configured(d.Stream.BaseURL, d.Stream.WebSocket, d.Stream.Limits, s.log)
		o.OnConnect, o.OnClose = s.socketOpened, s.socketClosed
		s.sockets = ws.New(o)
	}
	return s
}

// topicPattern is ntfy's rule for topic names.
var topicPattern = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)

// Register adds ntfy's publish routes to r, which must be the engine: a
// topic may not be named like the first segment of any route Belfry
// serves (api, ui, login, message, …), read from the engine's routes when
// the first message arrives, so the list cannot fall behind the routes.
// Static routes win over /:topic, so these would never reach a topic
// anyway; refusing them says so. The routes authenticate on their own (the
// forms ntfy clients send), so authenticate is not used.
func (s *Service) Register(r gin.IRouter, _ gin.HandlerFunc) {
	e, ok := r.(interface{ Routes() gin.RoutesInfo })
	if !ok {
		panic("ntfy: Register needs the gin engine, to keep topics off Belfry's own paths")
	}
	s.reserved = sync.OnceValue(func() map[string]bool { return firstSegments(e.Routes()) })
	r.POST("/", s.handleJSON)
	r.PUT("/", s.handleJSON)
	r.POST("/:topic", s.handleBody)
	r.PUT("/:topic", s.handleBody)
	for _, verb := range []string{"publish", "send", "trigger"} {
		r.GET("/:topic/"+verb, s.handleGet)
	}
	if s.d.Scheduled != nil {
		r.DELETE("/:topic/:sequence", s.handleCancel)
	}
	if s.d.Notifications != nil {
		s.registerSubscribe(r)
	}
}

// firstSegments returns the literal first path segments of routes.
func firstSegments(routes gin.RoutesInfo) map[string]bool {
	seen := map[string]bool{}
	for _, rt := range routes {
		first, _, _ := strings.Cut(strings.TrimPrefix(rt.Path, "/"), "/")
		if first != "" && !strings.ContainsAny(first[:1], ":*") {
			seen[first] = true
		}
	}
	return seen
}

// checkTopic applies ntfy's rule to a topic name and keeps it off
// Belfry's own paths.
func (s *Service) checkTopic(topic string) error {
	if !topicPattern.MatchString(topic) {
		return errTopicInvalid.wrap("a topic is 1 to 64 letters, digits, - and _, not %q", web.Clip(topic, quoteMax))
	}
	if s.reserved()[topic] {
		return errTopicDisallowed.wrap("/%s is one of Belfry's own paths; choose another topic", topic)
	}
	return nil
}

// handleBody is PUT/POST /<topic>: the body is the message.
func (s *Service) handleBody(c *gin.Context) {
	s.publish(c, c.Param("topic"), func() (string, error) { return readBody(c.Request.Body) })
}

// handleGet is GET /<topic>/publish, /send and /trigger: ntfy's webhook
// form, with everything in the query.
func (s *Service) handleGet(c *gin.Context) { s.publish(c, c.Param("topic"), nil) }

// handleJSON is POST/PUT /: ntfy's JSON publish.
func (s *Service) handleJSON(c *gin.Context) {
	user, err := publisher(c, s.d.Credentials)
	if err != nil {
		writeError(c, err)
		return
	}
	topic, fields, err := decodeJSON(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if topic == "" {
		writeError(c, errTopicInvalid.wrap("JSON field \"topic\" is required"))
		return
	}
	if err := s.checkTopic(topic); err != nil {
		writeError(c, err)
		return
	}
	s.publishAs(c, user, topic, fields, nil)
}

// publish authenticates the request and publishes to topic.
func (s *Service) publish(c *gin.Context, topic string, body func() (string, error)) {
	if user, ok := s.topicPublisher(c, topic); ok {
		s.publishAs(c, user, topic, nil, body)
	}
}

// topicPublisher checks topic and authenticates its publisher; false when
// it answered an error.
func (s *Service) topicPublisher(c *gin.Context, topic string) (*app.User, bool) {
	if err := s.checkTopic(topic); err != nil {
		writeError(c, err)
		return nil, false
	}
	user, err := publisher(c, s.d.Credentials)
	if err != nil {
		writeError(c, err)
		return nil, false
	}
	return user, true
}

// publishAs parses the message, publishes it through ingest and answers
// ntfy's message JSON.
func (s *Service) publishAs(c *gin.Context, user *app.User, topic string, fields map[string]string, body func() (string, error)) {
	src := source{json: fields, header: c.Request.Header, query: c.Request.URL.Query()}
	m, err := parseMessage(src, topic, body)
	if err != nil {
		writeError(c, err)
		return
	}
	if m.Delay.set() {
		s.publishLater(c, user, m)
		return
	}
	res, err := s.d.Publisher.Publish(c.Request.Context(), user, m.ingest())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.answer(m, res))
}

// answer is ntfy's message JSON, so clients that read it work: the answer
// to a publish and every message of a subscription (view). A publish
// answer's id is the first notification created (with a route, each
// recipient has their own); a fresh id when none was (every recipient
// turned the type off).
type answer struct {
	ID          string   `json:"id"`
	Time        int64    `json:"time"`
	Event       string   `json:"event"`
	Topic       string   `json:"topic"`
	Title       string   `json:"title,omitempty"`
	Message     string   `json:"message,omitempty"`
	Priority    int      `json:"priority,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Click       string   `json:"click,omitempty"`
	Icon        string   `json:"icon,omitempty"`
	Actions     []Action `json:"actions,omitempty"`
	ContentType string   `json:"content_type,omitempty"`
	// SequenceID names the notification a message_clear or message_delete
	// is about (ntfy 2.16); a message's is its own id.
	SequenceID string `json:"sequence_id,omitempty"`
}

func (s *Service) answer(m *message, res *app.DispatchResult) answer {
	a := m.answer(s.d.Clock.Now())
	if len(res.Notifications) > 0 {
		a.ID = res.Notifications[0].ID
	} else {
		a.ID = uuid.NewString()
	}
	return a
}

// answer is m as ntfy's message JSON at t, without an id.
func (m *message) answer(t time.Time) answer {
	a := answer{Time: t.Unix(), Event: "message", Topic: m.Topic, Title: m.Title, Message: m.Message,
		Priority: m.Priority, Tags: m.Tags, Click: m.Click, Icon: m.Icon, Actions: m.Actions}
	if m.Markdown {
		a.ContentType = "text/markdown"
	}
	return a
}

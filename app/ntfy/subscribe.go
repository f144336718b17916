package ntfy

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Inbox is the topic that stands for every notification of the caller,
// whatever its topic (docs/mobile.md).
const Inbox = "inbox"

// Notifications reads the caller's notifications (db.NotificationStore).
type Notifications interface {
	ListNotifications(ctx context.Context, f app.NotificationFilter) ([]*app.Notification, error)
	FindNotification(ctx context.Context, id string) (*app.Notification, error)
}

// pollPage is how many notifications one query of a poll reads.
const pollPage = 500

// registerSubscribe adds ntfy's subscribe routes: /<topic>/json, /sse and
// /raw, polled (poll=1) or held open, /<topic>/ws, the topic auth check and
// the health check the ntfy app performs.
func (s *Service) registerSubscribe(r gin.IRouter) {
	for _, format := range []string{"json", "sse", "raw"} {
		r.GET("/:topic/"+format, s.handleSubscribe)
	}
	r.GET("/:topic/ws", s.handleSocket)
	r.GET("/:topic/auth", s.handleAuth)
	r.GET("/v1/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"healthy": true}) })
}

// subscriber checks the topics of the path and authenticates the caller,
// who needs a client (or admin) token or their password; the token is nil
// for a password.
func (s *Service) subscriber(c *gin.Context) (*app.User, *app.Token, []string, error) {
	topics := strings.Split(c.Param("topic"), ",")
	for _, t := range topics {
		if err := s.checkTopic(t); err != nil {
			return nil, nil, nil, err
		}
	}
	u, t, err := caller(c, s.d.Credentials, "subscribe", app.ScopeClient)
	return u, t, topics, err
}

// handleAuth is GET /<topic>/auth: ntfy's check that the caller may read
// the topics, {"success":true}, or ntfy's 401/403.
func (s *Service) handleAuth(c *gin.Context) {
	if _, _, _, err := s.subscriber(c); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"success": true})
}

// subscription is one subscribe request, parsed.
type subscription struct {
	user   *app.User
	token  *app.Token // nil for a username and password
	topics []string
	f      filters
	// from is where the backlog starts; nil for none (a held-open
	// subscription without since=, as in ntfy).
	from   *since
	format string // json, sse, raw or ws
	poll   bool
}

// subscription authenticates and parses a subscribe request: the topics,
// the filters, poll= and since= (default all when polling, none when held
// open). scheduled= is accepted and changes nothing: a scheduled message
// is listed nowhere before it is due (docs/scheduled-delivery.md).
func (s *Service) subscription(c *gin.Context, format string) (subscription, error) {
	u, t, topics, err := s.subscriber(c)
	if err != nil {
		return subscription{}, err
	}
	q := c.Request.URL.Query()
	f, err := parseFilters(q)
	if err != nil {
		return subscription{}, err
	}
	sub := subscription{user: u, token: t, topics: topics, f: f, format: format, poll: isTrue(first(q, "poll", "po"))}
	if v := first(q, "since", "si"); v != "" || sub.poll {
		from, err := s.parseSince(c.Request.Context(), u, v)
		if err != nil {
			return subscription{}, err
		}
		sub.from = &from
	}
	return sub, nil
}

// handleSubscribe is GET /<topic>/json (and /sse, /raw): with poll=1 the
// caller's notifications of the topics since= (default all), oldest
// first, after the filters, in the format of the path, and the answer
// ends; without, the same held open (see hold).
func (s *Service) handleSubscribe(c *gin.Context) {
	format := c.Request.URL.Path[strings.LastIndexByte(c.Request.URL.Path, '/')+1:]
	q, err := s.subscription(c, format)
	if err != nil {
		writeError(c, err)
		return
	}
	if !q.poll {
		s.hold(c, q)
		return
	}
	items, _, err := s.backlog(c.Request.Context(), q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Content-Type", contentTypes[format])
	c.Status(http.StatusOK)
	for _, it := range items {
		_, _ = c.Writer.Write(encode(it.answer, format))
	}
}

// backlog is what a subscription gets before anything new: the messages
// from its since= that pass its filters, and the cursor of the last
// notification read (nil when none was), after which new ones are live.
func (s *Service) backlog(ctx context.Context, q subscription) ([]polled, *app.Cursor, error) {
	if q.from == nil {
		return nil, nil, nil
	}
	items, last, err := s.poll(ctx, q.user, q.topics, *q.from)
	if err != nil {
		return nil, nil, err
	}
	kept := items[:0]
	for _, it := range items {
		if q.f.match(it.answer) {
			kept = append(kept, it)
		}
	}
	return kept, last, nil
}

// contentTypes are the answers' types by format, as ntfy sends them.
var contentTypes = map[string]string{
	"json": "application/x-ndjson; charset=utf-8",
	"sse":  "text/event-stream; charset=utf-8",
	"raw":  "text/plain; charset=utf-8",
}

// encode is e in format: a JSON line; a WebSocket frame's JSON; an SSE
// event (a message event has no event: line, so EventSource's onmessage
// gets it, others name theirs); or, raw, the message alone on one line and
// an empty line for any other event.
func encode(e answer, format string) []byte {
	if format == "raw" {
		if e.Event != "message" {
			return []byte("\n")
		}
		return []byte(strings.ReplaceAll(e.Message, "\n", " ") + "\n")
	}
	b, _ := json.Marshal(e) // strings, numbers and Actions: cannot fail
	switch {
	case format == "ws":
		return b
	case format == "sse" && e.Event == "message":
		return []byte("data: " + string(b) + "\n\n")
	case format == "sse":
		return []byte("event: " + e.Event + "\ndata: " + string(b) + "\n\n")
	}
	return append(b, '\n')
}

// since is where a poll starts: after a notification (a keyset cursor),
// at a time, or only the newest notification.
type since struct {
	after  *app.Cursor
	at     time.Time
	latest bool
}

// parseSince reads ntfy's since=: all (or empty), latest, a duration
// (30s, 10m, 2h, 3d), a Unix time in seconds, or a message id. An id that
// is not one of the caller's notifications (deleted since, or never theirs)
// starts at the time its UUIDv7 carries, so a client resuming after a
// deletion misses nothing newer.
func (s *Service) parseSince(ctx context.Context, u *app.User, v string) (since, error) {
	switch {
	case v == "" || v == "all":
		return since{}, nil
	case v == "latest":
		return since{latest: true}, nil
	}
	if d, ok := parseDuration(v); ok {
		return since{at: s.d.Clock.Now().Add(-d)}, nil
	}
	if sec, err := strconv.ParseInt(v, 10, 64); err == nil && sec >= 0 {
		return since{at: time.Unix(sec, 0)}, nil
	}
	id, err := app.ParseID(v)
	if err != nil {
		return since{}, errBadRequest.wrap("since must be all, latest, a duration such as 10m, a Unix time or a message id, not %q", web.Clip(v, quoteMax))
	}
	n, err := s.d.Notifications.FindNotification(ctx, id)
	switch {
	case err == nil && n.UserID == u.ID:
		return since{after: &app.Cursor{CreatedAt: n.CreatedAt, ID: n.ID}}, nil
	case err != nil && app.ErrorKind(err) != app.ENOTFOUND:
		return since{}, err
	}
	return since{after: &app.Cursor{CreatedAt: uuidTime(id), ID: id}}, nil
}

// parseDuration reads ntfy's durations: a number and s, m, h or d.
func parseDuration(v string) (time.Duration, bool) {
	if len(v) < 2 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if err != nil || n < 0 || n > 100*365*24 {
		return 0, false
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[v[len(v)-1]]
	return time.Duration(n) * unit, unit != 0
}

// uuidTime is the millisecond time a UUIDv7 begins with.
func uuidTime(id string) time.Time {
	hex := strings.ReplaceAll(id, "-", "")[:12]
	ms, _ := strconv.ParseInt(hex, 16, 64)
	return time.UnixMilli(ms)
}

// polled is a message of a backlog and whether it was read.
type polled struct {
	answer
	read bool
}

// poll reads the caller's notifications of topics from since, oldest
// first, as ntfy messages, and the cursor of the last notification it read
// (nil when none).
func (s *Service) poll(ctx context.Context, u *app.User, topics []string, from since) ([]polled, *app.Cursor, error) {
	f := app.NotificationFilter{UserID: u.ID, Sort: app.SortOldest, Limit: pollPage, After: from.after}
	if from.latest {
		f.Sort, f.Limit = app.SortNewest, 1
	}
	if len(topics) == 1 && topics[0] != Inbox {
		f.ServiceID = topics[0]
	}
	var out []polled
	var last *app.Cursor
	for {
		page, err := s.d.Notifications.ListNotifications(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		for _, n := range page {
			if topic, ok := topicOf(n, topics); ok && !n.CreatedAt.Before(from.at) {
				out = append(out, polled{view(n, topic), n.IsRead()})
			}
		}
		if len(page) > 0 {
			n := page[len(page)-1]
			last = &app.Cursor{CreatedAt: n.CreatedAt, ID: n.ID}
		}
		if len(page) < f.Limit || from.latest {
			return out, last, nil
		}
		f.After = last
	}
}

// topicOf is the topic a notification is shown under: the requested topic
// it was published to, else the inbox when that was requested.
func topicOf(n *app.Notification, topics []string) (string, bool) {
	if n.ServiceID != "" && slices.Contains(topics, n.ServiceID) {
		return n.ServiceID, true
	}
	return Inbox, slices.Contains(topics, Inbox)
}

func first(q map[string][]string, names ...string) string {
	for _, n := range names {
		if v := q[n]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "yes", "true":
		return true
	}
	return false
}

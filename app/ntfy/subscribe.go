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

// registerSubscribe adds ntfy's subscribe routes that Belfry serves: the
// poll form of /<topic>/json, the topic auth check and the health check
// the ntfy app performs.
func (s *Service) registerSubscribe(r gin.IRouter) {
	for _, format := range []string{"json", "sse", "raw"} {
		r.GET("/:topic/"+format, s.handlePoll)
	}
	r.GET("/:topic/auth", s.handleAuth)
	r.GET("/v1/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"healthy": true}) })
}

// subscriber checks the topics of the path and authenticates the caller,
// who needs a client (or admin) token or their password.
func (s *Service) subscriber(c *gin.Context) (*app.User, []string, error) {
	topics := strings.Split(c.Param("topic"), ",")
	for _, t := range topics {
		if err := s.checkTopic(t); err != nil {
			return nil, nil, err
		}
	}
	u, err := caller(c, s.d.Credentials, "subscribe", app.ScopeClient)
	return u, topics, err
}

// handleAuth is GET /<topic>/auth: ntfy's check that the caller may read
// the topics, {"success":true}, or ntfy's 401/403.
func (s *Service) handleAuth(c *gin.Context) {
	if _, _, err := s.subscriber(c); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"success": true})
}

// handlePoll is GET /<topic>/json?poll=1 (and /sse, /raw): the caller's
// notifications of the topics since= (default all), oldest first, after
// the filters, in the format of the path. Without poll=1 it answers 400:
// Belfry does not hold streams open yet.
func (s *Service) handlePoll(c *gin.Context) {
	u, topics, err := s.subscriber(c)
	if err != nil {
		writeError(c, err)
		return
	}
	q := c.Request.URL.Query()
	if !isTrue(first(q, "poll", "po")) {
		writeError(c, errBadRequest.wrap("Belfry does not keep subscriptions open yet; add poll=1 and poll again (docs/mobile.md)"))
		return
	}
	f, err := parseFilters(q)
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	since, err := s.parseSince(ctx, u, first(q, "since", "si"))
	if err != nil {
		writeError(c, err)
		return
	}
	msgs, err := s.poll(ctx, u, topics, since)
	if err != nil {
		writeError(c, err)
		return
	}
	format := c.Request.URL.Path[strings.LastIndexByte(c.Request.URL.Path, '/')+1:]
	c.Header("Content-Type", contentTypes[format])
	c.Status(http.StatusOK)
	for _, m := range msgs {
		if f.match(m) {
			_, _ = c.Writer.Write(m.encode(format))
		}
	}
}

// contentTypes are the answers' types by format, as ntfy sends them.
var contentTypes = map[string]string{
	"json": "application/x-ndjson; charset=utf-8",
	"sse":  "text/event-stream; charset=utf-8",
	"raw":  "text/plain; charset=utf-8",
}

// encode is e in format: a JSON line; an SSE event (a message event has
// no event: line, so EventSource's onmessage gets it); or, raw, the
// message alone on one line.
func (e answer) encode(format string) []byte {
	if format == "raw" {
		return []byte(strings.ReplaceAll(e.Message, "\n", " ") + "\n")
	}
	b, _ := json.Marshal(e) // strings, numbers and Actions: cannot fail
	if format == "sse" {
		return []byte("data: " + string(b) + "\n\n")
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

// poll reads the caller's notifications of topics from since, oldest
// first, as ntfy messages.
func (s *Service) poll(ctx context.Context, u *app.User, topics []string, from since) ([]answer, error) {
	f := app.NotificationFilter{UserID: u.ID, Sort: app.SortOldest, Limit: pollPage, After: from.after}
	if from.latest {
		f.Sort, f.Limit = app.SortNewest, 1
	}
	if len(topics) == 1 && topics[0] != Inbox {
		f.ServiceID = topics[0]
	}
	var out []answer
	for {
		page, err := s.d.Notifications.ListNotifications(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, n := range page {
			if topic, ok := topicOf(n, topics); ok && !n.CreatedAt.Before(from.at) {
				out = append(out, view(n, topic))
			}
		}
		if len(page) < f.Limit || from.latest {
			return out, nil
		}
		last := page[len(page)-1]
		f.After = &app.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
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

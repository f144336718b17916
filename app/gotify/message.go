package gotify

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// messageView is Gotify's message JSON, the answer to POST /message.
type messageView struct {
	ID       int64          `json:"id"`
	AppID    int64          `json:"appid"`
	Message  string         `json:"message"`
	Title    string         `json:"title"`
	Priority int64          `json:"priority"`
	Extras   map[string]any `json:"extras,omitempty"`
	Date     time.Time      `json:"date"`
}

// handleCreateMessage is POST /message: it publishes the message through
// ingest as the token's owner and answers 200 with Gotify's message JSON.
func (g *Gotify) handleCreateMessage(c *gin.Context) {
	ctx := c.Request.Context()
	u, tok, err := g.authenticate(ctx, applicationToken(c))
	if err != nil {
		writeError(c, err)
		return
	}
	body, err := readBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	req, err := parseRequest(c.GetHeader("Content-Type"), c.Request.URL.Query(), body)
	if err != nil {
		writeError(c, err)
		return
	}
	appID, err := g.appID(ctx, tok.Name)
	if err != nil {
		writeError(c, err)
		return
	}
	m, err := req.message(tok.Name, appID)
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := g.d.Publisher.Publish(ctx, u, m)
	if err != nil {
		writeError(c, err)
		return
	}
	id, date, err := g.messageID(ctx, u, res)
	if err != nil {
		writeError(c, err)
		return
	}
	title, _ := ingest.TitleAndBody(m.Title, m.Body)
	c.JSON(http.StatusOK, messageView{ID: id, AppID: appID, Message: req.Message, Title: title,
		Priority: req.priority(), Extras: req.Extras, Date: date})
}

// appID returns the appid of application (a token's name): its topic's
// number, which never changes, so it is read once. Every token's name has
// one (migration 00010).
func (g *Gotify) appID(ctx context.Context, application string) (int64, error) {
	if n, ok := g.appIDs.Load(application); ok {
		return n.(int64), nil
	}
	n, err := g.d.Numbers.TopicNumber(ctx, application)
	if err != nil {
		return 0, err
	}
	g.appIDs.Store(application, n)
	return n, nil
}

// messageID returns the id and date of the message in Gotify's terms: the
// number of the publisher's own notification, or of the first recipient's
// when the topic is routed past the publisher; 0 and now when nobody got
// one (every recipient turned the type off or muted it).
func (g *Gotify) messageID(ctx context.Context, publisher *app.User, res *app.DispatchResult) (int64, time.Time, error) {
	if len(res.Notifications) == 0 {
		return 0, g.d.Clock.Now().UTC(), nil
	}
	ref := res.Notifications[0]
	for _, n := range res.Notifications {
		if n.UserID == publisher.ID {
			ref = n
			break
		}
	}
	return g.d.Numbers.NotificationNumber(ctx, ref.ID)
}

// message maps the request to what ingest publishes, for the application
// (the token) called application with number appID:
//   - the title, or else the application's name, as in Gotify;
//   - the level from the priority (Level; none sent is 0);
//   - Markdown when client::display.contentType is text/markdown;
//   - the target URL from client::notification.click.url when it is an
//     http(s) URL;
//   - data: priority, appid and the extras as sent.
func (r *request) message(application string, appID int64) (ingest.Message, error) {
	markdown, err := r.markdown()
	if err != nil {
		return ingest.Message{}, err
	}
	click, err := r.clickURL()
	if err != nil {
		return ingest.Message{}, err
	}
	priority := r.priority()
	title := r.Title
	if strings.TrimSpace(title) == "" {
		title = application
	}
	data := map[string]any{"priority": priority, "appid": appID}
	if r.Extras != nil {
		data["extras"] = r.Extras
	}
	return ingest.Message{Source: "gotify", Topic: application, Type: r.Type, Title: title, Body: r.Message,
		Level: Level(priority), Markdown: markdown, TargetURL: click, Data: data}, nil
}

// priority is the priority sent, 0 (Gotify's default) without one.
func (r *request) priority() int64 {
	if r.Priority == nil {
		return 0
	}
	return *r.Priority
}

// markdown reports whether the extras say the message is Markdown.
func (r *request) markdown() (bool, error) {
	display, err := r.extraObject("client::display")
	if err != nil || display == nil {
		return false, err
	}
	ct, ok := display["contentType"]
	if !ok || ct == nil {
		return false, nil
	}
	s, ok := ct.(string)
	if !ok {
		return false, app.Errorf(app.EINVALID, "Extra client::display.contentType must be a string such as \"text/markdown\".")
	}
	mt, _, err := mime.ParseMediaType(s)
	return err == nil && mt == "text/markdown", nil
}

// clickURL returns client::notification.click.url when it is an http(s)
// URL; another URL (an app's own scheme) stays in the extras only.
func (r *request) clickURL() (string, error) {
	click, err := r.extraObject("client::notification", "click")
	if err != nil || click == nil {
		return "", err
	}
	v, ok := click["url"]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", app.Errorf(app.EINVALID, "Extra client::notification.click.url must be a string.")
	}
	if len(s) > app.MaxURLLen {
		return "", app.Errorf(app.EINVALID, "Extra client::notification.click.url is longer than %d bytes.", app.MaxURLLen)
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", nil
	}
	return s, nil
}

// readBody reads the request body, at most web.MaxBody bytes.
func readBody(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, web.MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return b, nil
	case errors.As(err, &tooLarge):
		return nil, web.TooLarge(web.MaxBody)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, app.Errorf(app.ETIMEOUT, "The body arrived too slowly; the server stopped waiting for it.")
	}
	return nil, app.Errorf(app.EINVALID, "The body could not be read.")
}

package gotify

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Gotify's paging: limit is 1 to maxLimit, defaultLimit when not given.
const (
	defaultLimit = 100
	maxLimit     = 200
)

// handleListApplications is GET /application: the applications the
// caller's notifications come from (Numbers.UserTopics), oldest first.
func (g *Gotify) handleListApplications(c *gin.Context) {
	topics, err := g.d.Numbers.UserTopics(c.Request.Context(), callerOf(c).user.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]applicationView, 0, len(topics))
	for _, t := range topics {
		out = append(out, applicationOf(t))
	}
	c.JSON(http.StatusOK, out)
}

// userApplication returns the caller's application of the route's :id.
// Errors: EINVALID for an id that is not a positive integer, ENOTFOUND for
// an application the caller has no notifications, token or route of.
func (g *Gotify) userApplication(c *gin.Context) (app.Topic, error) {
	n, err := pathNumber(c, "application")
	if err != nil {
		return app.Topic{}, err
	}
	topics, err := g.d.Numbers.UserTopics(c.Request.Context(), callerOf(c).user.ID)
	if err != nil {
		return app.Topic{}, err
	}
	if i := slices.IndexFunc(topics, func(t app.Topic) bool { return t.Number == n }); i >= 0 {
		return topics[i], nil
	}
	return app.Topic{}, app.Errorf(app.ENOTFOUND, "Application %d does not exist.", n)
}

// handleListMessages is GET /message?limit&since: the caller's messages,
// newest first.
func (g *Gotify) handleListMessages(c *gin.Context) {
	g.listMessages(c, nil)
}

// handleListApplicationMessages is GET /application/:id/message?limit&since:
// the messages of one of the caller's applications, newest first.
func (g *Gotify) handleListApplicationMessages(c *gin.Context) {
	t, err := g.userApplication(c)
	if err != nil {
		writeError(c, err)
		return
	}
	g.listMessages(c, &t.Name)
}

// listMessages answers a page in Gotify's paging: limit messages with ids
// below since (0: from the newest), and, when there are more, since set to
// the last id of the page and next to the request for the following page.
func (g *Gotify) listMessages(c *gin.Context, topic *string) {
	limit, since, err := paging(c)
	if err != nil {
		writeError(c, err)
		return
	}
	page, err := g.d.Numbers.ListNumbered(c.Request.Context(),
		app.NumberedFilter{UserID: callerOf(c).user.ID, Topic: topic, Before: since, Limit: limit + 1})
	if err != nil {
		writeError(c, err)
		return
	}
	v := pagedMessagesView{Paging: pagingView{Limit: limit}, Messages: []messageView{}}
	if len(page) > limit {
		page = page[:limit]
		v.Paging.Since = page[limit-1].Number
		q := url.Values{"limit": {strconv.Itoa(limit)}, "since": {strconv.FormatInt(v.Paging.Since, 10)}}
		v.Paging.Next = c.Request.URL.Path + "?" + q.Encode()
	}
	for _, n := range page {
		v.Messages = append(v.Messages, messageOf(n))
	}
	v.Paging.Size = len(v.Messages)
	c.JSON(http.StatusOK, v)
}

// paging reads ?limit (1 to 200, default 100) and ?since (a message id, 0
// or more; 0 means from the newest). Errors: EINVALID naming the field.
func paging(c *gin.Context) (limit int, since int64, err error) {
	limit = defaultLimit
	if s, set := c.GetQuery("limit"); set {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return 0, 0, app.Errorf(app.EINVALID, "Field 'limit' must be an integer from 1 to %d, not %q.", maxLimit, web.Clip(s, 40))
		}
		limit = n
	}
	if s, set := c.GetQuery("since"); set {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, app.Errorf(app.EINVALID, "Field 'since' must be a message id, an integer of 0 or more, not %q.", web.Clip(s, 40))
		}
		since = n
	}
	return limit, since, nil
}

// handleDeleteMessage is DELETE /message/:id: deletes the caller's
// message id through the inbox. Another user's message is not found.
func (g *Gotify) handleDeleteMessage(c *gin.Context) {
	n, err := pathNumber(c, "message")
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	id, err := g.d.Numbers.NotificationOfNumber(ctx, n)
	if err == nil {
		err = g.d.Inbox.Delete(ctx, callerOf(c).user.ID, id)
	}
	if app.ErrorKind(err) == app.ENOTFOUND {
		err = app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Message %d does not exist.", n)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	answerDeleted(c)
}

// handleDeleteMessages is DELETE /message: deletes all of the caller's
// notifications.
func (g *Gotify) handleDeleteMessages(c *gin.Context) {
	if _, err := g.d.Inbox.DeleteAll(c.Request.Context(), callerOf(c).user.ID, nil); err != nil {
		writeError(c, err)
		return
	}
	answerDeleted(c)
}

// handleDeleteApplicationMessages is DELETE /application/:id/message:
// deletes the caller's notifications of one application.
func (g *Gotify) handleDeleteApplicationMessages(c *gin.Context) {
	t, err := g.userApplication(c)
	if err == nil {
		_, err = g.d.Inbox.DeleteAll(c.Request.Context(), callerOf(c).user.ID, &t.Name)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	answerDeleted(c)
}

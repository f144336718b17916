package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Page sizes of the two lists: the full page and the bell's dropdown.
const (
	pageLimit  = 20
	panelLimit = 8
	maxLimit   = 200
)

// listQuery is what a notification list shows: the view ("page" or
// "panel"), the filters and the keyset position.
type listQuery struct {
	View   string
	Unread bool
	Type   string
	Before *app.Cursor
	Limit  int
}

// parseListQuery reads a list query from the form. Every bad value is
// EINVALID with a message naming it.
func (u *UI) parseListQuery(f url.Values) (listQuery, error) {
	q := listQuery{View: f.Get("view"), Type: f.Get("type")}
	switch q.View {
	case "", "page":
		q.View, q.Limit = "page", pageLimit
	case "panel":
		q.Limit = panelLimit
	default:
		return q, app.Errorf(app.EINVALID, "View must be page or panel, not %q.", q.View)
	}
	switch f.Get("unread") {
	case "", "0", "false":
	case "1", "true", "on":
		q.Unread = true
	default:
		return q, app.Errorf(app.EINVALID, "Unread must be 1 or 0.")
	}
	if _, ok := u.d.Types.Lookup(q.Type); q.Type != "" && !ok {
		return q, app.Errorf(app.EINVALID, "Unknown notification type %q.", q.Type)
	}
	if s := f.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return q, app.Errorf(app.EINVALID, "Limit must be a number from 1 to %d.", maxLimit)
		}
		q.Limit = n
	}
	if s := f.Get("before"); s != "" {
		cur, err := parseCursor(s)
		if err != nil {
			return q, err
		}
		q.Before = cur
	}
	return q, nil
}

// formatCursor writes the keyset position after n as "<unix ms>_<id>".
func formatCursor(n *app.Notification) string {
	return strconv.FormatInt(n.CreatedAt.UnixMilli(), 10) + "_" + n.ID
}

func parseCursor(s string) (*app.Cursor, error) {
	ms, id, ok := strings.Cut(s, "_")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n < 0 || uuid.Validate(id) != nil {
		return nil, app.Errorf(app.EINVALID, "The list position %q is malformed.", s)
	}
	return &app.Cursor{CreatedAt: time.UnixMilli(n).UTC(), ID: id}, nil
}

// listView is one page of a notification list.
type listView struct {
	Items []*app.Notification
	// Muted holds the caller's mutes in force of the items' objects.
	Muted map[app.ObjectRef]*app.Mute
	// Escalated holds the state of the items' escalation ladders, by id.
	Escalated map[string]string
	// More is the URL of the next page, "" at the end.
	More string
	// Continued is true for a "load more" page: no empty state.
	Continued bool
	Filtered  bool
	Badge     badgeView
}

// badgeView is the bell's badge; OOB makes it an out-of-band swap.
type badgeView struct {
	Count int
	OOB   bool
}

// loadList fetches one page of q for userID, with the unread count.
func (u *UI) loadList(ctx context.Context, userID string, q listQuery) (listView, error) {
	f := app.NotificationFilter{UserID: userID, UnreadOnly: q.Unread, Type: q.Type, After: q.Before, Limit: q.Limit + 1}
	ns, err := u.d.Notifications.ListNotifications(ctx, f)
	if err != nil {
		return listView{}, err
	}
	unread, err := u.d.Notifications.UnreadCount(ctx, userID)
	if err != nil {
		return listView{}, err
	}
	muted, err := u.activeMutes(ctx, userID, ns)
	if err != nil {
		return listView{}, err
	}
	escalated, err := u.d.Escalation.States(ctx, userID, ns)
	if err != nil {
		return listView{}, err
	}
	v := listView{Items: ns, Muted: muted, Escalated: escalated, Continued: q.Before != nil, Filtered: q.Unread || q.Type != "", Badge: badgeView{Count: unread, OOB: true}}
	if len(ns) > q.Limit {
		v.Items = ns[:q.Limit]
		next := url.Values{"view": {q.View}, "before": {formatCursor(v.Items[q.Limit-1])}}
		if q.Unread {
			next.Set("unread", "1")
		}
		if q.Type != "" {
			next.Set("type", q.Type)
		}
		v.More = "/ui/notifications?" + next.Encode()
	}
	return v, nil
}

// notificationsPage is the content of the full notifications page.
type notificationsPage struct {
	List   listView
	Types  []string
	Unread bool
	Type   string
}

func (u *UI) handleNotificationsPage(c *gin.Context) {
	q, err := u.parseListQuery(c.Request.URL.Query())
	if err != nil {
		u.fail(c, err)
		return
	}
	// The page always starts at the top; "load more" pages come from /ui.
	q.View, q.Before = "page", nil
	list, err := u.loadList(c.Request.Context(), user(c).ID, q)
	if err != nil {
		u.fail(c, err)
		return
	}
	list.Badge.OOB = false
	u.page(c, http.StatusOK, "notifications", "Notifications", notificationsPage{List: list, Types: u.d.Types.Names(), Unread: q.Unread, Type: q.Type})
}

// handleNotificationList renders list items (and a "load more" item) for
// the page or the dropdown, with the badge as an out-of-band swap.
func (u *UI) handleNotificationList(c *gin.Context) {
	if q, ok := u.listQueryOf(c); ok {
		u.renderList(c, q)
	}
}

// listQueryOf reads the list query of the request's form; on a bad one it
// answers with the error and returns false. Actions call it before they
// change anything.
func (u *UI) listQueryOf(c *gin.Context) (listQuery, bool) {
	f, err := form(c)
	if err == nil {
		var q listQuery
		if q, err = u.parseListQuery(f); err == nil {
			return q, true
		}
	}
	u.fail(c, err)
	return listQuery{}, false
}

// renderList answers with the list q asks for.
func (u *UI) renderList(c *gin.Context, q listQuery) {
	list, err := u.loadList(c.Request.Context(), user(c).ID, q)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "", "notification_items", list)
}

package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// Page sizes of the two lists: the full page and the bell's dropdown.
const (
	pageLimit  = 50
	panelLimit = 8
	maxLimit   = 200
)

// listQuery is what a notification list shows: the view ("page" or
// "panel"), the inbox's filters, the keyset position and the page size.
type listQuery struct {
	View   string
	Filter app.NotificationFilter
	// Params are the filter parameters as given, for the next page's URL.
	Params url.Values
	Before *app.Cursor
	Limit  int
}

// parseListQuery reads a list query from the form: view, limit, cursor,
// the inbox's filters (app.ParseInboxFilter) and unread=1, the older
// spelling of read=unread. Every bad value is EINVALID with a message
// naming it.
func (u *UI) parseListQuery(f url.Values) (listQuery, error) {
	q := listQuery{View: f.Get("view"), Params: url.Values{}}
	switch q.View {
	case "", "page":
		q.View, q.Limit = "page", pageLimit
	case "panel":
		q.Limit = panelLimit
	default:
		return q, app.Errorf(app.EINVALID, "View must be page or panel, not %q.", q.View)
	}
	var err error
	if q.Filter, err = app.ParseInboxFilter(f.Get, u.d.Types); err != nil {
		return q, err
	}
	switch f.Get("unread") {
	case "", "0", "false":
	case "1", "true", "on":
		if q.Filter.ReadOnly {
			return q, app.Errorf(app.EINVALID, "Unread and read=read contradict each other.")
		}
		q.Filter.UnreadOnly = true
	default:
		return q, app.Errorf(app.EINVALID, "Unread must be 1 or 0.")
	}
	for _, name := range app.InboxParams {
		if v := f.Get(name); v != "" {
			q.Params.Set(name, v)
		}
	}
	if q.Filter.UnreadOnly {
		q.Params.Set("read", "unread")
	}
	if s := f.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return q, app.Errorf(app.EINVALID, "Limit must be a number from 1 to %d.", maxLimit)
		}
		q.Limit = n
		q.Params.Set("limit", s)
	}
	if s := f.Get("cursor"); s != "" {
		if q.Before, err = app.ParseCursor("cursor", s); err != nil {
			return q, err
		}
	}
	return q, nil
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
	f := q.Filter
	f.UserID, f.After, f.Limit = userID, q.Before, q.Limit+1
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
	v := listView{Items: ns, Muted: muted, Escalated: escalated, Continued: q.Before != nil, Filtered: app.InboxFiltered(q.Filter), Badge: badgeView{Count: unread, OOB: true}}
	if len(ns) > q.Limit {
		v.Items = ns[:q.Limit]
		next := url.Values{"view": {q.View}, "cursor": {app.CursorAfter(v.Items[q.Limit-1]).String()}}
		for k, vs := range q.Params {
			next[k] = vs
		}
		v.More = "/ui/notifications?" + next.Encode()
	}
	return v, nil
}

// notificationsPage is the content of the full notifications page: the
// list and the filters it was asked for.
type notificationsPage struct {
	List      listView
	Types     []string
	Levels    []app.Level
	Filter    app.NotificationFilter
	Before    string // the date jump as given
	PageLimit int
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
	u.page(c, http.StatusOK, "notifications", "Notifications", notificationsPage{List: list, Types: u.d.Types.Names(),
		Levels: []app.Level{app.LevelInfo, app.LevelWarning, app.LevelError}, Filter: q.Filter, Before: q.Params.Get("before"), PageLimit: q.Limit})
}

// handleNotificationList renders list items (and a "load more" item) for
// the page or the dropdown, with the badge as an out-of-band swap.
func (u *UI) handleNotificationList(c *gin.Context) {
	q, ok := u.listQueryOf(c)
	if !ok {
		return
	}
	// The page's filter form asks here for the list alone; the address it
	// puts in the history is the full page's, so a reload or a bookmark
	// shows the same filtered list.
	if c.GetHeader("HX-Trigger") == "filters" && q.View == "page" && q.Before == nil {
		push := "/notifications"
		if len(q.Params) > 0 {
			push += "?" + q.Params.Encode()
		}
		c.Header("HX-Push-Url", push)
	}
	u.renderList(c, q)
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

package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Paging of GET /api/notifications.
const (
	defaultLimit = 20
	maxLimit     = 100
	maxPage      = 1_000_000
)

// notificationView is a notification as the in-app spec shows it: exactly
// these fields.
type notificationView struct {
	ID        string          `json:"id"`
	UserID    string          `json:"user_id"`
	Type      string          `json:"type"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	Data      json.RawMessage `json:"data"`
	IsRead    bool            `json:"is_read"`
	CreatedAt string          `json:"created_at"`
}

func viewNotification(n *app.Notification) notificationView {
	return notificationView{
		ID: n.ID, UserID: n.UserID, Type: n.Type, Title: n.Title, Body: n.Body,
		Data: n.Data, IsRead: n.IsRead(), CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339),
	}
}

type listResponse struct {
	Notifications []notificationView `json:"notifications"`
	UnreadCount   int                `json:"unreadCount"`
	Page          int                `json:"page"`
	Limit         int                `json:"limit"`
	// NextCursor is the position after this page for the cursor
	// parameter; null on the last page.
	NextCursor *string `json:"next_cursor"`
}

// listQuery is the parsed query of GET /api/notifications: the page and
// the inbox's filters and keyset position.
type listQuery struct {
	page, limit int
	filter      app.NotificationFilter
}

func (s *Server) parseListQuery(c *gin.Context) (listQuery, error) {
	q := listQuery{page: 1, limit: defaultLimit}
	values, err := web.Query(c)
	if err != nil {
		return q, err
	}
	if v, ok := c.GetQuery("page"); ok {
		if q.page, err = strconv.Atoi(v); err != nil || q.page < 1 || q.page > maxPage {
			return q, app.Errorf(app.EINVALID, "Parameter page must be a whole number from 1 to %d.", maxPage)
		}
	}
	if v, ok := c.GetQuery("limit"); ok {
		if q.limit, err = strconv.Atoi(v); err != nil || q.limit < 1 || q.limit > maxLimit {
			return q, app.Errorf(app.EINVALID, "Parameter limit must be a whole number from 1 to %d.", maxLimit)
		}
	}
	if q.filter, err = app.ParseInboxFilter(values.Get, s.d.Types); err != nil {
		return q, err
	}
	switch v := c.Query("unread_only"); v {
	case "1", "true":
		if q.filter.ReadOnly {
			return q, app.Errorf(app.EINVALID, "Parameters unread_only and read=read contradict each other; give one.")
		}
		q.filter.UnreadOnly = true
	case "", "0", "false":
	default:
		return q, app.Errorf(app.EINVALID, "Parameter unread_only must be 1, true, 0 or false.")
	}
	if v := values.Get("cursor"); v != "" {
		if q.page != 1 {
			return q, app.Errorf(app.EINVALID, "Parameters page and cursor contradict each other: a cursor is the position after a page; give one.")
		}
		if q.filter.After, err = app.ParseCursor("cursor", v); err != nil {
			return q, err
		}
	}
	q.filter.Sort, q.filter.Limit, q.filter.Offset = app.SortNewest, q.limit+1, (q.page-1)*q.limit
	return q, nil
}

// handleListNotifications is GET /api/notifications: the caller's
// notifications, newest first, one page at a time (by page number or by
// keyset cursor), filtered by the inbox's filters.
func (s *Server) handleListNotifications(c *gin.Context) {
	q, err := s.parseListQuery(c)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	ctx, uid := c.Request.Context(), web.UserFrom(c).ID
	q.filter.UserID = uid
	ns, err := s.d.Notifications.ListNotifications(ctx, q.filter)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	unread, err := s.d.Notifications.UnreadCount(ctx, uid)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	resp := listResponse{UnreadCount: unread, Page: q.page, Limit: q.limit}
	if len(ns) > q.limit {
		ns = ns[:q.limit]
		next := app.CursorAfter(ns[q.limit-1]).String()
		resp.NextCursor = &next
	}
	resp.Notifications = make([]notificationView, 0, len(ns))
	for _, n := range ns {
		resp.Notifications = append(resp.Notifications, viewNotification(n))
	}
	c.JSON(http.StatusOK, resp)
}

// handleMarkRead is PATCH /api/notifications/:id/read.
func (s *Server) handleMarkRead(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.d.Inbox.MarkRead(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"success": true})
}

// handleMarkAllRead is POST (and PATCH) /api/notifications/read-all.
func (s *Server) handleMarkAllRead(c *gin.Context) {
	n, err := s.d.Inbox.MarkAllRead(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"updated": n})
}

// handleDeleteNotification is DELETE /api/notifications/:id.
func (s *Server) handleDeleteNotification(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.d.Inbox.Delete(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}

// handleDeleteRead is DELETE /api/notifications: the caller's read
// notifications go, unread ones stay.
func (s *Server) handleDeleteRead(c *gin.Context) {
	if _, err := s.d.Inbox.DeleteRead(c.Request.Context(), web.UserFrom(c).ID); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}

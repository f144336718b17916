package poll

import (
	"context"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// handleList is GET /api/v1/client/notifications: one keyset page of the
// caller's notifications. next_cursor continues the walk; with sort=oldest
// it is given even on the last page (and on an empty first page), because
// new notifications arrive after it: a poller keeps it and asks again, or
// long-polls with wait=N. First and last pages are kept in the page cache
// until the user's next change, since pollers ask for them again and again.
func (s *Server) handleList(c *gin.Context) {
	user := web.UserFrom(c)
	values, err := web.Query(c)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	q, err := s.parseListQuery(values, user.ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	now, key := s.d.Clock.Now(), q.cacheKey()
	if q.wait == 0 {
		if e, ok := s.pages.get(user.ID, key, now); ok {
			s.cacheHits.Add(1)
			s.writeEncoded(c, e)
			return
		}
	}
	// Read before the queries, so a change that lands meanwhile keeps
	// their answer out of the cache.
	gen := s.pages.generation(user.ID)
	body, err := s.listPage(c.Request.Context(), q)
	if err != nil {
		if c.Request.Context().Err() == nil {
			web.WriteError(c, err)
		} // else the client went away; nobody reads an answer
		return
	}
	e, err := encode(body)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	if q.cursor == "" || !body.Pagination.HasMore {
		s.pages.put(user.ID, gen, key, e, now)
	}
	s.writeEncoded(c, e)
}

// listPage runs the queries of q: its rows (waiting for them on a long
// poll) and its total count.
func (s *Server) listPage(ctx context.Context, q *listQuery) (listResponse, error) {
	rows, err := s.rowsOrWait(ctx, q)
	if err != nil {
		return listResponse{}, err
	}
	total, err := s.d.Counts.CountNotifications(ctx, q.countFilter())
	if err != nil {
		return listResponse{}, err
	}
	return s.page(q, rows, total)
}

// rowsOrWait fetches the page of q (limit+1 rows). A long poll (q.wait > 0)
// whose page is empty sleeps until a notification is created for the user,
// then fetches again, until rows appear, the wait ends, the client goes
// away or the server closes; it then returns what it has, possibly nothing.
func (s *Server) rowsOrWait(ctx context.Context, q *listQuery) ([]*app.Notification, error) {
	deadline := time.Now().Add(q.wait)
	for {
		var woken <-chan struct{}
		release := func() {}
		if q.wait > 0 {
			woken, release = s.waiters.watch(q.userID)
		}
		rows, err := s.d.Notifications.ListNotifications(ctx, q.filter())
		left := time.Until(deadline)
		if err != nil || len(rows) > 0 || left <= 0 {
			release()
			return rows, err
		}
		wake := s.sleep(ctx, woken, left)
		release()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !wake {
			return rows, nil
		}
		s.waiters.woken.Add(1)
	}
}

// sleep waits for woken, for d, for the client to go away or for Close,
// and reports whether woken fired.
func (s *Server) sleep(ctx context.Context, woken <-chan struct{}, d time.Duration) bool {
	s.waiters.waiting.Add(1)
	defer s.waiters.waiting.Add(-1)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-woken:
		return true
	case <-timer.C:
	case <-ctx.Done():
	case <-s.quit:
	}
	return false
}

// page assembles the answer from rows, which hold up to limit+1 entries.
func (s *Server) page(q *listQuery, rows []*app.Notification, total int) (listResponse, error) {
	more := len(rows) > q.limit
	if more {
		rows = rows[:q.limit]
	}
	out := listResponse{
		Notifications: make([]notificationView, len(rows)),
		Pagination:    pagination{HasMore: more, TotalCount: total},
	}
	for i, n := range rows {
		out.Notifications[i] = viewOf(n)
	}
	var next *position
	switch {
	case len(rows) > 0 && (more || q.sort == app.SortOldest):
		last := rows[len(rows)-1]
		id, err := uuid.Parse(last.ID)
		if err != nil {
			return out, fmt.Errorf("notification %q has no UUID id: %w", last.ID, err)
		}
		next = &position{sort: q.sort, createdAt: last.CreatedAt.UnixMilli(), id: id}
	case q.sort == app.SortOldest && q.after != nil:
		next = q.after // nothing new yet: keep waiting from the same place
	case q.sort == app.SortOldest:
		next = &position{sort: q.sort} // the very beginning: before every row
	}
	if next != nil {
		next.filter = q.filterHash()
		text := s.cursors.encode(*next)
		out.Pagination.NextCursor = &text
	}
	return out, nil
}

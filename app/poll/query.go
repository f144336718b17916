package poll

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

// Bounds of the list parameters.
const (
	defaultLimit = 50
	maxLimit     = 100
	maxWait      = 60 // seconds
)

// listParams are the query parameters GET /api/v1/client/notifications
// accepts; any other is refused, so a misspelt filter never silently
// returns everything.
var listParams = []string{"status", "limit", "cursor", "service_id", "project", "sort", "wait"}

// listQuery is a validated list request.
type listQuery struct {
	userID    string
	status    string
	serviceID string
	project   string
	sort      string
	limit     int
	after     *position // nil: from the start
	cursor    string    // the cursor parameter as given
	wait      time.Duration
}

// filter returns the store filter of the page q asks for; it fetches one row
// more than the page so has_more needs no second query.
func (q *listQuery) filter() app.NotificationFilter {
	f := q.countFilter()
	f.Sort, f.Limit = q.sort, q.limit+1
	if q.after != nil {
		f.After = q.after.appCursor()
	}
	return f
}

// countFilter selects every row of q's filter, ignoring the page.
func (q *listQuery) countFilter() app.NotificationFilter {
	return app.NotificationFilter{UserID: q.userID, Status: q.status, ServiceID: q.serviceID, Project: q.project}
}

func (q *listQuery) filterHash() [8]byte {
	return filterHash(q.userID, q.status, q.serviceID, q.project)
}

func invalidParam(format string, args ...any) error {
	return app.Errorf(app.EINVALID, format, args...)
}

// parseListQuery validates the query string of a list request by userID.
// Every problem is EINVALID (INVALID_PARAMETER) with a message naming the
// parameter. An empty value is the same as an absent parameter.
func (s *Server) parseListQuery(values url.Values, userID string) (*listQuery, error) {
	if err := checkParamNames(values); err != nil {
		return nil, err
	}
	get := values.Get
	q := &listQuery{userID: userID, limit: defaultLimit, sort: app.SortNewest}
	if v := get("status"); v != "" {
		if v != app.StatusPending && v != app.StatusAcknowledged {
			return nil, invalidParam("Query parameter status must be pending or acknowledged, not %q.", web.Clip(v, 64))
		}
		q.status = v
	}
	if v := get("sort"); v != "" {
		if v != app.SortNewest && v != app.SortOldest {
			return nil, invalidParam("Query parameter sort must be newest or oldest, not %q.", web.Clip(v, 64))
		}
		q.sort = v
	}
	var err error
	if q.limit, err = intParam(get("limit"), "limit", defaultLimit, 1, maxLimit); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"service_id", &q.serviceID}, {"project", &q.project}} {
		v := get(p.name)
		if len(v) > app.MaxFieldLen || !utf8.ValidString(v) {
			return nil, invalidParam("Query parameter %s must be text of at most %d bytes.", p.name, app.MaxFieldLen)
		}
		*p.dst = v
	}
	if v := get("cursor"); v != "" {
		if q.after, err = s.checkCursor(v, q); err != nil {
			return nil, err
		}
		q.cursor = v
	}
	wait, err := intParam(get("wait"), "wait", 0, 0, maxWait)
	if err != nil {
		return nil, err
	}
	if wait > 0 && (q.sort != app.SortOldest || q.after == nil) {
		return nil, invalidParam("Query parameter wait needs sort=oldest and a cursor: a long poll waits for notifications newer than the cursor's position. Fetch with sort=oldest first and pass its next_cursor.")
	}
	q.wait = time.Duration(wait) * time.Second
	return q, nil
}

// checkParamNames refuses unknown and repeated parameters.
func checkParamNames(values url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if !slices.Contains(listParams, name) {
			return invalidParam("Unknown query parameter %q; this endpoint takes %s.", web.Clip(name, 64), strings.Join(listParams, ", "))
		}
		if n := len(values[name]); n > 1 {
			return invalidParam("Query parameter %s is given %d times; give it once.", name, n)
		}
	}
	return nil
}

// checkCursor decodes text and checks that it was issued for q's query.
func (s *Server) checkCursor(text string, q *listQuery) (*position, error) {
	p, ok := s.cursors.decode(text)
	if !ok {
		return nil, invalidParam("Query parameter cursor is not a cursor this server issued: it is malformed or was altered. Pass next_cursor unchanged, or leave cursor out to start from the first page.")
	}
	if p.filter != q.filterHash() {
		return nil, invalidParam("Query parameter cursor belongs to a different query: repeat the status, service_id and project of the request that returned it.")
	}
	if p.sort != q.sort {
		return nil, invalidParam("Query parameter cursor was issued for sort=%s, not sort=%s: repeat the sort of the request that returned it.", p.sort, q.sort)
	}
	return &p, nil
}

// intParam parses an integer parameter in [lo, hi]; "" gives def.
func intParam(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi || strings.HasPrefix(v, "+") {
		return 0, invalidParam("Query parameter %s must be an integer from %d to %d, not %q.", name, lo, hi, web.Clip(v, 64))
	}
	return n, nil
}

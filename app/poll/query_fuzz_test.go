package poll_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/app/web"
)

// FuzzListQuery sends query strings to GET /api/v1/client/notifications of
// the whole application. Every answer is 200 or a 400 INVALID_PARAMETER in
// the envelope — a malformed query string included — and a 200 page keeps
// the limit, the status filter and the sort order and never shows another
// user's notification. "CURSOR" in the input stands for a cursor the server
// issued, so the fuzzer reaches the checks behind a valid signature.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{
		"", "status=pending", "status=acknowledged&limit=1", "limit=100&sort=oldest", "limit=0", "limit=+5", "limit=101",
		"service_id=ci&project=belfry", "sort=newest&cursor=CURSOR", "sort=oldest&cursor=CURSOR",
		"sort=oldest&cursor=CURSOR&wait=1", "cursor=CURSOR&status=pending", "wait=5", "page=2", "status=pending&status=pending",
		"status=%zz", "limit=1;sort=oldest", "project=" + strings.Repeat("p", 129), "service_id=%ff", "cursor=AAAA",
	} {
		f.Add(s)
	}
	a := servertest.New(f, servertest.WithConfig(func(c *app.Config) { c.Polling.RatePerSecond, c.Polling.Burst = 1e9, 1e9 }))
	owner, other := a.User("owner", false), a.User("other", false)
	ctx := context.Background()
	for i, ev := range []app.Event{
		{Type: "job_failed", Title: "one", ServiceID: "ci", Project: "belfry"},
		{Type: "job_failed", Title: "two", ServiceID: "ci"},
		{Type: "job_completed", Title: "three", Project: "belfry"},
		{Type: "quota_warning", Title: "four"},
	} {
		res, err := a.Dispatcher.Notify(ctx, owner, &ev)
		if err != nil {
			f.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := a.Inbox.Acknowledge(ctx, owner.ID, res.Notifications[0].ID); err != nil {
				f.Fatal(err)
			}
		}
	}
	if _, err := a.Dispatcher.Notify(ctx, other, &app.Event{Type: "job_failed", Title: "other-user-secret"}); err != nil {
		f.Fatal(err)
	}
	token := a.Token(owner, app.ScopeClient)
	list := func(rawQuery string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/client/notifications", nil)
		req.URL.RawQuery = rawQuery
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		return rec
	}
	var first page
	if rec := list("sort=oldest&limit=1"); rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &first) != nil || first.Pagination.NextCursor == nil {
		f.Fatalf("first page: %d %s", rec.Code, rec.Body)
	}
	cursor := *first.Pagination.NextCursor

	f.Fuzz(func(t *testing.T, raw string) {
		if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // no HTTP request line carries these
		}
		raw = strings.ReplaceAll(raw, "CURSOR", cursor)
		rec := list(raw)
		values, perr := url.ParseQuery(raw)
		switch rec.Code {
		case http.StatusOK:
			if perr != nil {
				t.Fatalf("?%s: 200 for a malformed query string (%v)", raw, perr)
			}
			checkPage(t, raw, values, rec)
		case http.StatusBadRequest:
			var env web.Envelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code != app.CodeInvalidParameter || env.Error.Message == "" {
				t.Fatalf("?%s: 400 %s is not an INVALID_PARAMETER envelope", raw, rec.Body)
			}
		default:
			t.Fatalf("?%s: status %d %s", raw, rec.Code, rec.Body)
		}
	})
}

type page struct {
	Notifications []struct {
		ID, Title, Status, CreatedAt string
		ServiceID                    *string `json:"service_id"`
		Project                      *string `json:"project"`
	}
	Pagination struct {
		NextCursor *string `json:"next_cursor"`
		HasMore    bool    `json:"has_more"`
		TotalCount int     `json:"total_count"`
	}
}

func checkPage(t *testing.T, raw string, q url.Values, rec *httptest.ResponseRecorder) {
	t.Helper()
	if strings.Contains(rec.Body.String(), "other-user-secret") {
		t.Fatalf("?%s shows another user's notification: %s", raw, rec.Body)
	}
	var p page
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("?%s: %v: %s", raw, err, rec.Body)
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("?%s: accepted limit %q", raw, v)
		}
		limit = n
	}
	if limit < 1 || limit > 100 || len(p.Notifications) > limit || p.Pagination.TotalCount < len(p.Notifications) {
		t.Fatalf("?%s: %d notifications for limit %d, total %d", raw, len(p.Notifications), limit, p.Pagination.TotalCount)
	}
	for i, n := range p.Notifications {
		if s := q.Get("status"); s != "" && n.Status != s {
			t.Fatalf("?%s: a %s notification", raw, n.Status)
		}
		for name, got := range map[string]*string{"service_id": n.ServiceID, "project": n.Project} {
			if want := q.Get(name); want != "" && (got == nil || *got != want) {
				t.Fatalf("?%s: %s %v", raw, name, got)
			}
		}
		if i == 0 {
			continue
		}
		prev := p.Notifications[i-1]
		if oldest := q.Get("sort") == "oldest"; oldest && prev.CreatedAt > n.CreatedAt || !oldest && prev.CreatedAt < n.CreatedAt {
			t.Fatalf("?%s: out of order: %s then %s", raw, prev.CreatedAt, n.CreatedAt)
		}
	}
}

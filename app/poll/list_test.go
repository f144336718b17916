package poll

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestListShape(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	ns := h.insert(u, notif{at: t0.Add(123 * time.Millisecond)}, notif{at: t0.Add(time.Second), service: "backup", project: "home", targetURL: "https://nas.local/jobs/1"})

	r := h.get(base, tok)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET = %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var raw struct {
		Notifications []json.RawMessage `json:"notifications"`
		Pagination    map[string]any    `json:"pagination"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"id":"` + ns[1].ID + `","type":"job_failed","level":"error","title":"Job 1 failed","body":"**exit 1**","data":{"job":"backup"},"target_url":"https://nas.local/jobs/1","service_id":"backup","project":"home","status":"pending","acknowledged_at":null,"is_read":false,"created_at":"2026-03-01T12:00:01.000Z"}`,
		`{"id":"` + ns[0].ID + `","type":"job_failed","level":"error","title":"Job 0 failed","body":"**exit 1**","data":{"job":"backup"},"target_url":null,"service_id":null,"project":null,"status":"pending","acknowledged_at":null,"is_read":false,"created_at":"2026-03-01T12:00:00.123Z"}`,
	}
	if len(raw.Notifications) != 2 || string(raw.Notifications[0]) != want[0] || string(raw.Notifications[1]) != want[1] {
		t.Fatalf("notifications =\n%s\nwant\n%s", raw.Notifications, want)
	}
	wantPage := map[string]any{"next_cursor": nil, "has_more": false, "total_count": float64(2)}
	if fmt.Sprint(raw.Pagination) != fmt.Sprint(wantPage) {
		t.Fatalf("pagination = %v, want %v", raw.Pagination, wantPage)
	}

	// Acknowledged rows show their time and read state.
	if r := h.post(base+"/"+ns[0].ID+"/acknowledge", tok, ""); r.status != http.StatusOK {
		t.Fatalf("acknowledge = %d %s", r.status, r.body)
	}
	got := h.list(tok, "status=acknowledged").Notifications
	if len(got) != 1 || got[0]["status"] != "acknowledged" || got[0]["is_read"] != true {
		t.Fatalf("acknowledged row = %v", got)
	}
	if at, _ := got[0]["acknowledged_at"].(string); !strings.HasSuffix(at, "Z") || len(at) != len("2026-03-01T12:00:00.000Z") {
		t.Fatalf("acknowledged_at = %q, want RFC 3339 UTC with milliseconds", got[0]["acknowledged_at"])
	}
}

func TestListParameters(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	other, otherTok := h.user("bob")
	h.insert(other, notif{at: t0})
	ns := h.insert(u, series(120, t0, func(i int, s *notif) {
		s.service = []string{"backup", "mail", ""}[i%3]
		s.project = []string{"home", "work"}[i%2]
	})...)
	all := ids(ns) // oldest first
	for _, n := range ns[:30] {
		if _, err := h.store.Acknowledge(t.Context(), u.ID, n.ID); err != nil {
			t.Fatal(err)
		}
	}
	where := func(keep func(i int) bool) []string {
		var out []string
		for i, id := range all {
			if keep(i) {
				out = append(out, id)
			}
		}
		return out
	}

	valid := []struct {
		name, query string
		want        []string // every match, in the order asked for
		limit       int
	}{
		{"Defaults", "", reversed(all), 50},
		{"EmptyValuesAreAbsent", "status=&limit=&cursor=&service_id=&project=&sort=&wait=", reversed(all), 50},
		{"LimitOne", "limit=1", reversed(all), 1},
		{"LimitMax", "limit=100", reversed(all), 100},
		{"SortNewest", "sort=newest", reversed(all), 50},
		{"SortOldest", "sort=oldest", all, 50},
		{"StatusPending", "status=pending&limit=100", reversed(all[30:]), 100},
		{"StatusAcknowledged", "status=acknowledged&sort=oldest", all[:30], 50},
		{"ServiceID", "service_id=backup&limit=100", reversed(where(func(i int) bool { return i%3 == 0 })), 100},
		{"Project", "project=work&sort=oldest", where(func(i int) bool { return i%2 == 1 }), 50},
		{"Combined", "service_id=mail&project=home&status=pending&sort=oldest",
			where(func(i int) bool { return i%3 == 1 && i%2 == 0 && i >= 30 }), 50},
		{"UnknownServiceMatchesNothing", "service_id=nope", nil, 50},
		{"UnicodeProject", "project=" + url.QueryEscape("café ☕"), nil, 50},
		{"WaitZero", "wait=0", reversed(all), 50},
	}
	for _, tc := range valid {
		t.Run("Valid/"+tc.name, func(t *testing.T) {
			lb := h.list(tok, tc.query)
			page := tc.want[:min(tc.limit, len(tc.want))]
			if got := lb.ids(); !slices.Equal(got, page) {
				t.Fatalf("ids = %v\nwant %v", got, page)
			}
			if lb.Pagination.TotalCount != len(tc.want) || lb.Pagination.HasMore != (len(tc.want) > tc.limit) {
				t.Fatalf("pagination = %+v, want total %d", lb.Pagination, len(tc.want))
			}
		})
	}

	// The other user's rows never show up and do not count.
	if lb := h.list(otherTok, ""); lb.Pagination.TotalCount != 1 || len(lb.Notifications) != 1 {
		t.Fatalf("bob sees %+v", lb.Pagination)
	}

	long := strings.Repeat("x", app.MaxFieldLen+1)
	invalid := []struct{ name, query, param string }{
		{"LimitZero", "limit=0", "limit"},
		{"LimitNegative", "limit=-1", "limit"},
		{"LimitTooLarge", "limit=101", "limit"},
		{"LimitHuge", "limit=99999999999999999999", "limit"},
		{"LimitNotNumber", "limit=ten", "limit"},
		{"LimitFraction", "limit=1.5", "limit"},
		{"LimitPlusSign", "limit=%2B5", "limit"},
		{"LimitSpace", "limit=%205", "limit"},
		{"LimitTwice", "limit=1&limit=2", "limit"},
		{"StatusUnknown", "status=done", "status"},
		{"StatusCase", "status=Pending", "status"},
		{"SortUnknown", "sort=asc", "sort"},
		{"ServiceTooLong", "service_id=" + long, "service_id"},
		{"ServiceNotUTF8", "service_id=%FF", "service_id"},
		{"ProjectTooLong", "project=" + long, "project"},
		{"ProjectTwice", "project=a&project=b", "project"},
		{"UnknownParameter", "page=2", "page"},
		{"MisspeltParameter", "staus=pending", "staus"},
		{"CursorGarbage", "cursor=abc", "cursor"},
		{"CursorNotBase64", "cursor=" + strings.Repeat("!", 67), "cursor"},
		{"WaitNotNumber", "wait=soon&sort=oldest", "wait"},
		{"WaitNegative", "wait=-1&sort=oldest", "wait"},
		{"WaitTooLong", "wait=61&sort=oldest", "wait"},
		{"WaitWithoutCursor", "wait=5&sort=oldest", "wait"},
		{"WaitWithoutOldest", "wait=5", "sort=oldest"},
		// Found by FuzzListQuery: these pairs were dropped and the filter
		// silently ignored.
		{"MalformedEscape", "status=%zz", "malformed"},
		{"SemicolonSeparator", "limit=1;status=pending", "semicolon"},
	}
	for _, tc := range invalid {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			wantError(t, h.get(base+"?"+tc.query, tok), http.StatusBadRequest, app.CodeInvalidParameter, tc.param)
		})
	}
	t.Run("Invalid/WaitWithNewestCursor", func(t *testing.T) {
		c := *h.list(tok, "limit=1").Pagination.NextCursor
		wantError(t, h.get(base+"?wait=5&cursor="+c, tok), http.StatusBadRequest, app.CodeInvalidParameter, "wait", "sort=oldest")
	})
}

func TestListNextCursor(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")

	// Oldest first, an empty list still gives a cursor: the start.
	empty := h.list(tok, "sort=oldest")
	if empty.Pagination.NextCursor == nil || empty.Pagination.HasMore {
		t.Fatalf("empty oldest page = %+v, want a start cursor", empty.Pagination)
	}
	if h.list(tok, "").Pagination.NextCursor != nil {
		t.Fatal("empty newest page has a next_cursor")
	}
	ns := h.insert(u, series(3, t0, nil)...)
	from := h.list(tok, "sort=oldest&cursor="+*empty.Pagination.NextCursor)
	if !slices.Equal(from.ids(), ids(ns)) {
		t.Fatalf("from the start cursor = %v, want %v", from.ids(), ids(ns))
	}
	// The last page oldest first points after its last row …
	last := from.Pagination
	if last.HasMore || last.NextCursor == nil {
		t.Fatalf("last oldest page = %+v, want a cursor and has_more false", last)
	}
	// … where nothing is yet, and where the next notification then shows.
	tail := h.list(tok, "sort=oldest&cursor="+*last.NextCursor)
	if len(tail.Notifications) != 0 || *tail.Pagination.NextCursor != *last.NextCursor || tail.Pagination.TotalCount != 3 {
		t.Fatalf("tail page = %v %+v, want empty with the same cursor", tail.ids(), tail.Pagination)
	}
	later := h.insert(u, notif{at: t0.Add(time.Hour)})
	if got := h.list(tok, "sort=oldest&cursor="+*last.NextCursor).ids(); !slices.Equal(got, ids(later)) {
		t.Fatalf("after a new notification = %v, want %v", got, ids(later))
	}
	// Newest first, the last page has no cursor.
	newest := h.list(tok, "limit=4")
	if newest.Pagination.NextCursor != nil || newest.Pagination.HasMore {
		t.Fatalf("complete newest page = %+v", newest.Pagination)
	}
}

func TestListETag(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	ns := h.insert(u, series(3, t0, nil)...)

	first := h.get(base+"?limit=2", tok)
	tag := first.header.Get("ETag")
	if first.status != http.StatusOK || len(tag) < 10 || !strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, "W/") {
		t.Fatalf("first = %d, ETag %q", first.status, tag)
	}
	if cc := first.header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Fatalf("Cache-Control = %q", cc)
	}
	for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
		r := h.get(base+"?limit=2", tok, "If-None-Match: "+inm)
		if r.status != http.StatusNotModified || len(r.body) != 0 || r.header.Get("ETag") != tag {
			t.Fatalf("If-None-Match %s = %d %q, ETag %q", inm, r.status, r.body, r.header.Get("ETag"))
		}
	}
	// Another page, another filter or a change gives another tag.
	if r := h.get(base+"?limit=1", tok, "If-None-Match: "+tag); r.status != http.StatusOK || r.header.Get("ETag") == tag {
		t.Fatalf("other page = %d with ETag %q", r.status, r.header.Get("ETag"))
	}
	if r := h.get(base+"?limit=2", tok, `If-None-Match: "stale"`); r.status != http.StatusOK || r.header.Get("ETag") != tag {
		t.Fatalf("stale tag = %d", r.status)
	}
	if r := h.post(base+"/"+ns[2].ID+"/acknowledge", tok, ""); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	changed := h.get(base+"?limit=2", tok, "If-None-Match: "+tag)
	if changed.status != http.StatusOK || changed.header.Get("ETag") == tag {
		t.Fatalf("after acknowledging = %d with ETag %q (was %q)", changed.status, changed.header.Get("ETag"), tag)
	}
	// total_count is part of the body: a row beyond the page changes it.
	tag = changed.header.Get("ETag")
	h.insert(u, notif{at: t0.Add(-time.Hour)})
	if r := h.get(base+"?limit=2", tok, "If-None-Match: "+tag); r.status != http.StatusOK {
		t.Fatalf("after a row beyond the page = %d, want 200 (total_count changed)", r.status)
	}
	if got := h.poll.Stats().NotModified; got != 4 {
		t.Fatalf("Stats().NotModified = %d, want 4", got)
	}
}

func TestListTotalCount(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	ns := h.insert(u, series(5, t0, func(i int, s *notif) { s.service = []string{"backup", ""}[i%2] })...)
	if got := h.list(tok, "status=pending").Pagination.TotalCount; got != 5 {
		t.Fatalf("pending = %d, want 5", got)
	}
	if r := h.post(base+"/"+ns[0].ID+"/acknowledge", tok, ""); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	if got := h.list(tok, "status=pending").Pagination.TotalCount; got != 4 {
		t.Fatalf("pending after acknowledge = %d, want 4", got)
	}
	// A delete through another API, which publishes its change.
	if err := h.store.DeleteNotification(t.Context(), u.ID, ns[2].ID); err != nil {
		t.Fatal(err)
	}
	h.bus.Publish(t.Context(), app.Change{Kind: app.ChangeDeleted, UserID: u.ID})
	for query, want := range map[string]int{"": 4, "status=pending": 3, "status=acknowledged": 1, "service_id=backup": 2, "service_id=backup&status=pending": 1} {
		if got := h.list(tok, query).Pagination.TotalCount; got != want {
			t.Fatalf("total_count of ?%s = %d, want %d", query, got, want)
		}
	}
	// Without Counts the store counts.
	plain := New(Deps{Notifications: h.store, CursorKey: []byte("k")})
	if n, err := plain.d.Counts.CountNotifications(t.Context(), app.NotificationFilter{UserID: u.ID}); err != nil || n != 4 {
		t.Fatalf("fallback count = %d, %v", n, err)
	}
}

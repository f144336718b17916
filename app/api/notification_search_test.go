package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app/apptest"
)

// searchPage is a list response with its cursor.
type searchPage struct {
	Notifications []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Type  string `json:"type"`
	} `json:"notifications"`
	UnreadCount int     `json:"unreadCount"`
	Page        int     `json:"page"`
	Limit       int     `json:"limit"`
	NextCursor  *string `json:"next_cursor"`
}

func (h *harness) search(t *testing.T, query url.Values) searchPage {
	t.Helper()
	rec := h.do("GET", "/api/notifications?"+query.Encode(), "", bearer(h.aliceClient))
	wantStatus(t, rec, http.StatusOK)
	var p searchPage
	decode(t, rec, &p)
	return p
}

// TestListNotifications_Inbox walks alice's seeded inbox with each filter
// by cursor and checks the rows against what the seed says they are.
func TestListNotifications_Inbox(t *testing.T) {
	h := newHarness(t)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ns := apptest.Inbox(t, h.Notifications, h.alice.ID, 400, start)
	apptest.Inbox(t, h.Notifications, h.bob.ID, 20, start)
	for _, tc := range []struct {
		name  string
		query string
		keep  func(i int) bool
	}{
		{"All", "", func(int) bool { return true }},
		{"Search", "q=TICKET-00321.", func(i int) bool { return i == 321 }},
		{"SearchTitle", "q=+job+37+fin+", func(i int) bool { return i == 37 }},
		{"Level", "level=error", func(i int) bool { return i%10 == 0 }},
		{"Type", "type=weekly_report", func(i int) bool { return i%4 == 2 }},
		{"Service", "service_id=svc-2", func(i int) bool { return i%7 == 2 }},
		{"Project", "project=proj-3", func(i int) bool { return i%5 == 3 }},
		{"Read", "read=read", func(i int) bool { return i%3 == 0 }},
		{"Unread", "read=unread", func(i int) bool { return i%3 != 0 }},
		{"UnreadOnlyStillWorks", "unread_only=1&read=unread", func(i int) bool { return i%3 != 0 }},
		{"BeforeTime", "before=2026-03-01T01:00:00Z", func(i int) bool { return i < 60 }},
		{"BeforeDate", "before=2026-03-01", func(i int) bool { return i < 24*60 }},
		{"Combined", "level=warning&project=proj-1&read=unread", func(i int) bool { return (i%10 == 1 || i%10 == 2) && i%5 == 1 && i%3 != 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for i := len(ns) - 1; i >= 0; i-- {
				if tc.keep(i) {
					want = append(want, ns[i].ID)
				}
			}
			query, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			query.Set("limit", "30")
			var got []string
			for pages := 0; ; pages++ {
				p := h.search(t, query)
				if p.Page != 1 || p.Limit != 30 || p.UnreadCount != 266 {
					t.Fatalf("page %d limit %d unread %d", p.Page, p.Limit, p.UnreadCount)
				}
				for _, n := range p.Notifications {
					got = append(got, n.ID)
				}
				if p.NextCursor == nil {
					break
				}
				if len(p.Notifications) != 30 || pages > 20 {
					t.Fatalf("a page of %d with a next cursor", len(p.Notifications))
				}
				query.Set("cursor", *p.NextCursor)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("got %d rows, want %d", len(got), len(want))
			}
		})
	}
	t.Run("PageNumbersKeepWorking", func(t *testing.T) {
		p := h.search(t, url.Values{"page": {"2"}, "limit": {"10"}, "level": {"error"}})
		if len(p.Notifications) != 10 || p.Notifications[0].ID != ns[290].ID || p.NextCursor == nil {
			t.Fatalf("page 2 of errors: %+v", p)
		}
	})
	t.Run("LastPageHasNoCursor", func(t *testing.T) {
		p := h.search(t, url.Values{"q": {"ticket-00005."}})
		if len(p.Notifications) != 1 || p.NextCursor != nil {
			t.Fatalf("one match: %+v", p)
		}
	})
}

func TestListNotifications_InboxBadParameters(t *testing.T) {
	h := newHarness(t)
	cursor := "1767225600000_01900000-0000-7000-8000-000000000001"
	for q, param := range map[string]string{
		"q=" + strings.Repeat("x", 201):          "q",
		"q=%FF%FE":                               "q",
		"level=fatal":                            "level",
		"level=ERROR":                            "level",
		"type=no_such_type":                      "type",
		"service_id=" + strings.Repeat("s", 129): "service_id",
		"project=%C3%28":                         "project",
		"read=maybe":                             "read",
		"read=1":                                 "read",
		"before=yesterday":                       "before",
		"before=2026-13-01":                      "before",
		"before=2026-03-01T25:00:00Z":            "before",
		"before=1767225600":                      "before",
		"cursor=garbage":                         "cursor",
		"cursor=-5_01900000-0000-7000-8000-000000000001": "cursor",
		"cursor=12_not-a-uuid":                           "cursor",
		"cursor=" + cursor + "&page=2":                   "cursor",
		"unread_only=1&read=read":                        "unread_only",
	} {
		msg := wantError(t, h.do("GET", "/api/notifications?"+q, "", bearer(h.aliceClient)), 400, "INVALID_PARAMETER")
		if !strings.Contains(msg, param) {
			t.Errorf("%s: message %q does not name %s", q, msg, param)
		}
	}
	// A well-formed cursor of a position with nothing after it is an empty page.
	rec := h.do("GET", "/api/notifications?cursor="+cursor, "", bearer(h.aliceClient))
	wantJSON(t, rec, http.StatusOK, `{"notifications":[],"unreadCount":0,"page":1,"limit":20,"next_cursor":null}`)
}

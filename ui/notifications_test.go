package ui_test

import (
	"context"
	"fmt"
	htmlpkg "html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/ui"
)

// itemIDs returns the notification ids of a rendered list, in order.
func itemIDs(html string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`class="nitem[^"]*" data-nid="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// moreURL returns the "load more" URL of a rendered list, "" when none.
func moreURL(html string) string {
	m := regexp.MustCompile(`hx-get="(/ui/notifications\?[^"]+)"`).FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return htmlpkg.UnescapeString(m[1])
}

func TestNotificationListPagesAndFilters(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	var ids []string
	for i := 0; i < 25; i++ {
		typ := "job_completed"
		if i%5 == 0 {
			typ = "job_failed"
		}
		ids = append(ids, b.publish(tok, map[string]any{"type": typ, "title": fmt.Sprintf("event %d", i)}))
	}
	slices.Reverse(ids)                                                                       // newest first
	if _, err := b.Notifications.MarkRead(context.Background(), ann.ID, ids[4]); err != nil { // event 20, a job_failed
		t.Fatal(err)
	}
	c := b.login("ann")

	st, first := c.get("/ui/notifications?limit=20", true)
	if st != http.StatusOK || !slices.Equal(itemIDs(first), ids[:20]) {
		t.Fatalf("first page: %d %v", st, itemIDs(first))
	}
	if !strings.Contains(first, `id="badge"`) || !strings.Contains(first, `hx-swap-oob="true"`) || !strings.Contains(first, `>24</span>`) {
		t.Errorf("no out-of-band badge of 24 in the list")
	}
	more := moreURL(first)
	_, second := c.get(more, true)
	if !slices.Equal(itemIDs(second), ids[20:]) || moreURL(second) != "" || !strings.Contains(more, "limit=20") {
		t.Errorf("second page %v, more %q", itemIDs(second), moreURL(second))
	}
	if strings.Contains(second, `class="empty"`) {
		t.Error("a continued page shows the empty state")
	}

	_, panel := c.get("/ui/notifications?view=panel", true)
	if len(itemIDs(panel)) != ui.PanelLimit || !strings.Contains(moreURL(panel), "view=panel") {
		t.Errorf("panel: %d items, more %q", len(itemIDs(panel)), moreURL(panel))
	}
	_, failed := c.get("/ui/notifications?type=job_failed&unread=1", true)
	if got := itemIDs(failed); len(got) != 4 || moreURL(failed) != "" {
		t.Errorf("unread job_failed: %v", got) // 5 job_failed, one read
	}
	_, limited := c.get("/ui/notifications?limit=3&type=job_failed", true)
	if got := itemIDs(limited); len(got) != 3 || !strings.Contains(moreURL(limited), "type=job_failed") {
		t.Errorf("limit 3: %v, more %q", got, moreURL(limited))
	}
	_, none := c.get("/ui/notifications?type=weekly_report", true)
	if len(itemIDs(none)) != 0 || !strings.Contains(none, "Nothing matches these filters") {
		t.Errorf("filtered empty state missing:\n%s", none)
	}

	// A search pages by cursor with the search (and the page size) kept.
	_, found := c.get("/ui/notifications?q=EVENT+1&limit=3", true)
	more = moreURL(found)
	if got := itemIDs(found); !slices.Equal(got, ids[5:8]) || !strings.Contains(more, "q=EVENT+1") || !strings.Contains(more, "limit=3") || !strings.Contains(more, "cursor=") {
		t.Errorf("search: %v, more %q", got, more) // events 19, 18, 17 of 1 and 10–19
	}
	if _, next := c.get(more, true); !slices.Equal(itemIDs(next), ids[8:11]) {
		t.Errorf("search, second page: %v", itemIDs(next))
	}
	if _, errs := c.get("/ui/notifications?level=error", true); len(itemIDs(errs)) != 0 || !strings.Contains(errs, "Nothing matches these filters") {
		t.Errorf("level=error shows %d items", len(itemIDs(errs)))
	}

	// The full page renders the filters it was asked for.
	st, page := c.get("/notifications?unread=1&type=job_failed", false)
	if st != http.StatusOK || len(itemIDs(page)) != 4 || !strings.Contains(page, `value="job_failed" selected`) || !strings.Contains(page, `value="unread" selected`) {
		t.Errorf("filtered page: %d, %d items", st, len(itemIDs(page)))
	}
}

func TestNotificationListRejectsBadQueries(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	c := b.login("ann")
	for q, msg := range map[string]string{
		"view=grid":          "View must be page or panel",
		"unread=maybe":       "Unread must be 1 or 0",
		"type=no_such_type":  "Unknown notification type",
		"limit=0":            "Limit must be a number from 1 to 200",
		"limit=201":          "Limit must be a number from 1 to 200",
		"limit=ten":          "Limit must be a number from 1 to 200",
		"cursor=garbage":     "is malformed",
		"cursor=12_not-uuid": "is malformed",
		"cursor=-5_01900000-0000-7000-8000-000000000001": "is malformed",
		"q=" + strings.Repeat("x", 201):                  "Parameter q must be text",
		"level=fatal":                                    "Parameter level must be",
		"read=both":                                      "Parameter read must be",
		"read=read&unread=1":                             "contradict",
		"service_id=" + strings.Repeat("s", 129):         "Parameter service_id must be text",
		"project=" + strings.Repeat("p", 129):            "Parameter project must be text",
		"before=garbage":                                 "Parameter before must be",
		"before=2026-02-30":                              "Parameter before must be",
	} {
		resp := c.do(http.MethodGet, "/ui/notifications?"+q, nil, true)
		if resp.Header.Get("HX-Retarget") != "#flash" {
			t.Errorf("%s: error not retargeted to #flash", q)
		}
		st, body := c.get("/ui/notifications?"+q, true)
		wantAlert(t, st, body, http.StatusBadRequest, msg)
	}
	// A full page with a bad filter is the error page, still a 400.
	st, body := c.get("/notifications?type=nope", false)
	if st != http.StatusBadRequest || !strings.Contains(body, "Unknown notification type") || !strings.Contains(body, "<html") {
		t.Errorf("bad page filter: %d\n%s", st, body)
	}
}

func TestNotificationActions(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	tok, bobTok := b.token(ann), b.token(bob)
	var ids []string
	for i := 0; i < 4; i++ {
		ids = append(ids, b.publish(tok, map[string]any{"type": "job_completed", "title": fmt.Sprintf("n%d", i)}))
	}
	bobs := b.publish(bobTok, map[string]any{"type": "job_completed", "title": "bob's"})
	ctx := context.Background()
	c := b.login("ann")
	b.Changes.kinds()

	// Delete one.
	st, body := c.send(http.MethodDelete, "/ui/notifications/"+ids[0], nil)
	if st != http.StatusOK || body != "" {
		t.Errorf("delete: %d %q", st, body)
	}
	if _, err := b.Notifications.FindNotification(ctx, ids[0]); app.ErrorKind(err) != app.ENOTFOUND {
		t.Errorf("deleted notification still found: %v", err)
	}
	// Another user's or an unknown id: 404, nothing deleted.
	for _, id := range []string{bobs, "01900000-0000-7000-8000-000000000009", "not-a-uuid"} {
		st, body = c.send(http.MethodDelete, "/ui/notifications/"+id, nil)
		wantAlert(t, st, body, http.StatusNotFound, "not found")
	}
	if _, err := b.Notifications.FindNotification(ctx, bobs); err != nil {
		t.Errorf("bob's notification: %v", err)
	}

	// Mark all read answers with the list the form asked for.
	st, body = c.send(http.MethodPost, "/ui/notifications/read-all", url.Values{"view": {"panel"}})
	if st != http.StatusOK || strings.Contains(body, "nitem level-info unread") || len(itemIDs(body)) != 3 {
		t.Errorf("read-all: %d\n%s", st, body)
	}
	if n, _ := b.Notifications.UnreadCount(ctx, ann.ID); n != 0 {
		t.Errorf("unread after read-all: %d", n)
	}
	if n, _ := b.Notifications.UnreadCount(ctx, bob.ID); n != 1 {
		t.Errorf("bob's unread after ann's read-all: %d", n)
	}
	// A new unread one survives "Delete read".
	keep := b.publish(tok, map[string]any{"type": "job_completed", "title": "still unread"})
	st, body = c.send(http.MethodPost, "/ui/notifications/delete-read", url.Values{})
	if st != http.StatusOK || !slices.Equal(itemIDs(body), []string{keep}) || !strings.Contains(body, "Deleted 3 read notifications.") {
		t.Errorf("delete-read: %d\n%s", st, body)
	}
	if !strings.Contains(body, `id="flash" class="flash" hx-swap-oob="true"`) {
		t.Error("the confirmation is not an out-of-band flash")
	}
	_, body = c.send(http.MethodPost, "/ui/notifications/delete-read", url.Values{})
	if !strings.Contains(body, "no read notifications") {
		t.Error("second delete-read does not say there was nothing")
	}
	kinds := b.Changes.kinds()
	want := []app.ChangeKind{app.ChangeDeleted, app.ChangeReadAll, app.ChangeCreated, app.ChangeDeletedRead}
	if !slices.Equal(kinds, want) {
		t.Errorf("published %v, want %v", kinds, want)
	}
	// Bad list parameters on an action are refused before any change.
	st, body = c.send(http.MethodPost, "/ui/notifications/read-all", url.Values{"view": {"nope"}})
	if st != http.StatusBadRequest {
		t.Errorf("read-all with a bad view: %d %s", st, body)
	}

	st, body = c.get("/ui/badge", true)
	if st != http.StatusOK || !strings.Contains(body, `data-count="1">1</span>`) || strings.Contains(body, "hx-swap-oob") {
		t.Errorf("badge: %d %s", st, body)
	}
}

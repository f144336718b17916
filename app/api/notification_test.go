package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// listPage is the in-app list response with its items kept raw.
type listPage struct {
	Notifications []map[string]any `json:"notifications"`
	UnreadCount   int              `json:"unreadCount"`
	Page          int              `json:"page"`
	Limit         int              `json:"limit"`
}

func (h *harness) list(t *testing.T, query string, cred reqOpt) listPage {
	t.Helper()
	rec := h.do("GET", "/api/notifications"+query, "", cred)
	wantStatus(t, rec, http.StatusOK)
	var p listPage
	decode(t, rec, &p)
	return p
}

func TestListNotifications(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for i := range 25 {
		ids = append(ids, h.publish(bearer(h.alicePublish), fmt.Sprintf(`{"type":"job_completed","title":"job %d","data":{"n":%d}}`, i, i))...)
	}
	h.publish(bearer(h.rootAdmin), `{"type":"job_completed","title":"bob's","users":["bob"]}`)

	t.Run("FirstPage", func(t *testing.T) {
		p := h.list(t, "", bearer(h.aliceClient))
		if len(p.Notifications) != 20 || p.UnreadCount != 25 || p.Page != 1 || p.Limit != 20 {
			t.Fatalf("page %d items, unread %d, page %d, limit %d", len(p.Notifications), p.UnreadCount, p.Page, p.Limit)
		}
		first := p.Notifications[0]
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range first {
				if !yield(k) {
					return
				}
			}
		})
		if want := []string{"body", "created_at", "data", "id", "is_read", "title", "type", "user_id"}; !reflect.DeepEqual(keys, want) {
			t.Fatalf("fields %v, want exactly %v", keys, want)
		}
		if first["id"] != ids[24] || first["title"] != "job 24" || first["user_id"] != h.alice.ID ||
			first["type"] != "job_completed" || first["is_read"] != false || first["body"] != "" {
			t.Fatalf("newest first expected, got %v", first)
		}
		if d, ok := first["data"].(map[string]any); !ok || d["n"] != float64(24) {
			t.Fatalf("data %v", first["data"])
		}
		ts, err := time.Parse(time.RFC3339, first["created_at"].(string))
		if err != nil || !strings.HasSuffix(first["created_at"].(string), "Z") || time.Since(ts) > time.Hour {
			t.Fatalf("created_at %q is not a recent RFC 3339 UTC time", first["created_at"])
		}
	})
	t.Run("SecondPage", func(t *testing.T) {
		p := h.list(t, "?page=2&limit=20", cookie(h.aliceCookie))
		if len(p.Notifications) != 5 || p.Page != 2 || p.Notifications[4]["id"] != ids[0] {
			t.Fatalf("second page: %d items", len(p.Notifications))
		}
		if p := h.list(t, "?page=9", cookie(h.aliceCookie)); len(p.Notifications) != 0 || p.Notifications == nil {
			t.Fatalf("past the end: %+v", p)
		}
	})
	t.Run("UnreadOnly", func(t *testing.T) {
		wantStatus(t, h.do("PATCH", "/api/notifications/"+ids[24]+"/read", "", bearer(h.aliceClient)), http.StatusOK)
		for _, q := range []string{"?unread_only=1&limit=100", "?unread_only=true&limit=100"} {
			p := h.list(t, q, bearer(h.aliceClient))
			if len(p.Notifications) != 24 || p.UnreadCount != 24 {
				t.Fatalf("%s: %d items, unread %d", q, len(p.Notifications), p.UnreadCount)
			}
		}
		p := h.list(t, "?unread_only=false&limit=1", bearer(h.aliceClient))
		if p.Notifications[0]["is_read"] != true {
			t.Fatalf("read notification missing: %v", p.Notifications[0])
		}
	})
	t.Run("OnlyOwn", func(t *testing.T) {
		p := h.list(t, "", bearer(h.bobClient))
		if len(p.Notifications) != 1 || p.Notifications[0]["title"] != "bob's" || p.UnreadCount != 1 {
			t.Fatalf("bob sees %+v", p)
		}
	})
	t.Run("BadParameters", func(t *testing.T) {
		for _, q := range []string{
			"page=0", "page=-1", "page=x", "page=1.5", "page=", "page=99999999999999999999",
			"limit=0", "limit=101", "limit=abc", "limit=",
			"unread_only=yes", "unread_only=2",
		} {
			msg := wantError(t, h.do("GET", "/api/notifications?"+q, "", bearer(h.aliceClient)), 400, "INVALID_PARAMETER")
			if param := strings.Split(q, "=")[0]; !strings.Contains(msg, param) {
				t.Fatalf("%s: message %q does not name %s", q, msg, param)
			}
		}
		// A pair the query parser drops would leave the filter off.
		for _, q := range []string{"unread_only=1%zz", "unread_only=1;limit=5"} {
			if msg := wantError(t, h.do("GET", "/api/notifications?"+q, "", bearer(h.aliceClient)), 400, "INVALID_PARAMETER"); !strings.Contains(msg, "malformed") {
				t.Fatalf("%s: message %q", q, msg)
			}
		}
	})
}

func TestMarkRead(t *testing.T) {
	h := newHarness(t)
	id := h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"x"}`)[0]
	h.changes.take()
	path := "/api/notifications/" + id + "/read"

	wantError(t, h.do("PATCH", path, "", bearer(h.bobClient)), 404, app.CodeNotificationNotFound)
	wantError(t, h.do("PATCH", "/api/notifications/0190f0a4-0000-7000-8000-000000000000/read", "", bearer(h.aliceClient)), 404, app.CodeNotificationNotFound)
	for _, bad := range []string{"123", "not-a-uuid", strings.ToUpper(id)[:35] + "zz", "{" + id + "}"} {
		wantError(t, h.do("PATCH", "/api/notifications/"+bad+"/read", "", bearer(h.aliceClient)), 400, "INVALID_PARAMETER")
	}
	if p := h.list(t, "", bearer(h.aliceClient)); p.UnreadCount != 1 {
		t.Fatal("bob's attempt changed alice's notification")
	}
	if cs := h.changes.take(); len(cs) != 0 {
		t.Fatalf("failed requests published %v", kinds(cs))
	}

	wantJSON(t, h.do("PATCH", path, "", bearer(h.aliceClient)), 200, `{"success":true}`)
	if cs := h.changes.take(); !reflect.DeepEqual(kinds(cs), []app.ChangeKind{app.ChangeRead}) || cs[0].UserID != h.alice.ID {
		t.Fatalf("changes %+v", cs)
	}
	wantJSON(t, h.do("PATCH", path, "", cookie(h.aliceCookie)), 200, `{"success":true}`)
	if cs := h.changes.take(); len(cs) != 0 {
		t.Fatalf("marking a read notification published %v", kinds(cs))
	}
	if p := h.list(t, "", bearer(h.aliceClient)); p.UnreadCount != 0 || p.Notifications[0]["is_read"] != true {
		t.Fatalf("after mark read: %+v", p)
	}
}

func TestMarkAllRead(t *testing.T) {
	h := newHarness(t)
	for range 3 {
		h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"x"}`)
	}
	h.publish(bearer(h.rootAdmin), `{"type":"job_failed","title":"x","users":["bob"]}`)
	h.changes.take()
	wantJSON(t, h.do("POST", "/api/notifications/read-all", "", bearer(h.aliceClient)), 200, `{"updated":3}`)
	if cs := h.changes.take(); !reflect.DeepEqual(kinds(cs), []app.ChangeKind{app.ChangeReadAll}) || cs[0].UserID != h.alice.ID {
		t.Fatalf("changes %+v", cs)
	}
	wantJSON(t, h.do("PATCH", "/api/notifications/read-all", "", cookie(h.aliceCookie)), 200, `{"updated":0}`)
	if cs := h.changes.take(); len(cs) != 0 {
		t.Fatalf("nothing changed but %v was published", kinds(cs))
	}
	if p := h.list(t, "", bearer(h.bobClient)); p.UnreadCount != 1 {
		t.Fatal("alice's read-all touched bob's notifications")
	}
}

func TestDeleteNotification(t *testing.T) {
	h := newHarness(t)
	id := h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"x"}`)[0]
	h.changes.take()
	wantError(t, h.do("DELETE", "/api/notifications/"+id, "", bearer(h.bobClient)), 404, app.CodeNotificationNotFound)
	wantError(t, h.do("DELETE", "/api/notifications/nope", "", bearer(h.aliceClient)), 400, "INVALID_PARAMETER")
	wantJSON(t, h.do("DELETE", "/api/notifications/"+id, "", bearer(h.aliceClient)), 200, `{"ok":true}`)
	if cs := h.changes.take(); !reflect.DeepEqual(kinds(cs), []app.ChangeKind{app.ChangeDeleted}) {
		t.Fatalf("changes %v", kinds(cs))
	}
	wantError(t, h.do("DELETE", "/api/notifications/"+id, "", bearer(h.aliceClient)), 404, app.CodeNotificationNotFound)
}

func TestDeleteRead(t *testing.T) {
	h := newHarness(t)
	read := h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"read"}`)[0]
	h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"unread"}`)
	bobs := h.publish(bearer(h.rootAdmin), `{"type":"job_failed","title":"bob's","users":["bob"]}`)[0]
	wantStatus(t, h.do("PATCH", "/api/notifications/"+read+"/read", "", bearer(h.aliceClient)), 200)
	wantStatus(t, h.do("PATCH", "/api/notifications/"+bobs+"/read", "", bearer(h.bobClient)), 200)
	h.changes.take()

	wantJSON(t, h.do("DELETE", "/api/notifications", "", cookie(h.aliceCookie)), 200, `{"ok":true}`)
	if cs := h.changes.take(); !reflect.DeepEqual(kinds(cs), []app.ChangeKind{app.ChangeDeletedRead}) {
		t.Fatalf("changes %v", kinds(cs))
	}
	p := h.list(t, "", bearer(h.aliceClient))
	if len(p.Notifications) != 1 || p.Notifications[0]["title"] != "unread" {
		t.Fatalf("after delete read: %+v", p.Notifications)
	}
	if p := h.list(t, "", bearer(h.bobClient)); len(p.Notifications) != 1 {
		t.Fatal("alice's delete removed bob's read notification")
	}
	wantJSON(t, h.do("DELETE", "/api/notifications", "", cookie(h.aliceCookie)), 200, `{"ok":true}`)
	if cs := h.changes.take(); len(cs) != 0 {
		t.Fatalf("nothing deleted but %v was published", kinds(cs))
	}
}
